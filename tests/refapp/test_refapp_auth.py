"""Tokens: login, expiry after token_ttl_s, refresh, revocation by reset (R24)."""

from __future__ import annotations

import time
from pathlib import Path

from starlette.testclient import TestClient

from refapp_helpers import SMALL, MakeClient, key_headers


def _login(client: TestClient) -> dict[str, object]:
    r = client.post("/api/auth/login", json={"username": "demo", "password": "demo"})
    assert r.status_code == 200
    return dict(r.json())


def test_token_expires_after_ttl_and_refresh_renews_it(make_client: MakeClient) -> None:
    client = make_client(token_ttl_s=1)
    client.post("/_admin/seed", json=SMALL)
    tokens = _login(client)
    assert tokens["expires_in"] == 1
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/dashboard", headers=bearer).status_code == 200
    time.sleep(1.1)
    r = client.get("/api/dashboard", headers=bearer)
    assert r.status_code == 401 and r.json()["error"] == "token_expired"
    r = client.post("/api/contacts/1/notes", json={"text": "queued"}, headers=key_headers(bearer))
    assert r.status_code == 401 and r.json()["error"] == "token_expired"
    renewed = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert renewed.status_code == 200
    fresh = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
    assert renewed.json()["access_token"] != tokens["access_token"]
    assert client.get("/api/dashboard", headers=fresh).status_code == 200


def test_lowering_ttl_at_run_time_expires_existing_tokens(make_client: MakeClient) -> None:
    client = make_client()
    tokens = _login(client)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/workflows", headers=bearer).status_code == 200
    time.sleep(0.3)
    assert client.post("/_admin/config", json={"token_ttl_s": 0.2}).json()["token_ttl_s"] == 0.2
    assert client.get("/api/workflows", headers=bearer).json()["error"] == "token_expired"
    assert client.get("/client-config.json").json()["token_ttl_s"] == 0.2


def test_unknown_token_and_missing_header_are_unauthorized(make_client: MakeClient) -> None:
    client = make_client()
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic ZGVtbzpkZW1v"}):
        r = client.get("/api/contacts", headers=headers)
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"


def test_wrong_password_and_bad_refresh_token(make_client: MakeClient) -> None:
    client = make_client()
    r = client.post("/api/auth/login", json={"username": "demo", "password": "wrong"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_credentials"
    r = client.post("/api/auth/refresh", json={"refresh_token": "nope"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_refresh_token"


def test_reset_revokes_tokens(make_client: MakeClient) -> None:
    client = make_client()
    tokens = _login(client)
    client.post("/_admin/reset")
    r = client.get("/api/contacts", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.json()["error"] == "unauthorized"
    assert client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_tokens_survive_a_restart_on_the_same_database(make_client: MakeClient, tmp_path: Path) -> None:
    first = make_client(db_path=str(tmp_path / "same.db"))
    tokens = _login(first)
    second = make_client(db_path=str(tmp_path / "same.db"))
    r = second.get("/api/contacts", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 200
