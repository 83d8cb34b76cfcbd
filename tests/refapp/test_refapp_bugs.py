"""The bug catalogue matches API.md, and both server-side bugs are observable from outside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from refapp.bugs import BUGS, format_markdown, parse_bug_names
from refapp_helpers import SMALL, MakeClient, key_headers, login

REFAPP = Path(__file__).resolve().parents[2] / "refapp"


def _api_md_table() -> dict[str, tuple[str, str]]:
    text = (REFAPP / "API.md").read_text()
    section = text[text.index("## Bug catalogue"):]
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (client|server) \| ([^|]+) \|", section, re.M)
    return {name: (side, breaks.strip()) for name, side, breaks in rows}


def test_catalogue_matches_api_md() -> None:
    table = _api_md_table()
    assert len(table) == len(BUGS) == 25
    for name, (side, breaks) in table.items():
        assert BUGS[name].side == side
        assert BUGS[name].requirements == tuple(r.strip() for r in breaks.split(","))
        assert BUGS[name].description and BUGS[name].observed_by


def test_bugs_md_is_generated_from_the_catalogue() -> None:
    assert format_markdown() in (REFAPP / "BUGS.md").read_text()


@pytest.mark.parametrize("text,ok", [("outbox-lifo", True), ("outbox-lifo, sticky-banner", True), ("", True),
                                     ("outbox-fifo", False), ("outbox-lifo,,nope", False)])
def test_parse_bug_names(text: str, ok: bool) -> None:
    if ok:
        assert parse_bug_names(text) <= set(BUGS)
    else:
        with pytest.raises(ValueError, match="known names: activity-dropped-offline, activity-not-cached"):
            parse_bug_names(text)


def test_client_config_carries_only_client_bugs(make_client: MakeClient) -> None:
    client = make_client(bugs=frozenset({"outbox-lifo", "changes-feed-skips", "drop-on-401"}))
    r = client.get("/client-config.json")
    assert r.json() == {"bugs": ["drop-on-401", "outbox-lifo"], "token_ttl_s": 900, "queue_messages": True}
    assert r.headers["cache-control"] == "no-store"


def _notes_with(client: TestClient, text: str) -> int:
    return sum(1 for n in client.get("/_admin/snapshot").json()["notes"] if n["text"] == text)


@pytest.mark.parametrize("bug,applied", [(False, 1), (True, 2)])
def test_server_ignores_idempotency(make_client: MakeClient, bug: bool, applied: int) -> None:
    client = make_client(bugs=frozenset({"server-ignores-idempotency"} if bug else set()))
    client.post("/_admin/seed", json=SMALL)
    headers = key_headers(login(client))
    first = client.post("/api/contacts/1/notes", json={"text": "hx0000000dup"}, headers=headers)
    second = client.post("/api/contacts/1/notes", json={"text": "hx0000000dup"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert _notes_with(client, "hx0000000dup") == applied
    keys = [m["key"] for m in client.get("/_admin/mutations").json()["items"]]
    assert keys == [headers["Idempotency-Key"]] * applied


@pytest.mark.parametrize("bug", [False, True])
def test_changes_feed_skips(make_client: MakeClient, bug: bool) -> None:
    client = make_client(bugs=frozenset({"changes-feed-skips"} if bug else set()))
    client.post("/_admin/seed", json=SMALL)
    auth = login(client)
    client.post("/_admin/activity", json={"kind": "contact", "count": 2})  # seqs 1..4
    feed = client.get("/api/changes?since=0", headers=auth).json()
    seqs = [c["seq"] for c in feed["changes"]]
    assert feed["cursor"] == 4
    assert seqs == ([2, 3, 4] if bug else [1, 2, 3, 4])
    client.post("/_admin/activity", json={"kind": "contact"})  # seqs 5, 6
    feed = client.get("/api/changes?since=4", headers=auth).json()
    assert [c["seq"] for c in feed["changes"]] == ([6] if bug else [5, 6])
