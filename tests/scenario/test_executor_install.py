"""StepExecutor.fresh_install: an app wiped in place that never boots gets the slow, certain reinstall once."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from harness.app.base import ScreenTimeout
from harness.scenario.executor import IN_PLACE_BOOT_S, StepExecutor
from harness.timeline import Timeline


class Device:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.state = SimpleNamespace(value="foreground")

    def reinstall(self) -> None:
        self.calls.append("reinstall")

    def reinstall_on_new_profile(self) -> None:
        self.calls.append("reinstall_on_new_profile")


class Shell:
    def __init__(self, boots: list[bool]) -> None:
        self.boots = boots
        self.waits: list[float | None] = []

    def wait_ready(self, timeout_s: float | None = None) -> None:
        self.waits.append(timeout_s)
        if not self.boots.pop(0):
            raise ScreenTimeout("app refapp: app ready not seen within 10s")


def executor(tmp_path: Path, device: Any, shell: Shell) -> StepExecutor:
    ex = StepExecutor.__new__(StepExecutor)  # only what fresh_install touches
    ex.device, ex.timeline = device, Timeline()
    ex.app = SimpleNamespace(shell=shell)
    return ex


def test_a_wiped_app_that_never_boots_is_reinstalled_on_a_new_profile(tmp_path: Path) -> None:
    dev, shell = Device(), Shell([False, True])
    ex = executor(tmp_path, dev, shell)
    ex.fresh_install()
    assert dev.calls == ["reinstall", "reinstall_on_new_profile"]
    assert shell.waits == [IN_PLACE_BOOT_S, None]
    assert [e.name for e in ex.timeline.events] == ["reinstall.retry"]


def test_a_wiped_app_that_boots_is_not_reinstalled_again(tmp_path: Path) -> None:
    dev, shell = Device(), Shell([True])
    executor(tmp_path, dev, shell).fresh_install()
    assert dev.calls == ["reinstall"]


def test_the_retry_happens_once(tmp_path: Path) -> None:
    dev, shell = Device(), Shell([False, False])
    with pytest.raises(ScreenTimeout):
        executor(tmp_path, dev, shell).fresh_install()
    assert dev.calls == ["reinstall", "reinstall_on_new_profile"]
