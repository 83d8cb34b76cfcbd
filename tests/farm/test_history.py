"""History: tonight against a previous night's matrix.json marks new failures and fixes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.errors import SpecError
from harness.farm.history import apply_history, compare, find_previous, load_previous
from harness.farm.matrix import build_matrix, write_matrix

from .conftest import FAILED_VERDICT, FarmFolder


def _night(root: Path, outcomes: dict[tuple[str, int], str]) -> FarmFolder:
    f = FarmFolder(root, ["dev-a", "dev-b"], ["s1", "s2", "s3"])
    for (sid, w), outcome in outcomes.items():
        f.result(w, sid, outcome, verdicts=[FAILED_VERDICT] if outcome == "failed" else [])
    return f


def test_new_failures_fixes_and_still_failing(tmp_path: Path) -> None:
    before = _night(tmp_path / "night1", {("s1", 0): "passed", ("s2", 0): "failed", ("s3", 0): "failed",
                                          ("s1", 1): "passed", ("s2", 1): "passed", ("s3", 1): "skipped"})
    write_matrix(build_matrix(before.root), before.root / "matrix.json")
    after = _night(tmp_path / "night2", {("s1", 0): "failed", ("s2", 0): "passed", ("s3", 0): "error",
                                         ("s1", 1): "passed", ("s2", 1): "passed", ("s3", 1): "failed"})
    m = build_matrix(after.root)
    prev = load_previous(before.root)
    h = compare(m, prev)
    assert h.new_failures == (("s1", "dev-a"),)
    assert h.fixes == (("s2", "dev-a"),)
    assert h.still_failing == (("s3", "dev-a"),)
    assert ("s3", "dev-b") not in h.new_failures  # skipped before: not a regression of a pass
    apply_history(m, h, before.root / "matrix.json", "night1")
    assert m.cell("s1", "dev-a").change == "new_failure" and m.cell("s2", "dev-a").change == "fixed"
    assert m.history["new_failures"] == [["s1", "dev-a"]] and m.history["previous_run"] == "night1"


def test_pairs_new_tonight_and_gone(tmp_path: Path) -> None:
    prev = {"cells": [{"scenario": "old", "device": "dev-a", "outcome": "passed"}]}
    m = build_matrix(_night(tmp_path / "n", {("s1", 0): "passed"}).root)
    h = compare(m, prev)
    assert ("s1", "dev-a") in h.new and h.gone == (("old", "dev-a"),)


def test_find_previous_takes_the_newest_other_night(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for i, name in enumerate(["a", "b", "c"]):
        (reports / name).mkdir(parents=True)
        (reports / name / "matrix.json").write_text('{"cells": []}')
        os.utime(reports / name / "matrix.json", (1000 + i, 1000 + i))
    assert find_previous(reports, exclude=reports / "c") == reports / "b" / "matrix.json"
    assert find_previous(reports) == reports / "c" / "matrix.json"
    assert find_previous(tmp_path / "none") is None


@pytest.mark.parametrize("content,word", [("{not json", "valid JSON"), ('{"x": 1}', "cells"), (None, "readable")])
def test_bad_previous_is_an_input_error(tmp_path: Path, content: str | None, word: str) -> None:
    p = tmp_path / "matrix.json"
    if content is not None:
        p.write_text(content)
    with pytest.raises(SpecError) as ei:
        load_previous(p)
    assert word in str(ei.value)
