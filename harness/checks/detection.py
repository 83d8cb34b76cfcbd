"""R1, R4, R19 at every loss of the network: how long the app took to show it, and to resume after it.

Judged for every offline window of every run (this check runs whatever a
scenario's ``expect.checks`` names), from the app's own state as the
continuous screen reads saw it (its connectivity attribute, else its
banner; :mod:`harness.checks.moments`) and the banner an expectation saw:

- **detection** (R1): within ``ctx.window_detect_s`` (the app profile's
  ``parameters.detect_s``) of the path breaking, the app shows it is
  offline. The clock starts again when the app comes back to the
  foreground (a backgrounded, frozen or killed app notices nothing). A
  window fails when a read at least that long after the drop still shows
  the app online and none since the drop showed it offline: an app that
  notices an outage only when a write fails, or never while idle, fails
  with the window as evidence.
- **resumption** (R4; R19 too after a window of ``long_outage_s``): within
  ``ctx.window_resume_s`` (``parameters.resume_s``) of a clean path coming
  back (the window over and no other fault in force, but faults aimed at
  the app's writes alone), the app shows it is online again; a read later
  than that still showing offline, with none since showing online, fails.

Reads are instants: a window is judged only when a read falls after the
bound (short windows get no verdict), and the measured times are upper
bounds (the first read showing the new state).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.checks.moments import foreground_at, moments, shown_offline
from harness.checks.registry import check
from harness.checks.view import Window, evidence, offline_windows
from harness.errors import Evidence
from harness.timeline import Event

#: HTTP rules that touch only the app's writes leave its probes alone: a clean path for resumption
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _harmless(ev: Event) -> bool:
    """A condition that leaves the app's way of knowing it is online alone: an HTTP rule aimed at its writes
    (a header such as an idempotency key, or a write method), except a hold (a held write times out)."""
    if ev.layer != "http" or ev.name == "hold":
        return False
    p = ev.data.get("params") or {}
    return bool(p.get("header")) or str(p.get("method", "*")).upper() in WRITE_METHODS


def clean_from(events: Sequence[Event]) -> Callable[[float], float | None]:
    """``f(t)``: the first time at or after ``t`` when no fault is in force (None: never again in the run)."""
    active: dict[str, bool] = {}
    changes: list[tuple[float, bool]] = []  # (time, clean from then on?)
    for ev in events:
        if ev.kind == "condition":
            if ev.name in ("reset", "clear_all"):
                if ev.layer == "link":
                    active = {h: v for h, v in active.items() if not v}
                else:
                    active.clear()
            elif ev.name == "release":
                continue
            elif ev.data.get("action") == "clear":
                active.pop(str(ev.data.get("handle") or f"{ev.layer}:{ev.name}"), None)
            elif not _harmless(ev):
                active[str(ev.data.get("handle") or f"{ev.layer}:{ev.name}")] = ev.layer == "link"
        elif ev.kind == "device" and ev.name in ("airplane_on", "airplane_off"):
            if ev.name == "airplane_on":
                active["airplane"] = False
            else:
                active.pop("airplane", None)
        elif ev.kind == "schedule" and "state" in ev.data:
            key = f"schedule:{ev.data.get('schedule')}"
            if str(ev.data["state"]) != "up":
                active[key] = ev.layer == "link"
            else:
                active.pop(key, None)
        else:
            continue
        changes.append((ev.t, not active))

    def f(t: float) -> float | None:
        clean_at_t = True
        for ct, c in changes:
            if ct > t:
                break
            clean_at_t = c
        if clean_at_t:
            return t
        return next((ct for ct, c in changes if ct > t and c), None)

    return f


@check("detection", "R1", "R4", "R19", always=True)
def detection(events: Sequence[Event], snapshots: Snapshots, ctx: CheckContext) -> list[Verdict]:
    """Per offline window: the app showed it was offline in time (R1), and online again in time after (R4, R19)."""
    windows = offline_windows(events)
    ms = [m for m in moments(events, windows) if m.ready]
    seen = shown_offline(events, moments(events, windows))
    if not windows or not seen:
        return []
    fg = foreground_at(events)
    by_seq = {e.seq: e for e in events}
    clean = clean_from(events)
    det: tuple[list[Evidence], list[Evidence]] = ([], [])  # one entry per window (a failure: its read, then the drop)
    res: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
    detect_times: list[float] = []
    resume_times: list[float] = []
    for i, w in enumerate(windows):
        start_ev = by_seq.get(w.start_seq)
        _judge_detection(w, ms, seen, fg, ctx, start_ev, det, detect_times)
        if w.end_t is None:
            continue
        nxt = windows[i + 1].start_t if i + 1 < len(windows) else float("inf")
        c = clean(w.end_t)
        if c is None or c >= nxt:
            continue
        reqs = ("R4", "R19") if w.duration_s(events[-1].t) >= ctx.long_outage_s else ("R4",)
        out = _judge_resume(w, c, nxt, ms, seen, fg, ctx, by_seq.get(w.end_seq) if w.end_seq is not None else None,
                            resume_times)
        if out is not None:
            for r in reqs:
                good, bad = res.setdefault(r, ([], []))
                (good if out[0] else bad).append(out[1])
    verdicts: list[Verdict] = []
    if det[0] or det[1]:
        failed = sum(1 for e in det[1] if "still shown online" in e.summary)
        n = len(det[0]) + failed
        m = {"windows": float(n), "moments": float(n)}
        if detect_times:
            m["time_to_show_offline_s"] = round(max(detect_times), 3)
        if det[1]:
            verdicts.append(Verdict("detection", ("R1",), False,
                                    f"{failed} of {n} offline windows not shown within "
                                    f"{ctx.window_detect_s:g}s", tuple(det[1]), m))
        else:
            verdicts.append(Verdict("detection", ("R1",), True, f"each of {n} offline windows shown within "
                                    f"{ctx.window_detect_s:g}s", tuple(det[0][:5]), m))
    for r, (good, bad) in sorted(res.items()):
        n = len(good) + len(bad)
        m = {"windows": float(n), "moments": float(n)}
        if resume_times:
            m["time_to_show_online_s"] = round(max(resume_times), 3)
        if bad:
            verdicts.append(Verdict("detection", (r,), False, f"{len(bad)} of {n} reconnections not shown within "
                                    f"{ctx.window_resume_s:g}s", tuple(bad), m))
        else:
            verdicts.append(Verdict("detection", (r,), True, f"each of {n} reconnections shown within "
                                    f"{ctx.window_resume_s:g}s", tuple(good[:5]), m))
    return verdicts


def _clock(t: float, start: float, fg: Callable[[float], float | None]) -> float | None:
    """When the app could start noticing, for a read at ``t``: the later of ``start`` and its last return to the
    foreground (None: not in the foreground at ``t``)."""
    since = fg(t)
    return None if since is None else max(start, since)


def _judge_detection(w: Window, ms: list[Any], seen: list[tuple[float, float, bool, Event]],
                     fg: Callable[[float], float | None], ctx: CheckContext, start_ev: Event | None,
                     det: tuple[list[Evidence], list[Evidence]], times: list[float]) -> None:
    inside = [x for x in seen if w.contains(x[0])]
    first_off = next((x for x in inside if x[2]), None)
    for m in (m for m in ms if w.contains(m.t0) and m.app_offline is False):
        ref = _clock(m.t0, w.start_t, fg)
        if ref is None or m.t0 < ref + ctx.window_detect_s:
            continue
        if first_off is not None and first_off[0] <= m.t1:
            break  # it had shown offline before this read: a later flip back is not a detection delay
        cond = _summary(start_ev)
        det[1].append(evidence(m.event, f"still shown online {m.t0 - ref:.1f}s after {cond} at #{w.start_seq} "
                                        f"(bound {ctx.window_detect_s:g}s), not shown offline since"))
        if start_ev is not None:
            det[1].append(evidence(start_ev, f"the offline window the read above falls in ({cond})"))
        return
    if first_off is not None:
        ref = _clock(first_off[0], w.start_t, fg)
        if ref is not None:
            took = first_off[1] - ref
            if took <= ctx.window_detect_s:
                times.append(max(0.0, took))
                det[0].append(evidence(first_off[3], f"shown offline within {max(0.0, took):.1f}s of "
                                                     f"{_summary(start_ev)} at #{w.start_seq}"))


def _judge_resume(w: Window, clean_t: float, until: float, ms: list[Any], seen: list[tuple[float, float, bool, Event]],
                  fg: Callable[[float], float | None], ctx: CheckContext, end_ev: Event | None,
                  times: list[float]) -> tuple[bool, Evidence] | None:
    assert w.end_t is not None
    after = [x for x in seen if w.end_t <= x[0] < until]
    first_on = next((x for x in after if not x[2]), None)
    for m in (m for m in ms if clean_t <= m.t0 < until and m.app_offline is True):
        ref = _clock(m.t0, clean_t, fg)
        if ref is None or m.t0 < ref + ctx.window_resume_s:
            continue
        if first_on is not None and first_on[0] <= m.t1:
            break
        return False, evidence(m.event, f"still shown offline {m.t0 - ref:.1f}s after a clean path came back "
                                        f"(the window ended at #{w.end_seq if w.end_seq is not None else '?'}, "
                                        f"{_summary(end_ev)}; bound {ctx.window_resume_s:g}s), not shown online since")
    if first_on is not None and first_on[0] >= clean_t:
        ref = _clock(first_on[0], clean_t, fg)
        if ref is not None and first_on[1] - ref <= ctx.window_resume_s:
            took = max(0.0, first_on[1] - ref)
            times.append(took)
            return True, evidence(first_on[3], f"shown online within {took:.1f}s of the path coming back")
    return None


def _summary(ev: Event | None) -> str:
    if ev is None:
        return "the drop"
    if ev.kind == "condition":
        return f"{ev.layer} {ev.name}"
    if ev.kind == "schedule":
        return f"schedule {ev.data.get('schedule', '')} going {ev.data.get('state', 'down')}"
    return f"{ev.kind} {ev.name}"


__all__ = ["clean_from", "detection"]
