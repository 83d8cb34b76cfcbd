"""The admin API under /_admin: reset, seed, server-side activity, logs, config.

Why: the harness needs a second, stronger oracle than the screen (the
applied-mutation log and a snapshot of every table) and must set up and
change the backend's state between and during scenarios (R18: things that
happen on the server while the client is offline). It exists only with
`--admin` (404 otherwise) and answers only loopback peers (403 otherwise),
so a phone on the LAN can never reset the data.
"""

from __future__ import annotations

import ipaddress
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from refapp.bugs import parse_bug_names
from refapp.server import changes, context, records, writes
from refapp.server import db as dbmod
from refapp.server import seed as seedmod
from refapp.server.clock import iso, now, now_iso
from refapp.server.errors import ApiError
from refapp.server.validate import get_choice, get_int, get_number, get_str, parse_json_object, query_int, read_body

Endpoint = Callable[[Request], Awaitable[Response]]
_LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def guarded(handler: Endpoint) -> Endpoint:
    """Refuse unless --admin is on (404) and the peer is loopback (403)."""

    async def endpoint(request: Request) -> Response:
        if not context.config(request).admin:
            raise ApiError(404, "admin_disabled", "the admin API is off; start refapp with --admin")
        host = request.client.host if request.client else None
        if not _is_loopback(host):
            raise ApiError(403, "forbidden", f"the admin API answers loopback clients only, not {host}")
        return await handler(request)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


async def _body(request: Request) -> dict[str, Any]:
    raw = await read_body(request, 1024 * 1024)
    return parse_json_object(raw) if raw.strip() else {}


async def reset(request: Request) -> Response:
    """Empty every table, clear the logs and revoke all tokens."""
    with context.db(request).transaction() as conn:
        dbmod.clear(conn, dbmod.DATA_TABLES + dbmod.LOG_TABLES)
    return JSONResponse({"ok": True})


async def seed(request: Request) -> Response:
    """Replace all data with a deterministic data set; returns row counts and the time taken."""
    spec = seedmod.parse_spec(await _body(request))
    started = time.perf_counter()
    with context.db(request).transaction() as conn:
        counts = seedmod.seed(conn, spec)
    return JSONResponse({"seed": spec.seed, **counts,
                         "elapsed_ms": round((time.perf_counter() - started) * 1000, 1)})


def _pick(conn: sqlite3.Connection, rng: random.Random, table: str, given: int | None, entity: str) -> int:
    if given is not None:
        return int(records.require(conn, entity, given)["id"])
    ids = [row[0] for row in conn.execute(f"SELECT id FROM {table} ORDER BY id").fetchall()]
    if not ids:
        raise ApiError(409, "nothing_to_change", f"there are no {table}; seed first")
    return rng.choice(ids)


def _activity_message(conn: sqlite3.Connection, rng: random.Random, body: dict[str, Any], i: int) -> dict[str, Any]:
    convo_id = _pick(conn, rng, "conversations", get_int(body, "conversation_id", minimum=1, maximum=2**62,
                                                            required=False), "conversation")
    conversation = records.get(conn, "conversation", convo_id)
    assert conversation is not None
    text = get_str(body, "body", max_len=2000, required=False) or rng.choice(seedmod.INBOUND)
    message = writes.post_message(conn, conversation, direction="in", channel="sms", body=text)
    writes.add_activity(conn, conversation["contact_id"], "sms", f"SMS received: {text[:80]}")
    return {"entity": "message", "id": message["id"], "conversation_id": convo_id, "body": text}


def _activity_contact(conn: sqlite3.Connection, rng: random.Random, body: dict[str, Any], i: int) -> dict[str, Any]:
    first, last = rng.choice(seedmod.FIRST), rng.choice(seedmod.LAST)
    name = get_str(body, "name", max_len=200, required=False) or f"{first} {last}"
    company = rng.choice(seedmod.COMPANIES)
    contact = writes.insert(conn, "contact", {
        "name": name, "email": f"{first.lower()}.{last.lower()}@new-lead.example",
        "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}", "company": company,
        "updated_at": now_iso(),
    })
    writes.add_activity(conn, contact["id"], "form", "Submitted the contact form on the website")
    return {"entity": "contact", "id": contact["id"], "name": name}


def _activity_appointment(conn: sqlite3.Connection, rng: random.Random, body: dict[str, Any], i: int
                          ) -> dict[str, Any]:
    appt_id = _pick(conn, rng, "appointments", get_int(body, "appointment_id", minimum=1, maximum=2**62,
                                                          required=False), "appointment")
    appt = records.get(conn, "appointment", appt_id)
    assert appt is not None
    shift = timedelta(hours=get_int(body, "shift_hours", minimum=-240, maximum=240, required=False, default=1) or 0)
    start = datetime.fromisoformat(appt["starts_at"]) + shift
    end = datetime.fromisoformat(appt["ends_at"]) + shift
    title = get_str(body, "title", max_len=200, required=False) or appt["title"]
    updated = writes.update(conn, "appointment", appt_id, {"starts_at": iso(start), "ends_at": iso(end),
                                                           "title": title, "updated_at": iso(now())})
    return {"entity": "appointment", "id": appt_id, "starts_at": updated["starts_at"], "title": title}


_KINDS = {"message": _activity_message, "contact": _activity_contact, "appointment_change": _activity_appointment}


async def activity(request: Request) -> Response:
    """Make server-side changes (new inbound messages, new contacts, moved appointments)."""
    body = await _body(request)
    kind = get_choice(body, "kind", tuple(_KINDS))
    count = get_int(body, "count", minimum=1, maximum=1000, required=False, default=1) or 1
    assert kind is not None
    with context.db(request).transaction() as conn:
        rng = random.Random(changes.max_seq(conn))
        created = [_KINDS[kind](conn, rng, body, i) for i in range(count)]
        cursor = changes.max_seq(conn)
    return JSONResponse({"created": created, "cursor": cursor})


async def mutations(request: Request) -> Response:
    """The applied-mutation log in apply order (optionally after `since`)."""
    since = query_int(request, "since", default=0, minimum=0, maximum=2**62)
    with context.db(request).read() as conn:
        items = dbmod.rows(conn.execute(
            "SELECT seq, key, method, path, body_sha256, entity, entity_id, applied_at FROM mutations"
            " WHERE seq > ? ORDER BY seq", (since,)))
    return JSONResponse({"items": items})


async def snapshot(request: Request) -> Response:
    """Every CRM table as a list (files without their bytes), plus the change-feed seq."""
    out: dict[str, Any] = {}
    with context.db(request).read() as conn:
        for table in dbmod.DATA_TABLES:
            out[table] = records.select(conn, records.TABLE_ENTITY[table])
        out["as_of_seq"] = changes.max_seq(conn)
    return JSONResponse(out)


async def config(request: Request) -> Response:
    """Read (GET) or change (POST) bugs and token_ttl_s at run time."""
    cfg = context.config(request)
    if request.method == "POST":
        body = await _body(request)
        if "bugs" in body:
            bugs = body["bugs"]
            if not isinstance(bugs, list) or not all(isinstance(b, str) for b in bugs):
                raise ApiError(400, "validation_error", "bugs: must be a list of bug names")
            try:
                cfg.bugs = parse_bug_names(bugs)
            except ValueError as exc:
                raise ApiError(400, "unknown_bug", str(exc)) from None
        if body.get("token_ttl_s") is not None:
            cfg.token_ttl_s = float(get_number(body, "token_ttl_s", minimum=0.1, maximum=1e7))
        if body.get("refresh_ttl_s") is not None:
            cfg.refresh_ttl_s = float(get_number(body, "refresh_ttl_s", minimum=0.1, maximum=1e8))
        if "queue_messages" in body:
            if not isinstance(body["queue_messages"], bool):
                raise ApiError(400, "validation_error", "queue_messages: must be true or false")
            cfg.queue_messages = body["queue_messages"]
    return JSONResponse(cfg.public())


#: whole-database copies kept by /_admin/save, by name (in memory: they live as long as the server)
_SAVED: dict[str, sqlite3.Connection] = {}


async def save(request: Request) -> Response:
    """Copy the whole database (every table, logs and tokens included) under a name, for /_admin/restore."""
    name = get_str(await _body(request), "name", max_len=100, required=False) or "default"
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    with context.db(request).read() as conn:
        conn.backup(copy)
    old = _SAVED.pop(name, None)
    if old is not None:
        old.close()
    _SAVED[name] = copy
    return JSONResponse({"ok": True, "name": name})


async def restore(request: Request) -> Response:
    """Put the database back exactly as /_admin/save copied it (a fuzzer's cheap reset between examples)."""
    name = get_str(await _body(request), "name", max_len=100, required=False) or "default"
    copy = _SAVED.get(name)
    if copy is None:
        raise ApiError(404, "not_saved", f"no database saved as {name!r}; POST /_admin/save first")
    started = time.perf_counter()
    db = context.db(request)
    with db.lock:
        copy.backup(db.conn)
    return JSONResponse({"ok": True, "name": name, "elapsed_ms": round((time.perf_counter() - started) * 1000, 1)})


ROUTES: tuple[tuple[str, Endpoint, tuple[str, ...]], ...] = (
    ("/_admin/save", save, ("POST",)),
    ("/_admin/restore", restore, ("POST",)),
    ("/_admin/reset", reset, ("POST",)),
    ("/_admin/seed", seed, ("POST",)),
    ("/_admin/activity", activity, ("POST",)),
    ("/_admin/mutations", mutations, ("GET",)),
    ("/_admin/snapshot", snapshot, ("GET",)),
    ("/_admin/config", config, ("GET", "POST")),
)
