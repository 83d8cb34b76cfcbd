"""What the Appium-driven phone backends share: a session that can be re-opened, and commands.

Android (UiAutomator2) and iOS (XCUITest) backends, local or behind a
remote Appium/Grid, drive the app through ``mobile:`` execute methods and
the OS through a command runner (adb, xcrun simctl). Both the driver
factory and the runner are injected, so tests can assert the exact
capabilities and commands a backend issues without an emulator (none can
boot on the project's CI machine; docs/devices.md).

REFERENCE-DATA.md: cutting the network can kill the on-device server and
the session; :meth:`MobileSession.mobile` re-opens the session once (with
``appium:noReset``) and retries when that happens.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from harness.device.base import AppState
from harness.errors import LabError, SpecError
from harness.timeline import Timeline

DriverFactory = Callable[[str, dict[str, Any]], Any]


@dataclass(frozen=True)
class CommandResult:
    """What a host command returned."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str = ""


CommandRunner = Callable[[Sequence[str]], CommandResult]


def run_command(argv: Sequence[str], *, timeout_s: float = 60.0) -> CommandResult:
    """The default runner: run a host command, capture its output."""
    try:
        p = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout_s, check=False)
    except FileNotFoundError as e:
        raise LabError(f"{argv[0]}: not found ({e}); this machine cannot drive this device (harness devices says why)") from None
    return CommandResult(tuple(argv), p.returncode, p.stdout, p.stderr)


def _session_dead(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(s in text for s in ("invalidsessionid", "session is either terminated", "no such session",
                                   "instrumentation process is not running", "socket hang up", "econnrefused"))


class MobileSession:
    """An Appium session with one retry on a dead session."""

    def __init__(self, url: str, caps: dict[str, Any], factory: DriverFactory, *, timeline: Timeline, device: str) -> None:
        self.url = url
        self.caps = caps
        self.factory = factory
        self.timeline = timeline
        self.device = device
        self.driver: Any = None
        self.reopened = 0

    def open(self) -> Any:
        self.driver = self.factory(self.url, self.caps)
        return self.driver

    def reopen(self, why: str) -> Any:
        self.reopened += 1
        caps = dict(self.caps, **{"appium:noReset": True})
        self.driver = self.factory(self.url, caps)
        self.timeline.append("log", "session_reopened", layer="device", data={"device": self.device, "why": why})
        return self.driver

    def mobile(self, method: str, args: dict[str, Any] | None = None) -> Any:
        """``driver.execute_script("mobile: <method>", args)``, re-opening a dead session once."""
        if self.driver is None:
            raise LabError(f"{self.device}: no session; launch the device first")
        try:
            return self.driver.execute_script(f"mobile: {method}", args or {})
        except Exception as e:
            if not _session_dead(e):
                raise
            self.reopen(str(e)[:200])
            return self.driver.execute_script(f"mobile: {method}", args or {})

    def quit(self) -> None:
        drv, self.driver = self.driver, None
        if drv is not None:
            try:
                drv.quit()
            except Exception:
                pass


class MobileBase:
    """State, events, screenshots for the phone backends."""

    name: str
    timeline: Timeline
    run_dir: Path
    session: MobileSession
    backend_name = "mobile"

    def __init__(self) -> None:
        self._state = AppState.NOT_RUNNING
        self._shots = 0
        self.last_cold_start_ms: float | None = None

    @property
    def state(self) -> AppState:
        return self._state

    def _event(self, name: str, *, t: float | None = None, **data: Any) -> None:
        """Record a device step. A step that releases the app (radio on, unfreeze, foreground, a launch) passes
        ``t`` = when its call began: the app may act before the call returns (through a Grid or a cloud farm,
        seconds before), and what it does then must not look as if done under the old state."""
        self.timeline.append("device", name, layer="device", t=t,
                             data={"device": self.name, "backend": self.backend_name, **data})

    @staticmethod
    def _appium_url(*candidates: str | None) -> str:
        """The first Appium URL given (an explicit one, the lab's, the profile's); SpecError if none."""
        url = next((c for c in candidates if c), None)
        if not url:
            raise SpecError("appium_url", None, "an Appium server URL from the lab or the profile")
        return url

    @property
    def session_open(self) -> bool:
        """A session with the device exists (the app itself may be stopped): a reinstall needs no launch."""
        return self.session.driver is not None

    def stop_app(self, page: str | None = None) -> None:
        """The app's process ends and its storage stays, before the backend is reset under it (what the
        reference device does by leaving its page; ``page`` is a web app's and means nothing here). Why: an app
        still syncing while its backend is reset pushes the last run's data into the fresh one. Recorded as a
        log line, not a device step: no example asked for it. No session or not running: nothing to stop."""
        if self.session.driver is None or self._state == AppState.NOT_RUNNING:
            return
        command = self._terminate()
        self._state = AppState.NOT_RUNNING
        self.timeline.append("log", "app.stopped", layer="device", data={"device": self.name, "command": command})

    def kill(self) -> None:
        command = self._terminate()
        self._state = AppState.NOT_RUNNING
        self._event("kill", command=command)

    def _terminate(self) -> str:
        """Stop the app's process (each backend's own command); the command issued, for the timeline."""
        raise NotImplementedError

    def quit(self) -> None:
        """End the session if there is one; safe to call twice."""
        if self.session.driver is not None:
            self.session.quit()
            self._event("quit")
        self._state = AppState.NOT_RUNNING

    def _shot_path(self, label: str) -> Path:
        self._shots += 1
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label)[:60]
        path = self.run_dir / "screens" / f"{self._shots:03d}-{safe}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


__all__ = ["CommandResult", "CommandRunner", "DriverFactory", "MobileBase", "MobileSession", "run_command"]
