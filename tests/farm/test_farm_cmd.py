"""`harness farm` through click's CliRunner: exit codes 0 / 1 / 2 and the printed matrix path.

Running a pool starts labs, so these merge synthetic run folders with
``--merge`` (the same finish step a run ends with) and check that bad input
fails before anything starts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from harness.cli import cli
from harness.errors import LabError, SpecError, UserError

from .conftest import FAILED_VERDICT, FarmFolder


def _code(result: Result) -> int:
    """The exit code harness.cli.main would give (UserError/LabError -> 2, a command's int otherwise)."""
    if isinstance(result.exception, (UserError, LabError)):
        return 2
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return int(result.return_value) if isinstance(result.return_value, int) else result.exit_code


def _invoke(args: list[str]) -> Result:
    return CliRunner().invoke(cli, ["farm", *args], standalone_mode=False)


def _all_pass(root: Path) -> FarmFolder:
    f = FarmFolder(root, ["dev-a", "dev-b"], ["s1", "s2"])
    for w in (0, 1):
        f.result(w, "s1", "passed")
        f.result(w, "s2", "skipped", skip_reason="not for this device")
    return f


def test_all_pass_is_0_and_prints_the_matrix(tmp_path: Path) -> None:
    f = _all_pass(tmp_path / "reports" / "n1")
    r = _invoke(["--merge", str(f.root), "--report-dir", str(tmp_path / "reports")])
    assert _code(r) == 0, r.output
    assert f"matrix: {f.root / 'matrix.json'}" in r.output
    assert (f.root / "matrix.html").is_file() and (f.root / "junit.xml").is_file()
    assert "2 passed, 0 failed, 0 errors, 2 skipped" in r.output


def test_a_failure_is_1_and_history_marks_it_new(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    night1 = _all_pass(reports / "n1")
    assert _code(_invoke(["--merge", str(night1.root), "--report-dir", str(reports)])) == 0
    night2 = _all_pass(reports / "n2")
    night2.result(1, "s1", "failed", verdicts=[FAILED_VERDICT])
    r = _invoke(["--merge", str(night2.root), "--report-dir", str(reports)])  # previous found in reports/
    assert _code(r) == 1, r.output
    assert "NEW FAILURE s1 [dev-b]" in r.output
    data = json.loads((night2.root / "matrix.json").read_text())
    assert data["history"]["new_failures"] == [["s1", "dev-b"]]
    assert "new failure" in (night2.root / "matrix.html").read_text()
    # and the next night fixes it
    night3 = _all_pass(reports / "n3")
    r = _invoke(["--merge", str(night3.root), "--previous", str(night2.root / "matrix.json")])
    assert _code(r) == 0 and "FIXED       s1 [dev-b]" in r.output


def test_only_lab_errors_is_2(tmp_path: Path) -> None:
    f = _all_pass(tmp_path / "n")
    f.result(0, "s1", "error", error="LabError: appium: not healthy after 60 s")
    assert _code(_invoke(["--merge", str(f.root), "--report-dir", str(tmp_path)])) == 2


def test_merging_several_ci_jobs_into_one_matrix(tmp_path: Path) -> None:
    a = FarmFolder(tmp_path / "job-a", ["dev-a"], ["s1"])
    a.result(0, "s1", "passed")
    b = FarmFolder(tmp_path / "job-b", ["dev-b"], ["s1"])
    b.result(0, "s1", "passed")
    reports = tmp_path / "merged"
    r = _invoke(["--merge", str(a.root), "--merge", str(b.root), "--report-dir", str(reports)])
    assert _code(r) == 0, r.output
    (out,) = reports.glob("*/matrix.json")
    data = json.loads(out.read_text())
    assert data["devices"] == ["dev-a", "dev-b"] and data["counts"]["passed"] == 2


@pytest.mark.parametrize("args,word", [
    ([], "--pool"),
    (["--pool", "no-such-pool"], "pool"),
    (["--pool", "reference-unrestricted,nope"], "devices[1]"),
    (["--pool", "reference-policies", "--suites", "scenarios/nope"], "--suites"),
    (["--pool", "reference-policies", "--previous", "/nonexistent/matrix.json"], "previous"),
    (["--merge", "/nonexistent-run"], "--merge"),
])
def test_bad_input_is_2_before_anything_starts(tmp_path: Path, args: list[str], word: str) -> None:
    r = _invoke([*args, "--report-dir", str(tmp_path)])
    assert _code(r) == 2
    assert isinstance(r.exception, SpecError) and word in str(r.exception)
    assert not any(tmp_path.iterdir())  # no run folder was created


def test_click_usage_errors(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["farm", "--workers", "0", "--pool", "reference-policies"])
    assert r.exit_code == 2 and "--workers" in r.output
