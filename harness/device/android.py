"""Android backend: Appium UiAutomator2 for the app, adb for the OS.

Built to the documented commands (REFERENCE-DATA.md, "Appium device
controls" and "Android background and battery controls"); tested by the
exact capabilities and commands it issues (tests/device/test_android.py),
because no emulator can boot on the project's machines.

============  ================================================================
airplane      ``mobile: setConnectivity {wifi, data, airplaneMode}`` (session
              re-opened with noReset if cutting the network killed it)
network type  ``mobile: setConnectivity`` wifi only / data only / neither
speed         ``mobile: networkSpeed {speed}`` (emulator presets)
background    ``mobile: backgroundApp {seconds: -1}``
foreground    ``mobile: activateApp {appId}``
freeze        approximated: ``am make-uid-idle`` + ``cmd appops set
              RUN_ANY_IN_BACKGROUND ignore`` (background work stops; Android
              has no public "suspend this process" command); unfreeze allows
kill          ``am force-stop PKG`` (clears alarms and jobs until launched)
stop          the same before a reset (``stop_app``), logged, not a step
relaunch      ``mobile: activateApp`` after the kill (cold start)
reinstall     ``adb uninstall`` + ``adb install -r APK`` or, without an APK,
              ``pm clear PKG`` (storage gone), then activate
proxy         ``settings put global http_proxy 10.0.2.2:PORT`` (the link)
CA            system store: ``openssl x509 -subject_hash_old``, ``adb root``,
              ``adb remount``, push as ``<hash>.0`` (needs -writable-system);
              or a debug build trusting user CAs
logs          ``adb logcat -d`` into the run folder, then ``logcat -c``
============  ================================================================
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Any, Callable

from harness.device.base import AppState, Control, Endpoints, NETWORK_TYPES, Unsupported, ms_since
from harness.device.chromium import appium_driver
from harness.device.mobile import CommandResult, CommandRunner, DriverFactory, MobileBase, MobileSession, run_command
from harness.device.policies import Op
from harness.device.profiles import AndroidProfile
from harness.errors import LabError, SpecError
from harness.timeline import Timeline

_CONNECTIVITY = {
    "wifi": {"wifi": True, "data": False},
    "cellular": {"wifi": False, "data": True},
    "none": {"wifi": False, "data": False},
}


class AndroidDevice(MobileBase):
    """An Android emulator or phone through UiAutomator2 + adb."""

    supports = frozenset({
        Control.AIRPLANE, Control.NETWORK_TYPE, Control.NETWORK_SPEED, Control.BACKGROUND, Control.FREEZE,
        Control.KILL, Control.RELAUNCH, Control.REINSTALL, Control.SCREENSHOT, Control.CONSOLE_LOG,
        Control.BATTERY_POLICY,
    })
    policy_backend = "android"
    backend_name = "android"

    def __init__(
        self,
        profile: AndroidProfile,
        *,
        endpoints: Endpoints,
        run_dir: Path,
        timeline: Timeline | None = None,
        driver_factory: DriverFactory = appium_driver,
        runner: CommandRunner = run_command,
        appium_url: str | None = None,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.name = profile.name
        self.endpoints = endpoints
        self.run_dir = run_dir
        self.timeline = timeline or Timeline()
        self.runner = runner
        self.package = str(profile.capabilities["appium:appPackage"])
        self.serial = profile.android.serial
        url = self._appium_url(appium_url, endpoints.appium_url, profile.appium_url)
        self.session = MobileSession(url, self.capabilities(), driver_factory, timeline=self.timeline, device=self.name)
        self.commands: list[tuple[str, ...]] = []

    def capabilities(self) -> dict[str, Any]:
        """Profile capabilities plus the adb serial and the emulator's network shaping."""
        a = self.profile.android
        caps: dict[str, Any] = dict(self.profile.capabilities)
        caps.setdefault("appium:udid", a.serial)
        if a.avd:
            caps.setdefault("appium:avd", a.avd)
            avd_args = []
            if a.netspeed:
                avd_args += ["-netspeed", a.netspeed]
            if a.netdelay:
                avd_args += ["-netdelay", a.netdelay]
            if avd_args:
                caps.setdefault("appium:avdArgs", " ".join(avd_args))
        return caps

    # --- host commands --------------------------------------------------------

    def adb(self, *args: str, check: bool = True) -> CommandResult:
        argv = ("adb", "-s", self.serial, *args)
        self.commands.append(argv)
        res = self.runner(argv)
        if check and res.returncode != 0:
            raise LabError(f"{self.name}: `{' '.join(argv)}` failed ({res.returncode}): {res.stderr.strip() or res.stdout.strip()}")
        return res

    def shell(self, command: str) -> CommandResult:
        return self.adb("shell", *shlex.split(command))

    # --- Device protocol ------------------------------------------------------------

    @property
    def driver(self) -> Any:
        if self.session.driver is None:
            raise LabError(f"{self.name}: no session; launch first")
        return self.session.driver

    def launch(self) -> None:
        t0 = time.monotonic()
        if self.endpoints.proxy:
            self.set_proxy(self.endpoints.proxy)
        self.session.open()
        self.session.mobile("activateApp", {"appId": self.package})
        self._state = AppState.FOREGROUND
        self.last_cold_start_ms = ms_since(t0)
        self._event("launch", t=t0, cold_start_ms=self.last_cold_start_ms)

    def set_proxy(self, proxy: str) -> None:
        """Route the emulator's HTTP through the lab's link (host seen at 10.0.2.2)."""
        _, _, port = proxy.rpartition(":")
        self.shell(f"settings put global http_proxy {self.profile.android.host_alias}:{port}")

    def clear_proxy(self) -> None:
        self.shell("settings put global http_proxy :0")

    def install_ca(self, pem: Path) -> str:
        """Install the mitmproxy CA in the system store (emulator started with -writable-system)."""
        h = self.runner(("openssl", "x509", "-inform", "PEM", "-subject_hash_old", "-in", str(pem), "-noout"))
        self.commands.append(h.argv)
        name = h.stdout.strip().splitlines()[0] + ".0"
        self.adb("root")
        self.adb("remount")
        self.adb("push", str(pem), f"/system/etc/security/cacerts/{name}")
        self.shell(f"chmod 644 /system/etc/security/cacerts/{name}")
        return name

    def set_airplane(self, on: bool) -> None:
        t0 = time.monotonic()
        args = {"airplaneMode": on} if on else {"airplaneMode": False, "wifi": True, "data": True}
        self.session.mobile("setConnectivity", args)
        self._event("airplane_on" if on else "airplane_off", t=None if on else t0, command="mobile: setConnectivity",
                    args=args)

    def set_network(self, kind: str) -> None:
        if kind not in NETWORK_TYPES:
            raise SpecError("network", kind, f"one of {', '.join(NETWORK_TYPES)}")
        self.session.mobile("setConnectivity", dict(_CONNECTIVITY[kind]))
        self._event("network", kind=kind)

    def set_network_speed(self, speed: str) -> None:
        allowed = ("gsm", "scsd", "gprs", "edge", "umts", "hsdpa", "lte", "evdo", "full")
        if speed not in allowed:
            raise SpecError("speed", speed, f"one of {', '.join(allowed)}")
        self.session.mobile("networkSpeed", {"speed": speed})
        self._event("network_speed", speed=speed)

    def background(self) -> None:
        self.session.mobile("backgroundApp", {"seconds": -1})
        self._state = AppState.BACKGROUND
        self._event("background")

    def foreground(self) -> None:
        t0 = time.monotonic()
        if self._state == AppState.FROZEN:
            self.unfreeze()
        self.session.mobile("activateApp", {"appId": self.package})
        self._state = AppState.FOREGROUND
        self._event("foreground", t=t0)

    def freeze(self) -> None:
        self.shell(f"am make-uid-idle {self.package}")
        self.shell(f"cmd appops set {self.package} RUN_ANY_IN_BACKGROUND ignore")
        self._state = AppState.FROZEN
        self._event("freeze", approximation="make-uid-idle + RUN_ANY_IN_BACKGROUND ignore")

    def unfreeze(self) -> None:
        t0 = time.monotonic()
        self.shell(f"cmd appops set {self.package} RUN_ANY_IN_BACKGROUND allow")
        self._state = AppState.BACKGROUND
        self._event("unfreeze", t=t0)

    def _terminate(self) -> str:
        self.shell(f"am force-stop {self.package}")
        return f"am force-stop {self.package}"

    def relaunch(self) -> None:
        if self._state != AppState.NOT_RUNNING:
            self.kill()
        t0 = time.monotonic()
        self.session.mobile("activateApp", {"appId": self.package})
        self._state = AppState.FOREGROUND
        self.last_cold_start_ms = ms_since(t0)
        self._event("relaunch", t=t0, cold_start_ms=self.last_cold_start_ms)

    def reinstall(self) -> None:
        apk = self.profile.android.apk or self.profile.capabilities.get("appium:app")
        if apk:
            self.adb("uninstall", self.package, check=False)
            self.adb("install", "-r", str(apk))
        else:
            self.shell(f"pm clear {self.package}")
        self.session.mobile("activateApp", {"appId": self.package})
        self._state = AppState.FOREGROUND
        self._event("reinstall", apk=str(apk) if apk else None)

    def screenshot(self, label: str) -> Path:
        path = self._shot_path(label)
        self.driver.get_screenshot_as_file(str(path))
        return path

    def console_logs(self) -> list[dict[str, Any]]:
        res = self.adb("logcat", "-d", "-v", "threadtime")
        self.adb("logcat", "-c")
        (self.run_dir / "logcat.txt").parent.mkdir(parents=True, exist_ok=True)
        with (self.run_dir / "logcat.txt").open("a", encoding="utf-8") as fh:
            fh.write(res.stdout)
        return [{"message": line} for line in res.stdout.splitlines() if line.strip()]

    def run_policy_op(self, op: Op) -> None:
        if op.verb == "shell":
            self.shell(op.args[0])
            if "force-stop" in op.args[0] or op.args[0].startswith("am kill"):
                self._state = AppState.NOT_RUNNING
        elif op.verb == "freeze":
            self.freeze()
        elif op.verb == "unfreeze":
            self.unfreeze()
        elif op.verb == "kill":
            self.kill()
        else:
            raise Unsupported(self.name, f"policy op {op}", "Android runs shell, freeze, unfreeze and kill")


__all__ = ["AndroidDevice"]
