"""StepExecutor's expect_banner: the banner seen in the wanted state within the bound is what counts (R1, R2)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

import pytest

from harness.scenario.executor import StepExecutor
from harness.timeline import Timeline


class Shell:
    """Shows the banner states of ``frames`` one read after another (the last one stays)."""

    def __init__(self, timeline: Timeline, frames: list[bool]) -> None:
        self.timeline, self.frames = timeline, frames

    def _read(self) -> bool:
        return self.frames.pop(0) if len(self.frames) > 1 else self.frames[0]

    def visible(self, name: str) -> list[str]:
        return ["banner"] if self._read() else []

    def poll(self, probe: Callable[[], Any], timeout_s: float) -> Any:
        for _ in range(5):  # a few reads stand for the bounded wait
            got = probe()
            if got:
                return got
        return None

    def banner(self) -> Any:
        b = SimpleNamespace(visible=self._read(), text="")
        self.timeline.append("observation", "banner", layer="app", data={"visible": b.visible, "text": ""})
        return b


def expect(frames: list[bool], visible: bool) -> Any:
    ex = StepExecutor.__new__(StepExecutor)  # only what _expect_banner touches
    ex.timeline = Timeline()
    ex.app = SimpleNamespace(shell=Shell(ex.timeline, frames))
    return ex._expect_banner(visible, 10)


def test_a_banner_shown_then_flipped_back_at_once_was_shown() -> None:
    # the app showed the banner, then a probe sent before the path broke answered and hid it again
    v = expect([False, True, False], visible=True)
    assert v.passed and v.requirement_ids == ("R1", "R2")
    assert "visible=False again" in v.evidence[0].summary


def test_a_banner_never_shown_fails() -> None:
    v = expect([False], visible=True)
    assert not v.passed and "still hidden" in v.title


@pytest.mark.parametrize("frames", [[True, True, False], [False]])
def test_a_banner_that_goes_passes_the_gone_expectation(frames: list[bool]) -> None:
    assert expect(frames, visible=False).passed
