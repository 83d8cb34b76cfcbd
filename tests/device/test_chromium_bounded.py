"""A WebDriver call chromedriver holds does not hold the harness: bounded calls, and a session's end that gives up.

Seen in a full test run: with a navigation pending to a server that accepts
and never answers, chromedriver held the readiness script for four minutes
whatever the script timeout, and then the session's end (DELETE) as long; the
launch hung until pytest's timeout instead of failing, and a run would have
hung for good. No browser here: the driver is a stand-in whose calls block.
"""

from __future__ import annotations

import threading
import time

import pytest

from harness.device import chromium
from harness.device.base import AppState
from harness.device.chromium import ChromiumDevice, bounded


def test_a_bounded_call_returns_its_value_or_raises_its_error() -> None:
    assert bounded(lambda: 42, 1.0) == 42
    with pytest.raises(ValueError, match="bad"):
        bounded(lambda: (_ for _ in ()).throw(ValueError("bad")), 1.0)


def test_a_held_call_ends_at_its_bound() -> None:
    release = threading.Event()
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        bounded(lambda: release.wait(30), 0.3)
    assert time.monotonic() - t0 < 5
    release.set()


class HeldQuit:
    def __init__(self) -> None:
        self.release = threading.Event()

    def quit(self) -> None:
        self.release.wait(30)


def test_a_session_end_that_is_held_kills_the_browser_and_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chromium, "QUIT_TIMEOUT_S", 0.3)
    dev = ChromiumDevice.__new__(ChromiumDevice)  # only what _end_session touches
    drv = HeldQuit()
    dev._guard, dev._guard_stop, dev._driver, dev._cdp, dev._state = None, threading.Event(), drv, None, AppState.FOREGROUND
    events: list[str] = []
    dev._event = lambda name, **data: events.append(name)  # type: ignore[method-assign]
    killed: list[int] = []
    pids = [999_999_999]  # no such process: the kill is tried, and the loop waits for the pid to go
    dev.browser_pids = lambda: list(pids)  # type: ignore[method-assign]
    monkeypatch.setattr(chromium.os, "kill", lambda pid, sig: (killed.append(pid), pids.clear()))
    t0 = time.monotonic()
    dev._end_session()
    assert time.monotonic() - t0 < 5
    assert events == ["quit_timeout"] and killed == [999_999_999] and dev._state == AppState.NOT_RUNNING
    drv.release.set()
