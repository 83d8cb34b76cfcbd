"""Fixtures for the executor's own tests."""

from __future__ import annotations

import pytest


class FakeClock:
    """The executor's clock, advanced only by its own sleeps (each by exactly what was asked, each recorded): what
    a test counts (reads, polls) does not depend on how late a busy machine wakes a sleeper. CI once read a 0.25 s
    quiet period three times where four were due; on two loaded cores a 0.1 s tick overshot enough to leave room
    for two reads. It starts well above zero, as a real monotonic clock does (``settle`` takes a zero moment for
    none)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The executor module's ``time`` replaced by a :class:`FakeClock`."""
    from harness.scenario import executor

    clock = FakeClock()
    monkeypatch.setattr(executor, "time", clock)
    return clock
