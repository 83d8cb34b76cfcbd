"""Whole-timeline judgement: every screen read (``watch`` observations) against the network state at that moment.

The executor reads the visible screen after every step, every second of a
wait and at every scheduled transition (:mod:`harness.app.watch`). Each read
is a *moment*; this module says what the network was doing then (offline
window, time since the app showed it was offline, a write held at the proxy
or in flight, the link's latency) and judges each moment against the
requirement it bears on. The checks call these judgements beside their own
(:mod:`harness.checks.gating`, :mod:`harness.checks.indicators`,
:mod:`harness.checks.cache_reads`) and report them as separate verdicts,
each with ``measured["moments"]``: how many moments were judged.

- **gating** (R10, R11, R13, R16, R26): once the app has shown it is
  offline for ``ctx.redraw_grace_s`` (its connectivity state, or its
  banner), every visible control of a feature that needs a connection is
  disabled, on whatever screen shows it: the entry point, the feature's own
  screen opened before the drop, a form half filled; an error page offline
  breaks R26.
- **items** (R9, R10, R14, R15): an item whose marker belongs to a queued
  action shows ``synced`` only once the server can have told the app: not
  before the write that stored it was answered (held at the proxy, in
  flight, not sent yet), plus the link's latency on the way back; and
  ``pending`` no longer than ``max_indicator_clear_s`` after the answer
  reached it.
- **reads** (R3, R6-R8): every screen a profile declares (and every
  collection list) shown while offline still shows everything it showed
  online the last time it was read (items the user edited or deleted
  since are left out), and does not say it needs a connection.

Moments count only when the app is in the foreground and ready; a moment
whose read straddled a change of the harness's belief takes its side from
the offline windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from harness.checks.model import CheckContext
from harness.checks.view import (
    Window, evidence, is_2xx, is_offline, markers_of, offline_windows, queued_actions, read_back_markers, record_held,
    requests, successors, unanswered,
)
from harness.errors import Evidence
from harness.timeline import Event

#: the name of a continuous observation (harness.app.watch.WATCH)
WATCH = "watch"
#: device events after which the app is in the foreground again (it can notice things from then on)
TO_FOREGROUND = frozenset({"launch", "relaunch", "reinstall", "foreground", "unfreeze"})
#: device events after which it is not
FROM_FOREGROUND = frozenset({"background", "freeze", "kill"})

Note = Callable[[str, bool, Evidence], None]


@dataclass(frozen=True)
class Moment:
    """One screen read and the network state around it."""

    event: Event
    t0: float
    t1: float
    offline: bool
    window: Window | None

    @property
    def data(self) -> Mapping[str, Any]:
        return self.event.data

    @property
    def ready(self) -> bool:
        return self.data.get("ready", True) is not False and self.data.get("device", "foreground") in (
            "foreground", "unknown")

    @property
    def app_offline(self) -> bool | None:
        """What the app itself says: its connectivity state, else its banner; None when it shows neither."""
        return app_says_offline(self.data)


def app_says_offline(d: Mapping[str, Any]) -> bool | None:
    c = d.get("connectivity")
    if c in ("online", "offline"):
        return c == "offline"
    b = d.get("banner")
    return b if isinstance(b, bool) else None


def moments(events: Sequence[Event], windows: Sequence[Window] | None = None) -> list[Moment]:
    """Every ``watch`` observation, in time order, with its offline window (None: online)."""
    wins = offline_windows(events) if windows is None else windows
    out = []
    for ev in events:
        if ev.kind != "observation" or ev.name != WATCH:
            continue
        t0 = float(ev.data.get("t0", ev.t))
        t1 = float(ev.data.get("t1", ev.t))
        off = is_offline(ev, wins)
        win = next((w for w in wins if w.contains(ev.t)), None) if off else None
        out.append(Moment(ev, t0, t1, off, win))
    return out


def shown_offline(events: Sequence[Event], moments_: Sequence[Moment]) -> list[tuple[float, float, bool, Event]]:
    """Every moment the app's own offline state was seen: (t0, t1, offline?, event), from screen reads and from
    the banner seen by an expectation (at the instant it was seen), in time order."""
    out = [(m.t0, m.t1, bool(m.app_offline), m.event) for m in moments_ if m.ready and m.app_offline is not None]
    for ev in events:
        if ev.kind == "observation" and ev.name == "banner" and ev.data.get("seen_by"):
            out.append((ev.t, ev.t, bool(ev.data.get("visible")), ev))
    return sorted(out, key=lambda x: (x[0], x[3].seq))


def foreground_at(events: Sequence[Event]) -> Callable[[float], float | None]:
    """``f(t)``: when the app last came to the foreground at or before ``t`` (-inf: it never left it; None: it
    is not in the foreground at ``t``)."""
    changes: list[tuple[float, bool]] = []
    for ev in events:
        if ev.kind == "device" and ev.name in TO_FOREGROUND:
            changes.append((ev.t, True))
        elif ev.kind == "device" and ev.name in FROM_FOREGROUND:
            changes.append((ev.t, False))
    changes.sort(key=lambda c: c[0])

    def f(t: float) -> float | None:
        since: float | None = float("-inf")
        for ct, up in changes:
            if ct > t:
                break
            since = ct if up else None
        return since

    return f


def verdict_note(results: dict[str, tuple[list[Evidence], list[Evidence]]]) -> Note:
    def note(req: str, ok: bool, ev: Evidence) -> None:
        good, bad = results.setdefault(req, ([], []))
        (good if ok else bad).append(ev)

    return note


# -- gating: the controls of features that need a connection, on every screen -----------------------------------

def judge_gating(events: Sequence[Event], ctx: CheckContext, note: Note) -> None:
    """Each moment the app has shown it is offline for ``redraw_grace_s``: every visible gated control is disabled
    (its feature's requirement and R26); no error page (R26)."""
    ms = moments(events)
    seen = shown_offline(events, ms)
    for m in ms:
        if not m.ready or m.window is None or m.app_offline is not True:
            continue
        since: float | None = None  # the start of the app's current run of showing offline in this window
        for t0, t1, off, _ in seen:
            if t0 < m.window.start_t or t1 > m.t1:
                continue
            since = (since if since is not None else t1) if off else None
        if since is None or m.t0 < since + ctx.redraw_grace_s:
            continue  # the app has only just shown it is offline: its screen may still be redrawing
        where = f"{m.t0 - m.window.start_t:.1f}s into the offline window from #{m.window.start_seq}, " \
                f"{m.t0 - since:.1f}s after the app showed it was offline"
        for g in m.data.get("gated") or []:
            feature, req = g.get("feature"), g.get("requirement")
            if not req or (feature and feature not in ctx.gated_features):
                continue
            ok = not g.get("enabled")
            why = f"{g.get('control')} {'disabled' if ok else 'ENABLED'} {where}"
            note(str(req), ok, evidence(m.event, why))
            note("R26", ok, evidence(m.event, why))
        if m.data.get("error_page"):
            note("R26", False, evidence(m.event, f"an error page {where}"))


# -- items: a sync indicator between send and acknowledgement -----------------------------------------------------

def min_transit_at(events: Sequence[Event]) -> Callable[[float], float]:
    """The least time a response leaving the proxy at ``t`` takes to reach the app (seconds): the link's latency
    toxics on the way back (``downstream`` or ``both``), less their jitter, and no longer than until one of them
    is removed (the link then lets what it was holding through)."""
    changes: list[tuple[float, int, str, float | None]] = []
    for ev in events:
        if ev.kind != "condition":
            continue
        if ev.name in ("reset", "clear_all", "online") and ev.layer in ("harness", "all", "link"):
            changes.append((ev.t, ev.seq, "*", None))
            continue
        p = ev.data.get("params") or {}
        if ev.layer != "link" or "latency_ms" not in p or str(p.get("stream", "downstream")) == "upstream":
            continue
        lo = max(0.0, float(p.get("latency_ms") or 0) - float(p.get("jitter_ms") or 0)) / 1000
        on = str(ev.data.get("action", "apply")) != "clear"
        changes.append((ev.t, ev.seq, str(ev.data.get("handle")), lo if on else None))
    changes.sort(key=lambda c: (c[0], c[1]))

    def at(t: float) -> float:
        active: dict[str, float] = {}
        for ct, _, h, s in changes:
            if ct > t:
                break
            if h == "*":
                active.clear()
            elif s is None:
                active.pop(h, None)
            else:
                active[h] = s
        transit = sum(active.values())
        removed = next((ct for ct, _, h, s in changes if ct > t and (h == "*" or (s is None and h in active))), None)
        return transit if removed is None else min(transit, max(0.0, removed - t))

    return at


def _released_after(events: Sequence[Event], t: float) -> float | None:
    """When requests held at the proxy at ``t`` went on to the backend: the next release or reset."""
    for ev in events:
        if ev.t >= t and ev.kind == "condition" and (ev.name in ("release", "reset") or (
                ev.name == "hold" and ev.data.get("action") == "clear")):
            return ev.t
    return None


@dataclass(frozen=True)
class WriteState:
    """What the server had of one marker, and when the app could first have learned it."""

    first_ok: Event | None  # the first 2xx request carrying the marker (the server stored it then), or the
    # forwarded, unanswered one that stored it (see write_states)
    reveal_t: float  # the earliest the app could know: that answer, or any later one, reaching it
    attempts: tuple[Event, ...]  # every request carrying it


def write_states(events: Sequence[Event], markers: set[str]) -> dict[str, WriteState]:
    """Per marker, its :class:`WriteState`. A write the proxy forwarded whose answer never came (the path broke
    while the backend had it) counts as stored by that request when the backend's read-back holds the marker or
    a later version of its record (:func:`~harness.checks.view.record_held`), as
    :func:`~harness.checks.view.applied_requests` has it: the app may learn it from a later answer (PouchDB's
    ``_revs_diff`` saying the server has the revision already) and rightly show the item synced."""
    reqs = sorted(requests(events), key=lambda r: (float(r.data.get("t_start", r.t)), r.seq))
    transit = min_transit_at(events)
    held: set[str] | None = None
    succ: dict[str, str] = {}
    out: dict[str, WriteState] = {}
    for m in markers:
        mine = tuple(r for r in reqs if m in markers_of(r))
        first = next((r for r in mine if is_2xx(r)), None)
        answered = first is not None
        if first is None:
            first = next((r for r in mine if unanswered(r)), None)
            if first is not None:
                if held is None:
                    held, succ = read_back_markers(events), successors(events)
                if not record_held(m, held, succ):
                    first = None
        if first is None:
            out[m] = WriteState(None, float("inf"), mine)
            continue
        start = float(first.data.get("t_start", first.t))
        fwd = (_released_after(events, start) or start) if first.data.get("fault") == "hold" else start
        ends = [float(first.data.get("t_end", first.t))] if answered else [float("inf")]
        # any answer the backend gave after it had the write may carry it back (a read of the same record)
        ends += [float(r.data.get("t_end", r.t)) for r in reqs
                 if r is not first and is_2xx(r) and float(r.data.get("t_start", r.t)) >= fwd]
        t = min(ends)
        out[m] = WriteState(first, t + transit(t) if t != float("inf") else t, mine)
    return out


def _held_at(events: Sequence[Event], t: float) -> bool:
    active: set[str] = set()
    for ev in events:
        if ev.t > t:
            break
        if ev.kind != "condition":
            continue
        if ev.name == "reset":
            active.clear()
        elif ev.name == "hold":
            h = str(ev.data.get("handle"))
            (active.discard if ev.data.get("action") == "clear" else active.add)(h)
    return bool(active)


def judge_items(events: Sequence[Event], ctx: CheckContext, note: Note, requirement_of: Callable[[Event], str | None]
                ) -> None:
    """Each moment an item of a queued action is on screen: ``synced`` not before the server can have told the
    app, ``pending`` not long after it did."""
    queued = {q.marker: q for q in queued_actions(events, ctx, offline_only=False)}
    ms = [m for m in moments(events) if m.ready and m.data.get("items")]
    if not queued or not ms:
        return
    states = write_states(events, set(queued))
    transit = min_transit_at(events)
    for m in ms:
        for item in m.data.get("items") or []:
            text = str(item.get("text", ""))
            for marker in (k for k in queued if k in text):
                q, w, state = queued[marker], states[marker], str(item.get("state", ""))
                req = requirement_of(q.event)
                if req is None or q.event.t > m.t1 or state not in ("pending", "synced"):
                    continue
                if state == "synced":
                    ok = m.t1 >= w.reveal_t
                    why = "synced, after the server had it" if ok else \
                        f"shown synced while {_write_moment(events, w, m, marker)}"
                    note(req, ok, evidence(m.event, f"{marker} {why}"))
                    continue
                ack = next((r for r in w.attempts if is_2xx(r) and not r.data.get("fault")), None)
                if ack is None:
                    note(req, True, evidence(m.event, f"{marker} pending: the server has not answered it yet"))
                    continue
                arrived = float(ack.data.get("t_end", ack.t))
                arrived += transit(arrived)
                late = m.t0 - arrived
                ok = late <= ctx.max_indicator_clear_s
                note(req, ok, evidence(m.event, f"{marker} pending" + (" before the answer could clear it" if late < 0
                     else f" {late:.1f}s after the answer at #{ack.seq} reached the app (bound "
                          f"{ctx.max_indicator_clear_s:g}s)")))


def _write_moment(events: Sequence[Event], w: WriteState, m: Moment, marker: str) -> str:
    """What the write carrying ``marker`` was doing at moment ``m`` (for the evidence)."""
    sent = [r for r in w.attempts if float(r.data.get("t_start", r.t)) <= m.t1]
    if not sent:
        where = "offline" if m.offline else "online"
        return f"its write was not sent yet ({where})"
    last = sent[-1]
    if w.first_ok is None:
        return f"no write of it was ever accepted by the server (last: #{last.seq} {last.data.get('status')})"
    if _held_at(events, m.t0) and last.data.get("fault") == "hold":
        return f"its write #{last.seq} was held at the proxy"
    if float(last.data.get("t_end", last.t)) > m.t1:
        return f"its write #{last.seq} was in flight, unanswered"
    return f"the answer to its write #{w.first_ok.seq} had not reached the app yet"


# -- reads: what was loaded before, on every screen shown offline ------------------------------------------------

CONTENT_SKIP = frozenset({"subject", "ready", "unavailable", "requirement"})


def _screens(m: Moment, ctx: CheckContext) -> list[tuple[tuple[str, str], str, Mapping[str, Any]]]:
    """(key, requirement, content) of every screen and collection list this moment shows."""
    out = []
    for lst in m.data.get("lists") or []:
        parent = lst.get("parent")
        subject = f"{lst.get('collection')}:{parent if parent is not None else ''}"
        req = ctx.cached_screens.get("list_view", ("R3", None))[0]
        out.append((("list_view", subject), req, {"ready": True, "items": list(lst.get("items") or [])}))
    for name, sc in (m.data.get("screens") or {}).items():
        req = sc.get("requirement") or ctx.cached_screens.get(name, ("R3", None))[0]
        out.append(((name, str(sc.get("subject") if sc.get("subject") is not None else "*")), req, sc))
    return out


def judge_reads(events: Sequence[Event], ctx: CheckContext, note: Note) -> None:
    """Each moment a declared screen or a collection list is shown offline: everything shown online the last time
    (but items edited or deleted since) is still there, and it does not say it needs a connection (R3 and the
    screen's requirement)."""
    changed: list[tuple[float, str]] = []  # (when, marker) of items the user edited or deleted
    for ev in events:
        if ev.kind == "action" and ev.name in ("edit_item", "delete_item"):
            gone = ev.data.get("previous") if ev.name == "edit_item" else ev.data.get("marker")
            if isinstance(gone, str):
                changed.append((ev.t, gone))
    online: dict[tuple[str, str], tuple[Moment, Mapping[str, Any]]] = {}
    server_t = min((ev.t for ev in events if ev.kind == "server"), default=float("inf"))
    reinstalls = sorted(ev.t for ev in events if ev.kind == "device" and ev.name == "reinstall")
    for m in moments(events):
        # a reinstall wipes the app's storage: what it showed before is no longer its to keep
        online = {k: v for k, v in online.items() if not any(v[0].t1 < r <= m.t0 for r in reinstalls)}
        if not m.ready:
            continue
        for key, req, sc in _screens(m, ctx):
            if not m.offline:
                if sc.get("ready") and not sc.get("unavailable"):
                    online[key] = (m, sc)
                continue
            before = online.get(key)
            if before is None:
                continue
            was_m, was = before
            what = f"{key[0]} {key[1]}"
            if not sc.get("ready"):
                if sc.get("unavailable"):
                    why = f"{what}: shown online at #{was_m.event.seq}, offline it says it needs a connection"
                    note("R3", False, evidence(m.event, why))
                    note(req, False, evidence(m.event, why))
                continue
            if server_t <= m.t0:
                # the server changed records meanwhile (moved appointments leave the calendar): what the app
                # showed online before its last sync is no longer the measure; unavailability still is (above)
                continue
            gone = {mk for t, mk in changed if t >= was_m.t0}
            missing = []
            total = 0
            for k, v in was.items():
                if k in CONTENT_SKIP or not isinstance(v, list):
                    continue
                total += len(v)
                have = {str(x) for x in (sc.get(k) or [])}
                missing += [f"{k}:{x}" for x in v if str(x) not in have and not any(g in str(x) for g in gone)]
            ok = not missing
            why = f"{what}: shows all {total} elements shown online at #{was_m.event.seq}" if ok else \
                f"{what}: offline it lacks {len(missing)} elements shown online at #{was_m.event.seq}: " \
                f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}"
            note("R3", ok, evidence(m.event, why))
            if req != "R3":
                note(req, ok, evidence(m.event, why))


def moment_verdicts(check: str, results: dict[str, tuple[list[Evidence], list[Evidence]]], what: str) -> list[Any]:
    """One verdict per requirement: failed with the bad moments, else passed; ``measured["moments"]``."""
    from harness.checks.model import Verdict

    out = []
    for req, (good, bad) in sorted(results.items(), key=lambda kv: int(kv[0][1:])):
        n = len({e.seq for e in good + bad})  # moments (screen reads), not the controls or items in them
        if bad:
            nbad = len({e.seq for e in bad})
            out.append(Verdict(check, (req,), False, f"{nbad} of {n} moments on screen broke it: {what}",
                               tuple(bad[:20]), {"moments": float(n)}))
        else:
            out.append(Verdict(check, (req,), True, f"{n} moments on screen kept it: {what}",
                               tuple(good[:5]), {"moments": float(n)}))
    return out


__all__ = ["Moment", "WATCH", "WriteState", "app_says_offline", "foreground_at", "judge_gating", "judge_items",
           "judge_reads", "min_transit_at", "moment_verdicts", "moments", "shown_offline", "verdict_note",
           "write_states"]
