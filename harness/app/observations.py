"""What the page objects return: typed, frozen observations of the app's screen.

Checks compare these (and the timeline events recorded from them) with the
ledger and the backend; they are values, never live elements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: How a user action ended (docs/architecture.md, action events).
Outcome = Literal["done", "queued", "unavailable", "disabled", "hung", "error"]


@dataclass(frozen=True)
class ActionResult:
    """The outcome of one action, with the app's own message if it showed one."""

    action: str
    outcome: Outcome
    message: str = ""
    marker: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Banner:
    visible: bool
    text: str = ""


@dataclass(frozen=True)
class SyncStatus:
    pending: int
    text: str


@dataclass(frozen=True)
class ItemState:
    """A queued item on screen (note, file, outbox entry): its key and sync state."""

    key: str
    state: str
    text: str
    indicator: bool = False
    kind: str = ""


@dataclass(frozen=True)
class ContactRow:
    id: str
    name: str


@dataclass(frozen=True)
class ContactList:
    rows: tuple[ContactRow, ...]
    cached_end_shown: bool
    load_more_enabled: bool | None  # None: no load-more control

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rows]


@dataclass(frozen=True)
class Activity:
    id: str
    text: str


@dataclass(frozen=True)
class ContactView:
    """One contact screen; ``available`` False when the app said it needs a connection."""

    id: str
    available: bool
    name: str = ""
    email: str = ""
    phone: str = ""
    company: str = ""
    activity: tuple[Activity, ...] = ()
    notes: tuple[ItemState, ...] = ()
    files: tuple[ItemState, ...] = ()
    opportunity_ids: tuple[str, ...] = ()
    unavailable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Message:
    id: str
    direction: str
    text: str


@dataclass(frozen=True)
class ThreadView:
    id: str
    available: bool
    messages: tuple[Message, ...] = ()
    can_load_earlier: bool | None = None
    unavailable: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarDay:
    date: str
    appointment_ids: tuple[str, ...]
    text: str = ""


@dataclass(frozen=True)
class CalendarView:
    days: tuple[CalendarDay, ...]
    unavailable: tuple[str, ...] = ()

    def day(self, date: str) -> CalendarDay | None:
        return next((d for d in self.days if d.date == date), None)


@dataclass(frozen=True)
class OpportunityView:
    id: str
    available: bool
    name: str = ""
    stage: str = ""
    value: str = ""
    pending: bool = False


@dataclass(frozen=True)
class SearchResult:
    type: str
    id: str
    title: str


@dataclass(frozen=True)
class SearchView:
    query: str
    results: tuple[SearchResult, ...]
    scope: str
    on_device: bool
    error: bool = False


@dataclass(frozen=True)
class Dashboard:
    widgets: dict[str, float] = field(default_factory=dict)
    unread: float | None = None
    total: float | None = None


__all__ = [
    "ActionResult", "Activity", "Banner", "CalendarDay", "CalendarView", "ContactList", "ContactRow", "ContactView",
    "Dashboard", "ItemState", "Message", "OpportunityView", "Outcome", "SearchResult", "SearchView", "SyncStatus",
    "ThreadView",
]
