"""The README's main job: the default suite passes on the reference app and ends with a report."""

from __future__ import annotations

from pathlib import Path

from harness.cli.run_cmd import default_suite
from typing import Any


def test_default_suite_passes_on_the_reference_app(tmp_path: Path, harness_run: Any) -> None:
    run = harness_run(tmp_path / "run")  # as the README runs it: --workers auto (two labs on two cores)
    results = run.results()
    failed = {r["id"]: [v["title"] for v in r["verdicts"] if not v["passed"]] or r["error"]
              for r in results if r["outcome"] != "passed"}
    assert run.code == 0, f"exit {run.code}; not passed: {failed}\n{run.output[-4000:]}"
    assert len(results) == len(default_suite())
    assert f"report: {run.folder / 'report.html'}" in run.output.replace("\n", "")
    assert "Requirements not judged by any scenario (unjudged for this app): none" in \
        (run.folder / "report.html").read_text()  # R19 included
    html = (run.folder / "report.html").read_text()
    assert "Requirement coverage" in html and (run.folder / "junit.xml").exists()
    # every scenario that applies was judged by at least one check (no empty green); the others say why not
    judged = [r for r in results if r["outcome"] != "not_applicable"]
    assert all(r["verdicts"] for r in judged), [r["id"] for r in judged if not r["verdicts"]]
    assert all(r["skip_reason"] for r in results if r["outcome"] == "not_applicable")
