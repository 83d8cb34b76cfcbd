"""R1-R27 as data, so scenarios, checks and reports can name requirements.

The text lives in ``shared/spec/REQUIREMENTS.md``; this module mirrors its
table so code can validate requirement ids (a scenario listing ``R99`` is a
user error), group them by family for the report, and print titles next to
verdicts. Keep the two in step: ``tests/spec`` checks the ids are R1..R27.

>>> requirement("R5").title
'Order of offline actions'
>>> requirement("r9").family
'queued writes'
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import SpecError


@dataclass(frozen=True)
class Requirement:
    """One promise the app makes: its id, a short title, its family and offline behaviour."""

    id: str
    title: str
    family: str
    offline: str
    text: str

    @property
    def number(self) -> int:
        return int(self.id[1:])


def _r(id: str, title: str, family: str, offline: str, text: str) -> Requirement:
    return Requirement(id=id, title=title, family=family, offline=offline, text=text)


REQUIREMENTS: tuple[Requirement, ...] = (
    _r("R1", "Offline detection", "connectivity", "-",
       "When connectivity drops the app notices (OS signal or failed requests) and enters offline mode "
       "within a bounded delay"),
    _r("R2", "Offline banner", "connectivity", "-",
       "While offline a banner says the app is offline and some features are limited; it goes away after "
       "reconnection"),
    _r("R3", "Cached data stays readable", "offline reads", "read, cached",
       "Previously loaded data keeps being shown from the local cache"),
    _r("R4", "Auto-resume", "sync", "-",
       "When connectivity returns (Wi-Fi, cellular, or a network switch) sync resumes with no user action"),
    _r("R5", "Order of offline actions", "sync", "-",
       "Actions taken offline reach the server in the order they were made"),
    _r("R6", "Contacts readable offline", "offline reads", "read, cached",
       "Contacts loaded before the drop are viewable: details, the list down to the last cached set, and "
       "their activity history"),
    _r("R7", "Conversations readable offline", "offline reads", "read, cached",
       "Conversations and threads loaded before the drop stay readable, including earlier loaded messages"),
    _r("R8", "Calendar readable offline", "offline reads", "read, cached",
       "Appointments for today and the next few days are cached and readable"),
    _r("R9", "Notes queued with indicator", "queued writes", "write, queued",
       "A note added offline is stored locally, shows a sync indicator while queued, and is uploaded "
       "automatically on reconnection"),
    _r("R10", "SMS / email offline", "unavailable features", "unavailable or queued",
       "SMS and email are unavailable offline, or queued and sent on reconnection where the app supports it"),
    _r("R11", "Calls need a connection", "unavailable features", "unavailable",
       "Making or receiving calls needs a live connection"),
    _r("R12", "Never-loaded records need a connection", "offline reads", "unavailable",
       "Loading contacts or conversations never loaded before needs a connection"),
    _r("R13", "Payments need a connection", "unavailable features", "unavailable",
       "Payments (POS, invoices) need a connection"),
    _r("R14", "Opportunity edits queued", "queued writes", "write, queued",
       "Saving changes to opportunities is queued locally and synced on reconnection"),
    _r("R15", "Uploads queued", "queued writes", "write, queued",
       "Uploading photos or files is queued locally and synced on reconnection"),
    _r("R16", "Workflows need a connection", "unavailable features", "unavailable",
       "Workflow actions need a connection"),
    _r("R17", "Search covers cached data offline", "unavailable features", "limited",
       "Search offline covers cached data only: a subset, never an error page"),
    _r("R18", "Reconnection sync", "sync", "-",
       "Reconnection uploads queued actions, downloads what arrived meanwhile, refreshes dashboard widgets "
       "and conversation counts"),
    _r("R19", "Extended outage catch-up", "sync", "-",
       "After a long time offline the catch-up sync may be slower but completes in the foreground"),
    _r("R20", "Android battery policies", "background", "-",
       "Aggressive OEM policies may kill background sync; with 'No restrictions' background sync works"),
    _r("R21", "iOS Background App Refresh", "background", "-",
       "Background App Refresh off means no background sync; on means background sync may run"),
    _r("R22", "Exactly once", "integrity", "-",
       "Every queued action is applied once: never lost, never duplicated, also on lost responses, retries, "
       "kills and restarts"),
    _r("R23", "Flapping", "integrity", "-",
       "Rapid up/down changes do not lose, duplicate or reorder queued actions, and sync still completes"),
    _r("R24", "Credential renewal", "integrity", "-",
       "Credentials that expire during an outage are renewed before the queue is flushed; nothing queued is "
       "dropped on a 401"),
    _r("R25", "Convergence", "integrity", "-",
       "After reconnection and quiescence the app shows exactly the server's state"),
    _r("R26", "Unavailable features say so", "unavailable features", "-",
       "Unavailable features say so clearly (a message, a disabled control), never hang or crash"),
    _r("R27", "Queue survives kills", "integrity", "-",
       "Queued work survives the app being killed by the OS or the user while offline"),
)

_BY_ID: dict[str, Requirement] = {r.id: r for r in REQUIREMENTS}

#: Families in report order.
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(r.family for r in REQUIREMENTS))


def requirement_ids() -> tuple[str, ...]:
    """Every requirement id, in numeric order (``R1`` .. ``R27``)."""
    return tuple(r.id for r in REQUIREMENTS)


def requirement(req_id: str) -> Requirement:
    """Look a requirement up by id (case-insensitive); an unknown id raises SpecError listing the valid ids.

    >>> requirement("R22").family
    'integrity'
    """
    key = req_id.strip().upper() if isinstance(req_id, str) else req_id
    try:
        return _BY_ID[key]
    except (KeyError, TypeError):
        raise SpecError(
            "requirement", req_id, f"one of {', '.join(_BY_ID)}",
            fix="use an id from shared/spec/REQUIREMENTS.md",
        ) from None


def validate_ids(ids: object) -> tuple[str, ...]:
    """Normalise a list of requirement ids, raising SpecError on the first unknown one."""
    if isinstance(ids, str) or not isinstance(ids, (list, tuple, set, frozenset)):
        raise SpecError("requirements", ids, "a list of requirement ids like [R5, R22]")
    return tuple(requirement(str(i)).id for i in ids)


def by_family() -> dict[str, tuple[Requirement, ...]]:
    """Requirements grouped by family, families in report order."""
    return {f: tuple(r for r in REQUIREMENTS if r.family == f) for f in FAMILIES}


__all__ = ["FAMILIES", "REQUIREMENTS", "Requirement", "by_family", "requirement", "requirement_ids", "validate_ids"]
