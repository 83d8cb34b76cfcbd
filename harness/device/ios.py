"""iOS backend: Appium XCUITest for the app, ``xcrun simctl`` for the simulator.

Built to the documented commands (REFERENCE-DATA.md) and tested by the
exact capabilities and commands it issues (tests/device/test_ios.py): no
simulator can run on the project's Linux machines.

Limits that shape this backend:

* a simulator cannot toggle the network (no XCTest API): airplane mode and
  network type go through the lab's link (the ``radio`` hook) or raise
  :class:`~harness.device.base.Unsupported` saying so;
* iOS suspends a backgrounded app by itself and the simulator does not
  simulate suspension faithfully: there is no freeze control;
* Background App Refresh (R21) is driven through the app's debug hook:
  ``notify:NAME`` posts a Darwin notification (``simctl spawn UDID
  notifyutil -p NAME``), ``url:URL`` opens a deep link (``simctl openurl``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from harness.device.base import AppState, Control, Endpoints, Unsupported, ms_since
from harness.device.chromium import appium_driver
from harness.device.mobile import CommandResult, CommandRunner, DriverFactory, MobileBase, MobileSession, run_command
from harness.device.policies import Op
from harness.device.profiles import IOSProfile
from harness.errors import LabError, SpecError
from harness.timeline import Timeline


class IOSDevice(MobileBase):
    """An iOS simulator through XCUITest + simctl."""

    supports = frozenset({
        Control.BACKGROUND, Control.KILL, Control.RELAUNCH, Control.REINSTALL, Control.SCREENSHOT,
        Control.CONSOLE_LOG, Control.BATTERY_POLICY,
    })
    policy_backend = "ios"
    backend_name = "ios"

    def __init__(
        self,
        profile: IOSProfile,
        *,
        endpoints: Endpoints,
        run_dir: Path,
        timeline: Timeline | None = None,
        driver_factory: DriverFactory = appium_driver,
        runner: CommandRunner = run_command,
        radio: Callable[[bool], None] | None = None,
        appium_url: str | None = None,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.name = profile.name
        self.endpoints = endpoints
        self.run_dir = run_dir
        self.timeline = timeline or Timeline()
        self.runner = runner
        self.radio = radio
        self.bundle_id = str(profile.capabilities["appium:bundleId"])
        self.udid = profile.ios.udid
        url = self._appium_url(appium_url, endpoints.appium_url, profile.appium_url)
        self.session = MobileSession(url, self.capabilities(), driver_factory, timeline=self.timeline, device=self.name)
        self.commands: list[tuple[str, ...]] = []
        if radio is not None:
            self.supports = self.supports | {Control.AIRPLANE}

    def capabilities(self) -> dict[str, Any]:
        caps: dict[str, Any] = dict(self.profile.capabilities)
        if self.udid != "booted":
            caps.setdefault("appium:udid", self.udid)
        return caps

    def simctl(self, *args: str) -> CommandResult:
        argv = ("xcrun", "simctl", *args)
        self.commands.append(argv)
        res = self.runner(argv)
        if res.returncode != 0:
            raise LabError(f"{self.name}: `{' '.join(argv)}` failed ({res.returncode}): {res.stderr.strip()}")
        return res

    @property
    def driver(self) -> Any:
        if self.session.driver is None:
            raise LabError(f"{self.name}: no session; launch first")
        return self.session.driver

    def launch(self) -> None:
        t0 = time.monotonic()
        self.session.open()
        self.session.mobile("activateApp", {"bundleId": self.bundle_id})
        self._state = AppState.FOREGROUND
        self.last_cold_start_ms = ms_since(t0)
        self._event("launch", t=t0, cold_start_ms=self.last_cold_start_ms)

    def install_ca(self, pem: Path) -> None:
        """Trust the mitmproxy CA on the simulator."""
        self.simctl("keychain", self.udid, "add-root-cert", str(pem))

    def set_airplane(self, on: bool) -> None:
        if self.radio is None:
            raise Unsupported(self.name, "airplane mode",
                              "an iOS simulator cannot toggle its network (no XCTest API); cut the lab's link instead "
                              "(harness net offline) or give the device the lab's radio hook")
        t0 = time.monotonic()
        self.radio(not on)
        self._event("airplane_on" if on else "airplane_off", t=None if on else t0, mode="link")

    def set_network(self, kind: str) -> None:
        raise Unsupported(self.name, "network type", "an iOS simulator has one host network; shape it at the lab's link")

    def background(self) -> None:
        self.session.mobile("backgroundApp", {"seconds": -1})
        self._state = AppState.BACKGROUND
        self._event("background")

    def foreground(self) -> None:
        t0 = time.monotonic()
        self.session.mobile("activateApp", {"bundleId": self.bundle_id})
        self._state = AppState.FOREGROUND
        self._event("foreground", t=t0)

    def freeze(self) -> None:
        raise Unsupported(self.name, "freeze", "iOS suspends a backgrounded app itself; use background()")

    def unfreeze(self) -> None:
        raise Unsupported(self.name, "unfreeze", "iOS resumes apps itself; use bar_fetch() or foreground()")

    def _terminate(self) -> str:
        self.session.mobile("terminateApp", {"bundleId": self.bundle_id})
        return "mobile: terminateApp"

    def relaunch(self) -> None:
        if self._state != AppState.NOT_RUNNING:
            self.kill()
        t0 = time.monotonic()
        self.session.mobile("activateApp", {"bundleId": self.bundle_id})
        self._state = AppState.FOREGROUND
        self.last_cold_start_ms = ms_since(t0)
        self._event("relaunch", t=t0, cold_start_ms=self.last_cold_start_ms)

    def reinstall(self) -> None:
        app = self.profile.ios.app_path or self.profile.capabilities.get("appium:app")
        if not app:
            raise Unsupported(self.name, "reinstall", "needs ios.app_path (the .app to install) in the device profile")
        self.session.mobile("terminateApp", {"bundleId": self.bundle_id})
        self.simctl("uninstall", self.udid, self.bundle_id)
        self.simctl("install", self.udid, str(app))
        self.session.mobile("activateApp", {"bundleId": self.bundle_id})
        self._state = AppState.FOREGROUND
        self._event("reinstall", app=str(app))

    def bar_fetch(self) -> None:
        """Run the app's background-fetch handler through its debug hook."""
        kind, _, target = self.profile.ios.bar_hook.partition(":")
        if kind == "notify":
            self.simctl("spawn", self.udid, "notifyutil", "-p", target)
        elif kind == "url":
            self.simctl("openurl", self.udid, target)
        else:
            raise SpecError("ios.bar_hook", self.profile.ios.bar_hook, "notify:NAME or url:URL")
        self._event("bar_fetch", hook=self.profile.ios.bar_hook)

    def screenshot(self, label: str) -> Path:
        path = self._shot_path(label)
        self.simctl("io", self.udid, "screenshot", str(path))
        return path

    def console_logs(self) -> list[dict[str, Any]]:
        res = self.simctl("spawn", self.udid, "log", "show", "--last", "1m", "--style", "compact",
                          "--predicate", f'subsystem == "{self.bundle_id}"')
        with (self.run_dir / "syslog.txt").open("a", encoding="utf-8") as fh:
            fh.write(res.stdout)
        return [{"message": line} for line in res.stdout.splitlines() if line.strip()]

    def run_policy_op(self, op: Op) -> None:
        if op.verb == "bar_fetch":
            self.bar_fetch()
        elif op.verb == "kill":
            self.kill()
        else:
            raise Unsupported(self.name, f"policy op {op}", "iOS runs bar_fetch and kill")


__all__ = ["IOSDevice"]
