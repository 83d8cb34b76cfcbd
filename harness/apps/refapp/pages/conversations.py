"""Conversations and threads (R7, R12): read a thread, page back to earlier messages."""

from __future__ import annotations

from harness.app.base import Screen, ScreenTimeout, screen_read
from harness.app.observations import Message, ThreadView


class ConversationsScreen(Screen):
    """The conversation list and one thread."""

    def list_ids(self) -> list[str]:
        if self.first("nav_conversations") is not None:
            self.tap("nav_conversations")
        else:
            self.go("conversations", "conversation_list")
        self.wait_visible("conversation_list")
        self.poll(lambda: self.find_all("conversation_row") or self.unavailable_messages(), self.t.ui_s)
        return [self.get(e, "conversation_id") for e in self.find_all("conversation_row")]

    def open_thread(self, conversation_id: str | int, *, earlier_pages: int = 0) -> ThreadView:
        """Open a thread and tap "load earlier" ``earlier_pages`` times (if enabled)."""
        cid = str(conversation_id)
        loc = self.loc("conversation_row")
        row = loc.css_with(self.attr_name("conversation_id"), cid) if loc.css else None
        if row is not None and self.first(row) is not None:
            self.tap(row)
            self.wait_visible("thread")
        else:
            self.go("thread", "thread", id=cid)
        self.wait(f"thread {cid}: messages or a message",
                  lambda: self.subject("thread", "conversation_id") == cid and (
                      self.find_all("message_item") or self.unavailable_messages()))
        for _ in range(earlier_pages):
            btn = self.first("load_earlier")
            if btn is None or not self.enabled(btn):
                break
            before = len(self.find_all("message_item"))
            try:  # tapped again if the tap missed: the button still enabled and no message more (it is disabled
                # while a page loads); a page that never came leaves the thread as the app shows it, as before
                self.tap_for("load_earlier", "earlier messages", lambda: len(self.find_all("message_item")) > before,
                             lambda: len(self.find_all("message_item")) == before)
            except ScreenTimeout:
                pass
        view = self.read(cid)
        self.record_action("open_thread", conversation_id=cid, outcome="done" if view.available else "unavailable",
                           message="; ".join(view.unavailable))
        return view

    @screen_read
    def read(self, cid: str) -> ThreadView:
        msgs = tuple(Message(self.get(e, "message_id"), self.get(e, "direction"), self.text(e))
                     for e in self.find_all("message_item"))
        more = self.first("load_earlier")
        unavailable = tuple(self.unavailable_messages())
        view = ThreadView(id=cid, available=bool(msgs) or not unavailable, messages=msgs,
                          can_load_earlier=None if more is None else self.enabled(more), unavailable=unavailable)
        self.record_observation("thread_view", conversation_id=cid, count=len(msgs),
                                messages=[m.id for m in msgs], available=view.available,
                                unavailable=not view.available, notices=list(unavailable))
        return view


__all__ = ["ConversationsScreen"]
