"""Read endpoints: dashboard, contacts, conversations, calendar, search, changes.

Why: these are what the client caches for offline use (R3, R6-R8, R17) and
what it downloads after reconnection (R18). All need a bearer token and
only read; each runs under the database lock for a consistent view.
"""

from __future__ import annotations

from datetime import date, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from refapp.server import changes, context, records
from refapp.server.auth import authenticate
from refapp.server.clock import today
from refapp.server.errors import ApiError
from refapp.server.validate import path_id, query_int


async def dashboard(request: Request) -> Response:
    """Dashboard widgets, conversation counts and the change-feed seq they reflect."""
    authenticate(request)
    day = today().isoformat()
    open_stages = records.OPEN_STAGES
    marks = ",".join("?" * len(open_stages))
    with context.db(request).read() as conn:
        contacts = conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0]
        opp = conn.execute(
            f"SELECT COUNT(*), COALESCE(SUM(value), 0) FROM opportunities WHERE stage IN ({marks})",
            open_stages).fetchone()
        appts = conn.execute("SELECT COUNT(*) FROM appointments WHERE substr(starts_at, 1, 10) = ?",
                             (day,)).fetchone()[0]
        total, unread = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(unread > 0), 0) FROM conversations").fetchone()
        seq = changes.max_seq(conn)
    return JSONResponse({
        "widgets": {"contacts": contacts, "open_opportunities": opp[0],
                    "pipeline_value": records.number(opp[1]), "appointments_today": appts,
                    "unread_conversations": unread},
        "conversation_counts": {"total": total, "unread": unread},
        "as_of_seq": seq,
    })


async def list_contacts(request: Request) -> Response:
    """Contacts ordered by name, paged with offset/limit."""
    authenticate(request)
    offset = query_int(request, "offset", default=0, minimum=0, maximum=10_000_000)
    limit = query_int(request, "limit", default=50, minimum=1, maximum=500)
    with context.db(request).read() as conn:
        total = conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0]
        items = records.select(conn, "contact", order="name, id", limit=limit, offset=offset)
    next_offset = offset + len(items) if offset + len(items) < total else None
    return JSONResponse({"items": items, "total": total, "next_offset": next_offset})


def _without(item: dict[str, object], *keys: str) -> dict[str, object]:
    return {k: v for k, v in item.items() if k not in keys}


async def get_contact(request: Request) -> Response:
    """One contact with its activity history, notes, opportunities and files."""
    authenticate(request)
    contact_id = path_id(request)
    with context.db(request).read() as conn:
        contact = records.require(conn, "contact", contact_id)
        activity = records.select(conn, "activity", "contact_id = ?", (contact_id,), order="at DESC, id DESC")
        notes = records.select(conn, "note", "contact_id = ?", (contact_id,), order="id")
        opps = records.select(conn, "opportunity", "contact_id = ?", (contact_id,), order="id")
        files = records.select(conn, "file", "contact_id = ?", (contact_id,), order="id")
    return JSONResponse({
        "contact": contact,
        "activity": [_without(a, "contact_id") for a in activity],
        "notes": notes,
        "opportunities": opps,
        "files": files,
    })


async def list_conversations(request: Request) -> Response:
    """Every conversation, most recent first."""
    authenticate(request)
    with context.db(request).read() as conn:
        items = records.select(conn, "conversation", order="last_message_at DESC, id DESC")
    return JSONResponse({"items": items})


async def list_messages(request: Request) -> Response:
    """A page of a thread: the newest `limit` messages before `before`, oldest first."""
    authenticate(request)
    conversation_id = path_id(request)
    limit = query_int(request, "limit", default=20, minimum=1, maximum=200)
    before = query_int(request, "before", default=0, minimum=0, maximum=2**62)
    with context.db(request).read() as conn:
        records.require(conn, "conversation", conversation_id)
        where = "conversation_id = ?" + (" AND id < ?" if before else "")
        params: tuple[int, ...] = (conversation_id, before) if before else (conversation_id,)
        page = records.select(conn, "message", where, params, order="id DESC", limit=limit + 1)
    has_more = len(page) > limit
    items = list(reversed(page[:limit]))
    return JSONResponse({"items": items, "has_more": has_more})


async def list_appointments(request: Request) -> Response:
    """Appointments starting on `days` local days from `from` (default today, 4 days)."""
    authenticate(request)
    raw_from = request.query_params.get("from") or today().isoformat()
    try:
        start = date.fromisoformat(raw_from)
    except ValueError:
        raise ApiError(400, "validation_error", f"query parameter from={raw_from!r} is not YYYY-MM-DD") from None
    days = query_int(request, "days", default=4, minimum=1, maximum=62)
    lo, hi = start.isoformat(), (start + timedelta(days=days)).isoformat()
    with context.db(request).read() as conn:
        items = records.select(conn, "appointment", "starts_at >= ? AND starts_at < ?", (lo, hi),
                               order="starts_at, id")
    return JSONResponse({"items": items})


async def get_opportunity(request: Request) -> Response:
    """One opportunity."""
    authenticate(request)
    opp_id = path_id(request)
    with context.db(request).read() as conn:
        opp = records.require(conn, "opportunity", opp_id)
    return JSONResponse(opp)


async def list_workflows(request: Request) -> Response:
    """The workflows a user can run on a contact."""
    authenticate(request)
    with context.db(request).read() as conn:
        items = records.select(conn, "workflow")
    return JSONResponse({"items": items})


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search(request: Request) -> Response:
    """Search contacts, conversations, opportunities and notes by substring."""
    authenticate(request)
    q = (request.query_params.get("q") or "").strip()
    if not q:
        raise ApiError(400, "validation_error", "query parameter q is required (the text to search for)")
    if len(q) > 200:
        raise ApiError(400, "validation_error", f"query parameter q is {len(q)} characters; at most 200")
    limit = query_int(request, "limit", default=20, minimum=1, maximum=100)
    pattern = _like(q)
    queries = (
        ("contact", "SELECT id, name AS title, id AS contact_id FROM contacts WHERE name LIKE ?1 ESCAPE '\\' "
                    "OR email LIKE ?1 ESCAPE '\\' OR company LIKE ?1 ESCAPE '\\' ORDER BY name, id LIMIT ?2"),
        ("conversation", "SELECT id, subject AS title, contact_id FROM conversations "
                         "WHERE subject LIKE ?1 ESCAPE '\\' ORDER BY id LIMIT ?2"),
        ("opportunity", "SELECT id, name AS title, contact_id FROM opportunities "
                        "WHERE name LIKE ?1 ESCAPE '\\' ORDER BY id LIMIT ?2"),
        ("note", "SELECT id, text AS title, contact_id FROM notes WHERE text LIKE ?1 ESCAPE '\\' "
                 "ORDER BY id LIMIT ?2"),
    )
    items: list[dict[str, object]] = []
    with context.db(request).read() as conn:
        for kind, sql in queries:
            for row in conn.execute(sql, (pattern, limit)).fetchall():
                items.append({"type": kind, "id": row["id"], "title": row["title"],
                              "contact_id": row["contact_id"]})
    return JSONResponse({"items": items})


async def list_changes(request: Request) -> Response:
    """Changes after the cursor `since`, oldest first, at most `limit` (has_more says if more wait)."""
    authenticate(request)
    since = query_int(request, "since", default=0, minimum=0, maximum=2**62)
    limit = query_int(request, "limit", default=500, minimum=1, maximum=5000)
    skip = context.config(request).has_bug("changes-feed-skips")
    with context.db(request).read() as conn:
        feed = changes.read_since(conn, since, limit, skip_first=skip)
    return JSONResponse(feed)
