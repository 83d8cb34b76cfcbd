"""R22, R27: every queued action is applied exactly once, never lost, never duplicated.

Every mutation the harness made counts, offline or online: R22 covers "a
request that reached the server but whose response was lost", which happens
to online actions too.

Black-box oracle: the 2xx requests carrying a queued marker must exist (it
arrived) and carry a single write identity (the app profile's ``identity``:
a header such as an idempotency key, or a document id and revision in the
body; a retry under a new identity is a duplicate the server cannot
recognise). When the backend was read back, stronger oracles join: an
applied-mutation log (a plugin's) must hold that identity exactly once, and
the rows where one write makes one row (generic collections, a plugin's
``create_tables``) must hold the marker in exactly one row. An item edited
or deleted later is not expected on the server under its old marker.

An action the app sends again after it received the server's
acknowledgement is a duplicate too, even under the same key (the server may
absorb it, but the app did not know what it had sent: R22, and R23 when it
happens while the network flaps). The proxy sees the acknowledgement leave,
not arrive: when the path broke while it was still on its way (within the
link's added latency and a small margin), the app may never have had it, and
sending again under the same key is the retry R22 asks for. So it is when
the app was killed or frozen while the acknowledgement was on its way (an
OS's battery policy stops the app's code; its request timers fire late, all
at once, when it runs again).

R27 gets its own verdict for the markers queued before the app was killed,
relaunched or reinstalled: they must still arrive exactly once
(``outbox-in-memory``).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Sequence

from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.checks.registry import check
from harness.checks.view import (KILL_EVENTS, Queued, Window, ack_may_be_lost, app_pauses, applied_requests,
                                 arrival_t, evidence, link_latency_at, markers_of, offline_windows, paused_between,
                                 queued_actions, requests, superseded_markers)
from harness.errors import Evidence
from harness.timeline import Event


@check("exactly_once", "R22", "R23", "R27")
def exactly_once(events: Sequence[Event], snapshots: Snapshots, ctx: CheckContext) -> list[Verdict]:
    """An R22 verdict over every mutation the harness made (offline or online), and an R27 verdict
    over those queued before a kill."""
    queued = queued_actions(events, ctx, offline_only=False)
    if not queued:
        return []
    arrivals = applied_requests(events)
    keys_by_marker = _keys_by_marker(events)
    windows, latency_at = offline_windows(events), link_latency_at(events)
    kills = [e for e in events if e.kind == "device" and e.name in KILL_EVENTS]
    pauses = app_pauses(events)
    problems: dict[str, list[Evidence]] = {}
    superseded = superseded_markers(events)
    for q in queued:
        sent = arrivals.get(q.marker, [])
        keys = keys_by_marker.get(q.marker, set())
        if q.marker in superseded:  # judged up to the edit or delete that replaced it (a later write of the record)
            sent = [r for r in sent if arrival_t(r) < superseded[q.marker]]
            keys = {k for r in sent if (k := key_for(r, q.marker))}
            if not sent:
                continue  # replaced before it was sent: an app may send only the record's latest version
        errs = _judge(q, sent, keys, snapshots, ctx, windows, latency_at, pauses, superseded=q.marker in superseded)
        if errs:
            problems[q.marker] = errs
    # under flapping, losing or duplicating queued work is R23's promise too
    flapping = len(windows) >= ctx.flap_min_windows
    verdicts = [_verdict(("R22", "R23") if flapping else ("R22",), "exactly_once", queued, arrivals, problems,
                         "every queued action applied exactly once")]
    survived = [q for q in queued if any(_killed_while_queued(q, k, arrivals) for k in kills)]
    if survived:
        first_kill = next(k for k in kills if _killed_while_queued(survived[0], k, arrivals))
        v = _verdict(("R27",), "exactly_once", survived, arrivals, problems,
                     "queued actions survived the app being killed")
        verdicts.append(Verdict(v.check, v.requirement_ids, v.passed, v.title,
                                (evidence(first_kill, "app killed with a non-empty outbox"),) + v.evidence))
    return verdicts


def _killed_while_queued(q: Queued, kill: Event, arrivals: dict[str, list[Event]]) -> bool:
    first = arrivals.get(q.marker)
    return kill.t > q.event.t and (not first or kill.t < arrival_t(first[0]))


def _verdict(req: tuple[str, ...], name: str, queued: list[Queued], arrivals: dict[str, list[Event]],
             problems: dict[str, list[Evidence]], ok_title: str) -> Verdict:
    bad = [q for q in queued if q.marker in problems]
    if bad:
        ev = tuple(e for q in bad for e in problems[q.marker])
        lost = sum(1 for q in bad if q.marker not in arrivals)
        title = f"{len(bad)} of {len(queued)} queued actions not applied exactly once ({lost} never arrived)"
        return Verdict(name, req, False, title, ev)
    ev = tuple(x for q in queued for x in (evidence(q.event),) + (
        (evidence(arrivals[q.marker][0], "applied"),) if arrivals.get(q.marker) else ()))
    return Verdict(name, req, True, f"{ok_title} ({len(queued)} actions)", ev)


def key_for(req: Event, marker: str) -> str | None:
    """The write identity under which ``req`` carried ``marker``: the identity of the part of the body holding
    it (``marker_keys``, for bulk writes of several documents), else the request's own."""
    per = req.data.get("marker_keys")
    if isinstance(per, Mapping) and per.get(marker):
        return str(per[marker])
    key = req.data.get("key")
    return str(key) if key else None


def _keys_by_marker(events: Sequence[Event]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for ev in requests(events):
        for m in markers_of(ev):
            key = key_for(ev, m)
            if key:
                out.setdefault(m, set()).add(key)
    return out


def _judge(q: Queued, ok: list[Event], all_keys: set[str], snaps: Snapshots, ctx: CheckContext,
           windows: Sequence[Window], latency_at: Callable[[float], float],
           pauses: Sequence[tuple[float, float]], *, superseded: bool = False) -> list[Evidence]:
    errs: list[Evidence] = []
    if not ok:
        errs.append(evidence(q.event, f"{q.marker} never reached the backend with a 2xx (lost)"))
    acked = [r for r in ok if not r.data.get("fault") and isinstance(r.data.get("t_end"), (int, float))
             and not ack_may_be_lost(r, windows, latency_at, pauses)]
    if acked:
        first_ack = min(float(r.data["t_end"]) for r in acked)
        again = [r for r in ok if arrival_t(r) > first_ack]
        if again:
            errs.append(evidence(again[0], f"{q.marker} sent again after the server had acknowledged it "
                                           f"({len(again)} duplicate send{'s' if len(again) > 1 else ''})"))
    sends = sorted(ok, key=arrival_t)
    for a, b in zip(sends, sends[1:]):
        if _in_flight_together(a, b, ctx, windows, latency_at, pauses):
            errs.append(evidence(b, f"{q.marker} sent twice at once ({(arrival_t(b) - arrival_t(a)) * 1000:.0f} ms "
                                    "apart, the first still in flight, before any timeout)"))
            break
    keys = {key_for(r, q.marker) or "(no key)" for r in ok}
    if len(keys) > 1:
        errs.append(evidence(q.event, f"{q.marker} applied under {len(keys)} different write identities (keys)"))
        errs.extend(evidence(r) for r in ok)
    if snaps.mutations is not None and all_keys:
        n = sum(1 for m in snaps.mutations if str(m.get("key")) in all_keys)
        if n != 1:
            errs.append(evidence(q.event, f"applied-mutation log holds {q.marker}'s key {n} times, expected 1"))
    if snaps.backend is not None:
        n_create, n_other = _rows_with(snaps.backend, q.marker, ctx.create_tables)
        if n_create > 1:
            errs.append(evidence(q.event, f"backend snapshot holds {q.marker} in {n_create} rows, expected 1"))
        elif n_create + n_other == 0 and not q.event.name.startswith("edit_") and not superseded:
            errs.append(evidence(q.event, f"backend snapshot does not hold {q.marker} (lost)"))
    return errs


#: faults after which the proxy kills the connection without answering (harness/net/mitm_addon.py)
CONNECTION_KILLED = ("drop_response", "refuse")


def _in_flight_together(a: Event, b: Event, ctx: CheckContext, windows: Sequence[Window],
                        latency_at: Callable[[float], float], pauses: Sequence[tuple[float, float]] = ()) -> bool:
    """``b`` left the app while ``a`` was still in flight from the app's side: before ``a``'s response could have
    reached it (the proxy's answer plus the link's added latency), sooner than the app's own request timeout, and
    with no break in the path between them and no kill or freeze of the app (any of them fails ``a``, and ``b`` is
    then its retry)."""
    a_end = a.data.get("t_end")
    if not isinstance(a_end, (int, float)):
        return False
    ta, tb = arrival_t(a), arrival_t(b)
    # a connection the proxy killed carries no data for a slowed link to delay: the app's side learns at once
    # (Chromium resends such a request itself, under the same key, a few ms later)
    app_end = float(a_end) if a.data.get("fault") in CONNECTION_KILLED else float(a_end) + latency_at(float(a_end))
    if tb - ta >= ctx.min_retry_gap_s or tb >= app_end:
        return False
    return not any(ta < w.start_t <= tb for w in windows) and not paused_between(pauses, ta, tb)


def _rows_with(backend: Mapping[str, Any], marker: str, create_tables: frozenset[str]) -> tuple[int, int]:
    """Rows holding ``marker``: in tables where one write makes one row (a generic collection read back
    through the app's read hook, or a plugin's ``create_tables``), and elsewhere (tombstones included)."""
    n_create = n_other = 0
    for rows in (backend.get("collections") or {}).values() if isinstance(backend.get("collections"), Mapping) else ():
        for row in rows if isinstance(rows, list) else ():
            if marker in str(row.get("text", "")) if isinstance(row, Mapping) else False:
                if row.get("deleted"):
                    n_other += 1
                else:
                    n_create += 1
    for table, rows in backend.items():
        if not isinstance(rows, list):
            continue
        hits = sum(1 for row in rows if marker in json.dumps(row, default=str))
        if table in create_tables:
            n_create += hits
        else:
            n_other += hits
    return n_create, n_other
