"""``harness up`` / ``net`` / ``down`` end to end in subprocesses, with a private state file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from harness.lab.process import ManagedProcess
from harness.lab.state import read_state

UPSTREAM = Path(__file__).resolve().parent.parent / "net" / "upstream.py"
pytestmark = pytest.mark.processes


def harness(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_up_net_down(tmp_path: Path) -> None:
    up = ManagedProcess("upstream", [sys.executable, str(UPSTREAM)], log_path=tmp_path / "up.log").start()
    try:
        url = up.wait_ready(lambda: (m := re.search(r"listening on (http://\S+?)/", up.log_text())) and m.group(1),
                            timeout_s=15)
        env = {**os.environ, "HARNESS_LAB_STATE": str(tmp_path / "lab.json"), "HARNESS_REPORTS": str(tmp_path)}
        r = harness(env, "up", "--backend", str(url), "--run-dir", str(tmp_path / "run"))
        assert r.returncode == 0, r.stderr
        assert "device HTTP proxy" in r.stdout and "mitmproxy-ca-cert.pem" in r.stdout
        st = read_state(tmp_path / "lab.json")
        assert st is not None and st.endpoints is not None
        pids = [st.supervisor_pid, *st.endpoints.pids.values()]
        assert harness(env, "up", "--backend", str(url)).returncode == 2  # already up
        r = harness(env, "net", "offline")
        assert "link: DOWN" in r.stdout
        r = harness(env, "net", "http", "http_status", "status=503", "--path", "/api/*", "--first", "2")
        assert "http_status" in r.stdout and "first_n=2" in r.stdout
        r = harness(env, "net", "http", "http_status", "--path", "api")
        assert r.returncode == 2 and "http_status.path" in r.stderr
        assert harness(env, "net", "profile", "6g").returncode == 2
        r = harness(env, "net", "reset")
        assert "clean" in r.stdout
        r = harness(env, "down")
        assert r.returncode == 0 and "lab stopped" in r.stdout
        assert not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
        assert not (tmp_path / "lab.json").exists()
        assert "no lab is running" in harness(env, "net", "status").stderr
    finally:
        up.stop()
