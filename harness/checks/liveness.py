"""R4, R19, R23, R24: sync resumes on its own, and finishes, with measured times.

Times are measured from the reconnection (the end of the offline window)
before each arrival, so flapping does not stretch them:
- ``time_to_detect_s``: drop -> first visible banner (worst window);
- ``time_to_first_upload_s``: reconnection -> first queued marker's first 2xx;
- ``time_to_drain_s``: reconnection -> last queued marker's first 2xx;
- ``time_to_converge_s``: last reconnection -> first ``sync_status``
  observation with nothing pending.
R4: after each reconnection that leaves queued work and stays up at least
``max_first_upload_s``, an upload starts within that bound. R19 (a window of
at least ``long_outage_s``) and R23 (at least ``flap_min_windows`` windows):
every queued marker arrives, draining within ``max_drain_s``. R24 (a 401 on
a queued mutation, or ``expect_token_expiry``): every marker answered 401
still arrives with a 2xx.
"""

from __future__ import annotations

from typing import Sequence

from harness.checks.indicators import detection_times
from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.checks.registry import check
from harness.checks.view import (
    Queued, Window, applied_requests, arrival_t, evidence, markers_of, offline_windows, queued_actions,
    reconnect_before, requests, status_of, successors,
)
from harness.errors import Evidence
from harness.timeline import Event


def measure(events: Sequence[Event], ctx: CheckContext | None = None) -> dict[str, float]:
    """The measured times (seconds) a run allows; absent keys could not be measured.

    >>> measure([])
    {}
    """
    ctx = ctx or CheckContext()
    evs = sorted(events, key=lambda e: (e.t, e.seq))
    windows = offline_windows(evs)
    out: dict[str, float] = {}
    detect = [seen.t - w.start_t for w, seen in detection_times(evs, windows) if seen is not None]
    if detect:
        out["time_to_detect_s"] = round(max(detect), 3)
    firsts = _first_arrivals(evs, queued_actions(evs, ctx, windows))
    if firsts:
        a0 = min(arrival_t(r) for r in firsts.values())
        a1 = max(arrival_t(r) for r in firsts.values())
        r0, r1 = reconnect_before(a0, windows), reconnect_before(a1, windows)
        if r0 is not None:
            out["time_to_first_upload_s"] = round(a0 - r0, 3)
        if r1 is not None:
            out["time_to_drain_s"] = round(a1 - r1, 3)
    conv = _converged(evs, windows)
    if conv is not None and windows and windows[-1].end_t is not None:
        out["time_to_converge_s"] = round(conv.t - windows[-1].end_t, 3)
    return out


def _first_arrivals(events: Sequence[Event], queued: list[Queued]) -> dict[str, Event]:
    """Each queued marker's first applied request. A marker a later edit replaced before it was ever applied
    arrives with the edit's write: a sync engine that sends documents (PouchDB, any state-based replication)
    sends a record's latest revision only, so a title typed offline and edited again offline never travels on
    its own; the record's work reached the server when its latest write did (the chain of edits followed)."""
    arr = applied_requests(events)
    nxt = successors(events)
    out: dict[str, Event] = {}
    for q in queued:
        m, seen = q.marker, {q.marker}
        while m not in arr and m in nxt and nxt[m] not in seen:
            m = nxt[m]
            seen.add(m)
        if m in arr:
            out[q.marker] = arr[m][0]
    return out


def _converged(events: Sequence[Event], windows: list[Window]) -> Event | None:
    last_end = windows[-1].end_t if windows and windows[-1].end_t is not None else None
    if last_end is None:
        return None
    for e in events:
        if e.kind == "observation" and e.name == "sync_status" and e.t >= last_end:
            if e.data.get("pending") == 0 or str(e.data.get("state")) == "synced":
                return e
    return None


@check("liveness", "R4", "R19", "R23", "R24")
def liveness(events: Sequence[Event], snapshots: Snapshots, ctx: CheckContext) -> list[Verdict]:
    """R4 always when work was queued and the link came back; R19/R23/R24 when the scenario exercised them."""
    windows = offline_windows(events)
    queued = queued_actions(events, ctx, windows)
    measured = measure(events, ctx)
    if not queued or not any(w.end_t is not None for w in windows):
        return []
    firsts = _first_arrivals(events, queued)
    out = [_r4(events, windows, queued, firsts, ctx, measured)]
    longest = max(w.duration_s(events[-1].t) for w in windows)
    if longest >= ctx.long_outage_s:
        out.append(_drained("R19", f"catch-up after a {longest:.0f}s outage", queued, firsts, measured, ctx))
    if len(windows) >= ctx.flap_min_windows:
        out.append(_drained("R23", f"sync completes after {len(windows)} drops (flapping)", queued, firsts,
                            measured, ctx))
    r24 = _r24(events, queued, firsts, ctx)
    if r24 is not None:
        out.append(r24)
    return out


def _r4(events: Sequence[Event], windows: list[Window], queued: list[Queued], firsts: dict[str, Event],
        ctx: CheckContext, measured: dict[str, float]) -> Verdict:
    good: list[Evidence] = []
    bad: list[Evidence] = []
    by_seq = {e.seq: e for e in events}
    for i, w in enumerate(windows):
        if w.end_t is None:
            continue
        end_t = w.end_t
        nxt = windows[i + 1].start_t if i + 1 < len(windows) else None
        pending = [q for q in queued if q.event.t < end_t and
                   (q.marker not in firsts or arrival_t(firsts[q.marker]) >= end_t)]
        if not pending or (nxt is not None and nxt - end_t < ctx.max_first_upload_s):
            continue
        after = [firsts[q.marker] for q in pending if q.marker in firsts
                 and (nxt is None or arrival_t(firsts[q.marker]) < nxt)]
        up = by_seq.get(w.end_seq) if w.end_seq is not None else None
        if not after:
            if up is not None:
                bad.append(evidence(up, f"reconnected with {len(pending)} queued; nothing uploaded afterwards"))
            continue
        first = min(after, key=lambda r: (arrival_t(r), r.seq))
        dt = arrival_t(first) - end_t
        (good if dt <= ctx.max_first_upload_s else bad).append(
            evidence(first, f"first upload {dt:.2f}s after reconnection (bound {ctx.max_first_upload_s}s)"))
    m = {k: v for k, v in measured.items()}
    if bad:
        return Verdict("liveness", ("R4",), False, "sync did not resume by itself in time", tuple(bad), m)
    return Verdict("liveness", ("R4",), True, "sync resumed by itself after reconnection", tuple(good), m)


def _drained(req: str, what: str, queued: list[Queued], firsts: dict[str, Event], measured: dict[str, float],
             ctx: CheckContext) -> Verdict:
    lost = [q for q in queued if q.marker not in firsts]
    drain = measured.get("time_to_drain_s")
    m = {k: v for k, v in measured.items() if k in ("time_to_drain_s", "time_to_first_upload_s")}
    if lost:
        return Verdict("liveness", (req,), False, f"{what}: {len(lost)} queued actions never uploaded",
                       tuple(evidence(q.event, "never uploaded") for q in lost), m)
    last = max(firsts.values(), key=lambda r: (arrival_t(r), r.seq))
    if drain is not None and drain > ctx.max_drain_s:
        return Verdict("liveness", (req,), False, f"{what}: drained in {drain:.1f}s > {ctx.max_drain_s}s",
                       (evidence(last, "last queued action arrived"),), m)
    return Verdict("liveness", (req,), True, f"{what}: {len(queued)} queued actions drained",
                   (evidence(last, "last queued action arrived"),), m)


def _r24(events: Sequence[Event], queued: list[Queued], firsts: dict[str, Event], ctx: CheckContext) -> Verdict | None:
    mine = {q.marker for q in queued}
    rejected = [r for r in requests(events) if status_of(r) == 401 and set(markers_of(r)) & mine]
    if not rejected and not ctx.expect_token_expiry:
        return None
    bad: list[Evidence] = []
    good: list[Evidence] = []
    for r in rejected:
        for m in set(markers_of(r)) & mine:
            ok = m in firsts and arrival_t(firsts[m]) > arrival_t(r)
            (good if ok else bad).append(evidence(r, f"{m} retried and applied after the 401" if ok
                                                  else f"{m} dropped after a 401"))
    if not rejected:
        lost = [q for q in queued if q.marker not in firsts]
        bad += [evidence(q.event, "never uploaded across the token expiry") for q in lost]
        good += [evidence(firsts[q.marker], "uploaded across the token expiry") for q in queued if q.marker in firsts]
    if bad:
        return Verdict("liveness", ("R24",), False, "queued work lost on an expired credential", tuple(bad))
    return Verdict("liveness", ("R24",), True, "credentials renewed; nothing queued dropped on 401", tuple(good))
