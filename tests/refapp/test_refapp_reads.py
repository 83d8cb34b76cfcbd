"""Read endpoints, static files and the OpenAPI document, against the API.md shapes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from refapp.server import static
from refapp_helpers import MakeClient, key_headers


def test_contacts_are_paged_in_name_order(client: TestClient, auth: dict[str, str]) -> None:
    first = client.get("/api/contacts?limit=20", headers=auth).json()
    assert first["total"] == 30 and first["next_offset"] == 20 and len(first["items"]) == 20
    rest = client.get("/api/contacts?offset=20&limit=20", headers=auth).json()
    assert rest["next_offset"] is None and len(rest["items"]) == 10
    names = [c["name"] for c in first["items"] + rest["items"]]
    assert names == sorted(names)
    assert set(first["items"][0]) == {"id", "name", "email", "phone", "company", "updated_at"}


def test_contact_detail_has_history_notes_opportunities_files(client: TestClient, auth: dict[str, str]) -> None:
    headers = key_headers(auth)
    client.post("/api/contacts/3/notes", json={"text": "hx0000detail"}, headers=headers)
    detail = client.get("/api/contacts/3", headers=auth).json()
    assert set(detail) == {"contact", "activity", "notes", "opportunities", "files"}
    assert detail["contact"]["id"] == 3 and len(detail["activity"]) >= 2
    assert set(detail["activity"][0]) == {"id", "type", "text", "at"}
    assert detail["notes"][-1]["text"] == "hx0000detail"
    assert detail["notes"][-1]["client_key"] == headers["Idempotency-Key"]


def test_thread_pages_back_with_before(client: TestClient, auth: dict[str, str]) -> None:
    newest = client.get("/api/conversations/1/messages", headers=auth).json()
    assert len(newest["items"]) == 20 and newest["has_more"] is True
    ids = [m["id"] for m in newest["items"]]
    assert ids == sorted(ids)  # oldest first within the page
    older = client.get(f"/api/conversations/1/messages?before={ids[0]}&limit=20", headers=auth).json()
    oldest = client.get(f"/api/conversations/1/messages?before={older['items'][0]['id']}", headers=auth).json()
    assert older["has_more"] is True and oldest["has_more"] is False and len(oldest["items"]) == 5
    all_ids = [m["id"] for page in (oldest, older, newest) for m in page["items"]]
    assert all_ids == sorted(set(all_ids)) and len(all_ids) == 45
    assert {"id", "direction", "body", "at"} <= set(newest["items"][0])


def test_appointments_window(client: TestClient, auth: dict[str, str]) -> None:
    today = date.today()
    four = client.get("/api/appointments", headers=auth).json()["items"]
    assert four and {a["starts_at"][:10] for a in four} == {(today + timedelta(d)).isoformat() for d in range(4)}
    yesterday = client.get(f"/api/appointments?from={(today - timedelta(1)).isoformat()}&days=1",
                           headers=auth).json()["items"]
    assert {a["starts_at"][:10] for a in yesterday} == {(today - timedelta(1)).isoformat()}
    starts = [a["starts_at"] for a in four]
    assert starts == sorted(starts)


def test_dashboard_matches_the_snapshot(client: TestClient, auth: dict[str, str]) -> None:
    client.post("/api/payments", json={"contact_id": 1, "amount_cents": 500, "kind": "invoice"},
                headers=key_headers(auth))
    dash = client.get("/api/dashboard", headers=auth).json()
    snap = client.get("/_admin/snapshot").json()
    open_opps = [o for o in snap["opportunities"] if o["stage"] in ("lead", "qualified", "proposal")]
    today = date.today().isoformat()
    assert dash["widgets"] == {
        "contacts": len(snap["contacts"]), "open_opportunities": len(open_opps),
        "pipeline_value": sum(o["value"] for o in open_opps),
        "appointments_today": sum(a["starts_at"][:10] == today for a in snap["appointments"]),
        "unread_conversations": sum(c["unread"] > 0 for c in snap["conversations"]),
    }
    assert dash["conversation_counts"] == {"total": len(snap["conversations"]),
                                           "unread": dash["widgets"]["unread_conversations"]}
    assert dash["as_of_seq"] == snap["as_of_seq"] > 0


def test_opportunity_edit_and_read(client: TestClient, auth: dict[str, str]) -> None:
    r = client.patch("/api/opportunities/2", json={"name": "Renewal hx00000opp1", "value": 2500},
                     headers=key_headers(auth))
    assert r.status_code == 200 and r.json()["opportunity"]["value"] == 2500
    got = client.get("/api/opportunities/2", headers=auth).json()
    assert got["name"] == "Renewal hx00000opp1" and set(got) == {"id", "contact_id", "name", "stage", "value",
                                                                   "updated_at"}


def test_search_covers_contacts_notes_opportunities_conversations(client: TestClient, auth: dict[str, str]) -> None:
    client.post("/api/contacts/4/notes", json={"text": "Budget hx0000search"}, headers=key_headers(auth))
    items = client.get("/api/search?q=hx0000search", headers=auth).json()["items"]
    assert [(i["type"], i["title"]) for i in items] == [("note", "Budget hx0000search")]
    name = client.get("/api/contacts/5", headers=auth).json()["contact"]["name"]
    assert ("contact", 5) in [(i["type"], i["id"]) for i in
                              client.get("/api/search", params={"q": name}, headers=auth).json()["items"]]
    assert client.get("/api/search?q=%25", headers=auth).json()["items"] == []  # LIKE wildcards are literal


def test_sms_goes_into_the_contacts_conversation(client: TestClient, auth: dict[str, str]) -> None:
    r = client.post("/api/messages/sms", json={"contact_id": 6, "body": "hx00000sms01"}, headers=key_headers(auth))
    message = r.json()["message"]
    convo = [c for c in client.get("/api/conversations", headers=auth).json()["items"]
             if c["id"] == message["conversation_id"]][0]
    assert convo["contact_id"] == 6 and convo["last_message_at"] == message["at"]
    page = client.get(f"/api/conversations/{convo['id']}/messages", headers=auth).json()["items"]
    assert page[-1]["body"] == "hx00000sms01" and page[-1]["direction"] == "out"


@pytest.fixture
def web_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    web = tmp_path / "web"
    (web / "js").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>refapp</title>")
    (web / "js" / "app.js").write_text("export const x = 1;")
    (web / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (tmp_path / "secret.txt").write_text("no")
    monkeypatch.setattr(static, "WEB_DIR", web)
    return web


def test_static_files(make_client: MakeClient, web_dir: Path) -> None:
    client = make_client()
    index = client.get("/")
    assert index.status_code == 200 and "refapp" in index.text
    assert index.headers["cache-control"] == "no-cache" and index.headers["content-type"].startswith("text/html")
    js = client.get("/web/js/app.js")
    assert js.headers["content-type"].startswith("text/javascript") and js.headers["cache-control"] == "no-cache"
    sw = client.get("/sw.js")
    assert sw.headers["service-worker-allowed"] == "/" and sw.headers["content-type"].startswith("text/javascript")
    for path in ("/web/missing.js", "/web/../secret.txt", "/web/%2e%2e/secret.txt", "/web/js"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["error"] == "not_found", path


def test_openapi_lists_every_api_route(make_client: MakeClient) -> None:
    doc = make_client().get("/openapi.json").json()
    assert doc["openapi"] == "3.0.3"
    for path, method in [("/api/contacts/{id}/notes", "post"), ("/api/opportunities/{id}", "patch"),
                         ("/api/changes", "get"), ("/_admin/seed", "post"), ("/api/health", "get")]:
        assert method in doc["paths"][path], (path, method)
    notes = doc["paths"]["/api/contacts/{id}/notes"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in notes["parameters"]]
    assert notes["requestBody"]["content"]["application/json"]["schema"]["required"] == ["text"]
