"""Remote Appium / Grid device: the URL and capabilities it opens, controls through mobile: only."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import paths
from harness.device.base import Unsupported
from harness.device.factory import build_device, device_endpoints
from harness.device.policies import Op
from harness.device.profiles import RemoteProfile, load_profile
from harness.device.remote import RemoteDevice

from .fakes import Factory


def test_remote_grid(tmp_path: Path) -> None:
    prof = load_profile(paths.DEVICES / "remote-grid.yaml")
    assert isinstance(prof, RemoteProfile)
    f = Factory()
    dev = RemoteDevice(prof, run_dir=tmp_path, driver_factory=f)
    dev.launch()
    assert f.urls == ["http://grid.example.internal:4444"]
    assert f.drivers[0].caps["appium:deviceName"] == "Pixel 8"
    dev.set_airplane(True)
    dev.run_policy_op(Op("shell", ("am force-stop com.example.crm",)))
    dev.relaunch()
    with pytest.raises(Unsupported):
        dev.freeze()
    assert f.all_calls() == [
        ("mobile: activateApp", {"appId": "com.example.crm"}),
        ("mobile: setConnectivity", {"airplaneMode": True}),
        ("mobile: shell", {"command": "am", "args": ["force-stop", "com.example.crm"]}),
        ("mobile: activateApp", {"appId": "com.example.crm"}),
    ]


def test_factory_picks_backend(tmp_path: Path) -> None:
    class LabEndpoints:
        app_url = "http://127.0.0.1:5000/"
        proxy_host, proxy_port = "127.0.0.1", 6000
        appium_url = "http://127.0.0.1:4723"
        ca_cert = "/x/ca.pem"

    ep = device_endpoints(LabEndpoints())
    assert ep.proxy == "127.0.0.1:6000" and ep.app_url == "http://127.0.0.1:5000/"
    for name, cls in (("reference-doze", "ChromiumDevice"), ("android-stock", "AndroidDevice"), ("ios-bar-on", "IOSDevice")):
        dev = build_device(load_profile(paths.DEVICES / f"{name}.yaml"), endpoints=ep, run_dir=tmp_path)
        assert type(dev).__name__ == cls



def test_launch_and_relaunch_are_stamped_when_their_call_begins(tmp_path: Path) -> None:
    # through a Grid the app runs seconds before activateApp returns: what it sends then is after the launch
    import time

    class SlowFactory(Factory):
        def __call__(self, url: str, caps: dict[str, object]) -> object:
            d = super().__call__(url, caps)
            plain = d.execute_script

            def slow(script: str, args: dict[str, object]) -> object:
                time.sleep(0.3)  # the app is already running while the call is still on its way back
                return plain(script, args)

            d.execute_script = slow  # type: ignore[method-assign]
            return d

    prof = load_profile(paths.DEVICES / "remote-grid.yaml")
    assert isinstance(prof, RemoteProfile)
    dev = RemoteDevice(prof, run_dir=tmp_path, driver_factory=SlowFactory())
    began = time.monotonic()
    dev.launch()
    dev.kill()
    for name, t0 in (("launch", began), ("relaunch", time.monotonic())):
        if name == "relaunch":
            dev.relaunch()
        stamped = [e for e in dev.timeline.events if e.name == name][-1].t
        assert stamped - t0 < 0.1, f"{name} stamped {stamped - t0:.2f} s after its call began"


def test_the_stop_before_a_reset_terminates_the_app_in_the_same_session(tmp_path: Path) -> None:
    prof = load_profile(paths.DEVICES / "remote-grid.yaml")
    assert isinstance(prof, RemoteProfile)
    f = Factory()
    dev = RemoteDevice(prof, run_dir=tmp_path, driver_factory=f)
    dev.stop_app()  # no session: nothing
    dev.launch()
    dev.stop_app()
    dev.stop_app()
    assert f.all_calls() == [("mobile: activateApp", {"appId": "com.example.crm"}),
                             ("mobile: terminateApp", {"appId": "com.example.crm"})]
    assert dev.session_open and dev.state.value == "not_running"
