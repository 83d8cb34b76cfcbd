"""Device profiles are validated eagerly: every bad profile names file, line, field."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import paths
from harness.device.profiles import (
    AndroidProfile, ChromiumProfile, IOSProfile, RemoteProfile, can_run_here, load_profile, load_profiles,
    parse_profile, policy_of,
)
from harness.errors import SpecError

GOOD = """\
name: ref
backend: chromium
policy: doze
policy_params: {idle_after_s: 2}
capabilities:
  platformName: linux
  appium:automationName: Chromium
"""


def test_shipped_profiles_all_load() -> None:
    profiles = load_profiles(paths.DEVICES)
    names = set(profiles)
    for policy in ("unrestricted", "doze", "samsung-sleeping", "xiaomi-killer", "huawei", "ios-bar-off", "ios-bar-on"):
        assert f"reference-{policy}" in names
    assert {"android-stock", "android-samsung", "android-xiaomi", "android-huawei", "ios-bar-on", "ios-bar-off", "remote-grid"} <= names
    assert isinstance(profiles["android-xiaomi"], AndroidProfile)
    assert isinstance(profiles["ios-bar-on"], IOSProfile)
    assert isinstance(profiles["remote-grid"], RemoteProfile)
    assert profiles["reference-ios-bar-on"].policy == "ios_bar_on"


def test_good_profile_and_param_override() -> None:
    prof = parse_profile(GOOD, file="ref.yaml")
    assert isinstance(prof, ChromiumProfile)
    assert policy_of(prof).params["idle_after_s"] == 2.0
    assert prof.chromium.viewport.width == 390


@pytest.mark.parametrize(
    ("text", "field", "line"),
    [
        # unknown top-level field
        (GOOD + "colour: red\n", "colour", 8),
        # unknown nested field
        (GOOD + "chromium:\n  viewport: {width: 390, hieght: 800}\n", "chromium.viewport.hieght", 9),
        # missing required capability
        (GOOD.replace("  appium:automationName: Chromium\n", ""), "capabilities.appium:automationName", 5),
        # wrong automationName
        (GOOD.replace("Chromium\n", "XCUITest\n"), "capabilities.appium:automationName", 7),
        # unknown policy
        (GOOD.replace("policy: doze", "policy: sleepy"), "policy", 3),
        # policy the backend cannot express
        (GOOD.replace("backend: chromium", "backend: android").replace("linux", "Android")
             .replace("Chromium", "UiAutomator2\n  appium:appPackage: x").replace("policy: doze", "policy: ios_bar_on"),
         "policy", 3),
        # unknown policy parameter
        (GOOD.replace("idle_after_s", "nap_s"), "policy_params.nap_s", 4),
        # policy timings that never come, or a window that opens on every tick
        (GOOD.replace("idle_after_s: 2", "idle_after_s: .nan"), "policy_params.idle_after_s", 4),
        (GOOD.replace("idle_after_s: 2", "idle_after_s: 1e308"), "policy_params.idle_after_s", 4),
        (GOOD.replace("idle_after_s: 2", "window_every_s: 0"), "policy_params.window_every_s", 4),
        # an infinite screen density; a capability JSON cannot carry
        (GOOD + "chromium:\n  viewport: {pixel_ratio: .inf}\n", "chromium.viewport.pixel_ratio", 9),
        (GOOD + "  appium:newCommandTimeout: .nan\n", "capabilities.appium:newCommandTimeout", 8),
        # unknown backend
        (GOOD.replace("backend: chromium", "backend: symbian"), "backend", 2),
        # a backend that is no name (a list is unhashable: this was a TypeError)
        (GOOD.replace("backend: chromium", "backend: [chromium]"), "backend", 2),
        # missing capabilities block altogether
        ("name: x\nbackend: ios\n", "capabilities", 1),
        # android without appPackage
        ("backend: android\ncapabilities:\n  platformName: Android\n  appium:automationName: UiAutomator2\n",
         "capabilities.appium:appPackage", 2),
        # bad emulator speed
        ("backend: android\ncapabilities: {platformName: Android, appium:automationName: UiAutomator2, appium:appPackage: p}\n"
         "android:\n  netspeed: 5g\n", "android.netspeed", 4),
        # remote without URL
        ("backend: remote\ncapabilities: {platformName: Android, appium:automationName: UiAutomator2}\n", "appium_url", 1),
    ],
)
def test_bad_profiles_rejected_with_file_line_field(text: str, field: str, line: int) -> None:
    with pytest.raises(SpecError) as ei:
        parse_profile(text, file="devices/bad.yaml")
    err = ei.value
    assert err.field == field
    assert err.file == "devices/bad.yaml"
    assert err.line == line, str(err)
    assert str(err).startswith(f"devices/bad.yaml:{line}: {field}")


def test_broken_yaml_names_line() -> None:
    with pytest.raises(SpecError) as ei:
        parse_profile("name: x\nbackend: [chromium\n", file="b.yaml")
    assert ei.value.file == "b.yaml" and ei.value.line is not None


def test_load_profiles_rejects_whole_dir_and_duplicates(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(SpecError, match="unique profile name"):
        load_profiles(tmp_path)
    (tmp_path / "b.yaml").write_text(GOOD.replace("name: ref", "name: other") + "bogus: 1\n")
    with pytest.raises(SpecError) as ei:
        load_profiles(tmp_path)
    assert ei.value.file == str(tmp_path / "b.yaml") and ei.value.field == "bogus"


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    p = tmp_path / "my-phone.yaml"
    p.write_text(GOOD.replace("name: ref\n", ""))
    assert load_profile(p).name == "my-phone"


def test_can_run_here_says_why_not() -> None:
    profiles = load_profiles(paths.DEVICES)
    ok, why = can_run_here(profiles["ios-bar-on"])
    assert not ok and "macOS" in why
    ok, why = can_run_here(profiles["android-stock"])
    assert not ok and ("adb" in why or "kvm" in why.lower())
    ok, why = can_run_here(profiles["remote-grid"], probe_timeout_s=0.5)
    assert not ok and "not reachable" in why
    ok, why = can_run_here(profiles["reference-unrestricted"])
    assert ok, why


def test_a_browser_binary_that_does_not_exist_is_a_configuration_error_before_anything_runs(tmp_path: Path) -> None:
    """Not a failed scenario: `harness run` checks can_run_here before it starts a lab (exit 2, this message)."""
    p = tmp_path / "ghost.yaml"
    p.write_text(GOOD + "chromium: {binary: /opt/no-such/chromium}\n")
    ok, why = can_run_here(load_profile(p))
    assert not ok and "chromium.binary" in why and "/opt/no-such/chromium" in why and "Fix:" in why
    not_executable = tmp_path / "chromedriver"
    not_executable.write_text("#!/bin/sh\n")  # there, but not executable
    p.write_text(GOOD + f"chromium: {{chromedriver: {not_executable}}}\n")
    ok, why = can_run_here(load_profile(p))
    assert not ok and "chromium.chromedriver" in why
