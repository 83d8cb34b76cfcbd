"""The farm's run loop with real pytest-xdist workers: a crashing device, a hanging device, the watchdog.

The suite here is a plain test file (no lab), so these tests exercise the
farm's own machinery for real: one xdist worker per device from its execnet
spec, the progress plugin's outcomes and heartbeats, xdist replacing a dead
worker on the same device, and the watchdog killing a worker whose test
overran.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.farm.matrix import build_matrix
from harness.farm.run import FarmOptions, Watchdog, pytest_argv, run_batch

SUITE = '''
import os, time
DEV = os.environ["HARNESS_DEVICE"]

def test_ok():
    pass

def test_crash():
    if DEV == "dev-crash":
        os._exit(3)

def test_hang():
    if DEV == "dev-hang":
        time.sleep(120)

def test_after():
    pass
'''


def test_argv_gives_each_device_its_own_worker(tmp_path: Path) -> None:
    argv = pytest_argv([tmp_path / "s.yaml"], ["a", "/x/b.yaml"], tmp_path, FarmOptions(seed=7, bugs=("dup",)))
    assert argv[argv.index("--dist") + 1] == "each"
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--tx"] == [
        "popen//env:HARNESS_DEVICE=a", "popen//env:HARNESS_DEVICE=/x/b.yaml"]
    assert argv[argv.index("--harness-seed") + 1] == "7" and argv[argv.index("--harness-bugs") + 1] == "dup"


def test_crashing_and_hanging_devices_are_reported_not_hung_on(tmp_path: Path) -> None:
    suite = tmp_path / "test_suite.py"
    suite.write_text(SUITE)
    batch = tmp_path / "run"
    lines: list[str] = []
    t0 = time.monotonic()
    entry = run_batch([suite], ["dev-ok", "dev-crash", "dev-hang"], batch,
                      FarmOptions(scenario_timeout_s=4.0), log=lines.append, deadline=time.time() + 120)
    took = time.monotonic() - t0
    assert took < 60, f"the watchdog should have stopped the hang long before 120 s (took {took:.0f} s)"
    m = build_matrix(batch)
    assert set(m.devices) == {"dev-ok", "dev-crash", "dev-hang"}
    out = {(s.id, d): m.cell(s.id, d).outcome for s in m.scenarios for d in m.devices}
    assert all(out[(t, "dev-ok")] == "passed" for t in ("test_ok", "test_crash", "test_hang", "test_after"))
    assert out[("test_crash", "dev-crash")] == "error"
    assert "died while running" in m.cell("test_crash", "dev-crash").reason
    assert out[("test_after", "dev-crash")] == "passed"  # xdist's replacement worker kept the device
    assert out[("test_hang", "dev-hang")] == "error"
    assert "watchdog" in m.cell("test_hang", "dev-hang").reason
    assert out[("test_after", "dev-hang")] == "passed"
    assert any(line.startswith("watchdog: test_hang still running on dev-hang") for line in lines)
    assert entry["exit_code"] != 0


def test_watchdog_only_kills_its_own_descendants(tmp_path: Path) -> None:
    hb = tmp_path / "heartbeats"
    hb.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = time.time() - 1000
        (hb / "gw0.json").write_text(
            f'{{"pid": {child.pid}, "worker": "gw0", "device": "d", "nodeid": "f.py::t", "since": {stale}}}')
        (hb / "gw1.json").write_text(f'{{"pid": 1, "worker": "gw1", "device": "e", "nodeid": "f.py::u", "since": {stale}}}')
        (hb / "gw2.json").write_text(
            f'{{"pid": {child.pid}, "worker": "gw2", "device": "f", "nodeid": null, "since": {stale}}}')
        dog = Watchdog(tmp_path, os.getpid(), scenario_timeout_s=10, log=lambda s: None)
        dog.check()
        assert child.wait(timeout=10) == -9
        records = (tmp_path / "watchdog.jsonl").read_text().splitlines()
        assert len(records) == 2  # gw0 and gw1 overran; gw2 is idle
        dog.check()
        assert len((tmp_path / "watchdog.jsonl").read_text().splitlines()) == 2  # once per scenario
    finally:
        if child.poll() is None:
            child.kill()
    assert os.path.exists("/proc/1")  # pid 1 is not ours and was left alone


@pytest.mark.parametrize("text,lab", [("LabError: appium died", True), ("PartFailed: toxiproxy: exited", True),
                                       ("[R5] ordering\n(scenario folder: x)", False)])
def test_lab_error_text(text: str, lab: bool) -> None:
    from harness.farm.progress import is_check_failure, is_lab_error

    assert is_lab_error(text) is lab
    assert is_check_failure(text) is (not lab)
