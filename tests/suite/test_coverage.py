"""Pairs per requirement: from scenario files (harness coverage --suite) and from a run (the HTML report)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.app.profile import load_app_profile
from harness.report.html import build_html
from harness.report.load import load_run
from harness.scenario.loader import load_all
from harness.suite.coverage import pair_text, pairs_of, row_of, run_coverage, static_coverage
from harness.suite.generate import generate, write_suite


def test_tags_name_the_combination() -> None:
    assert row_of(["covering", "action.call", "network.half_open", "smoke"]) == {"action": "call",
                                                                               "network": "half_open"}
    assert row_of(["action.call"]) is None  # not a covering scenario
    assert pair_text(sorted(pairs_of({"b": "2", "a": "1"}))[0]) == "a=1 x b=2"


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    profile = load_app_profile("refapp")
    folder = tmp_path_factory.mktemp("cov")
    write_suite(generate(profile, strength=2, seed=1), folder)
    return folder, profile


def test_static_pairs_per_requirement(suite_dir: tuple[Path, object]) -> None:
    from harness.suite.coverage import required_from_manifest

    folder, profile = suite_dir
    required = required_from_manifest(folder)
    assert required is not None and len(required) > 300
    cov = static_coverage(load_all(sorted(folder.glob("cover-*.yaml"))), profile, required)
    rows = {r["id"]: r for r in cov.rows()}
    assert all(r["judged"] > 0 for r in rows.values())  # every requirement judged in some pair
    # calls are judged only where the user calls: every judged action pair holds action=call
    r11 = cov.by_requirement["R11"].judged
    assert r11 and all(dict(p).get("action", "call") == "call" for p in r11)
    # ... and with every way of losing the network the constraints allow for a call
    assert {dict(p)["network"] for p in r11 if "action" in dict(p) and "network" in dict(p)} == {
        "os_offline", "link_down", "half_open", "flapping", "captive_portal", "slow_link", "network_switch"}
    assert rows["R22"]["judged"] > rows["R11"]["judged"]


def test_run_pairs_come_from_verdicts(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "suite").mkdir(parents=True)
    (run / "suite" / "suite.json").write_text(json.dumps({"pairs_required": [
        "action=add_item x network=link_down", "action=call x network=link_down",
        "action=add_item x network=half_open", "action=call x network=half_open"]}))
    (run / "run.json").write_text(json.dumps({"run_id": "r", "scenarios": ["a", "b", "c"]}))
    for sid, tags, outcome, verdict_reqs in (
            ("a", ["covering", "action.add_item", "network.link_down"], "passed", ["R22"]),
            ("b", ["covering", "action.call", "network.half_open"], "failed", ["R11"]),
            ("c", ["covering", "action.call", "network.link_down"], "error", [])):
        d = run / "scenarios" / sid
        d.mkdir(parents=True)
        (d / "result.json").write_text(json.dumps({
            "id": sid, "title": sid, "requirements": ["R22", "R11"], "tags": tags, "outcome": outcome,
            "verdicts": [{"check": "x", "requirement_ids": verdict_reqs, "passed": True, "title": "t"}]}))
        (d / "timeline.jsonl").write_text("")
    folder = load_run(run)
    cov = run_coverage([sc.result for sc in folder.scenarios])
    assert cov is not None and cov.scenarios == 2  # the errored one ran nothing
    rows = {r["id"]: r for r in cov.rows()}
    assert rows["R22"]["judged"] == 1 and rows["R22"]["exercised"] == 2
    assert rows["R22"]["exercised_not_judged"] == ["action=call x network=half_open"]
    html = build_html(folder)
    assert 'id="pairs"' in html and "action x network" in html and "1/4" in html


def test_a_run_without_covering_scenarios_has_no_pairs_section(tmp_path: Path) -> None:
    run = tmp_path / "run"
    d = run / "scenarios" / "plain"
    d.mkdir(parents=True)
    (d / "result.json").write_text(json.dumps({"id": "plain", "title": "p", "requirements": ["R5"], "tags": [],
                                               "outcome": "passed", "verdicts": []}))
    assert 'id="pairs"' not in build_html(load_run(run))
