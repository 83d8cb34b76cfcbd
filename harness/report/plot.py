"""The per-scenario timeline plot: what the network, the OS, the user and the app did, on one time axis.

Lanes, top to bottom: check verdicts (placed at their first evidence
event), requests reaching the backend (coloured by status or fault), user
actions, what the screen showed, device lifecycle, and the conditions of
each layer (device, http, link) drawn as spans from apply to clear. Offline
windows are shaded. Hovering shows the event; clicking a point jumps to its
row in the event table (``#ev-<scenario>-<seq>``). The figure is returned
as an HTML fragment that needs ``plotly.min.js`` loaded once by the page.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

import plotly.graph_objects as go

from harness.checks.model import Verdict
from harness.checks.view import offline_windows, status_of, summarize
from harness.timeline import Event

LANES: tuple[str, ...] = ("cond: link", "cond: http", "cond: device", "lifecycle", "screen", "actions",
                          "requests", "checks")
STATUS_COLORS: dict[str, str] = {"2xx": "#2e7d32", "3xx": "#1565c0", "4xx": "#ef6c00", "5xx": "#c62828",
                                 "fault": "#6a1b9a", "none": "#424242"}


def status_class(ev: Event) -> str:
    """``2xx``..``5xx``, ``fault`` (an injected fault replaced the response) or ``none``."""
    s = status_of(ev)
    if ev.data.get("fault") and not (s is not None and 200 <= s < 300):
        return "fault"
    return f"{s // 100}xx" if s is not None and 200 <= s < 600 else "none"


def _lane_of(ev: Event) -> str | None:
    if ev.kind in ("condition", "schedule"):
        layer = ev.layer if ev.layer in ("link", "http", "device") else "link"
        return f"cond: {layer}"
    return {"device": "lifecycle", "observation": "screen", "action": "actions", "request": "requests"}.get(ev.kind)


def build_figure(sid: str, events: Sequence[Event], verdicts: Sequence[Verdict]) -> go.Figure:
    """The timeline figure of one scenario (x: seconds since its first event)."""
    fig = go.Figure()
    if not events:
        return fig
    t0 = events[0].t
    by_seq = {e.seq: e for e in events}
    for w in offline_windows(events):
        end = (w.end_t if w.end_t is not None else events[-1].t) - t0
        fig.add_vrect(x0=w.start_t - t0, x1=end, fillcolor="#ffcdd2", opacity=0.35, line_width=0, layer="below")
    _condition_spans(fig, events, t0)
    points: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for ev in events:
        lane = _lane_of(ev)
        if lane is None or ev.kind == "condition":
            continue
        group = status_class(ev) if ev.kind == "request" else ev.kind
        points[(lane, group)].append(ev)
    for (lane, group), evs in points.items():
        color = STATUS_COLORS.get(group, "#37474f")
        fig.add_trace(go.Scatter(
            x=[e.t - t0 for e in evs], y=[lane] * len(evs), mode="markers", name=f"{lane} {group}",
            marker={"size": 10, "color": color, "symbol": "x" if group == "fault" else "circle"},
            customdata=[e.seq for e in evs], text=[f"#{e.seq} {summarize(e)}" for e in evs],
            hovertemplate="%{text}<extra></extra>"))
    for passed in (True, False):
        vs = [v for v in verdicts if v.passed is passed]
        if not vs:
            continue
        xs = [_verdict_t(v, by_seq, events) - t0 for v in vs]
        fig.add_trace(go.Scatter(
            x=xs, y=["checks"] * len(vs), mode="markers", name="pass" if passed else "fail",
            marker={"size": 13, "color": "#2e7d32" if passed else "#c62828",
                    "symbol": "circle" if passed else "x"},
            customdata=[v.evidence[0].seq if v.evidence else -1 for v in vs],
            text=[f"{v.check} [{','.join(v.requirement_ids)}] {'PASS' if passed else 'FAIL'}: {v.title}" for v in vs],
            hovertemplate="%{text}<extra></extra>"))
    fig.update_layout(
        height=380, margin={"l": 90, "r": 20, "t": 30, "b": 40}, showlegend=False,
        xaxis={"title": "seconds since scenario start", "zeroline": False},
        yaxis={"categoryorder": "array", "categoryarray": list(LANES), "type": "category"},
        title={"text": sid, "font": {"size": 12}})
    return fig


def _verdict_t(v: Verdict, by_seq: dict[int, Event], events: Sequence[Event]) -> float:
    for e in v.evidence:
        if e.seq in by_seq:
            return by_seq[e.seq].t
    return events[-1].t


def _condition_spans(fig: go.Figure, events: Sequence[Event], t0: float) -> None:
    open_: dict[tuple[str, str], Event] = {}
    spans: list[tuple[Event, float]] = []
    for ev in events:
        if ev.kind != "condition":
            continue
        key = (ev.layer, ev.name)
        if str(ev.data.get("action", "apply")) == "clear":
            start = open_.pop(key, None)
            if start is not None:
                spans.append((start, ev.t))
        else:
            open_.setdefault(key, ev)
    spans += [(start, events[-1].t) for start in open_.values()]
    for start, end in spans:
        lane = _lane_of(start) or "cond: link"
        fig.add_trace(go.Scatter(
            x=[start.t - t0, end - t0], y=[lane, lane], mode="lines+markers", line={"width": 9, "color": "#8e24aa"},
            customdata=[start.seq, start.seq], text=[f"#{start.seq} {summarize(start)}"] * 2,
            hovertemplate="%{text}<extra></extra>"))


def figure_html(sid: str, anchor: str, events: Sequence[Event], verdicts: Sequence[Verdict]) -> str:
    """An HTML fragment (div + script) for the report; needs plotly.min.js already on the page."""
    fig = build_figure(sid, events, verdicts)
    post = ("var d=document.getElementById('{plot_id}');d.on('plotly_click',function(e){"
            "var s=e.points[0].customdata;if(s!==undefined&&s>=0){location.hash='ev-%s-'+s;}});" % anchor)
    html: Any = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"plot-{anchor}", post_script=post,
                            config={"displaylogo": False, "responsive": True})
    return str(html)


__all__ = ["LANES", "STATUS_COLORS", "build_figure", "figure_html", "status_class"]
