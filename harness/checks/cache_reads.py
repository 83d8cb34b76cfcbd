"""R3, R6-R8, R12: offline, what was loaded before is still shown; what never was says so.

An observation of a cached screen (``CheckContext.cached_screens``: the
generic ``list_view`` of a collection; an app plugin adds its own screens)
has a subject: ``data.subject`` or the screen's id field named there. Its
content is every list or mapping under the keys in :data:`CONTENT_KEYS`.

For each such observation made while offline:
- subject loaded before (observed online, or opened by an online action
  whose outcome was not "unavailable"/"error"/"hung", or seen on its screen,
  ready, by an online continuous read: an action that met the screen
  unavailable may go on to load it once the app notices the link is back):
  it must not be unavailable, an error or a hang, and it must still show
  every element the latest online observation of it showed (a superset:
  items added offline may join). Breaks R3 plus the screen's requirement.
- subject never loaded, on a screen the app says needs a connection then
  (``needs_connection_screens``): it must show the unavailable message (R12).

And at every moment the screen was read (:func:`harness.checks.moments.judge_reads`): every screen the
profile declares, and every collection list, shown while offline keeps what it showed online (the screen
open as the link dropped, not only those a scenario opens offline); separate verdicts counting the moments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.checks.moments import judge_reads, moment_verdicts, verdict_note
from harness.checks.registry import check
from harness.checks.view import evidence, is_offline, offline_windows, replaced_marker
from harness.errors import Evidence
from harness.timeline import Event

CONTENT_KEYS: tuple[str, ...] = ("items", "ids", "fields", "activity", "notes", "messages", "appointments", "rows")
#: an opener's outcome that says the screen did not load (e.g. the app had not yet noticed the link came back)
NOT_LOADED: frozenset[str] = frozenset({"unavailable", "error", "hung"})


@dataclass
class _Tally:
    passed: list[Evidence]
    failed: list[Evidence]


@check("cache_reads", "R3", "R6", "R7", "R8", "R12")
def cache_reads(events: Sequence[Event], snapshots: Snapshots, ctx: CheckContext) -> list[Verdict]:
    """Verdicts for R3 (all loaded screens) and per screen requirement (R6, R7, R8, R12)."""
    windows = offline_windows(events)
    online_seen: dict[tuple[str, str], Event] = {}
    opened: dict[tuple[str, str], Event] = {}
    tallies: dict[str, _Tally] = {}

    def note(req: str, ok: bool, ev: Evidence) -> None:
        t = tallies.setdefault(req, _Tally([], []))
        (t.passed if ok else t.failed).append(ev)

    screens, openers = ctx.cached_screens, ctx.screen_openers
    changed: list[tuple[float, str]] = []  # (when, marker) of the records the user edited or deleted
    for ev in events:
        mine = replaced_marker(ev)
        if mine is not None:
            changed.append((ev.t, mine))
        if ev.kind == "action" and ev.name in openers and not is_offline(ev, windows):
            if ev.data.get("outcome") not in NOT_LOADED:  # the app said it could not load it: nothing to cache
                screen = openers[ev.name]
                opened[(screen, _subject(screens, screen, ev.data))] = ev
            continue
        if ev.kind == "observation" and ev.name == "watch" and not is_offline(ev, windows):
            for screen, seen in (ev.data.get("screens") or {}).items():  # the continuous read saw it loaded
                if screen in screens and seen.get("ready") and not _unavailable(seen) and \
                        seen.get("subject") is not None:
                    opened.setdefault((screen, str(seen["subject"])), ev)
            continue
        if ev.kind != "observation" or ev.name not in screens:
            continue
        key = (ev.name, _subject(screens, ev.name, ev.data))
        if not is_offline(ev, windows):
            if not _unavailable(ev.data) and _state(ev.data) not in ("error", "hung"):
                online_seen[key] = ev
            continue
        req = screens[ev.name][0]
        before = online_seen.get(key)
        if before is not None or key in opened:
            gone = {m for t, m in changed if before is not None and before.t <= t <= ev.t}
            ok, why, extra = _judge_loaded(ev, before, gone)
            note("R3", ok, evidence(ev, why))
            note(req, ok, evidence(ev, why))
            if extra is not None:
                note(req, False, extra)
        elif ev.name in ctx.needs_connection_screens:
            ok = _unavailable(ev.data) and _state(ev.data) not in ("error", "hung")
            note("R12", ok, evidence(ev, "never loaded: says it needs a connection" if ok
                                     else "never loaded, yet no 'needs a connection' message"))
    out = [_verdict(req, t) for req, t in sorted(tallies.items(), key=lambda kv: int(kv[0][1:]))]
    on_screen: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
    judge_reads(events, ctx, verdict_note(on_screen))
    return out + moment_verdicts("cache_reads", on_screen, "offline, screens show what they showed online")


def _verdict(req: str, t: _Tally) -> Verdict:
    if t.failed:
        return Verdict("cache_reads", (req,), False,
                       f"{len(t.failed)} offline reads did not show what was loaded before", tuple(t.failed))
    return Verdict("cache_reads", (req,), True, f"{len(t.passed)} offline reads showed the cached data",
                   tuple(t.passed))


def _subject(screens: Mapping[str, tuple[str, str | None]], screen: str, d: Mapping[str, Any]) -> str:
    if d.get("subject") is not None:
        return str(d["subject"])
    field = screens.get(screen, (None, None))[1]
    return str(d.get(field)) if field and d.get(field) is not None else "*"


def _state(d: Mapping[str, Any]) -> str:
    return str(d.get("state", ""))


def _unavailable(d: Mapping[str, Any]) -> bool:
    return bool(d.get("unavailable")) or _state(d) == "unavailable"


def _judge_loaded(ev: Event, before: Event | None, gone: set[str] = frozenset()  # type: ignore[assignment]
                  ) -> tuple[bool, str, Evidence | None]:
    """``gone``: markers the user edited away or deleted since ``before`` (their old text is not expected)."""
    d = ev.data
    if _state(d) in ("error", "hung"):
        return False, f"loaded before, but offline the screen is {_state(d)}", None
    if _unavailable(d):
        return False, "loaded before, but offline it says unavailable", None
    if before is None:
        return True, "loaded before; shown offline", None
    missing = [m for m in _missing(before.data, d) if not any(g in m for g in gone)]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        return False, f"offline it lacks {len(missing)} elements shown online: {shown}", \
            evidence(before, "what was shown online")
    return True, f"shows everything shown online at #{before.seq}", None


def _missing(online: Mapping[str, Any], offline: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for k in CONTENT_KEYS:
        was, now = online.get(k), offline.get(k)
        if was is None:
            continue
        if isinstance(was, list):
            have = {_canon(x) for x in now} if isinstance(now, list) else set()
            out += [f"{k}:{_canon(x)}" for x in was if _canon(x) not in have]
        elif isinstance(was, Mapping):
            cur = now if isinstance(now, Mapping) else {}
            out += [f"{k}.{f}" for f, v in was.items() if cur.get(f) != v]
        elif was != now:
            out.append(k)
    return out


def _canon(x: Any) -> str:
    if isinstance(x, Mapping):
        return str(x.get("id", sorted(x.items())))
    return str(x)
