"""R1, R2, R9 (and the R10/R14/R15 item indicators): what the app shows about its sync state.

- R1 detection: in each offline window at least ``max_detect_s`` long (or
  with a banner observation), the first ``banner`` observation with
  ``visible: true`` comes within ``max_detect_s`` of the drop.
- R2 banner: its text (when recorded) says offline; in each online span long
  enough to judge (or the last), no ``visible: true`` banner is observed
  later than ``max_banner_clear_s`` after reconnection, and the last
  observation shows it gone.
- R9 item indicator: ``item_state`` observations of a queued marker show
  ``pending`` before the backend acknowledged it (its first 2xx request)
  and ``synced`` from ``max_indicator_clear_s`` after the ack.
Windows or items with no observations get no verdict.

And at every moment the screen was read (:func:`harness.checks.moments.judge_items`): an item of a queued
action shows ``synced`` only once the server can have told the app (not while its write is unsent, held at
the proxy or in flight), and ``pending`` not long after; separate verdicts counting the moments.
"""

from __future__ import annotations

from typing import Sequence

from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.checks.moments import judge_items, moment_verdicts, moments, verdict_note
from harness.checks.registry import check
from harness.checks.view import Window, applied_requests, evidence, offline_windows, queued_actions
from harness.errors import Evidence
from harness.timeline import Event

ITEM_REQUIREMENT: dict[str, str] = {"add_item": "R9", "edit_item": "R9", "add_note": "R9", "edit_opportunity": "R14", "upload_photo": "R15",
                                    "send_sms": "R10", "send_email": "R10"}


def banners(events: Sequence[Event]) -> list[Event]:
    return [e for e in events if e.kind == "observation" and e.name == "banner"]


def detection_times(events: Sequence[Event], windows: Sequence[Window]) -> list[tuple[Window, Event | None]]:
    """Per offline window, the first visible-banner observation inside it (None when there is none)."""
    obs = [b for b in banners(events) if b.data.get("visible")]
    return [(w, next((b for b in obs if w.contains(b.t)), None)) for w in windows]


@check("indicators", "R1", "R2", "R9", "R10", "R14", "R15")
def indicators(events: Sequence[Event], snapshots: Snapshots, ctx: CheckContext) -> list[Verdict]:
    """Verdicts for detection (R1), the banner (R2) and each queued item's indicator."""
    windows = offline_windows(events)
    end_t = events[-1].t if events else 0.0
    out = [v for v in (_r1(events, windows, ctx, end_t), _r2(events, windows, ctx, end_t)) if v is not None]
    on_screen: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
    judge_items(events, ctx, verdict_note(on_screen),
                lambda ev: ev.data.get("requirement") or ITEM_REQUIREMENT.get(ev.name))
    return out + _items(events, ctx) + moment_verdicts(
        "indicators", on_screen, "an item shows synced only once the server has it, and pending no longer")


def _r1(events: Sequence[Event], windows: list[Window], ctx: CheckContext, end_t: float) -> Verdict | None:
    good: list[Evidence] = []
    bad: list[Evidence] = []
    times: list[float] = []
    all_banners = banners(events)
    for w, seen in detection_times(events, windows):
        start = next(e for e in events if e.seq == w.start_seq)
        if seen is not None:
            dt = seen.t - w.start_t
            times.append(dt)
            (good if dt <= ctx.max_detect_s else bad).append(
                evidence(seen, f"banner {dt:.2f}s after the drop at #{w.start_seq} (bound {ctx.max_detect_s}s)"))
        elif w.duration_s(end_t) >= ctx.max_detect_s and any(w.contains(b.t) for b in all_banners):
            bad.append(evidence(start, f"no banner within {ctx.max_detect_s}s of this drop"))
    if not good and not bad:
        return None
    measured = {"time_to_detect_s": max(times)} if times else {}
    if bad:
        return Verdict("indicators", ("R1",), False, "offline mode not detected in time", tuple(bad), measured)
    return Verdict("indicators", ("R1",), True, f"offline detected within {ctx.max_detect_s}s", tuple(good), measured)


def _r2(events: Sequence[Event], windows: list[Window], ctx: CheckContext, end_t: float) -> Verdict | None:
    good: list[Evidence] = []
    bad: list[Evidence] = []
    all_banners = banners(events)
    for b in all_banners:
        text = str(b.data.get("text") or "")
        if b.data.get("visible") and text and "offline" not in text.lower():
            bad.append(evidence(b, "banner text does not say offline"))
    for i, w in enumerate(windows):
        if w.end_t is None:
            continue
        nxt = windows[i + 1].start_t if i + 1 < len(windows) else None
        if nxt is not None and nxt - w.end_t < ctx.max_banner_clear_s:
            continue  # online too briefly to judge
        span = [b for b in all_banners if b.t >= w.end_t and (nxt is None or b.t < nxt)]
        if not span:
            continue
        late = [b for b in span if b.data.get("visible") and b.t - w.end_t > ctx.max_banner_clear_s]
        if late:
            bad.append(evidence(late[0], f"banner still shown {late[0].t - w.end_t:.1f}s after reconnection"))
        elif span[-1].data.get("visible"):
            gone = _read_gone(events, span[-1].t, nxt)
            if gone is not None:  # it came back for a moment (a lost response looks like a drop) and went again
                good.append(evidence(gone, f"banner gone {gone.t - w.end_t:.2f}s after reconnection, after "
                                           f"it was seen again at #{span[-1].seq}"))
            else:
                bad.append(evidence(span[-1], "banner never seen gone after reconnection"))
        else:
            good.append(evidence(span[-1], f"banner gone {span[-1].t - w.end_t:.2f}s after reconnection"))
    if not good and not bad:
        return None
    if bad:
        return Verdict("indicators", ("R2",), False, "offline banner wrong or stuck", tuple(bad))
    return Verdict("indicators", ("R2",), True, "offline banner cleared after reconnection", tuple(good))


def _read_gone(events: Sequence[Event], after_t: float, before_t: float | None) -> Event | None:
    """The first screen read of the continuous observation after ``after_t`` (and before ``before_t``) that
    shows the banner hidden, the app in the foreground: the banner's last state is also what those reads saw."""
    for m in moments(events):
        if m.event.t <= after_t or (before_t is not None and m.event.t >= before_t) or not m.ready:
            continue
        if m.data.get("banner") is False:
            return m.event
    return None


def _items(events: Sequence[Event], ctx: CheckContext) -> list[Verdict]:
    arrivals = applied_requests(events)
    states = [e for e in events if e.kind == "observation" and e.name == "item_state"]
    results: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
    for q in queued_actions(events, ctx):
        req = q.event.data.get("requirement") or ITEM_REQUIREMENT.get(q.event.name)
        obs = [s for s in states if s.data.get("marker") == q.marker and s.t >= q.event.t]
        if req is None or not obs:
            continue
        good, bad = results.setdefault(req, ([], []))
        ack = arrivals[q.marker][0] if q.marker in arrivals else None
        ack_t = float(ack.data.get("t_end") or ack.t) if ack is not None else 0.0
        for s in obs:
            state = str(s.data.get("state", ""))
            if ack is None or s.t < ack_t:
                (good if state == "pending" else bad).append(
                    evidence(s, "pending while queued" if state == "pending" else f"{state!r} before the backend ack"))
            elif s.t - ack_t > ctx.max_indicator_clear_s:
                (good if state == "synced" else bad).append(evidence(
                    s, "cleared after the ack" if state == "synced"
                    else f"still {state!r} {s.t - ack_t:.1f}s after the backend ack at #{ack.seq}"))
            elif state == "synced":
                good.append(evidence(s, "cleared after the ack"))
    out: list[Verdict] = []
    for req, (good, bad) in sorted(results.items(), key=lambda kv: int(kv[0][1:])):
        if bad:
            out.append(Verdict("indicators", (req,), False, "queued item's sync indicator was wrong", tuple(bad)))
        elif good:
            out.append(Verdict("indicators", (req,), True, "queued items showed pending, then cleared", tuple(good)))
    return out
