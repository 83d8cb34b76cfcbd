"""The ledger feed: every entry reaches the timeline, whatever order the addon wrote them in."""

from __future__ import annotations

import json
from pathlib import Path

from harness.scenario.ledger_feed import LedgerFeed, ledger_end
from harness.timeline import Timeline


def _entry(seq: int, t: float, path: str = "/api/x") -> str:
    return json.dumps({"seq": seq, "t_start": t, "t_end": t + 0.1, "method": "POST", "host": "127.0.0.1",
                       "path": path, "status": 201, "fault": None, "key": f"k{seq}", "markers": []})


def test_entries_written_out_of_sequence_order_are_all_fed(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    ledger.write_text(_entry(1, 1.0) + "\n")          # before the scenario: not its business
    tl = Timeline()
    feed = LedgerFeed(ledger, tl, offset=ledger_end(ledger))
    with ledger.open("a") as fh:
        fh.write(_entry(3, 3.0) + "\n")               # a fast later request finishes first
    feed.poll()
    with ledger.open("a") as fh:
        fh.write(_entry(2, 2.0, "/api/slow") + "\n")  # the slow earlier one is written after it
        fh.write(_entry(4, 4.0)[:20])                 # a torn line: not yet complete
    feed.poll()
    assert sorted(e.data["seq"] for e in tl.events) == [2, 3]
    with ledger.open("a") as fh:
        fh.write(_entry(4, 4.0)[20:] + "\n")
    feed.stop()
    assert sorted(e.data["seq"] for e in tl.events) == [2, 3, 4]
    assert [e.t for e in sorted(tl.events, key=lambda e: e.t)] == [2.0, 3.0, 4.0]


def test_last_request_ignores_idle_traffic(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    ledger.write_text(_entry(1, 1.0, "/api/notes") + "\n" + _entry(2, 5.0, "/api/health") + "\n")
    feed = LedgerFeed(ledger, Timeline(), offset=0)
    feed.poll()
    assert feed.last_request_t() == 5.1
    assert feed.last_request_t(ignore_paths=("/api/health",)) == 1.1
