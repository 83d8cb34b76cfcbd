"""Android backend, verified by the exact capabilities, mobile: calls and adb commands it issues.

No emulator can boot on this machine (no SDK, no KVM): see docs/devices.md.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness import paths
from harness.device.android import AndroidDevice
from harness.device.base import AppState, Endpoints
from harness.device.policies import PolicyRunner
from harness.device.profiles import AndroidProfile, load_profile, policy_of
from harness.errors import SpecError
from harness.timeline import Timeline

from .fakes import Factory, Runner

ADB = ("adb", "-s", "emulator-5554")


def make(tmp_path: Path, name: str = "android-xiaomi") -> tuple[AndroidDevice, Factory, Runner]:
    prof = load_profile(paths.DEVICES / f"{name}.yaml")
    assert isinstance(prof, AndroidProfile)
    f, r = Factory(), Runner(outputs={"subject_hash_old": "c8750f0d\n"})
    dev = AndroidDevice(prof, endpoints=Endpoints(app_url="", proxy="127.0.0.1:43001", appium_url="http://127.0.0.1:4723"),
                        run_dir=tmp_path, timeline=Timeline(), driver_factory=f, runner=r)
    return dev, f, r


def test_capabilities(tmp_path: Path) -> None:
    dev, f, _ = make(tmp_path)
    dev.launch()
    assert f.urls == ["http://127.0.0.1:4723"]
    assert f.drivers[0].caps == {
        "platformName": "Android",
        "appium:automationName": "UiAutomator2",
        "appium:avd": "Pixel_8_API_34",
        "appium:appPackage": "com.example.crm",
        "appium:appActivity": ".MainActivity",
        "appium:noReset": True,
        "appium:newCommandTimeout": 300,
        "appium:udid": "emulator-5554",
        "appium:avdArgs": "-netspeed full",
    }


def test_launch_sets_proxy_then_activates(tmp_path: Path) -> None:
    dev, f, r = make(tmp_path)
    dev.launch()
    assert r.argvs == [ADB + ("shell", "settings", "put", "global", "http_proxy", "10.0.2.2:43001")]
    assert f.all_calls() == [("mobile: activateApp", {"appId": "com.example.crm"})]
    assert dev.state is AppState.FOREGROUND


def test_lifecycle_calls(tmp_path: Path) -> None:
    dev, f, r = make(tmp_path)
    dev.launch()
    r.argvs.clear()
    dev.set_airplane(True)
    dev.set_airplane(False)
    dev.set_network("cellular")
    dev.set_network_speed("edge")
    dev.background()
    dev.freeze()
    dev.foreground()
    dev.kill()
    dev.relaunch()
    dev.reinstall()
    assert f.all_calls()[1:] == [
        ("mobile: setConnectivity", {"airplaneMode": True}),
        ("mobile: setConnectivity", {"airplaneMode": False, "wifi": True, "data": True}),
        ("mobile: setConnectivity", {"wifi": False, "data": True}),
        ("mobile: networkSpeed", {"speed": "edge"}),
        ("mobile: backgroundApp", {"seconds": -1}),
        ("mobile: activateApp", {"appId": "com.example.crm"}),
        ("mobile: activateApp", {"appId": "com.example.crm"}),
        ("mobile: activateApp", {"appId": "com.example.crm"}),
    ]
    assert r.argvs == [
        ADB + ("shell", "am", "make-uid-idle", "com.example.crm"),
        ADB + ("shell", "cmd", "appops", "set", "com.example.crm", "RUN_ANY_IN_BACKGROUND", "ignore"),
        ADB + ("shell", "cmd", "appops", "set", "com.example.crm", "RUN_ANY_IN_BACKGROUND", "allow"),
        ADB + ("shell", "am", "force-stop", "com.example.crm"),
        ADB + ("shell", "pm", "clear", "com.example.crm"),
    ]
    names = [e.name for e in dev.timeline.events]
    assert names == ["launch", "airplane_on", "airplane_off", "network", "network_speed", "background", "freeze",
                     "unfreeze", "foreground", "kill", "relaunch", "reinstall"]


def test_dead_session_is_reopened_with_no_reset(tmp_path: Path) -> None:
    dev, f, _ = make(tmp_path)
    dev.launch()
    f.drivers[0].fail_next.append(RuntimeError("InvalidSessionIdException: session is either terminated or not started"))
    dev.set_airplane(True)
    assert len(f.drivers) == 2
    assert f.drivers[1].caps["appium:noReset"] is True
    assert f.drivers[1].calls == [("mobile: setConnectivity", {"airplaneMode": True})]
    assert any(e.name == "session_reopened" for e in dev.timeline.events)


def test_other_errors_are_not_swallowed(tmp_path: Path) -> None:
    dev, f, _ = make(tmp_path)
    dev.launch()
    f.drivers[0].fail_next.append(ValueError("unknown mobile command"))
    with pytest.raises(ValueError):
        dev.set_airplane(True)
    assert len(f.drivers) == 1


def test_bad_values(tmp_path: Path) -> None:
    dev, _, _ = make(tmp_path)
    dev.launch()
    with pytest.raises(SpecError):
        dev.set_network("5g")
    with pytest.raises(SpecError):
        dev.set_network_speed("warp")


def test_install_ca_system_store(tmp_path: Path) -> None:
    dev, _, r = make(tmp_path)
    pem = tmp_path / "ca.pem"
    assert dev.install_ca(pem) == "c8750f0d.0"
    assert r.argvs == [
        ("openssl", "x509", "-inform", "PEM", "-subject_hash_old", "-in", str(pem), "-noout"),
        ADB + ("root",),
        ADB + ("remount",),
        ADB + ("push", str(pem), "/system/etc/security/cacerts/c8750f0d.0"),
        ADB + ("shell", "chmod", "644", "/system/etc/security/cacerts/c8750f0d.0"),
    ]


def test_logcat_to_run_folder(tmp_path: Path) -> None:
    dev, _, r = make(tmp_path)
    r.outputs["logcat -d"] = "11-28 08:00:00.000  1  1 I crm: sync ok\n"
    lines = dev.console_logs()
    assert lines == [{"message": "11-28 08:00:00.000  1  1 I crm: sync ok"}]
    assert r.argvs[-2:] == [ADB + ("logcat", "-d", "-v", "threadtime"), ADB + ("logcat", "-c")]
    assert "sync ok" in (tmp_path / "logcat.txt").read_text()


@pytest.mark.parametrize(
    ("profile", "params", "wait_s", "expected"),
    [
        ("android-xiaomi", {"kill_after_s": 0.1}, 0.3, [("shell", "am", "force-stop", "com.example.crm")]),
        ("android-samsung", {"sleep_after_s": 0.05}, 0.2, [
            ("shell", "dumpsys", "battery", "unplug"),
            ("shell", "am", "set-standby-bucket", "com.example.crm", "restricted"),
            ("shell", "cmd", "appops", "set", "com.example.crm", "RUN_ANY_IN_BACKGROUND", "ignore"),
            ("shell", "cmd", "appops", "set", "com.example.crm", "RUN_ANY_IN_BACKGROUND", "allow"),
            ("shell", "am", "set-standby-bucket", "com.example.crm", "active"),
            ("shell", "dumpsys", "battery", "reset"),
        ]),
        ("android-huawei", {"idle_after_s": 0.05, "kill_after_s": 0.15}, 0.3, [
            ("shell", "dumpsys", "battery", "unplug"),
            ("shell", "cmd", "appops", "set", "com.example.crm", "RUN_ANY_IN_BACKGROUND", "ignore"),
            ("shell", "dumpsys", "deviceidle", "force-idle"),
            ("shell", "am", "make-uid-idle", "com.example.crm"),
            ("shell", "am", "kill", "com.example.crm"),
        ]),
    ],
)
def test_policies_issue_adb_commands(tmp_path: Path, profile: str, params: dict[str, float], wait_s: float,
                                     expected: list[tuple[str, ...]]) -> None:
    dev, _, r = make(tmp_path, profile)
    dev.launch()
    dev.background()
    r.argvs.clear()
    pol = policy_of(dev.profile).with_params(params)
    with PolicyRunner(dev, pol, "android", package=dev.package, timeline=dev.timeline):
        time.sleep(wait_s)
    assert r.argvs == [ADB + e for e in expected]


def test_steps_that_release_the_app_are_stamped_when_their_call_begins(tmp_path: Path) -> None:
    """Through a Grid or a cloud farm the app runs again seconds before the call returns; what it sends then
    must not look as if sent while it was still backgrounded, killed or offline."""
    dev, f, _ = make(tmp_path)
    dev.launch()
    driver = f.drivers[0]
    plain = driver.execute_script

    def slow(script: str, args: dict[str, object]) -> object:
        time.sleep(0.3)  # the app is already running while the call is still on its way back
        return plain(script, args)

    driver.execute_script = slow  # type: ignore[method-assign]

    def stamp(step: object, name: str) -> tuple[float, float]:
        t0 = time.monotonic()
        step()  # type: ignore[operator]
        return t0, [e for e in dev.timeline.events if e.name == name][-1].t

    dev.background()
    for step, name in ((dev.foreground, "foreground"), (dev.kill, "kill"), (dev.relaunch, "relaunch"),
                       (lambda: dev.set_airplane(True), "airplane_on"), (lambda: dev.set_airplane(False), "airplane_off")):
        began, stamped = stamp(step, name)
        if name in ("kill", "airplane_on"):
            continue  # steps that hold the app back are stamped when done
        assert stamped - began < 0.1, f"{name} stamped {stamped - began:.2f} s after its call began"


def test_the_stop_before_a_reset_force_stops_the_app_and_keeps_the_session(tmp_path: Path) -> None:
    dev, f, r = make(tmp_path)
    dev.stop_app()  # no session yet: nothing to stop
    assert r.argvs == [] and not dev.session_open
    dev.launch()
    r.argvs.clear()
    dev.stop_app("/ignored-by-a-phone")
    dev.stop_app()  # stopped already: nothing more
    assert r.argvs == [ADB + ("shell", "am", "force-stop", "com.example.crm")]
    assert dev.state is AppState.NOT_RUNNING and dev.session_open
    events = dev.timeline.events
    assert [e.name for e in events] == ["launch", "app.stopped"] and events[-1].kind == "log"  # not a kill step


def test_a_reset_after_the_stop_reinstalls_in_the_same_session_without_starting_the_old_app(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from harness.scenario.executor import StepExecutor

    dev, f, r = make(tmp_path)
    dev.launch()
    dev.stop_app()
    ex = StepExecutor.__new__(StepExecutor)  # only what fresh_install touches
    ex.device, ex.timeline = dev, dev.timeline
    ex.app = SimpleNamespace(shell=SimpleNamespace(wait_ready=lambda timeout_s=None: None))
    ex.fresh_install()
    assert len(f.drivers) == 1, "a launch would have opened a second session"
    assert f.all_calls() == [("mobile: activateApp", {"appId": "com.example.crm"})] * 2  # the launch, the reinstall's
    assert r.argvs[-2:] == [ADB + ("shell", "am", "force-stop", "com.example.crm"),
                            ADB + ("shell", "pm", "clear", "com.example.crm")]
    assert dev.state is AppState.FOREGROUND
