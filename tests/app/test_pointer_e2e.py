"""Taps and typing as CDP input events on the reference device: they land as a user's do (trusted events, the
field's value), and a tap that cannot land raises what chromedriver's click raises. Real Appium + Chromium +
refapp, with a few controls added to its page."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.common.exceptions import ElementClickInterceptedException, ElementNotInteractableException

from harness.app import pointer

from .conftest import Rig

pytestmark = [pytest.mark.browser, pytest.mark.processes]

CONTROLS = """
const box = document.createElement('div');
box.id = 'hx-pointer';
box.innerHTML = `
  <button data-p="tap">Tap</button>
  <div style="height: 3000px"></div>
  <button data-p="far">Far down</button>
  <div style="position: relative">
    <button data-p="under">Under</button>
    <div data-p="cover" style="position: absolute; inset: 0; background: white">cover</div>
  </div>
  <button data-p="gone" style="display: none">Gone</button>
  <input data-p="text" value="old words">
  <input data-p="number" type="number" value="12">
  <textarea data-p="area">first line</textarea>
  <input data-p="date" type="date">`;
document.body.prepend(box);
window.hxEvents = [];
for (const el of box.querySelectorAll('[data-p]')) {
  for (const kind of ['click', 'input', 'pointerdown']) {
    el.addEventListener(kind, (e) => window.hxEvents.push([el.dataset.p, kind, e.isTrusted]));
  }
}
"""


def _el(rig: Rig, name: str) -> Any:
    return rig.device.driver.find_element("css selector", f"[data-p={name}]")


@pytest.fixture()
def page(rig: Rig) -> Rig:
    rig.device.driver.execute_script(CONTROLS)
    return rig


def _events(rig: Rig) -> list[list[Any]]:
    return list(rig.device.driver.execute_script("return window.hxEvents"))


def test_a_tap_is_the_browser_s_own_pointer_event(page: Rig) -> None:
    drv = page.device.driver
    assert pointer.tap(drv, _el(page, "tap")) is True
    assert _events(page) == [["tap", "pointerdown", True], ["tap", "click", True]]
    assert pointer.tap(drv, _el(page, "far")) is True  # scrolled into view first
    assert _events(page)[-1] == ["far", "click", True]


def test_a_covered_control_raises_as_chromedriver_does(page: Rig) -> None:
    drv = page.device.driver
    with pytest.raises(ElementClickInterceptedException) as mine:
        pointer.tap(drv, _el(page, "under"))
    assert "div" in str(mine.value) and "would receive the click" in str(mine.value)
    with pytest.raises(ElementClickInterceptedException):  # chromedriver's own click agrees
        _el(page, "under").click()
    with pytest.raises(ElementNotInteractableException):
        pointer.tap(drv, _el(page, "gone"))
    with pytest.raises(ElementNotInteractableException):
        _el(page, "gone").click()
    assert [e for e in _events(page) if e[1] == "click"] == []


def test_typing_replaces_what_a_field_holds(page: Rig) -> None:
    drv = page.device.driver
    for name, text in (("text", "new words"), ("number", "12.5"), ("area", "a note\nover two lines")):
        el = _el(page, name)
        assert pointer.type_text(drv, el, text) is True
        assert el.get_property("value") == text
        assert [name, "input", True] in _events(page)
    el = _el(page, "text")
    assert pointer.type_text(drv, el, "") is True
    assert el.get_property("value") == ""
    # a field that does not take text this way is left to WebDriver's keys
    assert pointer.type_text(drv, _el(page, "date"), "2026-12-05") is False


def test_switched_off_taps_and_typing_are_left_to_webdriver(page: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_CDP_INPUT", "0")
    drv = page.device.driver
    assert pointer.tap(drv, _el(page, "tap")) is False
    assert pointer.type_text(drv, _el(page, "text"), "x") is False
    assert _events(page) == []
    assert _el(page, "text").get_property("value") == "old words"
