"""The app as one object: every screen's page object over one driver, profile and timeline.

Usage::

    app = App(device.driver, load_app_profile("refapp"), timeline=tl)
    app.shell.wait_ready()
    note = app.contact.add_note(7, "call back", marker=new_marker())
    app.contact.wait_note_state(note.text.split()[-1], "synced")

The driver is re-read through ``driver_source`` on every access, so the
same App keeps working after the device relaunches the app (new session).
"""

from __future__ import annotations

from typing import Any, Callable

from harness.app.base import Screen
from harness.app.calendar import CalendarScreen
from harness.app.contact import ContactScreen
from harness.app.contacts import ContactsScreen
from harness.app.conversations import ConversationsScreen
from harness.app.dashboard import DashboardScreen
from harness.app.messaging import Messaging
from harness.app.online_only import OnlineOnly
from harness.app.opportunity import OpportunityScreen
from harness.app.outbox import OutboxScreen
from harness.app.profile import AppProfile
from harness.app.search import SearchScreen
from harness.app.shell import Shell
from harness.timeline import Timeline


class App:
    """Page objects by screen family: shell, contacts, contact, messaging, opportunity,
    conversations, calendar, search, dashboard, online_only, outbox."""

    def __init__(self, driver: Any | Callable[[], Any], profile: AppProfile, *, timeline: Timeline | None = None,
                 offline_belief: Callable[[], bool] | None = None) -> None:
        self._driver_source: Callable[[], Any] = driver if callable(driver) and not hasattr(driver, "find_elements") else (lambda: driver)
        self.profile = profile
        self.timeline = timeline if timeline is not None else Timeline()
        self.offline_belief = offline_belief

    def _make(self, cls: type[Screen]) -> Any:
        return cls(self._driver_source(), self.profile, timeline=self.timeline, offline_belief=self.offline_belief)

    @property
    def driver(self) -> Any:
        return self._driver_source()

    def launch_url(self, base_url: str) -> str:
        """The URL to open the app at, with the profile's timer query."""
        q = self.profile.parameters.launch_query
        if not q:
            return base_url
        return base_url + ("&" if "?" in base_url else "?") + q

    shell = property(lambda self: self._make(Shell))
    contacts = property(lambda self: self._make(ContactsScreen))
    contact = property(lambda self: self._make(ContactScreen))
    messaging = property(lambda self: self._make(Messaging))
    opportunity = property(lambda self: self._make(OpportunityScreen))
    conversations = property(lambda self: self._make(ConversationsScreen))
    calendar = property(lambda self: self._make(CalendarScreen))
    search = property(lambda self: self._make(SearchScreen))
    dashboard = property(lambda self: self._make(DashboardScreen))
    online_only = property(lambda self: self._make(OnlineOnly))
    outbox = property(lambda self: self._make(OutboxScreen))


__all__ = ["App"]
