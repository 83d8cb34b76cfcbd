"""A local Appium chromium session's commands go straight to its chromedriver; the session's start and end, and a
command now and then, go through Appium. Real Appium, chromedriver and Chromium against the static site."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.device import chromedriver_route
from harness.device.base import Endpoints
from harness.device.chromedriver_route import ChromedriverRoute, chromedriver_session
from harness.device.chromium import ChromiumDevice
from harness.timeline import Timeline

from .conftest import Site
from .test_chromium import _profile

pytestmark = [pytest.mark.browser, pytest.mark.processes]


class Counted:
    """Counts the commands an executor is sent."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.commands: list[str] = []
        original = inner.execute

        def execute(command: str, params: Any) -> Any:
            self.commands.append(command)
            return original(command, params)

        inner.execute = execute


@pytest.fixture()
def opened(appium_url: str, site: Site, tmp_path: Path) -> Iterator[ChromiumDevice]:
    dev = ChromiumDevice(_profile(), endpoints=Endpoints(app_url=site.url, appium_url=appium_url),
                         run_dir=tmp_path, timeline=Timeline(tmp_path / "timeline.jsonl"))
    dev.launch()
    yield dev
    dev.quit()


def _port(dev: ChromiumDevice) -> int:
    route = dev.driver.command_executor
    assert isinstance(route, ChromedriverRoute)
    return int(route.direct.client_config.remote_server_addr.rsplit(":", 1)[1])


def _sessions(port: int) -> list[Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sessions", timeout=2) as r:
            return list(json.loads(r.read())["value"])
    except OSError:
        return None  # chromedriver is gone


def test_the_commands_between_start_and_end_skip_appium(opened: ChromiumDevice) -> None:
    route = opened.driver.command_executor
    assert isinstance(route, ChromedriverRoute)
    assert opened.timeline.events[0].data["direct_chromedriver"] is True
    appium = Counted(route.appium)
    direct = Counted(route.direct)
    assert opened.driver.execute_script("return 6 * 7") == 42
    button = opened.driver.find_element("css selector", "body")
    assert button.tag_name == "body"
    opened.cdp.execute("Runtime.evaluate", {"expression": "1"})
    assert appium.commands == []
    assert direct.commands == ["w3cExecuteScript", "findElement", "getElementTagName", "harnessCdpExecute"]
    # the same session: the element id Appium's session would use, chromedriver's own session id
    assert route.session_id != opened.driver.session_id
    assert [s["id"] for s in _sessions(_port(opened)) or []] == [route.session_id]


def test_one_command_a_minute_goes_through_appium(opened: ChromiumDevice, monkeypatch: pytest.MonkeyPatch) -> None:
    route = opened.driver.command_executor
    appium = Counted(route.appium)
    monkeypatch.setattr(chromedriver_route, "KEEPALIVE_S", 0.0)
    assert opened.driver.execute_script("return 1") == 1
    assert appium.commands == ["w3cExecuteScript"]  # answered by Appium's proxy to the same session


def test_the_end_goes_through_appium_and_ends_chromedriver_too(appium_url: str, site: Site, tmp_path: Path) -> None:
    dev = ChromiumDevice(_profile(), endpoints=Endpoints(app_url=site.url, appium_url=appium_url),
                         run_dir=tmp_path, timeline=Timeline(tmp_path / "timeline.jsonl"))
    dev.launch()
    port = _port(dev)
    appium = Counted(dev.driver.command_executor.appium)
    dev.quit()
    assert appium.commands == ["quit"]
    assert not _sessions(port)


def test_another_profile_folder_is_not_this_session(opened: ChromiumDevice, tmp_path: Path) -> None:
    port = _port(opened)
    assert chromedriver_session(port, opened.user_data_dir) == opened.driver.command_executor.session_id
    assert chromedriver_session(port, tmp_path / "elsewhere") is None
    assert chromedriver_session(1, opened.user_data_dir) is None  # nothing listening


def test_switched_off_every_command_goes_through_appium(appium_url: str, site: Site, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_DIRECT_CHROMEDRIVER", "0")
    dev = ChromiumDevice(_profile(), endpoints=Endpoints(app_url=site.url, appium_url=appium_url),
                         run_dir=tmp_path, timeline=Timeline(tmp_path / "timeline.jsonl"))
    dev.launch()
    try:
        assert not isinstance(dev.driver.command_executor, ChromedriverRoute)
        assert dev.timeline.events[0].data["direct_chromedriver"] is False
        assert dev.driver.execute_script("return 1") == 1
    finally:
        dev.quit()


def test_what_only_appium_answers_goes_to_appium(opened: ChromiumDevice) -> None:
    route = opened.driver.command_executor
    assert route._through_appium("newSession", {})
    assert route._through_appium("quit", {})
    assert route._through_appium("findElement", {"using": "-image", "value": "b64"})
    route.add_command("appiumThing", "GET", "/session/$sessionId/appium/device/thing")
    assert route._through_appium("appiumThing", {})
    assert not route._through_appium("findElement", {"using": "css selector", "value": "body"})
    assert not route._through_appium("w3cExecuteScript", {"script": "", "args": []})


def test_a_remote_appium_is_never_bypassed(opened: ChromiumDevice) -> None:
    drv = opened.driver
    before = drv.command_executor
    assert chromedriver_route.route(drv, appium_url="http://farm.example:4723", port=_port(opened),
                                    user_data_dir=opened.user_data_dir) is None
    assert drv.command_executor is before
