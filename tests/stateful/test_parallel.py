"""The parallel fuzz controller: workers started, watched, merged; a crashed worker restarted and reported.

The workers here are small Python processes standing in for ``harness fuzz --worker-of`` (the real ones are
exercised end to end in test_fuzz_e2e.py); what is under test is the controller's own behaviour with real
processes: exit codes, outcome files, crashes, the shared stop signal.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from harness.stateful import parallel as P

WORKER = r"""
import json, os, sys, time
from pathlib import Path
folder, run_dir, slot, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
marker = folder / "attempts"
attempts = int(marker.read_text()) + 1 if marker.exists() else 1
marker.write_text(str(attempts))
if mode == "crash-once" and attempts == 1:
    os._exit(9)
if mode == "always-crash":
    print("boom: the lab's browser died", flush=True)
    os._exit(9)
if mode == "find":
    fd = os.open(run_dir / "found", os.O_CREAT | os.O_EXCL | os.O_WRONLY); os.close(fd)
    out = {"found": True, "kind": "failed", "title": "ordering: out of order", "examples": 3, "device": "d"}
    (folder / "outcome.json").write_text(json.dumps(out)); sys.exit(1)
if mode == "wait-for-find":
    deadline = time.monotonic() + 20
    while not (run_dir / "found").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    (folder / "outcome.json").write_text(json.dumps({"found": False, "examples": 5, "stopped_by_find": (run_dir / "found").exists()}))
    sys.exit(0)
(folder / "outcome.json").write_text(json.dumps({"found": False, "examples": 4}))
"""


def _parallel(tmp_path: Path, modes: list[str], budget_s: float = 120) -> P.Parallel:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    run_dir = tmp_path / "run"

    def argv(slot: P.Slot, folder: Path) -> list[str]:
        return [sys.executable, str(script), str(folder), str(run_dir), slot.name, modes[int(slot.name[1:])]]

    return P.Parallel(run_dir, ["d"] * len(modes), 10, budget_s, argv, tmp_path / "db")


def test_outcomes_merge_and_the_shared_database_is_written_for_the_workers(tmp_path: Path) -> None:
    par = _parallel(tmp_path, ["clean", "clean"])
    result = par.run()
    assert result.examples == 8 and result.exit_code() == 0 and not result.crashes
    assert P.worker_spec(par.run_dir) == {"database": str(tmp_path / "db"), "workers": 2}
    assert [s.seed for s in result.slots] == [10, 11]


def test_a_crashed_worker_is_restarted_with_a_new_seed_and_reported(tmp_path: Path) -> None:
    result = _parallel(tmp_path, ["clean", "crash-once"]).run()
    [crash] = result.crashes
    assert crash["exit_code"] == 9 and crash["seed"] == 11
    w1 = result.slots[1]
    assert w1.outcome == {"found": False, "examples": 4} and w1.seed == 11 + 1_000_003
    assert result.exit_code() == 0


def test_a_worker_that_keeps_crashing_is_given_up_with_its_log(tmp_path: Path) -> None:
    result = _parallel(tmp_path, ["clean", "always-crash"]).run()
    assert len(result.crashes) == P.MAX_RESTARTS + 1
    assert all("the lab's browser died" in c["log_tail"] for c in result.crashes)
    assert result.slots[1].outcome is None and result.exit_code() == 0  # one worker finished clean


def test_no_restart_when_the_budget_is_nearly_spent(tmp_path: Path) -> None:
    result = _parallel(tmp_path, ["always-crash"], budget_s=5).run()
    assert len(result.crashes) == 1 and result.exit_code() == 2  # no worker could run


def test_the_first_finding_stops_the_others(tmp_path: Path) -> None:
    result = _parallel(tmp_path, ["find", "wait-for-find"]).run()
    assert result.exit_code() == 1 and len(result.findings) == 1
    other: Any = result.slots[1].outcome
    assert other["stopped_by_find"] is True


def test_claim_is_exclusive_and_stop_is_seen(tmp_path: Path) -> None:
    stop = P.stop_requested(tmp_path)
    assert not stop()
    assert P.claim_finding(tmp_path, "w0")() is True
    assert P.claim_finding(tmp_path, "w1")() is False  # too late: the first claim stands, w1 stops unshrunk
    assert stop() and json.loads((tmp_path / "found").read_text())["worker"] == "w0"


def test_a_flaky_finding_alone_is_exit_3() -> None:
    slot = P.Slot("w0", "d", 1, outcome={"found": True, "kind": "flaky"})
    assert P.ParallelResult(Path("."), [slot], 1.0).exit_code() == 3
