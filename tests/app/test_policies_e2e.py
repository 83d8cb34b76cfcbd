"""Each background policy on the reference device changes background sync the way its profile says (R20, R21).

A note is queued offline, the app goes to the background, the policy runs,
and the network comes back while the app is still in the background. Then,
by the policy's ``expect``:

* ``runs``: the note reaches the backend while the app is in the background;
* ``windows``: not before the first maintenance/fetch window opens, but
  during it, still in the background;
* ``none_until_foreground``: not while in the background; after the user
  brings the app back;
* ``none_until_relaunch``: the app is killed; nothing until the user starts
  it again (a cold start), then it syncs.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.device.base import AppState
from harness.device.policies import PolicyRunner
from harness.device.profiles import find_profile, policy_of
from harness.markers import new_marker

from .conftest import make_rig

pytestmark = [pytest.mark.browser, pytest.mark.processes]

#: Short timings so each case takes seconds (profile values stay the defaults).
FAST: dict[str, dict[str, float]] = {
    "unrestricted": {},
    "doze": {"idle_after_s": 0.5, "window_every_s": 5.0, "window_for_s": 3.0},
    "samsung_sleeping": {"sleep_after_s": 0.5},
    "xiaomi_killer": {"kill_after_s": 1.0},
    "huawei": {"idle_after_s": 0.3, "kill_after_s": 1.0},
    "ios_bar_off": {"suspend_after_s": 0.3},
    "ios_bar_on": {"suspend_after_s": 0.3, "fetch_every_s": 5.0, "fetch_for_s": 3.0},
}
QUIET_S = 5.5  # how long "nothing happens" is watched for


def applied_at(rig: object, key: str, timeout_s: float) -> float | None:
    """Monotonic time at which the backend first had the mutation ``key`` (polled), or None."""
    deadline = time.monotonic() + timeout_s
    while True:
        if any(m["key"] == key for m in rig.lab.admin.mutations()):  # type: ignore[attr-defined]
            return time.monotonic()
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)  # poll interval of a bounded wait


@pytest.mark.parametrize("device_name", [
    "reference-unrestricted", "reference-doze", "reference-samsung-sleeping", "reference-xiaomi-killer",
    "reference-huawei", "reference-ios-bar-off", "reference-ios-bar-on",
])
def test_policy_shapes_background_sync(lab: object, tmp_path: Path, device_name: str) -> None:
    profile = find_profile(device_name)
    policy = policy_of(profile).with_params(FAST[profile.policy])
    rig = make_rig(lab, tmp_path, device_name)
    dev, app = rig.device, rig.app
    dev.launch()
    try:
        app.shell.wait_ready()
        cid = app.contacts.open().rows[1].id
        app.contact.open(cid)
        dev.set_airplane(True)
        app.shell.wait_connectivity("offline", timeout_s=10)
        marker = new_marker()
        key = app.contact.add_note(cid, "queued before background", marker=marker).key

        dev.background()
        runner = PolicyRunner(dev, policy, "reference", timeline=rig.timeline).start()
        first_op = min([t.at_s for t in runner.plan.timed], default=0.0)
        time.sleep(first_op + 0.4)  # let the policy take hold (freeze / kill) before the network returns
        t_net = time.monotonic()
        dev.set_airplane(False)
        expect = policy.expect

        if expect == "runs":
            t = applied_at(rig, key, 15)
            assert t is not None, "unrestricted: the note should sync while the app is in the background"
            assert dev.state is AppState.BACKGROUND
        elif expect == "windows":
            per = runner.plan.periodic
            assert per is not None
            window_open = runner._t0 + per.start_s
            t = applied_at(rig, key, (window_open - time.monotonic()) + per.for_s + 2.0)
            assert t is not None, f"{policy.name}: the note should sync in the first window"
            assert t >= window_open - 0.2, f"{policy.name}: synced {window_open - t:.1f}s before the window opened"
        elif expect == "none_until_foreground":
            assert applied_at(rig, key, QUIET_S) is None, f"{policy.name}: synced while asleep in the background"
            runner.stop()
            dev.foreground()
            assert applied_at(rig, key, 20) is not None, f"{policy.name}: no sync after returning to the foreground"
        else:  # none_until_relaunch
            assert applied_at(rig, key, QUIET_S) is None, f"{policy.name}: synced although killed"
            assert dev.state is AppState.NOT_RUNNING and runner.killed
            runner.stop()
            dev.relaunch()
            assert applied_at(rig, key, 20) is not None, f"{policy.name}: no sync after the user started the app"
        runner.stop()
        assert len([m for m in lab.admin.mutations() if m["key"] == key]) == 1  # type: ignore[attr-defined]
        events = [e for e in rig.timeline.events if e.name == "policy"]
        assert events[0].data["step"] == "start" and events[0].data["expect"] == expect
        assert t_net > 0
    finally:
        dev.quit()
