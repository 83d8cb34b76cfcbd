"""StepExecutor.settle: quiet = no request for quiescence_s and nothing pending for min(quiescence_s, 1 s)."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

from harness.scenario.executor import StepExecutor
from harness.scenario.model import Expect
from harness.timeline import Timeline


class Feed:
    """The ledger: the last request ended ``ago_s`` before the settle began (None: no request at all)."""

    def __init__(self, ago_s: float | None) -> None:
        self.last = None if ago_s is None else time.monotonic() - ago_s

    def poll(self) -> None:
        pass

    def last_request_t(self, *, ignore_paths: tuple[str, ...] = ()) -> float | None:
        return self.last


class Shell:
    def __init__(self, pending: list[int]) -> None:
        self.pending = pending

    def pending_count(self) -> int:
        return self.pending.pop(0) if len(self.pending) > 1 else self.pending[0]

    def sync_status(self) -> Any:
        return SimpleNamespace(pending=self.pending[0])


def settle(quiescence_s: float, ago_s: float | None, pending: list[int]) -> tuple[float, dict[str, Any]]:
    ex = StepExecutor.__new__(StepExecutor)  # only what settle touches
    ex.timeline = Timeline()
    ex.scenario = SimpleNamespace(expect=Expect(quiescence_s=quiescence_s, settle_timeout_s=3))
    ex.app = SimpleNamespace(shell=Shell(pending), profile=SimpleNamespace(parameters=SimpleNamespace(idle_paths=[])))
    t0 = time.monotonic()
    ex.settle(Feed(ago_s))
    return time.monotonic() - t0, ex.timeline.events[-1].data


def test_silence_and_nothing_pending_are_counted_side_by_side() -> None:
    # the last request ended just before: quiet after quiescence_s, not quiescence_s plus a second
    took, data = settle(1.0, 0.0, [0])
    assert 0.9 <= took < 1.6 and data == {"reached": True, "pending": 0}


def test_long_silence_still_needs_a_second_of_nothing_pending() -> None:
    took, _ = settle(2.0, 30.0, [0])
    assert 0.9 <= took < 1.6


def test_pending_work_restarts_the_count() -> None:
    # three polls with work pending (0.6 s), then the queue is empty: a full second from there
    took, _ = settle(1.0, None, [1, 1, 1, 0])
    assert 1.5 <= took < 2.3


def test_the_bound_ends_a_settle_that_never_gets_quiet() -> None:
    took, data = settle(1.0, None, [2])
    assert 2.9 <= took < 3.6 and data == {"reached": False, "pending": 2}


def test_a_short_quiet_period_is_polled_finely_enough_to_end_near_its_end() -> None:
    # the fuzzer's quiet period at a quarter of the app's time is 0.25 s: polled every 0.2 s it ended at 0.4 s
    # (three reads); polled at a quarter of the period it is read at least four times and ends within a poll of it
    shell = Shell([0])
    reads = 0
    count = shell.pending_count

    def counted() -> int:
        nonlocal reads
        reads += 1
        return count()

    shell.pending_count = counted  # type: ignore[method-assign]
    ex = StepExecutor.__new__(StepExecutor)
    ex.timeline = Timeline()
    ex.scenario = SimpleNamespace(expect=Expect(quiescence_s=0.25, settle_timeout_s=3))
    ex.app = SimpleNamespace(shell=shell, profile=SimpleNamespace(parameters=SimpleNamespace(idle_paths=[])))
    t0 = time.monotonic()
    ex.settle(Feed(0.0))
    assert reads >= 4 and 0.25 <= time.monotonic() - t0 < 1.0
