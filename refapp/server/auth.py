"""Login, refresh and bearer-token checks.

Why: R24 needs credentials that expire during a long outage, so the client
must refresh before flushing its queue. Access tokens live `token_ttl_s`
(default 900, changeable at run time through `/_admin/config`); the expiry
is computed from the issue time and the *current* TTL, so lowering the TTL
expires existing tokens at once. Refresh tokens live `refresh_ttl_s` and are
not rotated (a lost refresh response must not log the user out). Tokens are
stored in SQLite: they survive a backend restart and `/_admin/reset`
revokes them.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from refapp.server import context
from refapp.server.clock import unix_s
from refapp.server.config import ServerConfig, seconds
from refapp.server.errors import ApiError
from refapp.server.validate import get_str, parse_json_object, read_body

USERS = {"demo": "demo"}
_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def issue(conn: sqlite3.Connection, cfg: ServerConfig, username: str,
          refresh_token: str | None = None) -> dict[str, Any]:
    """Create an access token (and a refresh token unless one is given)."""
    now = unix_s()
    access = secrets.token_urlsafe(24)
    conn.execute("INSERT INTO tokens (token, kind, username, issued_at) VALUES (?, 'access', ?, ?)",
                 (access, username, now))
    if refresh_token is None:
        refresh_token = secrets.token_urlsafe(32)
        conn.execute("INSERT INTO tokens (token, kind, username, issued_at) VALUES (?, 'refresh', ?, ?)",
                     (refresh_token, username, now))
    return {"access_token": access, "refresh_token": refresh_token, "expires_in": seconds(cfg.token_ttl_s),
            "token_type": "Bearer"}


def authenticate(request: Request) -> str:
    """The user of a valid bearer token, else 401 `unauthorized` / `token_expired`."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <access_token> (POST /api/auth/login)",
                       _UNAUTHORIZED)
    cfg = context.config(request)
    with context.db(request).read() as conn:
        row = conn.execute("SELECT username, issued_at FROM tokens WHERE token = ? AND kind = 'access'",
                           (token.strip(),)).fetchone()
    if row is None:
        raise ApiError(401, "unauthorized", "unknown access token; log in again", _UNAUTHORIZED)
    if unix_s() >= row["issued_at"] + cfg.token_ttl_s:
        raise ApiError(401, "token_expired",
                       "the access token expired; POST /api/auth/refresh with the refresh token",
                       _UNAUTHORIZED)
    return str(row["username"])


async def login(request: Request) -> Response:
    """Log in (demo/demo); returns an access and a refresh token."""
    body = parse_json_object(await read_body(request, 64 * 1024))
    username = get_str(body, "username", max_len=200)
    password = get_str(body, "password", max_len=200, allow_empty=True)
    if USERS.get(username or "") != password:
        raise ApiError(401, "invalid_credentials", "wrong username or password (the demo user is demo/demo)")
    assert username is not None
    with context.db(request).transaction() as conn:
        tokens = issue(conn, context.config(request), username)
    return JSONResponse(tokens)


async def refresh(request: Request) -> Response:
    """Trade a refresh token for a new access token."""
    body = parse_json_object(await read_body(request, 64 * 1024))
    token = get_str(body, "refresh_token", max_len=200) or ""
    cfg = context.config(request)
    with context.db(request).transaction() as conn:
        row = conn.execute("SELECT username, issued_at FROM tokens WHERE token = ? AND kind = 'refresh'",
                           (token,)).fetchone()
        if row is None:
            raise ApiError(401, "invalid_refresh_token", "unknown refresh token; log in again")
        if unix_s() >= row["issued_at"] + cfg.refresh_ttl_s:
            raise ApiError(401, "refresh_token_expired", "the refresh token expired; log in again")
        tokens = issue(conn, cfg, str(row["username"]), refresh_token=token)
    return JSONResponse(tokens)
