"""The admin API: reset, deterministic seed, activity, logs, snapshot, access rules."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from starlette.testclient import TestClient

from refapp_helpers import SMALL, MakeClient, key_headers, login

DEFAULT_SIZES = {"contacts": 120, "conversations": 20, "messages_per_conversation": 40, "appointments": 24,
                 "opportunities": 40, "workflows": 4}


def test_reset_empties_everything(client: TestClient, auth: dict[str, str]) -> None:
    client.post("/api/contacts/1/notes", json={"text": "x"}, headers=key_headers(auth))
    assert client.post("/_admin/reset").json() == {"ok": True}
    snap = client.get("/_admin/snapshot").json()
    assert all(rows == [] for name, rows in snap.items() if name != "as_of_seq") and snap["as_of_seq"] == 0
    assert client.get("/_admin/mutations").json()["items"] == []


def test_seed_is_deterministic_and_seed_dependent(make_client: MakeClient) -> None:
    a, b = make_client(), make_client()
    assert a.post("/_admin/seed", json=SMALL).json()["contacts"] == SMALL["contacts"]
    b.post("/_admin/seed", json={**SMALL, "seed": 2})
    b.post("/_admin/seed", json=SMALL)  # reseeding replaces, ids restart
    snap_a, snap_b = a.get("/_admin/snapshot").json(), b.get("/_admin/snapshot").json()
    assert snap_a == snap_b
    b.post("/_admin/seed", json={**SMALL, "seed": 2})
    assert b.get("/_admin/snapshot").json()["contacts"] != snap_a["contacts"]


def test_seed_sizes_and_realistic_shape(client: TestClient) -> None:
    snap = client.get("/_admin/snapshot").json()
    assert len(snap["contacts"]) == 30 and len(snap["conversations"]) == 5
    assert len(snap["messages"]) == 5 * 45 and len(snap["workflows"]) == 4
    assert snap["workflows"][0]["name"] == "Send welcome sequence"
    per_contact = {c["id"]: 0 for c in snap["contacts"]}
    for entry in snap["activity"]:
        per_contact[entry["contact_id"]] += 1
    assert min(per_contact.values()) >= 2
    assert {o["stage"] for o in snap["opportunities"]} <= {"lead", "qualified", "proposal", "won", "lost"}
    days = {a["starts_at"][:10] for a in snap["appointments"]}
    today = date.today()
    assert days == {(today + timedelta(days=d)).isoformat() for d in range(-1, 7)}


def test_reset_and_seed_of_default_sizes_is_fast(make_client: MakeClient) -> None:
    client = make_client()
    client.post("/_admin/seed", json={"seed": 1})
    timings = []
    for seed in (1, 2, 3):
        started = time.perf_counter()
        assert client.post("/_admin/reset").status_code == 200
        counts = client.post("/_admin/seed", json={"seed": seed, **DEFAULT_SIZES}).json()
        timings.append(time.perf_counter() - started)
        assert counts["contacts"] == 120 and counts["messages"] == 800
    assert min(timings) < 0.3, timings


def test_activity_kinds_change_data_and_report_what_they_created(client: TestClient, auth: dict[str, str]) -> None:
    msg = client.post("/_admin/activity", json={"kind": "message", "count": 2, "conversation_id": 1}).json()
    assert [c["entity"] for c in msg["created"]] == ["message", "message"]
    convo = [c for c in client.get("/api/conversations", headers=auth).json()["items"] if c["id"] == 1][0]
    assert convo["unread"] >= 2
    page = client.get("/api/conversations/1/messages", headers=auth).json()["items"]
    assert [m["id"] for m in page[-2:]] == [c["id"] for c in msg["created"]]

    contact = client.post("/_admin/activity", json={"kind": "contact", "name": "Zed hx00newlead"}).json()
    new_id = contact["created"][0]["id"]
    assert client.get(f"/api/contacts/{new_id}", headers=auth).json()["contact"]["name"] == "Zed hx00newlead"

    before = client.get("/api/appointments?days=10&from=" + (date.today() - timedelta(days=1)).isoformat(),
                        headers=auth).json()["items"]
    moved = client.post("/_admin/activity", json={"kind": "appointment_change", "appointment_id": before[0]["id"],
                                                  "shift_hours": 2}).json()["created"][0]
    assert moved["starts_at"] != before[0]["starts_at"]


def test_activity_needs_data_to_change(make_client: MakeClient) -> None:
    client = make_client()
    r = client.post("/_admin/activity", json={"kind": "message"})
    assert r.status_code == 409 and r.json()["error"] == "nothing_to_change"


def test_admin_is_loopback_only(make_client: MakeClient) -> None:
    client = make_client(peer="192.168.1.20")
    r = client.post("/_admin/reset")
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert make_client(peer="::1").get("/_admin/config").status_code == 200


@pytest.mark.parametrize("path", ["/_admin/reset", "/_admin/seed", "/_admin/activity"])
def test_admin_is_off_without_the_flag(make_client: MakeClient, path: str) -> None:
    r = make_client(admin=False).post(path, json={})
    assert r.status_code == 404 and r.json()["error"] == "admin_disabled"


def test_config_changes_bugs_at_run_time(client: TestClient) -> None:
    r = client.post("/_admin/config", json={"bugs": ["outbox-lifo", "server-ignores-idempotency"]})
    assert r.json()["bugs"] == ["outbox-lifo", "server-ignores-idempotency"]
    assert client.get("/client-config.json").json() == {"bugs": ["outbox-lifo"], "token_ttl_s": 900,
                                                        "queue_messages": True}
    assert client.get("/_admin/config").json()["bugs"] == ["outbox-lifo", "server-ignores-idempotency"]


def test_snapshot_shows_client_keys_and_hides_file_bytes(client: TestClient) -> None:
    auth = login(client)
    headers = key_headers(auth)
    client.post("/api/files", json={"contact_id": 1, "filename": "p.png", "content_type": "image/png",
                                    "data_base64": "iVBORw0KGgo="}, headers=headers)
    files = client.get("/_admin/snapshot").json()["files"]
    assert files[0]["client_key"] == headers["Idempotency-Key"] and files[0]["size"] == 8
    assert "data" not in files[0] and len(files[0]["sha256"]) == 64


def test_save_and_restore_put_the_whole_database_back(client: TestClient, auth: dict[str, str]) -> None:
    """A fuzzer's cheap reset: a copy of every table (logs and tokens included), put back exactly."""
    client.post("/_admin/seed", json=SMALL)
    before = client.get("/_admin/snapshot").json()
    assert client.post("/_admin/save", json={"name": "setup"}).json() == {"ok": True, "name": "setup"}
    client.post("/_admin/activity", json={"kind": "contact", "count": 3})
    client.post("/_admin/reset")
    assert client.get("/_admin/snapshot").json()["contacts"] == []
    r = client.post("/_admin/restore", json={"name": "setup"})
    assert r.status_code == 200 and r.json()["ok"]
    assert client.get("/_admin/snapshot").json() == before


def test_restore_of_a_name_never_saved_is_404(client: TestClient) -> None:
    r = client.post("/_admin/restore", json={"name": "nothing"})
    assert r.status_code == 404 and r.json()["error"] == "not_saved"
