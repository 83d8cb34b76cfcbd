"""The change feed: cursor semantics, paging, and what it records (R18, R25)."""

from __future__ import annotations

from starlette.testclient import TestClient

from refapp_helpers import key_headers


def _feed(client: TestClient, auth: dict[str, str], since: int | None = None, **params: int) -> dict:
    query = {k: str(v) for k, v in params.items()}
    if since is not None:
        query["since"] = str(since)
    r = client.get("/api/changes", params=query, headers=auth)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_feed_starts_empty_after_seed_and_dashboard_gives_its_position(client: TestClient, auth: dict) -> None:
    assert _feed(client, auth) == {"changes": [], "cursor": 0, "has_more": False}
    assert client.get("/api/dashboard", headers=auth).json()["as_of_seq"] == 0


def test_cursor_returns_only_later_changes_in_order(client: TestClient, auth: dict) -> None:
    client.post("/api/contacts/1/notes", json={"text": "a"}, headers=key_headers(auth))
    first = _feed(client, auth, 0)
    assert [c["entity"] for c in first["changes"]] == ["note"]
    assert first["cursor"] == first["changes"][-1]["seq"] == 1
    client.post("/_admin/activity", json={"kind": "message", "conversation_id": 2, "body": "hi hx00000msg01"})
    client.patch("/api/opportunities/3", json={"stage": "won"}, headers=key_headers(auth))
    later = _feed(client, auth, first["cursor"])
    entities = [(c["entity"], c["op"]) for c in later["changes"]]
    assert entities == [("message", "create"), ("conversation", "update"), ("activity", "create"),
                        ("opportunity", "update")]
    assert [c["seq"] for c in later["changes"]] == list(range(2, 6)) and later["cursor"] == 5
    msg = later["changes"][0]["data"]
    assert msg["body"] == "hi hx00000msg01" and msg["conversation_id"] == 2 and msg["direction"] == "in"
    assert later["changes"][-1]["data"]["stage"] == "won"
    assert _feed(client, auth, later["cursor"]) == {"changes": [], "cursor": 5, "has_more": False}


def test_feed_pages_with_limit_and_has_more(client: TestClient, auth: dict) -> None:
    client.post("/_admin/activity", json={"kind": "contact", "count": 5})  # 10 changes
    cursor, seen, pages = 0, [], 0
    while True:
        page = _feed(client, auth, cursor, limit=3)
        seen += [c["seq"] for c in page["changes"]]
        cursor, pages = page["cursor"], pages + 1
        if not page["has_more"]:
            break
    assert seen == list(range(1, 11)) and pages == 4


def test_dashboard_as_of_seq_tracks_the_feed(client: TestClient, auth: dict) -> None:
    client.post("/_admin/activity", json={"kind": "appointment_change", "count": 2})
    assert client.get("/api/dashboard", headers=auth).json()["as_of_seq"] == _feed(client, auth)["cursor"] == 2


def test_replays_add_nothing_to_the_feed(client: TestClient, auth: dict) -> None:
    headers = key_headers(auth)
    for _ in range(3):
        client.post("/api/calls", json={"contact_id": 1}, headers=headers)
    assert [c["entity"] for c in _feed(client, auth)["changes"]] == ["call", "activity"]
