"""``harness fuzz`` stopped by SIGTERM or Ctrl-C mid-example: it stops at once, reports no failure, leaves nothing.

Hypothesis treats SystemExit as a test failure; SIGTERM used to become one
(the harness's Terminated is a SystemExit), so a cancelled CI job shrank
a "failure" for minutes with the lab still up. The fuzz command now lets
interrupts through as a KeyboardInterrupt and converts SIGTERM back to
exit status 143 on the way out.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from harness import paths

pytestmark = [pytest.mark.processes, pytest.mark.browser]


def _lab_processes(run_dir: Path) -> list[psutil.Process]:
    out = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if str(run_dir) in " ".join(p.info["cmdline"] or []):
                out.append(p)
        except psutil.Error:
            continue
    return out


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, None)])
def test_interrupt_mid_example_stops_cleanly(tmp_path: Path, sig: signal.Signals, code: int | None) -> None:
    from harness.device.profiles import can_run_here, find_profile

    ok, why = can_run_here(find_profile("reference-unrestricted"))
    if not ok:
        pytest.skip(why)
    run_dir = tmp_path / "run"
    cmd = [sys.executable, "-m", "harness", "fuzz", "--device", "reference-unrestricted", "--budget", "600",
           "--seed", "5", "--no-database", "--report-dir", str(run_dir), "--export-dir", str(tmp_path / "export")]
    child = subprocess.Popen(cmd, cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        second = run_dir / "scenarios" / "fuzz-00002"
        while not second.exists():  # the first example finished, the second is under way
            assert child.poll() is None, child.communicate()[0]
            assert time.monotonic() < deadline, "the fuzz run never got to its second example"
            time.sleep(0.2)
        time.sleep(1.0)
        t0 = time.monotonic()
        child.send_signal(sig)
        output, _ = child.communicate(timeout=60)
        took = time.monotonic() - t0
    finally:
        if child.poll() is None:
            child.kill()
    assert "FAILED" not in output and "shrunk" not in output, output
    assert child.returncode != 0 and child.returncode != 1, output  # 1 would mean "a failure was found"
    if code is not None:
        assert child.returncode == code, output
    assert took < 30, f"took {took:.1f}s to stop"
    time.sleep(0.5)
    left = [p for p in _lab_processes(run_dir) if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert left == [], [" ".join(p.cmdline())[:120] for p in left]
