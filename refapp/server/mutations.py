"""Mutation endpoints: notes, opportunities, files, SMS, email, calls, payments, workflows.

Why: these are the actions an offline client queues (R9, R10, R14, R15) or
must refuse offline (R11, R13, R16). Every one goes through `mutation()`:
bearer token, `Idempotency-Key`, then in one transaction the replay check,
the effect, the change feed, the stored response and the mutation log, so a
replay can never observe half an effect. With the `server-ignores-idempotency`
bug the replay check is skipped and a replay is applied again.
"""

from __future__ import annotations

import base64
import hashlib
import binascii
import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from refapp.server import context, idempotency, records, writes
from refapp.server.auth import authenticate
from refapp.server.clock import now_iso
from refapp.server.errors import ApiError
from refapp.server.validate import get_choice, get_int, get_number, get_str, parse_json_object, path_id, read_body

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ID = 2**62


class Applied:
    """What an applied mutation returns: status, JSON payload, and the entity for the log."""

    def __init__(self, status: int, payload: dict[str, Any], entity: str, entity_id: int):
        self.status = status
        self.payload = payload
        self.entity = entity
        self.entity_id = entity_id


Apply = Callable[[sqlite3.Connection, dict[str, Any], Request, str], Applied]


def mutation(apply: Apply) -> Callable[[Request], Awaitable[Response]]:
    """Wrap an `apply(conn, body, request, key)` into an idempotent endpoint."""

    async def endpoint(request: Request) -> Response:
        authenticate(request)
        key = idempotency.require_key(request)
        raw = await read_body(request)
        fp = idempotency.fingerprint(key, request.method, request.url.path, raw)
        ignore_keys = context.config(request).has_bug("server-ignores-idempotency")
        with context.db(request).transaction() as conn:
            stored = None if ignore_keys else idempotency.lookup(conn, fp)
            if stored is not None:
                return Response(stored.body, stored.status, media_type="application/json",
                                headers={"Idempotent-Replayed": "true"})
            applied = apply(conn, parse_json_object(raw), request, key)
            encoded = json.dumps(applied.payload, separators=(",", ":")).encode()
            idempotency.store(conn, fp, idempotency.StoredResponse(applied.status, encoded))
            idempotency.log_applied(conn, fp, applied.entity, applied.entity_id)
        return Response(encoded, applied.status, media_type="application/json")

    endpoint.__name__ = apply.__name__
    endpoint.__doc__ = apply.__doc__
    return endpoint


def _contact(conn: sqlite3.Connection, body: dict[str, Any]) -> dict[str, Any]:
    contact_id = get_int(body, "contact_id", minimum=1, maximum=MAX_ID)
    return records.require(conn, "contact", contact_id)


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def add_note(conn: sqlite3.Connection, body: dict[str, Any], request: Request, key: str) -> Applied:
    """Add a note to a contact (R9)."""
    contact = records.require(conn, "contact", path_id(request))
    text = get_str(body, "text", max_len=10_000)
    note = writes.insert(conn, "note", {"contact_id": contact["id"], "text": text, "created_at": now_iso(),
                                        "client_key": key})
    return Applied(201, {"note": note}, "note", note["id"])


def edit_opportunity(conn: sqlite3.Connection, body: dict[str, Any], request: Request, key: str) -> Applied:
    """Change an opportunity's name, stage and/or value (R14)."""
    opp = records.require(conn, "opportunity", path_id(request))
    values: dict[str, Any] = {}
    if body.get("name") is not None:
        values["name"] = get_str(body, "name", max_len=200)
    if body.get("stage") is not None:
        values["stage"] = get_choice(body, "stage", records.STAGES)
    if body.get("value") is not None:
        values["value"] = get_number(body, "value", minimum=0, maximum=1e12)
    if not values:
        raise ApiError(400, "validation_error", "send at least one of name, stage, value")
    values["updated_at"] = now_iso()
    updated = writes.update(conn, "opportunity", opp["id"], values)
    return Applied(200, {"opportunity": updated}, "opportunity", opp["id"])


def upload_file(conn: sqlite3.Connection, body: dict[str, Any], request: Request, key: str) -> Applied:
    """Attach a file (base64) to a contact, at most 5 MiB (R15)."""
    contact = _contact(conn, body)
    filename = get_str(body, "filename", max_len=255)
    content_type = get_str(body, "content_type", max_len=100)
    assert content_type is not None
    if "/" not in content_type:
        raise ApiError(400, "validation_error", f"content_type: {content_type!r} is not a MIME type like image/jpeg")
    encoded = get_str(body, "data_base64", max_len=MAX_FILE_BYTES * 2, allow_empty=True) or ""
    if len(encoded) > (MAX_FILE_BYTES // 3 + 1) * 4 + 16:
        raise ApiError(413, "file_too_large", f"files are limited to {MAX_FILE_BYTES} bytes")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "validation_error", "data_base64: is not valid base64") from None
    if len(data) > MAX_FILE_BYTES:
        raise ApiError(413, "file_too_large", f"the file has {len(data)} bytes; the limit is {MAX_FILE_BYTES}")

    file = writes.insert(conn, "file", {
        "contact_id": contact["id"], "filename": filename, "content_type": content_type, "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(), "data": data, "created_at": now_iso(), "client_key": key,
    })
    return Applied(201, {"file": file}, "file", file["id"])


def send_sms(conn: sqlite3.Connection, body: dict[str, Any], request: Request, key: str) -> Applied:
    """Send an SMS to a contact (R10)."""
    contact = _contact(conn, body)
    text = get_str(body, "body", max_len=1600)
    assert text is not None
    conversation = writes.conversation_for(conn, contact, f"Messages with {contact['name']}")
    message = writes.post_message(conn, conversation, direction="out", channel="sms", body=text, client_key=key)
    writes.add_activity(conn, contact["id"], "sms", f"SMS sent: {text[:80]}")
    return Applied(201, {"message": message}, "message", message["id"])


def send_email(conn: sqlite3.Connection, body: dict[str, Any], request: Request, key: str) -> Applied:
    """Send an email to a contact (R10)."""
    contact = _contact(conn, body)
    subject = get_str(body, "subject", max_len=200)
    text = get_str(body, "body", max_len=20_000)
    assert subject is not None and text is not None
    conversation = writes.conversation_for(conn, contact, subject)
    message = writes.post_message(conn, conversation, direction="out", channel="email", body=text,
                                  subject=subject, client_key=key)
    writes.add_activity(conn, contact["id"], "email", f"Email sent: {subject[:80]}")
    return Applied(201, {"message": message}, "message", message["id"])


def start_call(conn: sqlite3.Connection, body: dict[str, Any], request: Request, key: str) -> Applied:
    """Place a call to a contact (R11: the client allows it online only)."""
    contact = _contact(conn, body)
    call = writes.insert(conn, "call", {"contact_id": contact["id"], "status": "connected",
                                        "started_at": now_iso(), "client_key": key})
    writes.add_activity(conn, contact["id"], "call", f"Outgoing call to {contact['phone']}")
    return Applied(201, {"call": call}, "call", call["id"])


def take_payment(conn: sqlite3.Connection, body: dict[str, Any], request: Request, key: str) -> Applied:
    """Send an invoice or take a POS payment (R13: online only)."""
    contact = _contact(conn, body)
    cents = get_int(body, "amount_cents", minimum=1, maximum=100_000_000)
    kind = get_choice(body, "kind", ("invoice", "pos"))
    assert cents is not None
    status = "sent" if kind == "invoice" else "captured"
    payment = writes.insert(conn, "payment", {"contact_id": contact["id"], "amount_cents": cents, "kind": kind,
                                              "status": status, "created_at": now_iso(), "client_key": key})
    text = f"Invoice for {_money(cents)} sent" if kind == "invoice" else f"POS payment of {_money(cents)} captured"
    writes.add_activity(conn, contact["id"], "payment", text)
    return Applied(201, {"payment": payment}, "payment", payment["id"])


def run_workflow(conn: sqlite3.Connection, body: dict[str, Any], request: Request, key: str) -> Applied:
    """Run a workflow for a contact (R16: online only)."""
    workflow = records.require(conn, "workflow", path_id(request))
    contact = _contact(conn, body)
    run = writes.insert(conn, "workflow_run", {"workflow_id": workflow["id"], "contact_id": contact["id"],
                                               "status": "started", "started_at": now_iso(), "client_key": key})
    writes.add_activity(conn, contact["id"], "workflow", f"Workflow \u201c{workflow['name']}\u201d started")
    return Applied(201, {"run": run}, "workflow_run", run["id"])
