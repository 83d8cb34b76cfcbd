"""iOS backend, verified by the exact capabilities, mobile: calls and simctl commands it issues.

No simulator can run on this Linux machine: see docs/devices.md.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness import paths
from harness.device.base import AppState, Endpoints, Unsupported
from harness.device.ios import IOSDevice
from harness.device.policies import PolicyRunner
from harness.device.profiles import IOSProfile, load_profile, parse_profile, policy_of
from harness.timeline import Timeline

from .fakes import Factory, Runner


def make(tmp_path: Path, name: str = "ios-bar-on", **kw: object) -> tuple[IOSDevice, Factory, Runner]:
    prof = load_profile(paths.DEVICES / f"{name}.yaml")
    assert isinstance(prof, IOSProfile)
    f, r = Factory(), Runner()
    dev = IOSDevice(prof, endpoints=Endpoints(app_url="", appium_url="http://127.0.0.1:4723"), run_dir=tmp_path,
                    timeline=Timeline(), driver_factory=f, runner=r, **kw)  # type: ignore[arg-type]
    return dev, f, r


def test_capabilities_and_lifecycle(tmp_path: Path) -> None:
    dev, f, r = make(tmp_path)
    dev.launch()
    assert f.drivers[0].caps == {
        "platformName": "iOS", "appium:automationName": "XCUITest", "appium:deviceName": "iPhone 15",
        "appium:platformVersion": "17.5", "appium:bundleId": "com.example.crm", "appium:noReset": True,
    }
    dev.background()
    dev.foreground()
    dev.kill()
    assert dev.state is AppState.NOT_RUNNING
    dev.relaunch()
    assert f.all_calls() == [
        ("mobile: activateApp", {"bundleId": "com.example.crm"}),
        ("mobile: backgroundApp", {"seconds": -1}),
        ("mobile: activateApp", {"bundleId": "com.example.crm"}),
        ("mobile: terminateApp", {"bundleId": "com.example.crm"}),
        ("mobile: activateApp", {"bundleId": "com.example.crm"}),
    ]
    assert r.argvs == []


def test_simulator_cannot_toggle_network_without_radio(tmp_path: Path) -> None:
    dev, _, _ = make(tmp_path)
    with pytest.raises(Unsupported, match="no XCTest API"):
        dev.set_airplane(True)
    with pytest.raises(Unsupported):
        dev.freeze()


def test_radio_hook_stands_in_for_airplane(tmp_path: Path) -> None:
    calls: list[bool] = []
    dev, _, _ = make(tmp_path, radio=calls.append)
    dev.set_airplane(True)
    dev.set_airplane(False)
    assert calls == [False, True]
    assert [e.data["mode"] for e in dev.timeline.events] == ["link", "link"]


def test_ca_screenshot_reinstall(tmp_path: Path) -> None:
    prof = parse_profile((paths.DEVICES / "ios-bar-on.yaml").read_text().replace("  udid: booted", "  udid: ABC\n  app_path: /b/CRM.app"))
    assert isinstance(prof, IOSProfile)
    f, r = Factory(), Runner()
    dev = IOSDevice(prof, endpoints=Endpoints(app_url="", appium_url="http://a"), run_dir=tmp_path, driver_factory=f, runner=r)
    dev.launch()
    assert f.drivers[0].caps["appium:udid"] == "ABC"
    dev.install_ca(tmp_path / "ca.pem")
    shot = dev.screenshot("x")
    dev.reinstall()
    assert r.argvs == [
        ("xcrun", "simctl", "keychain", "ABC", "add-root-cert", str(tmp_path / "ca.pem")),
        ("xcrun", "simctl", "io", "ABC", "screenshot", str(shot)),
        ("xcrun", "simctl", "uninstall", "ABC", "com.example.crm"),
        ("xcrun", "simctl", "install", "ABC", "/b/CRM.app"),
    ]


def test_bar_on_policy_fires_debug_hook_periodically(tmp_path: Path) -> None:
    dev, _, r = make(tmp_path)
    dev.launch()
    dev.background()
    pol = policy_of(dev.profile).with_params({"fetch_every_s": 0.1})
    with PolicyRunner(dev, pol, "ios", timeline=dev.timeline):
        time.sleep(0.35)
    hook = ("xcrun", "simctl", "spawn", "booted", "notifyutil", "-p", "com.example.crm.debug.backgroundfetch")
    assert 2 <= r.argvs.count(hook) <= 4
    assert set(r.argvs) == {hook}


def test_bar_off_policy_issues_nothing(tmp_path: Path) -> None:
    dev, _, r = make(tmp_path, "ios-bar-off")
    dev.launch()
    dev.background()
    with PolicyRunner(dev, policy_of(dev.profile), "ios"):
        time.sleep(0.2)
    assert r.argvs == []


def test_the_stop_before_a_reset_terminates_the_app_and_keeps_the_session(tmp_path: Path) -> None:
    dev, f, r = make(tmp_path)
    dev.stop_app()  # no session yet: nothing to stop
    dev.launch()
    dev.stop_app()
    dev.stop_app()  # stopped already: nothing more
    assert f.all_calls() == [("mobile: activateApp", {"bundleId": "com.example.crm"}),
                             ("mobile: terminateApp", {"bundleId": "com.example.crm"})]
    assert dev.state is AppState.NOT_RUNNING and dev.session_open and len(f.drivers) == 1
    assert [(e.kind, e.name) for e in dev.timeline.events][-1] == ("log", "app.stopped")
