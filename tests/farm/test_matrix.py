"""The matrix merge from synthetic run folders: every outcome, skips with reasons, missing folders, dead workers."""

from __future__ import annotations

import json
from pathlib import Path

from harness.farm.html import build_html
from harness.farm.matrix import build_matrix, write_matrix

from .conftest import FAILED_VERDICT, FarmFolder


def test_every_outcome_lands_in_its_cell(farm: FarmFolder) -> None:
    farm.result(0, "s1", "passed")
    farm.result(0, "s2", "failed", verdicts=[FAILED_VERDICT])
    farm.result(0, "s3", "error", error="LabError: appium: not healthy after 60 s")
    farm.result(0, "s4", "skipped", skip_reason="scenario s4 needs a device under doze; dev-a is unrestricted")
    m = build_matrix(farm.root)
    assert m.devices == ["dev-a", "dev-b", "dev-c"]
    assert [s.id for s in m.scenarios] == ["s1", "s2", "s3", "s4"]
    s1, s2, s3, s4 = (m.cell(s, "dev-a") for s in ("s1", "s2", "s3", "s4"))
    assert (s1.outcome, s1.time_to_converge_s, s1.duration_s) == ("passed", 1.25, 3.5)
    assert s2.outcome == "failed" and s2.failed_requirements == ("R20",)
    assert "queued work did not sync" in s2.reason and not s2.lab_error
    assert s3.outcome == "error" and s3.lab_error and "appium" in s3.reason
    assert s4.outcome == "skipped" and "needs a device under doze" in s4.reason
    assert s1.report == "workers/gw0/scenarios/s1"  # no report.html rendered: the folder


def test_skips_and_crashes_known_only_to_pytest(farm: FarmFolder) -> None:
    farm.worker(1)
    farm.result(1, "s1", "passed")
    farm.outcome("gw1", "dev-b", "s2", "skipped", when="setup",
                 reason="scenario s2 runs on android devices; dev-b is reference")
    farm.outcome("gw1", "dev-b", "s3", "failed", when="crash", reason="worker 'gw1' crashed while running 's3'")
    farm.node_down("gw1", "dev-b", "Not properly terminated")
    m = build_matrix(farm.root)
    assert m.cell("s2", "dev-b").outcome == "skipped"
    assert "runs on android devices" in m.cell("s2", "dev-b").reason
    s3 = m.cell("s3", "dev-b")
    assert s3.outcome == "error" and s3.lab_error and "died while running" in s3.reason
    s4 = m.cell("s4", "dev-b")  # never reached: the worker was down
    assert s4.outcome == "error" and "gw1 went down: Not properly terminated" in s4.reason
    assert any("went down" in n for n in m.device_notes["dev-b"])


def test_a_dead_worker_without_any_folder_is_reported_not_dropped(farm: FarmFolder) -> None:
    farm.result(0, "s1", "passed")  # dev-b and dev-c left nothing at all
    m = build_matrix(farm.root)
    for dev in ("dev-b", "dev-c"):
        for sid in ("s1", "s2", "s3", "s4"):
            cell = m.cell(sid, dev)
            assert cell.outcome == "error" and cell.reason.startswith("not run")
    assert m.exit_code() == 2  # only lab errors: fix the machine
    assert len(m.cells) == 12


def test_a_torn_scenario_folder_is_an_error(farm: FarmFolder) -> None:
    w = farm.worker(2)
    (w / "scenarios" / "s1").mkdir(parents=True)
    (w / "scenarios" / "s2").mkdir(parents=True)
    (w / "scenarios" / "s2" / "result.json").write_text('{"id": "s2", "outcome": "pas')
    m = build_matrix(farm.root)
    assert m.cell("s1", "dev-c").outcome == "error" and "result.json" in m.cell("s1", "dev-c").reason
    assert m.cell("s2", "dev-c").outcome == "error"


def test_a_restarted_worker_keeps_its_device(farm: FarmFolder) -> None:
    farm.result(0, "s1", "passed")
    farm.outcome("gw0", "dev-a", "s2", "failed", when="crash", reason="worker 'gw0' crashed while running 's2'")
    w3 = farm.worker(3, device="dev-a")  # xdist's replacement worker, same device
    (w3 / "scenarios").mkdir(exist_ok=True)
    farm.result(3, "s3", "passed")
    m = build_matrix(farm.root)
    assert m.devices == ["dev-a", "dev-b", "dev-c"]
    assert [m.cell(s, "dev-a").outcome for s in ("s1", "s2", "s3")] == ["passed", "error", "passed"]
    assert m.cell("s3", "dev-a").worker == "gw3"


def test_profile_paths_become_profile_names(farm: FarmFolder) -> None:
    farm.worker(0, device="/tmp/run/devices/grid-reference-unrestricted.yaml")
    farm.result(0, "s1", "passed")
    m = build_matrix(farm.root)
    assert "grid-reference-unrestricted" in m.devices


def test_watchdog_verdict_and_exit_codes(farm: FarmFolder) -> None:
    for i in range(3):
        farm.result(i, "s1", "passed")
        farm.result(i, "s2", "passed")
        farm.result(i, "s3", "skipped", skip_reason="not for this policy")
        farm.result(i, "s4", "passed")
    assert build_matrix(farm.root).exit_code() == 0
    (farm.root / "watchdog.jsonl").write_text(json.dumps(
        {"worker": "gw1", "device": "dev-b", "scenario": "s4", "message": "watchdog: s4 still running after 601 s"}) + "\n")
    (farm.root / "workers" / "gw1" / "scenarios" / "s4" / "result.json").unlink()
    m = build_matrix(farm.root)
    assert m.cell("s4", "dev-b").outcome == "error" and "watchdog" in m.cell("s4", "dev-b").reason
    assert m.exit_code() == 2
    farm.result(2, "s4", "failed", verdicts=[FAILED_VERDICT])
    assert build_matrix(farm.root).exit_code() == 1


def test_matrix_json_round_trip(farm: FarmFolder, tmp_path: Path) -> None:
    farm.result(0, "s1", "passed")
    m = build_matrix(farm.root)
    data = json.loads(write_matrix(m, tmp_path / "matrix.json").read_text())
    assert data["devices"] == ["dev-a", "dev-b", "dev-c"]
    assert len(data["cells"]) == 12
    assert data["counts"] == {"passed": 1, "failed": 0, "error": 11, "skipped": 0, "not_applicable": 0}
    assert {c["scenario"] for c in data["cells"]} == {"s1", "s2", "s3", "s4"}
    assert data["meta"]["wall_s"] == 12.5


def test_without_a_manifest_the_found_devices_and_scenarios_are_used(tmp_path: Path) -> None:
    f = FarmFolder(tmp_path / "run", ["x", "y"], [])
    (f.root / "farm.json").unlink()
    f.result(0, "only", "passed")
    f.result(1, "only", "failed", verdicts=[FAILED_VERDICT])
    m = build_matrix(f.root)
    assert m.devices == ["x", "y"] and [s.id for s in m.scenarios] == ["only"]
    assert m.cell("only", "y").outcome == "failed"


def test_outcome_lines_map_check_failures_and_harness_errors(farm: FarmFolder) -> None:
    farm.worker(0)
    farm.outcome("gw0", "dev-a", "s1", "failed", reason="[R5] ordering broke\n(scenario folder: x)")
    farm.outcome("gw0", "dev-a", "s2", "failed", reason="ModuleNotFoundError: No module named 'x'")
    farm.outcome("gw0", "dev-a", "s3", "failed", when="setup", reason="device dev-a given up after 2 consecutive lab errors")
    farm.outcome("gw0", "dev-a", "s4", "passed")
    m = build_matrix(farm.root)
    assert [m.cell(s, "dev-a").outcome for s in ("s1", "s2", "s3", "s4")] == ["failed", "error", "error", "passed"]


def test_an_interrupted_run_with_no_finished_batch_is_still_merged(farm: FarmFolder) -> None:
    data = json.loads((farm.root / "farm.json").read_text())
    data["batches"] = []  # the run was stopped before its first batch returned
    (farm.root / "farm.json").write_text(json.dumps(data))
    farm.result(0, "s1", "passed")
    assert build_matrix(farm.root).cell("s1", "dev-a").outcome == "passed"


def test_policy_behaviour_is_shown_per_device(farm: FarmFolder) -> None:
    """Passing cells still differ by device: what the policy let background sync do."""
    runs = {"title": "queue drained while in the background (policy allows it)", "check": "background",
            "requirement_ids": ["R20"], "passed": True, "evidence": []}
    waits = {**runs, "title": "nothing sent in the background; drained after foreground"}
    farm.result(0, "s1", "passed", verdicts=[runs])
    farm.result(1, "s1", "passed", verdicts=[waits])
    m = build_matrix(farm.root)
    assert m.cell("s1", farm.devices[0]).behaviour.startswith("queue drained while in the background")
    assert m.cell("s1", farm.devices[1]).behaviour.startswith("nothing sent in the background")
    assert "drained after foreground" in build_html(m)


def test_scenarios_deselected_by_k_or_m_are_left_out_not_errors(farm: FarmFolder) -> None:
    manifest = json.loads((farm.root / "farm.json").read_text())
    manifest["selection"] = {"keyword": "s1", "markexpr": None}
    (farm.root / "farm.json").write_text(json.dumps(manifest))
    for i in range(len(farm.devices)):
        farm.result(i, "s1", "passed")
    m = build_matrix(farm.root)
    assert [s.id for s in m.scenarios] == ["s1"]
    assert m.exit_code() == 0
