"""One contact (R6, R9, R12, R15): details, activity, notes and their sync state, files.

``add_note`` types the caller's marker into the note so the oracles can
follow it to the ledger; ``note`` reads that note's sync state back.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from harness.app.base import Screen, ScreenTimeout, screen_read
from harness.apps.refapp.pages.contacts import ContactsScreen
from harness.app.observations import ActionResult, Activity, ContactView, ItemState


class ContactScreen(Screen):
    """The contact detail screen."""

    def open(self, contact_id: str | int) -> ContactView:
        """Open a contact: from the list if its row is there, else by deep link."""
        cid = str(contact_id)
        t0 = time.monotonic()
        lst = ContactsScreen(self.driver, self.profile, timeline=self.timeline, offline_belief=self.offline_belief)
        if not (self.current_id() == cid) and not lst.tap_contact(cid):
            self.go("contact", "contact_detail", id=cid)
        self.wait(f"contact {cid} or a needs-a-connection message",
                  lambda: self._shown(cid) or (self.unavailable_messages() and not self.first("note_input")))
        view = self.read(cid)
        self.record_action("open_contact", contact_id=cid, outcome="done" if view.available else "unavailable",
                           message="; ".join(view.unavailable), took_s=round(time.monotonic() - t0, 3))
        return view

    def current_id(self) -> str | None:
        return self.subject("contact_detail", "contact_id")

    def _shown(self, cid: str) -> bool:
        return self.current_id() == cid and bool(self.visible("contact_name")) and bool(self.text(self.first("contact_name")))

    def _field(self, name: str) -> str:
        el = self.first(name)
        return self.text(el) if el is not None else ""

    def _items(self, locator: str, *, text_locator: str | None = None, indicator: str | None = None) -> tuple[ItemState, ...]:
        out = []
        for e in self.find_all(locator):
            t_el = self.first(text_locator, e) if text_locator else None
            out.append(ItemState(
                key=self.get(e, "key"), state=self.get(e, "sync_state"),
                text=self.text(t_el) if t_el is not None else self.text(e),
                indicator=bool(self.find_all(indicator, e)) if indicator else False,
            ))
        return tuple(out)

    @screen_read
    def notes(self) -> tuple[ItemState, ...]:
        return self._items("note_item", text_locator="note_text", indicator="note_sync_indicator")

    @screen_read
    def files(self) -> tuple[ItemState, ...]:
        return self._items("file_item")

    @screen_read
    def activity(self) -> tuple[Activity, ...]:
        return tuple(Activity(self.get(e, "activity_id"), self.text(e)) for e in self.find_all("activity_item"))

    @screen_read
    def read(self, contact_id: str | None = None) -> ContactView:
        cid = contact_id or self.current_id() or ""
        available = self._shown(cid)
        msgs = tuple(self.unavailable_messages())
        if not available:
            view = ContactView(id=cid, available=False, unavailable=msgs)
        else:
            view = ContactView(
                id=cid, available=True, name=self._field("contact_name"), email=self._field("contact_email"),
                phone=self._field("contact_phone"), company=self._field("contact_company"),
                activity=self.activity(), notes=self.notes(), files=self.files(),
                opportunity_ids=tuple(self.get(e, "opportunity_id") for e in self.find_all("opportunity_row")),
                unavailable=msgs,
            )
        # content as lists of stable ids/texts so an offline read can be compared with the online one;
        # ``notices`` are messages about other features (e.g. calls need a connection), not this screen
        self.record_observation(
            "contact_view", contact_id=cid, available=view.available, unavailable=not view.available,
            name=view.name,
            fields={"name": view.name, "email": view.email, "phone": view.phone, "company": view.company}
            if view.available else {},
            activity=[a.id for a in view.activity], notes=[n.text for n in view.notes],
            note_states=[(n.key, n.state) for n in view.notes], notices=list(msgs))
        return view

    # --- notes -------------------------------------------------------------------
    def add_note(self, contact_id: str | int, text: str, *, marker: str | None = None) -> ItemState:
        """Type and add a note; returns the note as the app lists it (key, state)."""
        return self.begin_note(contact_id, text, marker=marker)()

    def begin_note(self, contact_id: str | int, text: str, *, marker: str | None = None) -> Callable[[], ItemState]:
        """Type a note and stop there; the returned function taps "Add note" and records the action."""
        cid = str(contact_id)
        if self.current_id() != cid:
            self.open(cid)
        body = f"{text} {marker}" if marker else text
        field = self.wait_visible("note_input")
        self.type_into(field, body)
        needle = marker or body

        def finish() -> ItemState:
            note = self.submit("note_add", field, body, f"note {needle!r} listed",
                               lambda: self.note(needle, record=False))
            self.record_action("add_note", marker=marker, contact_id=cid, key=note.key,
                               outcome="queued" if note.state == "pending" else "done", state=note.state)
            return note

        return finish

    def note(self, needle: str, *, record: bool = True) -> ItemState | None:
        """The note whose text contains ``needle`` (a marker), or None."""
        found = next((n for n in self.notes() if needle in n.text), None)
        if record:
            self.record_observation("item_state", item="note", marker=needle, present=found is not None,
                                    state=found.state if found else None, indicator=found.indicator if found else None,
                                    key=found.key if found else None)
        return found

    def wait_note_state(self, needle: str, state: str, timeout_s: float | None = None) -> ItemState:
        """Wait (bounded, default sync_s) until the note shows ``state``."""
        self.wait(f"note {needle} {state}", lambda: (n := self.note(needle, record=False)) is not None and n.state == state,
                  timeout_s or self.t.sync_s)
        found = self.note(needle)
        assert found is not None
        return found

    # --- files -------------------------------------------------------------------
    def upload_photo(self, contact_id: str | int, path: Path, *, marker: str | None = None) -> ActionResult:
        """Upload a file (its name should carry the marker); returns queued/done or why not."""
        cid = str(contact_id)
        if self.current_id() != cid:
            self.open(cid)
        btn = self.wait_visible("action_upload")
        if not self.enabled(btn):
            return self._gated("upload_photo", cid, marker)
        self.click(btn)
        field = self.wait("upload input", lambda: self.first("upload_input"))
        field.send_keys(str(path.resolve()))
        # tapped as a form is submitted (see ``submit``): a tap can land where the button was a moment ago (the
        # "not available offline" line above the panels comes and goes as the app's connection flips), and is
        # tapped again only while the input still holds the chosen file and the button is enabled (the app
        # clears the input once it has taken the file)
        chosen = str(field.get_property("value") or "")
        try:
            item = self.submit("upload_submit", field, chosen, f"file {path.name} listed",
                               lambda: next((f for f in self.files() if path.name in f.text), None))
        except ScreenTimeout:
            item = None
        outcome = "error" if item is None else ("queued" if item.state == "pending" else "done")
        res = ActionResult("upload_photo", outcome, marker=marker, key=item.key if item else None)
        self.record_action("upload_photo", marker=marker, contact_id=cid, outcome=outcome, filename=path.name,
                           key=res.key)
        return res

    def _gated(self, action: str, cid: str, marker: str | None) -> ActionResult:
        msg = "; ".join(self.unavailable_messages())
        self.record_action(action, marker=marker, contact_id=cid, outcome="disabled", message=msg)
        return ActionResult(action, "disabled", msg, marker)

    def action_button(self, name: str) -> Any:
        return self.wait_visible(f"action_{name}")


__all__ = ["ContactScreen"]
