"""A collection's list screen, for any app: read its items, add, edit and delete one (R3, R5, R9, R22).

The generic page object behind ``open_list``, ``add_item``, ``edit_item``,
``delete_item`` and ``expect_item``: it knows only the collection's
locators from the app profile (``collections.NAME``). Every text the
harness types carries a marker, which is how the item is found again on
screen and in the ledger. Per-item sync state is read from the profile's
``sync_state`` attribute when the app declares ``item_sync_state``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from harness.app.base import Screen, screen_read
from harness.app.profile import Collection
from harness.errors import LabError


@dataclass(frozen=True)
class ListItem:
    """One item as the list shows it."""

    id: str
    text: str
    state: str  # pending | synced | failed | "" (the app shows no per-item state)


class CollectionScreen(Screen):
    """The list screen of one collection (``name``) of the app profile."""

    def __init__(self, *args: Any, name: str, parent: int | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.name, self.col = self.profile.collection(name)
        self.parent = parent

    # --- navigation ------------------------------------------------------------------------
    def open(self, *, record: bool = True) -> tuple[ListItem, ...]:
        """Show the list (deep link, nav control, or already there) and read it."""
        t0 = time.monotonic()
        if not self._on_list():
            self._navigate()
        self.wait(f"{self.name} list ({self.col.list.value}) or a needs-a-connection message",
                  lambda: self._on_list() or bool(self._unavailable()))
        items = self.items()
        if record:
            available = self._on_list()
            subject = f"{self.name}:{self.parent if self.parent is not None else ''}"
            self.record_action("open_list", collection=self.name, record=self.parent, subject=subject,
                               outcome="done" if available else "unavailable",
                               took_s=round(time.monotonic() - t0, 3))
            self.record_observation("list_view", collection=self.name, record=self.parent, subject=subject,
                                    available=available,
                                    unavailable=not available, items=[i.text for i in items],
                                    states=[i.state for i in items])
        return items

    def _unavailable(self) -> list[str]:
        return self.unavailable_messages() if "unavailable_message" in self.profile.locators else []

    def _list_shown(self) -> bool:
        """The list is on screen: displayed, or present and empty (an empty list has no height to display)."""
        for el in self.find_all(self.col.list):
            try:
                if el.is_displayed() or not self.find_all(self.col.item, el):
                    return True
            except Exception as e:
                if type(e).__name__ not in ("StaleElementReferenceException", "NoSuchElementException"):
                    raise
        return False

    def _on_list(self) -> bool:
        if not self._list_shown():
            return False
        if self.parent is None or not self.col.route or "{in}" not in self.col.route:
            return True
        want = self.col.route.format(**{"in": self.parent})
        return self.current_hash() == want

    def _navigate(self) -> None:
        if self.col.route:
            route = self.col.route.format(**{"in": self.parent if self.parent is not None else ""})
            if route.startswith("#"):
                self.set_hash(route)
            else:
                self.driver.execute_script("window.location.assign(arguments[0])", route)
        elif self.col.nav is not None:
            self.tap(self.col.nav)
        # else: the list is the app's only screen; the caller's bounded wait says when it never shows

    # --- reading -------------------------------------------------------------------------------
    @screen_read
    def items(self) -> tuple[ListItem, ...]:
        out = []
        state_attr = self.profile.attributes.get("sync_state")
        id_attr = self.profile.attributes.get("id")
        for el in self.find_all(self.col.item):
            t_el = self.first(self.col.text, el) if self.col.text is not None else el
            if t_el is None:
                continue  # no text element: an inline editor is open on it, and its controls' labels are no item
            out.append(ListItem(
                id=str(el.get_attribute(id_attr) or "") if id_attr else "",
                text=self.text(t_el),
                state=str(el.get_attribute(state_attr) or "") if state_attr else ""))
        return tuple(out)

    def find(self, marker: str) -> ListItem | None:
        return next((i for i in self.items() if marker in i.text), None)

    def _element(self, marker: str) -> Any:
        for el in self.find_all(self.col.item):
            t_el = self.first(self.col.text, el) if self.col.text is not None else None
            if marker in self.text(t_el if t_el is not None else el):
                return el
        return None

    def state_of(self, marker: str) -> str:
        """pending | synced | failed | absent (an item shown with no state counts as synced)."""
        if not self._on_list():
            self.open(record=False)
        found = self.find(marker)
        return "absent" if found is None else (found.state or "synced")

    # --- writing -------------------------------------------------------------------------------
    def add(self, text: str, *, marker: str) -> ListItem:
        """Type ``text`` (carrying ``marker``) and submit it; returns the item as listed."""
        return self.begin_add(text, marker=marker)()

    def begin_add(self, text: str, *, marker: str) -> Callable[[], ListItem]:
        """Type ``text`` into the new-item field and stop there (a form half done); the returned function taps
        submit, waits for the item to be listed and records the action."""
        if not self.col.can_add:
            raise LabError(f"app {self.profile.name}: collection {self.name} has no input/submit locators")
        if not self._on_list():
            self.open(record=False)
        assert self.col.input is not None and self.col.submit is not None
        field = self.wait(f"{self.name} input", lambda: (self.visible(self.col.input) or [None])[0])  # type: ignore[arg-type]
        self.type_into(field, text)
        submit = self.col.submit

        def finish() -> ListItem:
            item = self.submit(submit, field, text, f"{self.name} item {marker!r} listed", lambda: self.find(marker))
            self.record_action("add_item", marker=marker, collection=self.name, record=self.parent,
                               key=item.id or None, requirement=self.col.requirement,
                               outcome="queued" if item.state == "pending" else "done", state=item.state)
            return item

        return finish

    def edit(self, old_marker: str, text: str, *, marker: str) -> ListItem:
        """Open the item's editor, replace its text with ``text`` (carrying the new ``marker``), save."""
        return self.begin_edit(old_marker, text, marker=marker)()

    def begin_edit(self, old_marker: str, text: str, *, marker: str) -> Callable[[], ListItem]:
        """Open the item's editor and type ``text`` there; the returned function saves and records the action."""
        if not self.col.can_edit:
            raise LabError(f"app {self.profile.name}: collection {self.name} has no edit locators")
        if not self._on_list():
            self.open(record=False)
        assert self.col.edit is not None and self.col.edit_input is not None and self.col.edit_submit is not None
        field = self.tap_to_open(f"{self.name} item {old_marker!r} and its edit control",
                                 lambda: self._element(old_marker), self.col.edit, f"{self.name} editor",
                                 lambda: (self.visible(self.col.edit_input) or [None])[0])  # type: ignore[arg-type]
        self.type_into(field, text)
        save = self.col.edit_submit

        def finish() -> ListItem:
            started = time.monotonic()
            item = self.submit(save, field, text, f"{self.name} item {marker!r} listed", lambda: self.find(marker))
            self.record_action("edit_item", marker=marker, previous=old_marker, started=started, collection=self.name,
                               requirement=self.col.requirement, record=item.id or self.parent,
                               outcome="queued" if item.state == "pending" else "done", state=item.state)
            return item

        return finish

    def delete(self, marker: str) -> bool:
        """Delete the item carrying ``marker``; True when it is gone from the list."""
        if self.col.delete is None:
            raise LabError(f"app {self.profile.name}: collection {self.name} has no delete locator")
        if not self._on_list():
            self.open(record=False)
        id_attr = self.profile.attributes.get("id")
        ids: list[str] = []

        def item() -> Any:  # the item, its id read in the same attempt (a redraw makes both stale together)
            el = self._element(marker)
            if el is not None:
                ids[:] = [str(el.get_attribute(id_attr) or "") if id_attr else ""]
            return el

        started = time.monotonic()
        self.tap_within(f"{self.name} item {marker!r} and its delete control", item, self.col.delete)
        item_id = ids[0] if ids else ""
        gone = self.poll(lambda: self.find(marker) is None, self.t.ui_s)
        self.record_action("delete_item", marker=marker, started=started, collection=self.name,
                           record=item_id or self.parent,
                           outcome="queued" if self.offline_now() else "done", gone=bool(gone))
        return bool(gone)


__all__ = ["CollectionScreen", "ListItem"]
