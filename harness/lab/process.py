"""One supervised child process: started, health-checked, stopped for good.

Each part of the lab (backend, toxiproxy-server, mitmdump, Appium) is a
:class:`ManagedProcess`. It runs in its own process group (so stopping it
also stops whatever it spawned), writes stdout and stderr to one log file in
the run folder (named in every error), is health-checked with a timeout, and
is stopped with SIGTERM to the group, then SIGKILL after a grace period. On
Linux the child also gets SIGTERM if the process that started it dies
(``PR_SET_PDEATHSIG``), so even a SIGKILLed harness leaks nothing.

Usage::

    p = ManagedProcess("toxiproxy", [exe, "-port", "8474"], log_path=run / "toxiproxy.log")
    p.start()
    p.wait_ready(lambda: can_connect("127.0.0.1", 8474), timeout_s=10)
    ...
    p.stop()
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Callable, Mapping, Sequence, TypeVar

from harness.errors import PartFailed

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1
_LIVE: "weakref.WeakSet[ManagedProcess]" = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


def _child_setup() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except OSError:
            pass


class ManagedProcess:
    """A child process owned by the lab; see the module docstring."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        stop_timeout_s: float = 5.0,
    ) -> None:
        self.name = name
        self.argv = [str(a) for a in argv]
        self.log_path = log_path
        self._log_offset = 0
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.stop_timeout_s = stop_timeout_s
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen is not None else None

    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def start(self) -> "ManagedProcess":
        """Spawn the process in a new session with output to ``log_path``."""
        if self._popen is not None:
            raise RuntimeError(f"{self.name} already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ) if self.env is None else {**os.environ, **self.env}
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()  # a reused run folder appends: read back only this run's output
            log.write(f"$ {' '.join(self.argv)}\n".encode())
            log.flush()
            try:
                self._popen = subprocess.Popen(
                    self.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=str(self.cwd) if self.cwd else None,
                    start_new_session=True,
                    preexec_fn=_child_setup,
                )
            except OSError as e:
                raise PartFailed(self.name, f"cannot start {self.argv[0]}: {e}", log=self.log_path) from e
        with _LIVE_LOCK:
            _LIVE.add(self)
        return self

    def wait_ready(self, probe: Callable[[], T | None], *, timeout_s: float, interval_s: float = 0.05) -> T:
        """Poll ``probe`` until it returns a truthy value; PartFailed on exit or timeout."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self._popen is None:
                raise PartFailed(self.name, "not started", log=self.log_path)
            code = self._popen.poll()
            if code is not None:
                raise PartFailed(self.name, f"exited with code {code} before it was ready{self._tail()}",
                                 log=self.log_path)
            try:
                result = probe()
            except Exception:  # a probe that raises means "not yet"
                result = None
            if result:
                return result
            if time.monotonic() >= deadline:
                raise PartFailed(self.name, f"not healthy after {timeout_s:g} s{self._tail()}", log=self.log_path)
            time.sleep(interval_s)

    def log_text(self) -> str:
        """What this process wrote since it was started (earlier runs in the same log are skipped)."""
        try:
            with self.log_path.open("rb") as fh:
                fh.seek(self._log_offset)
                return fh.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def _tail(self, lines: int = 5) -> str:
        tail = [ln for ln in self.log_text().splitlines() if ln.strip()][-lines:]
        return (": " + " | ".join(tail))[:600] if tail else ""

    def stop(self) -> int | None:
        """SIGTERM the process group, SIGKILL it after ``stop_timeout_s``; idempotent. Returns the exit code."""
        p = self._popen
        if p is None:
            return None
        if p.poll() is None:
            _signal_group(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                _signal_group(p.pid, signal.SIGKILL)
                p.wait(timeout=5)
        # Anything the part spawned that outlived it in its group goes too.
        _signal_group(p.pid, signal.SIGKILL)
        with _LIVE_LOCK:
            _LIVE.discard(self)
        return p.returncode

    def __repr__(self) -> str:
        return f"ManagedProcess({self.name!r}, pid={self.pid}, running={self.running()})"


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_all() -> None:
    """Stop every ManagedProcess still alive in this interpreter (atexit / signal path)."""
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for p in reversed(procs):
        try:
            p.stop()
        except Exception:
            pass


__all__ = ["ManagedProcess", "stop_all"]
