"""The change feed: every change to CRM data, numbered by `seq`.

Why: after reconnection the client downloads what changed while it was
offline (R18, R25) with `GET /api/changes?since=<cursor>`. Client mutations
and server-side activity both append here in the same transaction as the
change itself, so the feed never shows a change that was rolled back.
The `changes-feed-skips` bug drops the first change after the cursor while
the cursor still moves past it.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from refapp.server import records
from refapp.server.clock import now_iso


def record(conn: sqlite3.Connection, entity: str, entity_id: int, op: str) -> int:
    """Append the entity's current state as a change; returns its seq."""
    data = records.get(conn, entity, entity_id)
    cur = conn.execute(
        "INSERT INTO changes (entity, entity_id, op, data, at) VALUES (?, ?, ?, ?, ?)",
        (entity, entity_id, op, json.dumps(data, separators=(",", ":")), now_iso()),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def max_seq(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0])


def read_since(conn: sqlite3.Connection, since: int, limit: int, *, skip_first: bool = False
               ) -> dict[str, Any]:
    """`{"changes", "cursor", "has_more"}` for changes with seq > since, oldest first."""
    fetched = conn.execute(
        "SELECT seq, entity, entity_id, op, data, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
        (since, limit + 1),
    ).fetchall()
    has_more = len(fetched) > limit
    fetched = fetched[:limit]
    cursor = fetched[-1]["seq"] if fetched else since
    if skip_first and fetched:
        fetched = fetched[1:]  # the bug: the cursor still moves past the skipped change
    changes = [
        {"seq": row["seq"], "entity": row["entity"], "id": row["entity_id"], "op": row["op"],
         "data": json.loads(row["data"]), "at": row["at"]}
        for row in fetched
    ]
    return {"changes": changes, "cursor": cursor, "has_more": has_more}
