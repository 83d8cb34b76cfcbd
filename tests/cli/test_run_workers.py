"""`harness run --workers`: the option is parsed and checked; the workers' scenario folders merge into one run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.run_cmd import parse_workers
from harness.errors import UserError
from harness.report import load_run
from harness.scenario.session import merge_workers


@pytest.mark.parametrize(("raw", "n"), [("1", 1), ("2", 2), ("16", 16)])
def test_workers_are_a_count(raw: str, n: int) -> None:
    assert parse_workers(raw) == n


def test_auto_is_one_per_core_at_most_four() -> None:
    assert 1 <= parse_workers("auto") <= 4


@pytest.mark.parametrize("raw", ["0", "-1", "17", "two", ""])
def test_bad_worker_counts_are_input_errors(raw: str) -> None:
    with pytest.raises(UserError, match="--workers"):
        parse_workers(raw)


def test_worker_folders_merge_into_one_run(tmp_path: Path) -> None:
    for worker, sid in (("gw0", "a"), ("gw1", "b"), ("gw1", "c")):
        d = tmp_path / "workers" / worker / "scenarios" / sid
        d.mkdir(parents=True)
        (d / "result.json").write_text(json.dumps({"id": sid, "outcome": "passed", "verdicts": []}))
        (d / "timeline.jsonl").write_text("")
    assert sorted(merge_workers(tmp_path)) == ["a", "b", "c"]
    assert sorted(s.id for s in load_run(tmp_path).scenarios) == ["a", "b", "c"]
    assert not list((tmp_path / "workers").glob("*/scenarios/*"))
