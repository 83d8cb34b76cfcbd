"""Helpers shared by refapp's backend tests (a uniquely named module, not conftest)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from starlette.testclient import TestClient

MakeClient = Callable[..., TestClient]

SMALL = {"seed": 1, "contacts": 30, "conversations": 5, "messages_per_conversation": 45, "appointments": 16,
         "opportunities": 10, "workflows": 4}


def login(client: TestClient) -> dict[str, str]:
    """Bearer headers for the demo user."""
    r = client.post("/api/auth/login", json={"username": "demo", "password": "demo"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def key_headers(auth: dict[str, str], key: str | None = None) -> dict[str, str]:
    """Auth plus a fresh (or the given) Idempotency-Key."""
    return {**auth, "Idempotency-Key": key or str(uuid.uuid4())}
