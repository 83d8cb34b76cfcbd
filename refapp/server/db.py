"""The SQLite schema and the one shared connection.

Why: the data must live in a real database file (a restart of the backend
keeps it, as a real backend would), and the server is a single uvicorn
worker, so one connection guarded by a lock is enough: every request's reads
and writes run under the lock, and a mutation's idempotency check, its
effect, the change feed and the mutation log commit in one transaction.
WAL mode keeps readers of the file (tests, tools) from blocking it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,
    company TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS contacts_name ON contacts(name, id);
CREATE TABLE IF NOT EXISTS activity (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, type TEXT NOT NULL, text TEXT NOT NULL,
    at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS activity_contact ON activity(contact_id);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL,
    client_key TEXT);
CREATE INDEX IF NOT EXISTS notes_contact ON notes(contact_id);
CREATE TABLE IF NOT EXISTS opportunities (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, name TEXT NOT NULL, stage TEXT NOT NULL,
    value REAL NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS opportunities_contact ON opportunities(contact_id);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, filename TEXT NOT NULL,
    content_type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL,
    created_at TEXT NOT NULL, client_key TEXT);
CREATE INDEX IF NOT EXISTS files_contact ON files(contact_id);
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, subject TEXT NOT NULL,
    unread INTEGER NOT NULL, last_message_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL, direction TEXT NOT NULL,
    channel TEXT NOT NULL, subject TEXT, body TEXT NOT NULL, at TEXT NOT NULL, client_key TEXT);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages(conversation_id, id);
CREATE TABLE IF NOT EXISTS appointments (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, title TEXT NOT NULL,
    starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS appointments_start ON appointments(starts_at);
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, status TEXT NOT NULL,
    started_at TEXT NOT NULL, client_key TEXT);
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, amount_cents INTEGER NOT NULL,
    kind TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, client_key TEXT);
CREATE TABLE IF NOT EXISTS workflows (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workflow_runs (
    id INTEGER PRIMARY KEY, workflow_id INTEGER NOT NULL, contact_id INTEGER NOT NULL,
    status TEXT NOT NULL, started_at TEXT NOT NULL, client_key TEXT);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY, entity TEXT NOT NULL, entity_id INTEGER NOT NULL, op TEXT NOT NULL,
    data TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mutations (
    seq INTEGER PRIMARY KEY, key TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
    body_sha256 TEXT NOT NULL, entity TEXT NOT NULL, entity_id INTEGER NOT NULL,
    applied_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY, method TEXT NOT NULL, path TEXT NOT NULL, body_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL, response BLOB NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, kind TEXT NOT NULL, username TEXT NOT NULL, issued_at REAL NOT NULL);
"""

# Tables holding CRM data (what seed replaces and snapshot shows), in snapshot order.
DATA_TABLES: tuple[str, ...] = (
    "contacts", "activity", "notes", "opportunities", "files", "conversations", "messages",
    "appointments", "calls", "payments", "workflows", "workflow_runs",
)
# Bookkeeping that reset also clears (tokens included: reset revokes them).
LOG_TABLES: tuple[str, ...] = ("changes", "mutations", "idempotency", "tokens")


class Database:
    """One SQLite connection plus the lock every request takes.

        db = Database("/tmp/crm.db")
        with db.transaction() as conn:
            conn.execute("INSERT INTO workflows (name, description) VALUES (?, ?)", ("x", ""))
    """

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.conn.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block atomically under the lock; an exception rolls it back."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read under the lock."""
        with self.lock:
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                self.conn.execute("COMMIT")

    def is_empty(self) -> bool:
        with self.read() as conn:
            return conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 0

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def clear(conn: sqlite3.Connection, tables: tuple[str, ...]) -> None:
    """Delete every row of `tables` (ids restart at 1: no AUTOINCREMENT)."""
    for table in tables:
        conn.execute(f"DELETE FROM {table}")


def rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    return [dict(row) for row in cursor.fetchall()]


def one(cursor: sqlite3.Cursor) -> dict[str, Any] | None:
    row = cursor.fetchone()
    return dict(row) if row is not None else None
