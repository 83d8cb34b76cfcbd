"""The outbox screen: every queued action with its kind and sync state (R5, R9, R22, R27)."""

from __future__ import annotations

from harness.app.base import Screen, screen_read
from harness.app.observations import ItemState


class OutboxScreen(Screen):
    """The outbox list."""

    @screen_read
    def read(self) -> tuple[ItemState, ...]:
        if self.first("nav_outbox") is not None:
            self.tap("nav_outbox")
        else:
            self.go("outbox", "outbox_list")
        self.wait_visible("outbox_list")
        self.poll(lambda: self.find_all("outbox_item"), 1.0)
        items = tuple(ItemState(self.get(e, "key"), self.get(e, "sync_state"), self.text(e), kind=self.get(e, "kind"))
                      for e in self.find_all("outbox_item"))
        self.record_observation("item_state", item="outbox", entries=[(i.key, i.kind, i.state) for i in items])
        return items


__all__ = ["OutboxScreen"]
