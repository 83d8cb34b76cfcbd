"""Idempotency keys: a replay is answered verbatim and applied once (R22)."""

from __future__ import annotations

import asyncio
import base64
import uuid
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from refapp_helpers import key_headers

# (method, path, body, table the mutation adds to or changes)
MUTATIONS: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "/api/contacts/1/notes", {"text": "call back hx0000000001"}, "notes"),
    ("PATCH", "/api/opportunities/1", {"value": 1234.5, "stage": "proposal"}, "opportunities"),
    ("POST", "/api/files", {"contact_id": 2, "filename": "a.jpg", "content_type": "image/jpeg",
                            "data_base64": base64.b64encode(b"\xff\xd8jpeg").decode()}, "files"),
    ("POST", "/api/messages/sms", {"contact_id": 3, "body": "on my way"}, "messages"),
    ("POST", "/api/messages/email", {"contact_id": 3, "subject": "Quote", "body": "see attached"}, "messages"),
    ("POST", "/api/calls", {"contact_id": 4}, "calls"),
    ("POST", "/api/payments", {"contact_id": 4, "amount_cents": 1999, "kind": "pos"}, "payments"),
    ("POST", "/api/workflows/1/run", {"contact_id": 5}, "workflow_runs"),
]


def _mutations(client: TestClient) -> list[dict[str, Any]]:
    return list(client.get("/_admin/mutations").json()["items"])


@pytest.mark.parametrize("method,path,body,table", MUTATIONS, ids=[m[1] for m in MUTATIONS])
def test_replay_returns_first_response_and_applies_nothing(client: TestClient, auth: dict[str, str], method: str,
                                                           path: str, body: dict[str, Any], table: str) -> None:
    headers = key_headers(auth)
    before = client.get("/_admin/snapshot").json()
    first = client.request(method, path, json=body, headers=headers)
    assert first.status_code in (200, 201), first.text
    after_first = client.get("/_admin/snapshot").json()
    replay = client.request(method, path, json=body, headers=headers)
    assert replay.status_code == first.status_code
    assert replay.content == first.content
    assert replay.headers["idempotent-replayed"] == "true"
    assert client.get("/_admin/snapshot").json() == after_first != before
    log = _mutations(client)
    assert [m["key"] for m in log] == [headers["Idempotency-Key"]]
    assert log[0]["method"] == method and log[0]["path"] == path


def test_same_key_different_body_or_path_is_409(client: TestClient, auth: dict[str, str]) -> None:
    headers = key_headers(auth)
    assert client.post("/api/contacts/1/notes", json={"text": "one"}, headers=headers).status_code == 201
    r = client.post("/api/contacts/1/notes", json={"text": "two"}, headers=headers)
    assert r.status_code == 409 and r.json()["error"] == "idempotency_key_reused"
    r = client.post("/api/contacts/2/notes", json={"text": "one"}, headers=headers)
    assert r.status_code == 409 and r.json()["error"] == "idempotency_key_reused"
    assert len(_mutations(client)) == 1


def test_missing_key_is_400_and_applies_nothing(client: TestClient, auth: dict[str, str]) -> None:
    r = client.post("/api/contacts/1/notes", json={"text": "x"}, headers=auth)
    assert r.status_code == 400 and r.json()["error"] == "idempotency_key_required"
    assert _mutations(client) == []


def test_a_refused_request_does_not_burn_its_key(client: TestClient, auth: dict[str, str]) -> None:
    headers = key_headers(auth)
    r = client.post("/api/contacts/1/notes", json={"text": ""}, headers=headers)
    assert r.status_code == 400
    r = client.post("/api/contacts/1/notes", json={"text": "fixed"}, headers=headers)
    assert r.status_code == 201


def test_concurrent_replays_apply_once(client: TestClient, auth: dict[str, str]) -> None:
    app = client.app
    headers = key_headers(auth)

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://refapp") as ac:
            return list(await asyncio.gather(*[
                ac.post("/api/contacts/7/notes", json={"text": "burst hx00000burst"}, headers=headers)
                for _ in range(12)
            ]))

    responses = asyncio.run(burst())
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    notes = [n for n in client.get("/_admin/snapshot").json()["notes"] if n["text"] == "burst hx00000burst"]
    assert len(notes) == 1
    assert [m["key"] for m in _mutations(client)] == [headers["Idempotency-Key"]]


def test_mutation_log_is_in_apply_order(client: TestClient, auth: dict[str, str]) -> None:
    keys = [str(uuid.uuid4()) for _ in range(5)]
    for i, key in enumerate(keys):
        r = client.post("/api/contacts/1/notes", json={"text": f"n{i}"}, headers=key_headers(auth, key))
        assert r.status_code == 201
    log = _mutations(client)
    assert [m["key"] for m in log] == keys
    assert [m["seq"] for m in log] == sorted(m["seq"] for m in log)
    assert all(len(m["body_sha256"]) == 64 and m["entity"] == "note" for m in log)
