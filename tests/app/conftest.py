"""End-to-end fixtures: one Lab (refapp, toxiproxy, mitmdump, Appium) per module, a fresh device per test.

Each test gets a reset and seeded backend, its own run folder (timeline,
screenshots, console log) and a reference device with an empty
user-data-dir (a fresh install), driven through the lab's chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.app import App, load_app_profile
from harness.device.chromium import ChromiumDevice
from harness.device.factory import build_device, device_endpoints
from harness.device.profiles import find_profile
from harness.timeline import Timeline


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from harness.lab.lab import Lab, LabConfig

    with Lab(LabConfig(run_dir=tmp_path_factory.mktemp("lab"), appium=True)) as lab:
        yield lab


@dataclass
class Rig:
    lab: object
    device: ChromiumDevice
    app: App
    timeline: Timeline
    run_dir: Path


def make_rig(lab: object, run_dir: Path, device_name: str = "reference-unrestricted") -> Rig:
    admin = lab.admin  # type: ignore[attr-defined]
    admin.reset()
    admin.seed(seed=1)
    tl = Timeline(run_dir / "timeline.jsonl")
    lab.set_timeline(tl)  # type: ignore[attr-defined]
    profile = load_app_profile("refapp")
    holder: dict[str, ChromiumDevice] = {}
    app = App(lambda: holder["d"].driver, profile, timeline=tl, offline_belief=lambda: holder["d"].offline)
    ep = device_endpoints(lab.endpoints, app_url=app.launch_url(lab.endpoints.app_url))  # type: ignore[attr-defined]
    dev = build_device(find_profile(device_name), endpoints=ep, run_dir=run_dir, timeline=tl)
    assert isinstance(dev, ChromiumDevice)
    holder["d"] = dev
    return Rig(lab, dev, app, tl, run_dir)


@pytest.fixture()
def rig(lab: object, tmp_path: Path) -> Iterator[Rig]:
    r = make_rig(lab, tmp_path)
    r.device.launch()
    r.app.shell.wait_ready()
    yield r
    try:
        if r.device.state.value != "not_running" and r.device.state.value != "frozen":
            r.device.screenshot("teardown")
    finally:
        r.device.quit()
