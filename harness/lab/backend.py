"""The backend behind the lab: the app's own server as a child process, or an external URL.

An app profile's ``backend.start`` gives the command (placeholders
``{python}``, ``{run_dir}``, ``{app_dir}``; run in the profile's folder) and
a regex whose group 1 is the base URL the server announces on its output
once it listens (an OS-picked port: ``--port 0``); that line is the
readiness signal. An external backend is only checked for reachability (it
may need auth).

Usage::

    proc, url = start_backend(profile.backend.start, run_dir, app_dir=profile.folder)
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.errors import PartFailed
from harness.lab.ports import can_connect
from harness.lab.process import ManagedProcess

def backend_argv(start: Any, *, run_dir: Path, app_dir: Path) -> list[str]:
    """The start command with its placeholders filled."""
    values = {"python": sys.executable, "run_dir": str(run_dir), "app_dir": str(app_dir)}
    out = []
    for arg in start.command:
        for k, v in values.items():
            arg = arg.replace("{" + k + "}", v)
        out.append(arg)
    return out


def start_backend(start: Any, run_dir: Path, *, app_dir: Path, name: str = "backend",
                  timeout_s: float | None = None) -> tuple[ManagedProcess, str]:
    """Start the app's backend; returns the process and its base URL (``http://127.0.0.1:P``)."""
    ready_re = re.compile(start.ready)
    env = {**os.environ, **start.env} if start.env else None
    proc = ManagedProcess(f"backend ({name})", backend_argv(start, run_dir=run_dir, app_dir=app_dir),
                          log_path=run_dir / "backend.log", cwd=app_dir, env=env)
    proc.start()

    def ready() -> str | None:
        out = proc.log_text()
        if out.startswith("$ "):  # the log's first line is the command itself, which may quote the regex's text
            out = out.partition("\n")[2]
        m = ready_re.search(out)
        return m.group(1).rstrip("/") if m else None

    try:
        url = proc.wait_ready(ready, timeout_s=timeout_s or start.timeout_s)
    except PartFailed:
        proc.stop()
        raise
    return proc, url


def check_external(url: str, *, timeout_s: float = 10.0) -> None:
    """PartFailed unless something accepts TCP connections at the backend URL's host and port."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not can_connect(parts.hostname or "127.0.0.1", port, timeout_s=timeout_s):
        raise PartFailed("backend (external)", f"nothing accepts connections at {parts.hostname}:{port}",
                         fix=f"start the backend or pass a reachable URL instead of {url}")


__all__ = ["backend_argv", "check_external", "start_backend"]
