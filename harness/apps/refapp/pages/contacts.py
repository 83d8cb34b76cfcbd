"""The contact list (R6, R12): open it, scroll to the end of what is loaded or cached."""

from __future__ import annotations

from harness.app.base import Screen, screen_read
from harness.app.observations import ContactList, ContactRow


class ContactsScreen(Screen):
    """The contact list screen."""

    def open(self) -> ContactList:
        if self.first("nav_contacts") is not None:
            self.tap("nav_contacts")
            self.wait_visible("contact_list")
        else:
            self.go("contacts", "contact_list")
        self.wait("contact rows or an end marker", lambda: self.find_all("contact_row") or self.visible("list_cached_end")
                  or self.unavailable_messages())
        return self.read()

    @screen_read
    def read(self) -> ContactList:
        rows = tuple(ContactRow(self.get(e, "contact_id"), self.text(e)) for e in self.find_all("contact_row"))
        more = self.first("load_more")
        view = ContactList(rows=rows, cached_end_shown=bool(self.visible("list_cached_end")),
                           load_more_enabled=None if more is None else self.enabled(more))
        self.record_observation("contact_list", items=[r.id for r in rows], count=len(rows),
                                cached_end=view.cached_end_shown, load_more_enabled=view.load_more_enabled)
        return view

    def scroll_to_end(self, *, max_pages: int = 20) -> ContactList:
        """Tap "load more" until it is gone or disabled (offline: the end of the cached set)."""
        pages = 0
        while pages < max_pages:
            more = self.first("load_more")
            if more is None or not self.enabled(more):
                break
            before = len(self.find_all("contact_row"))
            self.click(more)
            pages += 1
            grown = self.poll(lambda: len(self.find_all("contact_row")) > before or self.visible("list_cached_end")
                              or (self.first("load_more") is not None and not self.enabled(self.first("load_more"))),
                              self.t.ui_s)
            if not grown:
                break
        view = self.read()
        self.record_action("scroll_contacts", pages=pages, outcome="done", count=len(view.rows))
        return view

    def tap_contact(self, contact_id: str) -> bool:
        """Tap the row of ``contact_id`` if it is on the list; False if it is not."""
        loc = self.loc("contact_row")
        row = loc.css_with(self.attr_name("contact_id"), contact_id) if loc.css else None
        if row is None or self.first(row) is None:
            return False
        self.tap(row)
        return True


__all__ = ["ContactsScreen"]
