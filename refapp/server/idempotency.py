"""Idempotency keys and the applied-mutation log.

Why: an offline client retries, and a response can be lost after the server
committed (R22). Every mutation carries `Idempotency-Key`; the first 2xx
response is stored with the request's fingerprint (method, path, sha256 of
the raw body). A replay returns that response verbatim and applies nothing;
the same key with another fingerprint is `409 idempotency_key_reused`.
Errors (4xx) are not stored: nothing was applied, so a retry is evaluated
afresh. Each applied mutation is appended to the mutation log, the oracle
the harness reads through `GET /_admin/mutations`.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

from starlette.requests import Request

from refapp.server.clock import now_iso
from refapp.server.errors import ApiError

HEADER = "Idempotency-Key"
MAX_KEY_LEN = 200


@dataclass(frozen=True)
class Fingerprint:
    """What makes two requests "the same": key, method, path, body hash."""

    key: str
    method: str
    path: str
    body_sha256: str


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes


def require_key(request: Request) -> str:
    """The request's Idempotency-Key, or `400 idempotency_key_required`."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        raise ApiError(400, "idempotency_key_required",
                       f"{request.method} {request.url.path} needs an {HEADER} header (a UUID per action)")
    if len(key) > MAX_KEY_LEN or not key.isprintable():
        raise ApiError(400, "idempotency_key_invalid",
                       f"{HEADER} must be 1..{MAX_KEY_LEN} printable characters")
    return key


def fingerprint(key: str, method: str, path: str, raw_body: bytes) -> Fingerprint:
    return Fingerprint(key, method, path, hashlib.sha256(raw_body).hexdigest())


def lookup(conn: sqlite3.Connection, fp: Fingerprint) -> StoredResponse | None:
    """The stored first response for this key, or None; 409 if the key was used otherwise."""
    row = conn.execute(
        "SELECT method, path, body_sha256, status, response FROM idempotency WHERE key = ?", (fp.key,)
    ).fetchone()
    if row is None:
        return None
    if (row["method"], row["path"], row["body_sha256"]) != (fp.method, fp.path, fp.body_sha256):
        raise ApiError(409, "idempotency_key_reused",
                       f"{HEADER} {fp.key!r} was first used for {row['method']} {row['path']} "
                       "with a different body; use a new key for a new action")
    return StoredResponse(int(row["status"]), bytes(row["response"]))


def store(conn: sqlite3.Connection, fp: Fingerprint, response: StoredResponse) -> None:
    """Remember the first response for the key (a later one never replaces it)."""
    conn.execute(
        "INSERT OR IGNORE INTO idempotency (key, method, path, body_sha256, status, response, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (fp.key, fp.method, fp.path, fp.body_sha256, response.status, response.body, now_iso()),
    )


def log_applied(conn: sqlite3.Connection, fp: Fingerprint, entity: str, entity_id: int) -> int:
    """Append to the applied-mutation log; returns its seq."""
    cur = conn.execute(
        "INSERT INTO mutations (key, method, path, body_sha256, entity, entity_id, applied_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (fp.key, fp.method, fp.path, fp.body_sha256, entity, entity_id, now_iso()),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid
