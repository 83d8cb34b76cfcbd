"""Start a private Appium 3 server (APPIUM_HOME = the project's tools/appium).

The Lab owns Appium in a run (harness.lab); this small helper is for the
device tests and benchmarks that need a server of their own, on a free
loopback port, with its log in a given folder. It stops only the process
it started (its own process group).

>>> # with LocalAppium(log_dir) as url: ...
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from harness import paths
from harness.errors import PartFailed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalAppium:
    """One Appium server process; ``url`` once started."""

    def __init__(self, log_dir: Path, *, port: int | None = None, start_timeout_s: float = 60.0) -> None:
        self.log_dir = log_dir
        self.port = port or free_port()
        self.start_timeout_s = start_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / "appium.log"

    def start(self) -> str:
        exe = paths.appium()
        if not exe:
            raise PartFailed("appium", "no appium binary", fix="run scripts/setup (installs tools/appium)")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, APPIUM_HOME=str(paths.APPIUM_HOME))
        fh = self.log.open("wb")
        self.proc = subprocess.Popen(
            [exe, "server", "--address", "127.0.0.1", "--port", str(self.port), "--log-no-colors"],
            stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PartFailed("appium", f"exited with {self.proc.returncode}", log=self.log)
            try:
                with urllib.request.urlopen(self.url + "/status", timeout=1) as r:
                    if r.status == 200:
                        return self.url
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise PartFailed("appium", f"not ready after {self.start_timeout_s}s", log=self.log)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["LocalAppium", "free_port"]
