"""StepExecutor.settle: quiet = no request for quiescence_s and nothing pending for min(quiescence_s, 1 s).

Run on the executor's fake clock (``fake_clock``, conftest.py): what is asserted is how settle polls and when
it ends, which a loaded machine's sleeps must not blur (CI once saw three reads where four were due).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from harness.scenario.executor import StepExecutor
from harness.scenario.model import Expect
from harness.timeline import Timeline


class Feed:
    """The ledger: the last request ended ``ago_s`` before the settle began (None: no request at all)."""

    def __init__(self, clock: Any, ago_s: float | None) -> None:
        self.last = None if ago_s is None else clock.now - ago_s

    def poll(self) -> None:
        pass

    def last_request_t(self, *, ignore_paths: tuple[str, ...] = ()) -> float | None:
        return self.last


class Shell:
    """The app's pending count, one value per read (the last one repeats); counts its reads."""

    def __init__(self, pending: list[int]) -> None:
        self.pending = pending
        self.reads = 0

    def pending_count(self) -> int:
        self.reads += 1
        return self.pending.pop(0) if len(self.pending) > 1 else self.pending[0]

    def sync_status(self) -> Any:
        return SimpleNamespace(pending=self.pending[0])


def settle(clock: Any, quiescence_s: float, ago_s: float | None,
           pending: list[int]) -> tuple[float, dict[str, Any], Shell]:
    ex = StepExecutor.__new__(StepExecutor)  # only what settle touches
    ex.timeline = Timeline()
    ex.scenario = SimpleNamespace(expect=Expect(quiescence_s=quiescence_s, settle_timeout_s=3))
    shell = Shell(pending)
    ex.app = SimpleNamespace(shell=shell, profile=SimpleNamespace(parameters=SimpleNamespace(idle_paths=[])))
    t0 = clock.now
    ex.settle(Feed(clock, ago_s))
    return clock.now - t0, ex.timeline.events[-1].data, shell


def test_silence_and_nothing_pending_are_counted_side_by_side(fake_clock: Any) -> None:
    # the last request ended just before: quiet after quiescence_s, not quiescence_s plus a second
    took, data, _ = settle(fake_clock, 1.0, 0.0, [0])
    assert took == pytest.approx(1.0) and data == {"reached": True, "pending": 0}


def test_long_silence_still_needs_a_second_of_nothing_pending(fake_clock: Any) -> None:
    took, _, _ = settle(fake_clock, 2.0, 30.0, [0])
    assert took == pytest.approx(1.0)


def test_pending_work_restarts_the_count(fake_clock: Any) -> None:
    # three polls with work pending (0.6 s), then the queue is empty: a full second from there
    took, _, _ = settle(fake_clock, 1.0, None, [1, 1, 1, 0])
    assert took == pytest.approx(1.6)


def test_the_bound_ends_a_settle_that_never_gets_quiet(fake_clock: Any) -> None:
    took, data, _ = settle(fake_clock, 1.0, None, [2])
    assert 3.0 <= took < 3.0 + 0.2 + 1e-9 and data == {"reached": False, "pending": 2}


def test_a_short_quiet_period_is_polled_finely_enough_to_end_near_its_end(fake_clock: Any) -> None:
    # the fuzzer's quiet period at a quarter of the app's time is 0.25 s: polled every 0.2 s it ended at 0.4 s
    # (three reads); polled at a quarter of the period it is read five times and ends at 0.25 s
    took, _, shell = settle(fake_clock, 0.25, 0.0, [0])
    assert fake_clock.sleeps == [0.0625] * 4
    assert shell.reads == 5 and took == pytest.approx(0.25)


def test_the_poll_is_never_finer_than_fifty_milliseconds(fake_clock: Any) -> None:
    took, _, _ = settle(fake_clock, 0.1, 0.0, [0])
    # 0.1 / 4 would be 25 ms: floored at 50 ms, and the end still within one poll of the period
    assert fake_clock.sleeps and all(s == pytest.approx(0.05) for s in fake_clock.sleeps)
    assert 0.1 - 1e-9 <= took <= 0.15 + 1e-9
