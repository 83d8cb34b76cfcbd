"""The public JSON shape of each CRM entity, read from SQLite.

Why: the API responses, the change feed's `data` and the admin snapshot must
show an entity identically, so each entity's column list lives here once.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from refapp.server.errors import ApiError

# entity name -> (table, public columns)
ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "contact": ("contacts", ("id", "name", "email", "phone", "company", "updated_at")),
    "activity": ("activity", ("id", "contact_id", "type", "text", "at")),
    "note": ("notes", ("id", "contact_id", "text", "created_at", "client_key")),
    "opportunity": ("opportunities", ("id", "contact_id", "name", "stage", "value", "updated_at")),
    "file": ("files", ("id", "contact_id", "filename", "content_type", "size", "sha256",
                       "created_at", "client_key")),
    "conversation": ("conversations", ("id", "contact_id", "subject", "unread", "last_message_at")),
    "message": ("messages", ("id", "conversation_id", "direction", "channel", "subject", "body",
                             "at", "client_key")),
    "appointment": ("appointments", ("id", "contact_id", "title", "starts_at", "ends_at",
                                     "updated_at")),
    "call": ("calls", ("id", "contact_id", "status", "started_at", "client_key")),
    "payment": ("payments", ("id", "contact_id", "amount_cents", "kind", "status", "created_at",
                             "client_key")),
    "workflow": ("workflows", ("id", "name", "description")),
    "workflow_run": ("workflow_runs", ("id", "workflow_id", "contact_id", "status", "started_at",
                                       "client_key")),
}

TABLE_ENTITY: dict[str, str] = {table: entity for entity, (table, _cols) in ENTITIES.items()}

STAGES: tuple[str, ...] = ("lead", "qualified", "proposal", "won", "lost")
OPEN_STAGES: tuple[str, ...] = ("lead", "qualified", "proposal")


def number(value: float) -> float | int:
    """Money values come back as integers when they are whole."""
    return int(value) if float(value).is_integer() else value


def shape(entity: str, row: sqlite3.Row | dict[str, Any]) -> dict[str, Any]:
    """Pick the public columns of a row and normalise their types."""
    _table, cols = ENTITIES[entity]
    out = {col: row[col] for col in cols}
    if entity == "opportunity":
        out["value"] = number(out["value"])
    return out


def columns(entity: str) -> str:
    return ", ".join(ENTITIES[entity][1])


def get(conn: sqlite3.Connection, entity: str, entity_id: int) -> dict[str, Any] | None:
    table, _cols = ENTITIES[entity]
    row = conn.execute(f"SELECT {columns(entity)} FROM {table} WHERE id = ?", (entity_id,)).fetchone()
    return shape(entity, row) if row is not None else None


def require(conn: sqlite3.Connection, entity: str, entity_id: Any) -> dict[str, Any]:
    """The entity or `404 not_found` naming it."""
    if isinstance(entity_id, bool) or not isinstance(entity_id, int):
        raise ApiError(400, "validation_error", f"{entity}_id must be an integer id, got {entity_id!r}")
    found = get(conn, entity, entity_id)
    if found is None:
        raise ApiError(404, "not_found", f"{entity} {entity_id} does not exist")
    return found


def select(conn: sqlite3.Connection, entity: str, where: str = "", params: tuple[Any, ...] = (),
           order: str = "id", limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Rows of an entity in its public shape (`where` uses ? placeholders)."""
    table, _cols = ENTITIES[entity]
    sql = f"SELECT {columns(entity)} FROM {table}"
    if where:
        sql += f" WHERE {where}"
    sql += f" ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = params + (limit, offset)
    return [shape(entity, row) for row in conn.execute(sql, params).fetchall()]
