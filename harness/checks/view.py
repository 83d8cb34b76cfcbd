"""Shared readings of a timeline: offline windows, queued actions, arrivals, one-line summaries.

Every oracle asks the same questions of the events ("when was the app
offline?", "which markers were queued?", "when did each first reach the
backend with a 2xx?"); answering them once keeps the checks short and
consistent with each other.

An offline window is a span where at least one offline-making condition is
active on any layer: a link ``down``/``half_open``/..., an HTTP
``captive_portal``/``outage``, the device's airplane mode, or a schedule
in state ``down``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from harness.errors import Evidence
from harness.markers import MARKER_RE, find_markers
from harness.checks.model import CheckContext
from harness.timeline import Event

#: condition names that cut the working path to the backend
OFFLINE_CONDITIONS: frozenset[str] = frozenset({
    "down", "offline", "half_open", "blackhole", "timeout", "reset_peer", "captive_portal", "outage",
    "refuse", "airplane", "no_network", "partition",
})
#: condition names that clear every condition of their layer
RESET_CONDITIONS: frozenset[str] = frozenset({"reset", "clear_all", "online"})
#: action outcomes that mean the action did not go into the outbox
NOT_QUEUED: frozenset[str] = frozenset({"unavailable", "disabled", "hung", "error"})


@dataclass(frozen=True)
class Window:
    """One offline span: from the event that cut the path to the one that restored it (None: never)."""

    start_t: float
    start_seq: int
    end_t: float | None = None
    end_seq: int | None = None

    def contains(self, t: float) -> bool:
        return self.start_t <= t and (self.end_t is None or t < self.end_t)

    def duration_s(self, until: float) -> float:
        return (self.end_t if self.end_t is not None else until) - self.start_t


@dataclass(frozen=True)
class Queued:
    """An action made offline that the app should have put in its outbox."""

    marker: str
    event: Event
    record: str | None


def offline_windows(events: Sequence[Event]) -> list[Window]:
    """Spans where some offline-making condition was active, in time order."""
    active: set[tuple[str, str]] = set()
    windows: list[Window] = []
    start: Event | None = None
    for ev in events:
        before = bool(active)
        key, turn_on = _offline_transition(ev)
        if key is None:
            if ev.kind == "condition" and ev.name in RESET_CONDITIONS:
                whole = ev.layer in ("harness", "all")
                active = set() if whole else {k for k in active if k[0] != ev.layer}
            else:
                continue
        elif turn_on:
            active.add(key)
        else:
            active.discard(key)
        if not before and active:
            start = ev
        elif before and not active and start is not None:
            windows.append(Window(start.t, start.seq, ev.t, ev.seq))
            start = None
    if start is not None:
        windows.append(Window(start.t, start.seq))
    return windows


def _offline_transition(ev: Event) -> tuple[tuple[str, str] | None, bool]:
    d = ev.data
    if ev.kind == "condition" and ev.name in OFFLINE_CONDITIONS:
        return (ev.layer, ev.name), str(d.get("action", "apply")) != "clear"
    if ev.kind == "device" and ev.name in ("airplane_on", "airplane_off"):
        return ("device", "airplane"), ev.name == "airplane_on"
    if ev.kind == "schedule" and "state" in d:
        return (ev.layer, f"schedule:{d.get('schedule', '')}"), str(d["state"]) in ("down", "offline", "half_open")
    return None, False


def is_offline(ev: Event, windows: Sequence[Window]) -> bool:
    """The harness's belief (``data.offline``) when recorded, else whether ``ev`` falls in a window."""
    flag = ev.data.get("offline")
    if isinstance(flag, bool):
        return flag
    return any(w.contains(ev.t) for w in windows)


def markers_of(ev: Event) -> list[str]:
    """The markers an event carries (``marker``, ``markers``), valid ones only, in order."""
    d = ev.data
    found: list[str] = []
    raw: list[Any] = [d.get("marker")] + list(d.get("markers") or [])
    for m in raw:
        if isinstance(m, str) and MARKER_RE.fullmatch(m) and m not in found:
            found.append(m)
    return found


def record_of(ev: Event, keys: Sequence[str] = ("record",)) -> str | None:
    """The record an action acted on (for per-record order): the first of ``keys`` it carries."""
    for k in keys:
        if ev.data.get(k) is not None:
            return f"{k}={ev.data[k]}"
    return None


def queued_actions(events: Sequence[Event], ctx: CheckContext, windows: Sequence[Window] | None = None, *,
                   offline_only: bool = True) -> list[Queued]:
    """Actions of a queued feature that the app accepted, one entry per marker, in action order.

    Offline ones by default; ``offline_only=False`` adds those made online, which the app's outbox
    also carries (a response lost after the server applied it is retried like offline work).
    """
    wins = offline_windows(events) if windows is None else windows
    out: list[Queued] = []
    seen: set[str] = set()
    for ev in events:
        if ev.kind != "action" or ev.name not in ctx.queued_features:
            continue
        if offline_only and not is_offline(ev, wins):
            continue
        if str(ev.data.get("outcome", "queued")) in NOT_QUEUED:
            continue
        for m in markers_of(ev):
            if m not in seen:
                seen.add(m)
                out.append(Queued(m, ev, record_of(ev, ctx.record_keys)))
    return out


def requests(events: Iterable[Event]) -> list[Event]:
    return [e for e in events if e.kind == "request"]


def status_of(ev: Event) -> int | None:
    s = ev.data.get("status")
    try:
        return int(s) if s is not None else None
    except (TypeError, ValueError):
        return None


def is_2xx(ev: Event) -> bool:
    s = status_of(ev)
    return s is not None and 200 <= s < 300


def arrival_t(ev: Event) -> float:
    """When a request reached the proxy: ``t_start`` when recorded, else the event time."""
    ts = ev.data.get("t_start")
    return float(ts) if isinstance(ts, (int, float)) else ev.t


def unanswered(ev: Event) -> bool:
    """The proxy forwarded ``ev`` to the backend and no answer came back (the app's side of the path broke while
    the backend had it): the backend may have stored what it carried."""
    return bool(ev.data.get("forwarded")) and ev.data.get("status") is None


def applied_requests(events: Sequence[Event]) -> dict[str, list[Event]]:
    """marker -> the 2xx requests carrying it, in arrival order. A marker no 2xx request carries but which the
    proxy forwarded in a request whose answer never came (the app's side of the path broke while the backend
    had it) counts as applied by the first such request when the backend's read-back holds the marker: a
    replication that finds the server already has the document does not send it again (todo-pouch: a PouchDB
    push cut by a drop, "never arrived" although the server had it)."""
    out: dict[str, list[Event]] = {}
    cut: dict[str, Event] = {}
    for ev in requests(events):
        if is_2xx(ev):
            for m in markers_of(ev):
                out.setdefault(m, []).append(ev)
        elif unanswered(ev):
            for m in markers_of(ev):
                cut.setdefault(m, ev)
    if cut:
        held = read_back_markers(events)
        for m, ev in cut.items():
            if m not in out and m in held:
                out[m] = [ev]
    for lst in out.values():
        lst.sort(key=lambda e: (arrival_t(e), e.seq))
    return out


def read_back_markers(events: Sequence[Event]) -> set[str]:
    """The markers the backend's final read-back holds (any row, deleted ones included); empty without one."""
    found: set[str] = set()
    for e in events:
        if e.kind == "snapshot" and e.name == "backend":
            found.update(find_markers(json.dumps(e.data, default=str)))
    return found


#: What a response needs, beyond the link's added latency, to get from the proxy to the app (a loopback hop,
#: the app's event loop): the path breaking this soon after an acknowledgement left the proxy may have lost it.
ACK_IN_TRANSIT_S = 0.5


def link_latency_at(events: Sequence[Event]) -> Callable[[float], float]:
    """The link's added one-way latency in seconds (``latency_ms`` + ``jitter_ms`` of the link conditions in
    force) as a function of time. The proxy records a response when it leaves for the app; this says how long
    it may still be on its way."""
    changes: list[tuple[float, int, str, float | None]] = []
    for ev in events:
        if ev.kind != "condition":
            continue
        if ev.name in RESET_CONDITIONS:
            changes.append((ev.t, ev.seq, "*", None))
            continue
        params = ev.data.get("params") or {}
        added = float(params.get("latency_ms") or 0) + float(params.get("jitter_ms") or 0)
        if ev.layer == "link" and added > 0:
            on = str(ev.data.get("action", "apply")) != "clear"
            changes.append((ev.t, ev.seq, str(ev.data.get("handle")), added / 1000 if on else None))
    changes.sort(key=lambda c: (c[0], c[1]))

    def at(t: float) -> float:
        active: dict[str, float] = {}
        for ct, _, handle, s in changes:
            if ct > t:
                break
            if handle == "*":
                active.clear()
            elif s is None:
                active.pop(handle, None)
            else:
                active[handle] = s
        return sum(active.values())

    return at


#: device events after which the app runs no code until it is started again (a kill point)
KILL_EVENTS = frozenset({"kill", "relaunch", "reinstall", "force_stop"})
#: device events that end a freeze (the app's code runs again, or it was killed)
THAW_EVENTS = frozenset({"unfreeze", "foreground", "launch", "relaunch", "reinstall", "kill", "force_stop"})


def app_pauses(events: Iterable[Event]) -> list[tuple[float, float]]:
    """When the app could not take a response: each kill (a point) and each freeze, from the freeze to whatever
    ended it (an OS's battery policy or a page freeze stops the app's code, and its request timers fire late, all
    at once, when it runs again: a response that arrived meanwhile may never be read). Times in timeline seconds."""
    pauses: list[tuple[float, float]] = []
    frozen_at: float | None = None
    for ev in sorted((e for e in events if e.kind == "device"), key=lambda e: (e.t, e.seq)):
        if frozen_at is not None and ev.name in THAW_EVENTS:
            pauses.append((frozen_at, ev.t))
            frozen_at = None
        if ev.name in KILL_EVENTS:
            pauses.append((ev.t, ev.t))
        elif ev.name == "freeze" and frozen_at is None:
            frozen_at = ev.t
    if frozen_at is not None:
        pauses.append((frozen_at, float("inf")))
    return pauses


def paused_between(pauses: Sequence[tuple[float, float]], t0: float, t1: float) -> bool:
    """The app was killed or frozen at some moment of ``[t0, t1]``."""
    return any(start <= t1 and end >= t0 for start, end in pauses)


def ack_may_be_lost(req: Event, windows: Sequence[Window], latency_at: Callable[[float], float],
                    pauses: Sequence[tuple[float, float]] = ()) -> bool:
    """The path to the app broke while ``req``'s response was still on its way (after it left the proxy, within
    the link's latency plus :data:`ACK_IN_TRANSIT_S`), or the app was killed or frozen (``pauses``, from
    :func:`app_pauses`) between sending it and then: the app may never have seen it, so sending the action again
    under the same key is the retry R22 (R27 after a kill) asks for, not a duplicate."""
    t_end = req.data.get("t_end")
    if not isinstance(t_end, (int, float)):
        return True
    bound = float(t_end) + latency_at(float(t_end)) + ACK_IN_TRANSIT_S
    if paused_between(pauses, arrival_t(req), bound):
        return True
    return any(float(t_end) <= w.start_t <= bound or w.contains(float(t_end)) for w in windows)


def reconnect_before(t: float, windows: Sequence[Window]) -> float | None:
    """The latest end of an offline window at or before ``t``."""
    ends = [w.end_t for w in windows if w.end_t is not None and w.end_t <= t]
    return max(ends) if ends else None


def summarize(ev: Event) -> str:
    """A one-line human summary of an event, for evidence lists."""
    d = ev.data
    if ev.kind == "request":
        parts = [f"{d.get('method', '')} {d.get('path', '')}".strip() or ev.name]
        status = d.get("status")
        parts.append(f"-> {status}" if status is not None else "-> no response")
        if d.get("fault"):
            parts.append(f"fault={d['fault']}")
        if d.get("key"):
            parts.append(f"key={str(d['key'])[:12]}")
        ms = markers_of(ev)
        if ms:
            parts.append("markers=" + ",".join(ms))
        return "request " + " ".join(parts)
    if ev.kind == "action":
        bits = [f"action {ev.name}"] + markers_of(ev)
        if "offline" in d:
            bits.append("offline" if d["offline"] else "online")
        if d.get("outcome"):
            bits.append(f"outcome={d['outcome']}")
        if d.get("message"):
            bits.append(repr(str(d["message"])[:60]))
        return " ".join(str(b) for b in bits)
    if ev.kind == "condition":
        return f"condition {ev.layer}.{ev.name} {d.get('action', 'apply')}"
    if ev.kind == "observation" and ev.name == "watch":
        app = d.get("connectivity") or ("offline" if d.get("banner") else "online" if "banner" in d else "?")
        net = "offline" if d.get("offline") else "online" if d.get("offline") is False else "?"
        where = f" {d['hash']}" if d.get("hash") else ""
        return f"screen read{where} (network {net}, app shows {app})"
    if ev.kind == "observation":
        keys = [k for k in ("visible", "state", "marker", "pending", "unavailable", "subject") if k in d]
        detail = " ".join(f"{k}={d[k]}" for k in keys)
        return f"observation {ev.name} {detail}".strip()
    if ev.kind == "schedule":
        return f"schedule {d.get('schedule', ev.name)} -> {d.get('state', '?')}"
    return f"{ev.kind} {ev.name}"


def evidence(ev: Event, note: str = "") -> Evidence:
    """Evidence pointing at ``ev`` (its seq) with its summary and an optional note."""
    s = summarize(ev)
    return Evidence(ev.seq, f"{s}: {note}" if note else s)


def replaced_marker(ev: Event) -> str | None:
    """The marker of the record a user action replaced (an edit's ``previous``) or removed (a delete's own);
    None for any other event."""
    if ev.kind != "action":
        return None
    old = ev.data.get("previous") or (ev.data.get("marker") if ev.name.startswith("delete_") else None)
    return str(old) if old else None


def superseded_markers(events: Sequence[Event]) -> dict[str, float]:
    """Markers an edit or a delete replaced -> when (the item's later writes may still carry the old text: a
    document store's tombstone or next revision holds the whole document). When is the action's ``started``
    (the tap) where it says, else its record: the app may send the write before the screen shows it done."""
    out: dict[str, float] = {}
    for e in events:
        old = replaced_marker(e)
        started = e.data.get("started")
        if old is not None and old not in out:
            out[old] = float(started) if isinstance(started, (int, float)) else e.t
    return out


def successors(events: Sequence[Event]) -> dict[str, str]:
    """Marker -> the marker of the edit that replaced it (an action recording ``previous``), so that a chain of
    edits can be followed to the latest write of a record."""
    out: dict[str, str] = {}
    for e in events:
        if e.kind == "action" and e.data.get("previous") and e.data.get("marker"):
            out.setdefault(str(e.data["previous"]), str(e.data["marker"]))
    return out


def record_held(marker: str, held: set[str], succ: Mapping[str, str]) -> bool:
    """The backend's read-back (``held``, :func:`read_back_markers`) holds ``marker`` or a later version of its
    record (the edits after it, ``succ`` from :func:`successors`): a document store keeps the latest revision
    only, so an edited record's first text is gone from the read-back although the server had it."""
    seen: set[str] = set()
    while marker not in seen:
        if marker in held:
            return True
        seen.add(marker)
        if marker not in succ:
            return False
        marker = succ[marker]
    return False


__all__ = [
    "NOT_QUEUED", "OFFLINE_CONDITIONS", "Queued", "Window", "applied_requests", "arrival_t", "evidence", "is_2xx",
    "is_offline", "markers_of", "offline_windows", "queued_actions", "reconnect_before", "record_held", "record_of",
    "replaced_marker", "requests", "status_of", "successors", "summarize", "superseded_markers",
    "unanswered",
]
