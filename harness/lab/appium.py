"""Appium 3 as a lab part, for device backends that drive an app through it.

Started project-local (``APPIUM_HOME`` = :data:`harness.paths.APPIUM_HOME`,
where setup installed the drivers) on a free loopback port, healthy when
``GET /status`` answers ``ready``.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from harness import paths
from harness.errors import PartFailed
from harness.lab.ports import LOOPBACK, free_port
from harness.lab.process import ManagedProcess


def start_appium(run_dir: Path, *, timeout_s: float = 60.0) -> tuple[ManagedProcess, str]:
    """Start Appium; returns the process and its URL (``http://127.0.0.1:P``)."""
    exe = paths.appium()
    if exe is None:
        raise PartFailed("appium", "appium not found", fix="run setup (npm install in tools/appium) or set APPIUM_BIN")
    port = free_port()
    proc = ManagedProcess(
        "appium",
        [exe, "server", "--address", LOOPBACK, "--port", str(port), "--log-level", "info"],
        log_path=run_dir / "appium.log",
        env={"APPIUM_HOME": str(paths.APPIUM_HOME)},
        stop_timeout_s=10.0,
    )
    proc.start()
    url = f"http://{LOOPBACK}:{port}"

    def ready() -> bool:
        r = httpx.get(url + "/status", timeout=2.0, trust_env=False)
        return r.status_code == 200 and bool(r.json().get("value", {}).get("ready", True))

    try:
        proc.wait_ready(ready, timeout_s=timeout_s, interval_s=0.25)
    except PartFailed:
        proc.stop()
        raise
    return proc, url


__all__ = ["start_appium"]
