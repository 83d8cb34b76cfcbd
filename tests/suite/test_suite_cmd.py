"""``harness suite generate``, ``harness coverage --suite covering`` and ``harness run --suite`` (input checks only)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from harness.cli import cli


def _run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, list(args), standalone_mode=False, catch_exceptions=True)
    code = res.return_value if isinstance(res.return_value, int) else (2 if res.exception else 0)
    return code, res.output + (str(res.exception) if res.exception else "")


def test_generate_writes_files_and_says_what_it_left_out(tmp_path: Path) -> None:
    code, out = _run("suite", "generate", "--app", "refapp", "--out", str(tmp_path), "--seed", "2")
    assert code == 0, out
    assert "action=edit_item" in out and "records.edit" in out  # listed, with the reason
    assert "coverage 1.000" in out
    files = sorted(tmp_path.glob("cover-*.yaml"))
    summary = json.loads((tmp_path / "suite.json").read_text())
    assert summary["scenarios"] == len(files) and summary["pair_coverage"] == 1.0


def test_generate_json_and_strength_3(tmp_path: Path) -> None:
    code, out = _run("suite", "generate", "--app", "examples/apps/todo-pouch", "--strength", "3", "--json",
                     "--out", str(tmp_path))
    assert code == 0, out
    data = json.loads(out)
    assert data["strength"] == 3 and data["coverage"] == 1.0 and data["scenarios"] > 100


def test_coverage_suite_prints_pairs_per_requirement() -> None:
    code, out = _run("coverage", "--suite", "covering", "--app", "examples/apps/todo-pouch", "--json")
    data = json.loads(out[: out.rindex("}") + 1])
    rows = {r["id"]: r for r in data["requirements"]}
    assert rows["R22"]["judged"] > 0 and "action x network" in rows["R22"]["by_dimensions"]
    # the sample app has no calls: R11 is judged in no pair, and the command says so (exit 1)
    assert rows["R11"]["judged"] == 0 and code == 1


def test_run_suite_and_paths_together_is_an_input_error(tmp_path: Path) -> None:
    code, out = _run("run", "--suite", "covering", "scenarios/queued/notes-offline.yaml", "--report-dir",
                     str(tmp_path / "r"))
    assert code == 2 and "either --suite or scenario paths" in out
