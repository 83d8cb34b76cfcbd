"""R18, R25: after reconnection and quiescence the app shows exactly the server's state.

Compares the final ``app`` snapshot (what the page objects read off the
screen) with the final ``backend`` snapshot (the app's read-back hook):

- every generic collection the scenario touched: the harness's markers the
  app shows equal those on the server, deleted records left out (R18, R25);
- items added on the server meanwhile (``server_change``) are shown (R18);
- a plugin's grouped tables (``CheckContext.grouped_tables``: rows of a
  table per parent record, e.g. a CRM's notes per contact) and record fields
  the app shows equal the backend's rows (R18 upload, R25);
- dashboard widgets and conversation counts equal the backend's
  (``backend.dashboard``, or the contacts/conversations row counts) (R18, R25);
- every item the backend created while the app was offline (``server
  activity`` events, ``data.created``) is among the ids the app shows (R18);
- nothing is left pending, and a ``sync_status`` observation reports
  quiescence within ``max_converge_s`` of the last reconnection (R18, R25).

App snapshot shape: ``{"collections": {name: [text]}, "notes": {parent: [text]}, "opportunities": {id:
{field: value}}, "dashboard": {"widgets": {...}, "conversation_counts":
{...}}, "ids": {"messages": [...], "contacts": [...], "appointments":
[...]}, "threads": [...], "calendar_days": [...], "pending": N}``; every key
is optional. ``ids`` should be read from the app's local copy (the runner
reads them with the radio off after quiescence, in the ``snapshot.local``
phase); ``threads`` and ``calendar_days`` say which parts it read, so only
server changes there are judged. The dashboard falls back to
the last ``dashboard`` observation after reconnection.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from harness.checks.liveness import measure
from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.checks.registry import check
from harness.checks.view import evidence, offline_windows
from harness.errors import Evidence
from harness.markers import MARKER_RE
from harness.timeline import Event



@check("convergence", "R18", "R25")
def convergence(events: Sequence[Event], snapshots: Snapshots, ctx: CheckContext) -> list[Verdict]:
    """Verdicts for notes, opportunities, dashboard, downloads and quiescence, where both sides are known."""
    windows = offline_windows(events)
    if not windows:
        # no offline window (a lost response, server errors): the app must still end with nothing pending
        return [v for v in (_stuck(snapshots.app or {}, _last(events, "snapshot", "app")),) if v is not None]
    if windows[-1].end_t is None:
        return []  # still offline at the end: pending work is what the app should hold
    last_end = windows[-1].end_t
    app_ev = _last(events, "snapshot", "app")
    back_ev = _last(events, "snapshot", "backend")
    app = dict(snapshots.app or {})
    dash_obs = next((e for e in reversed(events) if e.kind == "observation" and e.name == "dashboard"
                     and e.t >= last_end), None)
    if "dashboard" not in app and dash_obs is not None:
        app["dashboard"] = dash_obs.data
    if any(e.kind == "server" and e.t > last_end for e in events):
        # the server moved on after the last reconnection, the app online: its counts wait for its next sync,
        # which R18 asks of a reconnection only (server activity after it is left out of downloads likewise)
        app.pop("dashboard", None)
    anchor = app_ev or dash_obs
    back = snapshots.backend
    out: list[Verdict] = []
    if back is not None and anchor is not None:
        out += _compare(app, back, anchor, back_ev, ctx)
    if anchor is not None:
        out += _downloads(events, app, anchor, last_end, ctx)
    q = _quiescence(events, app, app_ev, last_end, ctx)
    if q is not None:
        out.append(q)
    return out


def _last(events: Sequence[Event], kind: str, name: str) -> Event | None:
    return next((e for e in reversed(events) if e.kind == kind and e.name == name), None)


def _verdict(req: tuple[str, ...], what: str, problems: list[str], anchor: Event, back: Event | None) -> Verdict:
    ev: list[Evidence] = [evidence(anchor, p) for p in problems[:20]] or [evidence(anchor, f"{what} match")]
    if back is not None:
        ev.append(evidence(back, "backend state"))
    if problems:
        return Verdict("convergence", req, False, f"{what}: app differs from the backend ({len(problems)})", tuple(ev))
    return Verdict("convergence", req, True, f"{what}: app equals the backend", tuple(ev))


def _compare(app: Mapping[str, Any], back: Mapping[str, Any], anchor: Event, back_ev: Event | None,
             ctx: CheckContext) -> list[Verdict]:
    out: list[Verdict] = []
    out += _collections(app, back, anchor, back_ev)
    for table, parent_key in ctx.grouped_tables.items():
        grouped = app.get(table)
        if not (isinstance(grouped, Mapping) and isinstance(back.get(table), list)):
            continue
        problems: list[str] = []
        for pid, texts in grouped.items():
            server = {str(n.get("text")) for n in back[table] if str(n.get(parent_key)) == str(pid)}
            shown = {str(t) for t in texts or []}
            problems += [f"{parent_key}={pid}: {t!r} on the server, not in the app" for t in sorted(server - shown)]
            problems += [f"{parent_key}={pid}: {t!r} in the app, not on the server" for t in sorted(shown - server)]
        out.append(_verdict(("R18", "R25"), table, problems, anchor, back_ev))
    opps = app.get("opportunities")
    if isinstance(opps, Mapping) and isinstance(back.get("opportunities"), list):
        rows = {str(o.get("id")): o for o in back["opportunities"]}
        problems = []
        for oid, fields in opps.items():
            row = rows.get(str(oid))
            if row is None:
                problems.append(f"opportunity {oid} shown but not on the server")
                continue
            for f, v in (fields or {}).items():
                if not _same(v, row.get(f)):
                    problems.append(f"opportunity {oid}.{f}: app {v!r}, server {row.get(f)!r}")
        out.append(_verdict(("R18", "R25"), "opportunities", problems, anchor, back_ev))
    dash = app.get("dashboard")
    if isinstance(dash, Mapping):
        expected = _expected_dashboard(back)
        if expected:
            problems = [f"{k}: app {_dig(dash, k)!r}, server {v!r}" for k, v in expected.items()
                        if not _same(_dig(dash, k), v)]
            out.append(_verdict(("R18", "R25"), "dashboard", problems, anchor, back_ev))
    return out


def _collections(app: Mapping[str, Any], back: Mapping[str, Any], anchor: Event,
                 back_ev: Event | None) -> list[Verdict]:
    """Each collection the app snapshot read: the markers it shows equal the server's live records' markers."""
    shown_all, server_all = app.get("collections"), back.get("collections")
    if not (isinstance(shown_all, Mapping) and isinstance(server_all, Mapping)):
        return []
    out: list[Verdict] = []
    for name, texts in sorted(shown_all.items()):
        rows = server_all.get(name)
        if not isinstance(rows, list):
            continue
        shown = {m for t in texts or [] for m in MARKER_RE.findall(str(t))}
        server = {m for r in rows if isinstance(r, Mapping) and not r.get("deleted")
                  for m in MARKER_RE.findall(str(r.get("text", "")))}
        problems = [f"{name}: {m} on the server, not in the app" for m in sorted(server - shown)]
        problems += [f"{name}: {m} in the app, not on the server" for m in sorted(shown - server)]
        out.append(_verdict(("R18", "R25"), f"collection {name}", problems, anchor, back_ev))
    return out


def _expected_dashboard(back: Mapping[str, Any]) -> dict[str, Any]:
    d = back.get("dashboard")
    if isinstance(d, Mapping):
        return {f"{sect}.{k}": v for sect in ("widgets", "conversation_counts")
                for k, v in (d.get(sect) or {}).items()}
    out: dict[str, Any] = {}
    if isinstance(back.get("contacts"), list):
        out["widgets.contacts"] = len(back["contacts"])
    if isinstance(back.get("conversations"), list):
        out["conversation_counts.total"] = len(back["conversations"])
    return out


def _dig(d: Mapping[str, Any], dotted: str) -> Any:
    cur: Any = d
    for part in dotted.split("."):
        cur = cur.get(part) if isinstance(cur, Mapping) else None
    return cur


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float, str)) and isinstance(b, (int, float, str)) and not isinstance(a, bool):
        try:
            return abs(float(a) - float(b)) < 1e-9
        except ValueError:
            pass
    return a == b or str(a) == str(b)


def _downloads(events: Sequence[Event], app: Mapping[str, Any], anchor: Event, last_end: float,
               ctx: CheckContext) -> list[Verdict]:
    ids = app.get("ids")
    cols = app.get("collections") if isinstance(app.get("collections"), Mapping) else {}
    if not isinstance(ids, Mapping):
        ids = {}
    problems: list[Evidence] = []
    checked: list[Evidence] = []
    for ev in events:
        if ev.kind != "server" or ev.name != "activity" or ev.t > last_end:
            continue
        if ev.data.get("collection") is not None:  # generic server_change: each item carries a marker
            texts = " ".join(str(t) for t in cols.get(str(ev.data["collection"]), None) or [])
            if str(ev.data["collection"]) not in cols:
                continue
            for item in ev.data.get("created") or []:
                m = str(item.get("marker", "")) if isinstance(item, Mapping) else ""
                ok = bool(m) and m in texts
                (checked if ok else problems).append(
                    evidence(ev, f"{ev.data['collection']} item {m} {'shown' if ok else 'not downloaded'}"))
            continue
        entities = ctx.activity_entities
        default = entities.get(str(ev.data.get("kind")), str(ev.data.get("kind")))
        for item in ev.data.get("created") or []:
            entity = entities.get(str(item.get("entity")), default) if isinstance(item, Mapping) else default
            iid = item.get("id") if isinstance(item, Mapping) else item
            shown = ids.get(entity)
            if shown is None or not _in_scope(item, entity, app):
                continue
            ok = str(iid) in {str(x) for x in shown}
            (checked if ok else problems).append(evidence(ev, f"{entity} {iid} {'shown' if ok else 'not downloaded'}"))
    if not problems and not checked:
        return []
    if problems:
        return [Verdict("convergence", ("R18", "R25"), False,
                        f"{len(problems)} server-side changes made while offline not downloaded",
                        tuple(problems) + (evidence(anchor, "app state"),))]
    return [Verdict("convergence", ("R18", "R25"), True, f"{len(checked)} server-side changes downloaded",
                    tuple(checked))]


def _in_scope(item: Any, entity: str, app: Mapping[str, Any]) -> bool:
    """Is this server-side change in a part of the data the app had loaded (so it must hold it locally)?

    Messages count in the threads the app snapshot read (``threads``); appointments on the days it
    showed (``calendar_days``); anything else when its entity was read at all.
    """
    if not isinstance(item, Mapping):
        return True
    if entity == "messages" and "threads" in app:
        return str(item.get("conversation_id")) in {str(x) for x in app["threads"]}
    if entity == "appointments" and "calendar_days" in app:
        return str(item.get("starts_at", ""))[:10] in {str(d) for d in app["calendar_days"]}
    return True


def _stuck(app: Mapping[str, Any], app_ev: Event | None) -> Verdict | None:
    """Work the app still calls pending once everything was quiet (after a lost response, say): it never
    converged (R25), whether or not the network went down."""
    pending = app.get("pending")
    if app_ev is None or not isinstance(pending, int):
        return None
    if pending > 0:
        return Verdict("convergence", ("R18", "R25"), False, f"{pending} changes still pending after quiescence",
                       (evidence(app_ev, f"pending={pending}"),))
    return Verdict("convergence", ("R25",), True, "nothing left pending after quiescence",
                   (evidence(app_ev, "pending=0"),))


def _quiescence(events: Sequence[Event], app: Mapping[str, Any], app_ev: Event | None, last_end: float,
                ctx: CheckContext) -> Verdict | None:
    pending = app.get("pending")
    statuses = [e for e in events if e.kind == "observation" and e.name == "sync_status" and e.t >= last_end]
    took = measure(events, ctx).get("time_to_converge_s")
    m = {"time_to_converge_s": took} if took is not None else {}
    if isinstance(pending, int) and pending > 0 and app_ev is not None:
        return Verdict("convergence", ("R18", "R25"), False, f"{pending} changes still pending after quiescence",
                       (evidence(app_ev, f"pending={pending}"),), m)
    if not statuses:
        return None
    if took is None:
        return Verdict("convergence", ("R18", "R25"), False, "sync never reported quiescence after reconnection",
                       (evidence(statuses[-1], "last sync status"),), m)
    done = next(e for e in statuses if e.data.get("pending") == 0 or str(e.data.get("state")) == "synced")
    if took > ctx.max_converge_s:
        return Verdict("convergence", ("R18", "R25"), False,
                       f"quiescent {took:.1f}s after reconnection > {ctx.max_converge_s}s", (evidence(done),), m)
    return Verdict("convergence", ("R18", "R25"), True, f"quiescent {took:.2f}s after reconnection",
                   (evidence(done),), m)
