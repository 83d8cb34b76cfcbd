"""A device behind a remote Appium server, Selenium Grid 4 relay node or cloud farm.

Only the URL and the capabilities differ from a local device; there is no
host access (no adb, no simctl), so every control goes through Appium's
``mobile:`` methods. Android OS commands of a battery policy use
``mobile: shell``, which the remote Appium must allow (``--allow-insecure
uiautomator2:adb_shell``); a farm that forbids it rejects the step, and the
policy runner records the error.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Any

from harness.device.base import AppState, Control, Endpoints, NETWORK_TYPES, Unsupported, ms_since
from harness.device.chromium import appium_driver
from harness.device.mobile import DriverFactory, MobileBase, MobileSession
from harness.device.policies import Op
from harness.device.profiles import RemoteProfile
from harness.errors import LabError, SpecError
from harness.timeline import Timeline


class RemoteDevice(MobileBase):
    """An Android or iOS device reached through a remote Appium URL."""

    backend_name = "remote"

    def __init__(
        self,
        profile: RemoteProfile,
        *,
        run_dir: Path,
        timeline: Timeline | None = None,
        driver_factory: DriverFactory = appium_driver,
        endpoints: Endpoints | None = None,
    ) -> None:
        super().__init__()
        if profile.platform == "chromium":
            raise Unsupported(profile.name, "remote chromium", "use backend: chromium with appium_url set to the grid")
        self.profile = profile
        self.name = profile.name
        self.run_dir = run_dir
        self.timeline = timeline or Timeline()
        self.endpoints = endpoints
        self.platform = profile.platform
        self.policy_backend = profile.platform
        caps = dict(profile.capabilities)
        if self.platform == "android":
            self.app_key, self.app_id = "appId", str(caps.get("appium:appPackage", ""))
        else:
            self.app_key, self.app_id = "bundleId", str(caps.get("appium:bundleId", ""))
        if not self.app_id:
            field = "appium:appPackage" if self.platform == "android" else "appium:bundleId"
            raise SpecError(f"capabilities.{field}", None, f"the app id (required to drive a remote {self.platform} app)")
        self.session = MobileSession(profile.appium_url, caps, driver_factory, timeline=self.timeline, device=self.name)
        base = {Control.BACKGROUND, Control.KILL, Control.RELAUNCH, Control.SCREENSHOT, Control.BATTERY_POLICY}
        if self.platform == "android":
            base |= {Control.AIRPLANE, Control.NETWORK_TYPE, Control.REINSTALL}
        self.supports = frozenset(base)

    def capabilities(self) -> dict[str, Any]:
        return dict(self.session.caps)

    @property
    def driver(self) -> Any:
        if self.session.driver is None:
            raise LabError(f"{self.name}: no session; launch first")
        return self.session.driver

    def _app(self) -> dict[str, Any]:
        return {self.app_key: self.app_id}

    def launch(self) -> None:
        t0 = time.monotonic()
        self.session.open()
        self.session.mobile("activateApp", self._app())
        self._state = AppState.FOREGROUND
        self.last_cold_start_ms = ms_since(t0)
        self._event("launch", t=t0, cold_start_ms=self.last_cold_start_ms, url=self.profile.appium_url)

    def _android_only(self, what: str) -> None:
        if self.platform != "android":
            raise Unsupported(self.name, what, f"not available for remote {self.platform} devices")

    def set_airplane(self, on: bool) -> None:
        self._android_only("airplane mode")
        args = {"airplaneMode": on} if on else {"airplaneMode": False, "wifi": True, "data": True}
        self.session.mobile("setConnectivity", args)
        self._event("airplane_on" if on else "airplane_off", args=args)

    def set_network(self, kind: str) -> None:
        self._android_only("network type")
        if kind not in NETWORK_TYPES:
            raise SpecError("network", kind, f"one of {', '.join(NETWORK_TYPES)}")
        self.session.mobile("setConnectivity", {"wifi": kind == "wifi", "data": kind == "cellular"})
        self._event("network", kind=kind)

    def background(self) -> None:
        self.session.mobile("backgroundApp", {"seconds": -1})
        self._state = AppState.BACKGROUND
        self._event("background")

    def foreground(self) -> None:
        self.session.mobile("activateApp", self._app())
        self._state = AppState.FOREGROUND
        self._event("foreground")

    def freeze(self) -> None:
        raise Unsupported(self.name, "freeze", "no host access to a remote device")

    def unfreeze(self) -> None:
        raise Unsupported(self.name, "unfreeze", "no host access to a remote device")

    def _terminate(self) -> str:
        self.session.mobile("terminateApp", self._app())
        return "mobile: terminateApp"

    def relaunch(self) -> None:
        if self._state != AppState.NOT_RUNNING:
            self.kill()
        t0 = time.monotonic()
        self.session.mobile("activateApp", self._app())
        self._state = AppState.FOREGROUND
        self.last_cold_start_ms = ms_since(t0)
        self._event("relaunch", t=t0, cold_start_ms=self.last_cold_start_ms)

    def reinstall(self) -> None:
        self._android_only("reinstall")
        self.session.mobile("clearApp", self._app())
        self.session.mobile("activateApp", self._app())
        self._state = AppState.FOREGROUND
        self._event("reinstall", command="mobile: clearApp")

    def screenshot(self, label: str) -> Path:
        path = self._shot_path(label)
        self.driver.get_screenshot_as_file(str(path))
        return path

    def console_logs(self) -> list[dict[str, Any]]:
        kind = "logcat" if self.platform == "android" else "syslog"
        try:
            return list(self.driver.get_log(kind))
        except Exception:
            return []

    def run_policy_op(self, op: Op) -> None:
        if op.verb == "shell" and self.platform == "android":
            parts = shlex.split(op.args[0])
            self.session.mobile("shell", {"command": parts[0], "args": parts[1:]})
            if "force-stop" in op.args[0] or op.args[0].startswith("am kill"):
                self._state = AppState.NOT_RUNNING
        elif op.verb == "kill":
            self.kill()
        else:
            raise Unsupported(self.name, f"policy op {op}", "a remote device runs shell (Android) and kill")


__all__ = ["RemoteDevice"]
