"""Shared write helpers: each inserts a row and appends it to the change feed.

Why: client mutations (mutations.py) and server-side activity (admin.py)
both add messages and activity entries; doing it here keeps the change feed
complete whoever made the change.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from refapp.server import changes, records
from refapp.server.clock import now_iso


def insert(conn: sqlite3.Connection, entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """Insert a row, record a `create` change, return the entity's public shape."""
    table, _cols = records.ENTITIES[entity]
    names = ", ".join(values)
    marks = ", ".join("?" * len(values))
    cur = conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values()))
    assert cur.lastrowid is not None
    changes.record(conn, entity, cur.lastrowid, "create")
    found = records.get(conn, entity, cur.lastrowid)
    assert found is not None
    return found


def update(conn: sqlite3.Connection, entity: str, entity_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Update columns of a row, record an `update` change, return the new shape."""
    table, _cols = records.ENTITIES[entity]
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*values.values(), entity_id))
    changes.record(conn, entity, entity_id, "update")
    found = records.get(conn, entity, entity_id)
    assert found is not None
    return found


def add_activity(conn: sqlite3.Connection, contact_id: int, kind: str, text: str) -> dict[str, Any]:
    """A line in the contact's activity history."""
    return insert(conn, "activity", {"contact_id": contact_id, "type": kind, "text": text, "at": now_iso()})


def conversation_for(conn: sqlite3.Connection, contact: dict[str, Any], subject: str) -> dict[str, Any]:
    """The contact's most recent conversation, created if there is none."""
    row = conn.execute(
        "SELECT id FROM conversations WHERE contact_id = ? ORDER BY last_message_at DESC, id DESC LIMIT 1",
        (contact["id"],),
    ).fetchone()
    if row is not None:
        found = records.get(conn, "conversation", row["id"])
        assert found is not None
        return found
    return insert(conn, "conversation", {"contact_id": contact["id"], "subject": subject, "unread": 0,
                                         "last_message_at": now_iso()})


def post_message(conn: sqlite3.Connection, conversation: dict[str, Any], *, direction: str, channel: str,
                 body: str, subject: str | None = None, client_key: str | None = None) -> dict[str, Any]:
    """Add a message to a conversation and bump the conversation (unread for inbound)."""
    at = now_iso()
    message = insert(conn, "message", {
        "conversation_id": conversation["id"], "direction": direction, "channel": channel,
        "subject": subject, "body": body, "at": at, "client_key": client_key,
    })
    unread = conversation["unread"] + (1 if direction == "in" else 0)
    update(conn, "conversation", conversation["id"], {"last_message_at": at, "unread": unread})
    return message
