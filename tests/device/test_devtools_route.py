"""The harness's own value scripts and input events go to the page over the DevTools protocol; everything else, and
what the page cannot answer now, through chromedriver. Real Appium, chromedriver and Chromium against the static
site; the rules of which command goes where without a browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import JavascriptException
from selenium.webdriver.remote.webelement import WebElement

from harness.device import devtools_route
from harness.device.base import Endpoints
from harness.device.chromedriver_route import ChromedriverRoute
from harness.device.chromium import ChromiumDevice
from harness.device.devtools_route import MARK, takes
from harness.timeline import Timeline

from .conftest import Site
from .test_chromedriver_route import Counted, opened  # noqa: F401 (opened: the launched device, a fixture)
from .test_chromium import _profile

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def test_only_marked_scripts_with_plain_arguments_and_input_events_are_taken() -> None:
    assert takes("w3cExecuteScript", {"script": MARK + "read */ return 1", "args": [1, {"a": [2]}]})
    assert takes("w3cExecuteScriptAsync", {"script": MARK + "wait */ arguments[0]()", "args": []})
    assert not takes("w3cExecuteScript", {"script": "return 1", "args": []})  # a script of the app's plugin
    assert not takes("w3cExecuteScript", {"script": MARK + "x */", "args": [{"k": {ELEMENT: "id-1"}}]})
    assert takes("harnessCdpExecute", {"cmd": "Input.dispatchMouseEvent", "params": {}})
    assert not takes("harnessCdpExecute", {"cmd": "Network.emulateNetworkConditions", "params": {}})
    assert not takes("findElement", {"using": "css selector", "value": "body"})
    # the snapshot's handle lookup returns an element: offered to the page, it would only come back for chromedriver
    from harness.app.snapshot import RESOLVE_JS

    assert not takes("w3cExecuteScript", {"script": RESOLVE_JS, "args": [{"__harnessRef": ["d", 1]}]})




class _LostAnswer:
    """A WebSocket that takes a message and then breaks before its answer."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def settimeout(self, t: float) -> None:
        pass

    def send(self, msg: str) -> None:
        self.sent.append(msg)

    def recv(self) -> str:
        raise ConnectionResetError("gone")

    def close(self) -> None:
        pass


def test_an_input_event_whose_answer_is_lost_is_not_sent_again_a_script_is() -> None:
    from selenium.common.exceptions import WebDriverException

    channel = devtools_route.PageChannel("127.0.0.1:1", lambda: "tab")
    ws = _LostAnswer()
    channel._connect = lambda: ws  # type: ignore[method-assign]
    with pytest.raises(devtools_route.NotHere):  # a script: chromedriver runs it again (reads are idempotent)
        channel.send("Runtime.evaluate", {"expression": "1"})
    with pytest.raises(WebDriverException, match="answer lost"):  # a tap may have landed: not a second one
        channel.send("Input.dispatchMouseEvent", {"type": "mousePressed"})
    assert len(ws.sent) == 2

    def refused() -> Any:
        raise ConnectionRefusedError("no browser")

    channel._connect = refused  # type: ignore[method-assign]
    with pytest.raises(devtools_route.NotHere):  # never sent: chromedriver sends it
        channel.send("Input.dispatchMouseEvent", {"type": "mousePressed"})


class Sent:
    """Counts what the route's page channel is sent."""

    def __init__(self, route: ChromedriverRoute) -> None:
        assert route.page is not None
        self.methods: list[str] = []
        original = route.page.send

        def send(method: str, params: dict[str, Any], timeout_s: float | None = None) -> dict[str, Any]:
            self.methods.append(method)
            return original(method, params, timeout_s)

        route.page.send = send  # type: ignore[method-assign]


def _route(dev: ChromiumDevice) -> ChromedriverRoute:
    route = dev.driver.command_executor
    assert isinstance(route, ChromedriverRoute)
    return route


@pytest.mark.browser
@pytest.mark.processes
def test_a_marked_script_is_one_devtools_message_and_answers_as_chromedriver_does(opened: ChromiumDevice) -> None:
    route = _route(opened)
    assert opened.driver.execute_script(MARK + "warm */ return 1") == 1  # the WebSocket opened (the window asked)
    sent, direct = Sent(route), Counted(route.direct)
    script = MARK + "probe */ return {sum: arguments[0] + arguments[1].n, title: document.title, none: undefined};"
    got = opened.driver.execute_script(script, 40, {"n": 2})
    assert sent.methods == ["Runtime.evaluate"] and direct.commands == []
    plain = opened.driver.execute_script(script.replace(MARK, "/* plain "), 40, {"n": 2})  # chromedriver's answer
    assert direct.commands == ["w3cExecuteScript"]
    assert got == plain and got["sum"] == 42 and got["title"]
    wait = MARK + "wait */ const done = arguments[arguments.length - 1]; setTimeout(() => done(arguments[0] * 2), 30);"
    assert opened.driver.execute_async_script(wait, 21) == 42
    assert sent.methods == ["Runtime.evaluate", "Runtime.evaluate"]


@pytest.mark.browser
@pytest.mark.processes
def test_an_error_in_the_page_is_a_javascript_error(opened: ChromiumDevice) -> None:
    sent = Sent(_route(opened))
    with pytest.raises(JavascriptException, match="nope"):
        opened.driver.execute_script(MARK + "throws */ throw new Error('nope');")
    assert sent.methods == ["Runtime.evaluate"]


@pytest.mark.browser
@pytest.mark.processes
def test_a_script_that_hands_out_an_element_gets_its_handle_from_chromedriver(opened: ChromiumDevice) -> None:
    route = _route(opened)
    assert opened.driver.execute_script(MARK + "warm */ return 1") == 1
    sent, direct = Sent(route), Counted(route.direct)
    el = opened.driver.execute_script(MARK + "element */ return [document.body];")[0]
    assert isinstance(el, WebElement) and el.tag_name == "body"
    assert sent.methods == ["Runtime.evaluate"]  # asked once, then run again where a handle can be made
    assert direct.commands[0] == "w3cExecuteScript"
    # a handle in the arguments: chromedriver resolves it
    assert opened.driver.execute_script(MARK + "arg */ return arguments[0].tagName;", el) == "BODY"
    assert sent.methods == ["Runtime.evaluate"]


@pytest.mark.browser
@pytest.mark.processes
def test_the_page_is_the_current_windows_one(opened: ChromiumDevice) -> None:
    drv = opened.driver
    read = MARK + "where */ return window.__tab || 'first';"
    assert drv.execute_script(read) == "first"
    first = drv.current_window_handle
    drv.switch_to.new_window("tab")
    drv.execute_script("window.__tab = 'second'")
    assert drv.execute_script(read) == "second"
    drv.close()
    drv.switch_to.window(first)
    assert drv.execute_script(read) == "first"


@pytest.mark.browser
@pytest.mark.processes
def test_taps_go_to_the_page_and_reach_it(opened: ChromiumDevice) -> None:
    route = _route(opened)
    sent = Sent(route)
    opened.driver.execute_script(
        "window.__clicks = 0; document.addEventListener('click', () => { window.__clicks += 1; });")
    for kind in ("mousePressed", "mouseReleased"):
        opened.cdp.execute("Input.dispatchMouseEvent", {"type": kind, "x": 5, "y": 5, "button": "left",
                                                       "clickCount": 1})
    assert sent.methods == ["Input.dispatchMouseEvent", "Input.dispatchMouseEvent"]
    assert opened.driver.execute_script("return window.__clicks") == 1


@pytest.mark.browser
@pytest.mark.processes
def test_a_reload_meanwhile_is_answered_by_the_new_document(opened: ChromiumDevice) -> None:
    drv = opened.driver
    read = MARK + "mark */ return window.__old === true;"
    drv.execute_script("window.__old = true")
    assert drv.execute_script(read) is True
    drv.refresh()
    assert drv.execute_script(read) is False


@pytest.mark.browser
@pytest.mark.processes
def test_switched_off_every_command_goes_through_chromedriver(appium_url: str, site: Site, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_DEVTOOLS_SCRIPTS", "0")
    assert not devtools_route.enabled()
    dev = ChromiumDevice(_profile(), endpoints=Endpoints(app_url=site.url, appium_url=appium_url),
                         run_dir=tmp_path, timeline=Timeline(tmp_path / "timeline.jsonl"))
    dev.launch()
    try:
        route = _route(dev)
        assert route.page is None
        direct = Counted(route.direct)
        assert dev.driver.execute_script(MARK + "x */ return 1") == 1
        assert direct.commands == ["w3cExecuteScript"]
    finally:
        dev.quit()


@pytest.mark.browser
@pytest.mark.processes
def test_the_script_timeout_is_the_sessions_even_when_set_through_appium(opened: ChromiumDevice,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.device import chromedriver_route

    route = _route(opened)
    appium = Counted(route.appium)
    monkeypatch.setattr(chromedriver_route, "KEEPALIVE_S", 0.0)  # this command is the one a minute through Appium
    opened.driver.set_script_timeout(7)
    assert appium.commands == ["setTimeouts"]
    assert route._script_timeout_s == 7.0
