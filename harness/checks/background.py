"""R20, R21: background sync follows the device's policy.

Under a policy that allows background sync (Android "No restrictions", iOS
Background App Refresh on), queued work drains while the app is in the
background once the link is back (judged when the link was back for at
least ``MIN_ONLINE_IN_BACKGROUND_S`` before the app returned). Under one
that forbids it (an aggressive OEM killer, Background App Refresh off),
nothing is sent once the policy has taken hold (its first idle, freeze or
kill operation on the device) and the queue drains within ``max_drain_s``
after the app returns to the foreground (``no-sync-on-foreground`` breaks
that). A write an edit or a delete replaced before the return is not owed
under its own marker (a document store sends only a record's latest
revision).

Each background period is judged under the policy declared for it (the
last ``device policy`` event with ``data.background_sync`` before it: a
generated sequence may background the app under several policies), else
``ctx.background_sync``; a scenario that says ``sync_while_background``
forces its answer on every period. The requirement is R20 on Android, R21
on iOS (``data.platform``), else both.
"""

from __future__ import annotations

from typing import Sequence

from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.checks.registry import check
from harness.checks.view import (Window, app_pauses, applied_requests, arrival_t, evidence, offline_windows,
                                 queued_actions, requests, superseded_markers)
from harness.errors import Evidence
from harness.timeline import Event

#: the shortest online spell in the background that is judged under a policy that allows background sync:
#: policies with fetch windows (iOS Background App Refresh on: every 5 s, Doze: every 6 s) give the app at
#: least one window in it, and an app waiting out a retry backoff has come back to the queue
MIN_ONLINE_IN_BACKGROUND_S = 8.0
LEAVE = frozenset({"background", "freeze"})
RETURN = frozenset({"foreground", "unfreeze", "relaunch"})


@check("background", "R20", "R21")
def background(events: Sequence[Event], snapshots: Snapshots, ctx: CheckContext) -> list[Verdict]:
    """One verdict per background period that had queued work, under the policy in force."""
    windows = offline_windows(events)
    queued = queued_actions(events, ctx, windows)
    arrivals = applied_requests(events)
    firsts = {q.marker: arrivals[q.marker][0] for q in queued if q.marker in arrivals}
    replaced = superseded_markers(events)
    out: list[Verdict] = []
    for bg, fg in _periods(events):
        declared = _declared_policy(events, bg.t)
        policy = ctx.background_sync if ctx.background_sync_forced or declared is None else \
            declared.data.get("background_sync")
        if policy not in ("allowed", "forbidden"):
            continue
        platform = str(declared.data.get("platform", "")).lower() if declared else ""
        req = ("R20",) if platform == "android" else ("R21",) if platform == "ios" else ("R20", "R21")
        fg_t = fg.t if fg is not None else events[-1].t
        # a write an edit or a delete replaced before the return may never go up under its own marker (a
        # document store sends the record's latest revision only: todo-pouch added, edited and deleted offline)
        pending = [q for q in queued if q.event.t < fg_t and replaced.get(q.marker, fg_t) >= fg_t and
                   (q.marker not in firsts or arrival_t(firsts[q.marker]) >= bg.t)]
        if not pending:
            continue
        if policy == "allowed":
            out.append(_allowed(req, bg, fg_t, windows, pending, firsts))
        else:
            out.append(_forbidden(req, bg, fg, fg_t, events, windows, pending, firsts, ctx))
    return [v for v in out if v is not None]


def _declared_policy(events: Sequence[Event], t: float) -> Event | None:
    """The last ``device policy`` event declaring ``background_sync`` at or before ``t`` (the period's policy)."""
    return next((e for e in reversed(events) if e.t <= t and e.kind == "device" and e.name == "policy"
                 and "background_sync" in e.data), None)


def _periods(events: Sequence[Event]) -> list[tuple[Event, Event | None]]:
    out: list[tuple[Event, Event | None]] = []
    bg: Event | None = None
    for e in events:
        if e.kind != "device":
            continue
        if e.name in LEAVE and bg is None:
            bg = e
        elif e.name in RETURN and bg is not None:
            out.append((bg, e))
            bg = None
    if bg is not None:
        out.append((bg, None))
    return out


def _online_from(t0: float, t1: float, windows: Sequence[Window]) -> float | None:
    """The first moment in [t0, t1) when no offline window is active."""
    t = t0
    for w in windows:
        if w.contains(t):
            if w.end_t is None:
                return None
            t = w.end_t
    return t if t < t1 else None


def _allowed(req: tuple[str, ...], bg: Event, fg_t: float, windows: Sequence[Window], pending: list,
             firsts: dict[str, Event]) -> Verdict | None:
    up = _online_from(bg.t, fg_t, windows)
    if up is None:
        return None  # never online while backgrounded: nothing to judge
    if fg_t - up < MIN_ONLINE_IN_BACKGROUND_S:
        return None  # back in the foreground too soon to tell (a retry backoff or a fetch window may not fit)
    late = [q for q in pending if q.marker not in firsts or arrival_t(firsts[q.marker]) >= fg_t]
    if late:
        ev = (evidence(bg, "went to background with queued work; background sync allowed"),) + tuple(
            evidence(q.event, "not uploaded while in the background") for q in late)
        return Verdict("background", req, False, "background sync allowed, yet the queue did not drain", ev)
    ev = (evidence(bg),) + tuple(evidence(firsts[q.marker], "uploaded while backgrounded") for q in pending)
    return Verdict("background", req, True, "queue drained while in the background (policy allows it)", ev)


def _policy_took_hold(events: Sequence[Event], t0: float, t1: float) -> Event | None:
    """The first operation the policy ran on the device in [t0, t1) (an idle, a freeze, a kill), if any.

    A policy acts some time after the app leaves the foreground (iOS suspends after about half a second, a
    Xiaomi-like killer after seconds); until then the app is still running and may finish what it was
    doing, so only what it sends after the policy took hold breaks "no background sync".
    """
    return next((e for e in events if e.kind == "device" and e.name == "policy" and t0 <= e.t < t1
                 and e.data.get("op") and not e.data.get("error")), None)


def _while_frozen(req: Event, frozen: Sequence[tuple[float, float]]) -> bool:
    """``req`` reached the proxy while the app was frozen: a frozen app runs no code, so it left before the
    freeze and a link held it (a half-open link delivers what it held when it is cleared)."""
    t = arrival_t(req)
    return any(start < t < end for start, end in frozen)


def _forbidden(req: tuple[str, ...], bg: Event, fg: Event | None, fg_t: float, events: Sequence[Event],
               windows: Sequence[Window], pending: list, firsts: dict[str, Event], ctx: CheckContext) -> Verdict:
    hold = _policy_took_hold(events, bg.t, fg_t)
    frozen = [(a, b) for a, b in app_pauses(events) if b > a]
    sent = [] if hold is None else [r for r in requests(events) if hold.t <= arrival_t(r) < fg_t and
                                    str(r.data.get("method", "GET")) != "GET" and not _while_frozen(r, frozen)]
    bad: list[Evidence] = [evidence(r, "sent while backgrounded under a policy that forbids it") for r in sent]
    if fg is not None:
        start = max(fg_t, _online_from(fg_t, float("inf"), windows) or fg_t)
        for q in pending:
            first = firsts.get(q.marker)
            if first is None:
                bad.append(evidence(q.event, "never uploaded after returning to the foreground"))
            elif arrival_t(first) >= fg_t and arrival_t(first) - start > ctx.max_drain_s:
                bad.append(evidence(first, f"uploaded {arrival_t(first) - start:.1f}s after foreground"))
    if bad:
        return Verdict("background", req, False, "background policy not respected", (evidence(bg),) + tuple(bad))
    ev = [evidence(bg, "background sync forbidden")] + ([evidence(fg, "back in the foreground")] if fg else [])
    ev += [evidence(firsts[q.marker], "drained after foreground") for q in pending if q.marker in firsts]
    return Verdict("background", req, True, "nothing sent in the background; drained after foreground", tuple(ev))
