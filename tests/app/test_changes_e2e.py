"""A bounded wait's pause ends at the page's next change, never later than its poll interval. Real Appium +
Chromium, on a page of the lab's server where no app code runs (the changes are the test's own)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from harness.app import changes
from harness.app.base import Screen
from harness.app.profile import Locator

from .conftest import Rig

pytestmark = [pytest.mark.browser, pytest.mark.processes]


@pytest.fixture()
def quiet(rig: Rig) -> Any:
    drv = rig.device.driver
    drv.get(rig.lab.endpoints.app_url.rstrip("/") + "/__harness__/blank")  # type: ignore[attr-defined]
    drv.execute_script("document.body.innerHTML = '<p id=hx>before</p>'")
    return drv


def _later(drv: Any, ms: int, js: str) -> None:
    drv.execute_script(f"setTimeout(() => {{ {js} }}, {ms})")


def test_a_pause_ends_at_the_next_change_of_the_document(quiet: Any) -> None:
    for change in ("document.getElementById('hx').textContent = 'after'",       # text
                   "document.getElementById('hx').setAttribute('data-s', '1')",  # an attribute
                   "document.body.appendChild(document.createElement('div'))"):  # a node
        _later(quiet, 200, change)
        t0 = time.monotonic()
        assert changes.pause(quiet, 3.0, web=True) == "changed"
        assert time.monotonic() - t0 < 2.0, change


def test_a_quiet_page_pauses_the_poll_interval(quiet: Any) -> None:
    t0 = time.monotonic()
    assert changes.pause(quiet, 0.3, web=True) == "quiet"
    assert time.monotonic() - t0 >= 0.3


def test_a_hidden_page_and_other_platforms_sleep_the_plain_way(rig: Rig, quiet: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    t0 = time.monotonic()
    assert changes.pause(object(), 0.2, web=False) == "slept"
    assert time.monotonic() - t0 >= 0.2
    monkeypatch.setenv("HARNESS_CHANGE_WAITS", "0")
    _later(quiet, 50, "document.body.appendChild(document.createElement('div'))")
    t0 = time.monotonic()
    assert changes.pause(quiet, 0.5, web=True) == "slept"
    assert time.monotonic() - t0 >= 0.5
    monkeypatch.delenv("HARNESS_CHANGE_WAITS")
    rig.device.background()
    try:
        t0 = time.monotonic()
        assert changes.pause(quiet, 0.3, web=True) == "hidden"
        assert time.monotonic() - t0 >= 0.3
    finally:
        rig.device.foreground()


def test_a_wait_sees_the_change_before_its_poll_interval_is_over(rig: Rig, quiet: Any) -> None:
    screen = Screen(quiet, rig.app.profile, timeline=rig.timeline)
    _later(quiet, 200, "document.getElementById('hx').textContent = 'after'")
    t0 = time.monotonic()
    got = screen.wait("the new text", lambda: (t := screen.text(screen.first(Locator(css="#hx")))) == "after" and t,
                      timeout_s=10, poll_s=3.0)
    assert got == "after"
    assert time.monotonic() - t0 < 2.0  # a sleeping wait looks again only after 3 s
