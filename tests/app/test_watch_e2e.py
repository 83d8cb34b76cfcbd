"""The continuous screen read on the reference device: one execute_script returns what the profile declares.

Real Appium + Chromium + refapp through the lab's chain: a contact's screen
online (its gated controls enabled, its activity and notes listed), then in
airplane mode (the same controls disabled, the banner and the app's own
state saying offline), each in a single device round trip.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.app.watch import Watcher

from .conftest import Rig

pytestmark = [pytest.mark.browser, pytest.mark.processes]


class Counting:
    """The device's driver, counting the scripts it runs."""

    def __init__(self, driver: Any) -> None:
        self.driver, self.scripts = driver, 0

    def execute_script(self, *args: Any) -> Any:
        self.scripts += 1
        return self.driver.execute_script(*args)


def test_one_read_returns_every_declared_indicator_and_control(rig: Rig) -> None:
    app, dev = rig.app, rig.device
    view = app.contact.open(3)
    assert view.available and view.activity
    drv = Counting(dev.driver)
    watch = Watcher(app.profile, lambda: drv, rig.timeline, device_state=lambda: dev.state.value,
                    offline_belief=lambda: dev.offline)
    online = watch.observe("test")
    assert online is not None and drv.scripts == 1
    d = online.data
    assert d["ready"] is True and d["connectivity"] == "online" and d["banner"] is False and d["pending"] == 0
    gated = {g["control"]: g["enabled"] for g in d["gated"]}
    assert gated["action_pay"] is True and gated["action_call"] is True and "payment_submit" not in gated
    contact = d["screens"]["contact_view"]
    assert contact["subject"] == "3" and contact["ready"] and contact["activity"] == [a.id for a in view.activity]
    assert [lst["parent"] for lst in d["lists"]] == ["3"]

    dev.set_airplane(True)
    app.shell.wait_connectivity("offline", timeout_s=10)
    offline = watch.observe("test")
    assert offline is not None and drv.scripts == 2
    d = offline.data
    assert d["offline"] is True and d["connectivity"] == "offline" and d["banner"] is True
    assert all(not g["enabled"] for g in d["gated"] if g["feature"] in ("pay", "call", "run_workflow"))
    assert d["unavailable"] and d["screens"]["contact_view"]["activity"] == contact["activity"]
    assert max(watch.read_ms) < 2000  # one round trip, not a page of element lookups


def test_the_continuous_read_and_the_page_objects_agree_on_what_is_shown(rig: Rig) -> None:
    # one rule for "shown" (harness.app.displayed): a banner fading out (opacity 0 on it or an ancestor) is hidden to
    # both, as WebDriver's isDisplayed says; before, the continuous read called it shown and the step read hidden
    app, dev = rig.app, rig.device
    app.dashboard.open()
    watch = Watcher(app.profile, lambda: dev.driver, rig.timeline, device_state=lambda: dev.state.value,
                    offline_belief=lambda: dev.offline)
    dev.set_airplane(True)
    app.shell.wait_connectivity("offline", timeout_s=10)
    seen = watch.observe("test")
    assert seen is not None and seen.data["banner"] is True and app.shell.banner().visible
    banner = app.profile.locators["offline_banner"].css
    for style in ("opacity: 0", "visibility: hidden", "display: none"):
        dev.driver.execute_script("const e = document.querySelector(arguments[0]); e.dataset.hxStyle = "
                                  "e.getAttribute('style') || ''; e.setAttribute('style', arguments[1])", banner, style)
        try:
            seen = watch.observe("test")
            assert seen is not None and seen.data["banner"] is False, style
            assert app.shell.banner().visible is False, style
            assert dev.driver.find_element("css selector", banner).is_displayed() is False, style
        finally:
            dev.driver.execute_script("const e = document.querySelector(arguments[0]); "
                                      "e.setAttribute('style', e.dataset.hxStyle)", banner)
    assert watch.observe("test").data["banner"] is True  # type: ignore[union-attr]
