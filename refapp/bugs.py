"""The catalogue of injectable sync bugs, as data.

Why: the harness must prove it catches each class of offline-sync bug, so
refapp can be started with named bugs switched on (`--bugs a,b`). Server-side
bugs change the backend's behaviour; client-side bugs are handed to the web
client through `GET /client-config.json`. This table is the single source for
`python -m refapp --list-bugs`, for validating `--bugs` and `/_admin/config`,
and for refapp/BUGS.md (`python -m refapp.bugs` prints that table).

    >>> BUGS["outbox-lifo"].requirements
    ('R5',)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Side = Literal["client", "server"]


@dataclass(frozen=True)
class Bug:
    """One injectable bug: what breaks, which requirement, how to see it."""

    name: str
    side: Side
    requirements: tuple[str, ...]
    description: str
    observed_by: str


_CATALOGUE: tuple[Bug, ...] = (
    Bug("outbox-lifo", "client", ("R5",),
        "the outbox flushes newest first",
        "ledger: queued mutations reach the backend in reverse order of the actions"),
    Bug("retry-new-key", "client", ("R22",),
        "a retry after a failed/timed-out request gets a new idempotency key",
        "drop a response after commit: the ledger shows the retry with a new "
        "Idempotency-Key and the mutation log / screen has the marker twice"),
    Bug("server-ignores-idempotency", "server", ("R22",),
        "a replayed key is applied again",
        "replay a mutation with the same Idempotency-Key: a second entity is "
        "created and the mutation log lists the key twice"),
    Bug("drop-on-401", "client", ("R24",),
        "a queued entry answered 401 is dropped instead of refreshing the token and retrying",
        "let the token expire during an outage: the ledger shows a 401 and no "
        "refresh + retry; the marker never reaches the backend"),
    Bug("no-probe-resume", "client", ("R4",),
        "resumes only on the browser online event; no probe, so after a network "
        "switch or a server outage the queue stays stuck",
        "take the backend or link down and up without an OS signal: no request "
        "reaches the backend afterwards, the pending count stays > 0"),
    Bug("outbox-in-memory", "client", ("R27",),
        "the outbox lives in memory only; a kill loses it",
        "queue actions offline, kill and relaunch: the outbox is empty and the "
        "markers never reach the backend"),
    Bug("no-delta-download", "client", ("R18", "R25"),
        "after the flush the change feed is not fetched",
        "server-side activity while offline never appears on screen; no GET "
        "/api/changes in the ledger after reconnection"),
    Bug("stale-dashboard", "client", ("R18",),
        "dashboard widgets and counts are not refreshed after sync",
        "after reconnection the dashboard numbers differ from the admin snapshot"),
    Bug("banner-os-only", "client", ("R1", "R2"),
        "offline mode only follows navigator.onLine; failed requests and "
        "half-open links never show the banner",
        "a half-open link or a dead backend: requests fail but the offline "
        "banner never appears"),
    Bug("sticky-banner", "client", ("R2",),
        "the banner stays after reconnection",
        "after the link is back and the queue drained the offline banner is still visible"),
    Bug("activity-not-cached", "client", ("R6",),
        "contact activity history is not cached",
        "open a contact online, go offline, reopen it: the activity list is empty"),
    Bug("thread-latest-only", "client", ("R7",),
        "only the newest page of a thread is cached; earlier loaded messages vanish offline",
        "load earlier messages online, go offline, reopen the thread: only the newest page shows"),
    Bug("calendar-today-only", "client", ("R8",),
        "only today's appointments are cached",
        "open the calendar online, go offline: days after today show no appointments"),
    Bug("call-hangs-offline", "client", ("R11", "R26"),
        "the call button stays enabled offline and spins forever",
        "offline, tap call: no unavailable message, the call status never settles"),
    Bug("search-offline-error", "client", ("R17",),
        "search offline shows an error instead of cached results",
        "offline, search for a cached contact: an error instead of results"),
    Bug("indicator-never-clears", "client", ("R9",),
        "a note's sync indicator stays after the server acknowledged it",
        "the ledger shows the note's 201 but the note-sync-indicator stays"),
    Bug("give-up-after-retries", "client", ("R19", "R4"),
        "after 5 failed attempts the sync engine stops until relaunch",
        "a long outage with several failed attempts: after reconnection the "
        "queue never drains"),
    Bug("concurrent-flush", "client", ("R22", "R23", "R5"),
        "every sync trigger (a reconnection, a new change, the retry timer) starts another flush loop without a lock",
        "keep adding while a reconnection sync drains over a slow link, or flap the link: the ledger shows "
        "the same idempotency key sent twice at once (overlapping flushes), and reordered mutations"),
    Bug("no-sync-on-foreground", "client", ("R20", "R21"),
        "returning to the foreground does not trigger a sync",
        "queue offline, background, reconnect, foreground: nothing is sent "
        "until the next timer or user action"),
    Bug("payment-form-stale", "client", ("R13", "R26"),
        "the payment form is drawn for the connection it opened with and not redrawn when the connection drops",
        "open a contact's payment form online, lose the link: the app shows it is offline, yet 'Take payment' "
        "stays enabled with no 'needs a connection' message (the contact's Pay button, the entry point, is "
        "disabled as it should be)"),
    Bug("workflow-run-unchecked", "client", ("R16", "R26"),
        "the workflow list keeps the Run buttons it drew when it loaded, and Run does not look at the connection "
        "before it sends",
        "tap Workflow on a contact online, lose the link before tapping Run: Run stays enabled with no message; "
        "tapped, it spins until the request times out (the contact's Workflow button is disabled offline)"),
    Bug("synced-on-send", "client", ("R9", "R15"),
        "a note's or file's sync indicator is cleared when its request is sent, not when the server answers it "
        "(and set back if the request fails)",
        "hold or slow a write while its note is on screen: the note shows synced while the request is still "
        "held at the proxy or in flight; before the send (offline) and after the sync it looks right"),
    Bug("activity-dropped-offline", "client", ("R6", "R3"),
        "an open contact treats its activity history as a live feed: when the connection drops it clears it "
        "instead of showing the cached history",
        "open a contact online, lose the link while it is on screen: its activity list empties ('not available "
        "offline'); opened again offline, it shows the cached history"),
    Bug("no-idle-detection", "client", ("R1", "R2"),
        "no heartbeat while online (to save battery): an outage is noticed only when one of the app's own "
        "requests fails or the OS says so",
        "take the link down while the app is idle: the banner never shows (airplane mode, or a write that "
        "fails, still shows it)"),
    Bug("changes-feed-skips", "server", ("R18", "R25"),
        "the change feed skips the first change after the cursor",
        "GET /api/changes?since=N omits change N+1 while its cursor moves past "
        "it; the client never shows that change"),
)

BUGS: dict[str, Bug] = {bug.name: bug for bug in _CATALOGUE}
if len(BUGS) != len(_CATALOGUE):  # pragma: no cover - guards edits to the table
    raise RuntimeError("duplicate bug name in refapp.bugs")


def parse_bug_names(text: str | list[str]) -> frozenset[str]:
    """Parse `a,b` (or a list of names) into a set of known bug names.

    Raises ValueError naming the unknown bugs and listing the known ones.

        >>> sorted(parse_bug_names("outbox-lifo, changes-feed-skips"))
        ['changes-feed-skips', 'outbox-lifo']
    """
    if isinstance(text, str):
        names = [part.strip() for part in text.split(",") if part.strip()]
    else:
        names = list(text)
    bad = [name for name in names if not isinstance(name, str) or name not in BUGS]
    if bad:
        raise ValueError(
            f"unknown bug name(s) {', '.join(map(repr, bad))}; "
            f"known names: {', '.join(sorted(BUGS))}"
        )
    return frozenset(names)


def client_bugs(enabled: frozenset[str]) -> list[str]:
    """The enabled bugs the web client must apply (sorted)."""
    return sorted(name for name in enabled if BUGS[name].side == "client")


def format_list() -> str:
    """The catalogue as plain text, one bug a line (for `--list-bugs`)."""
    width = max(len(name) for name in BUGS)
    lines = []
    for bug in _CATALOGUE:
        reqs = ",".join(bug.requirements)
        lines.append(f"{bug.name:<{width}}  {bug.side:<6}  {reqs:<9}  {bug.description}")
    return "\n".join(lines)


def format_markdown() -> str:
    """The catalogue as the Markdown table of refapp/BUGS.md."""
    rows = [
        "| name | side | requirements | what goes wrong | how a black-box client observes it |",
        "|---|---|---|---|---|",
    ]
    for bug in _CATALOGUE:
        rows.append(
            f"| `{bug.name}` | {bug.side} | {', '.join(bug.requirements)} "
            f"| {bug.description} | {bug.observed_by} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    print(format_markdown())
