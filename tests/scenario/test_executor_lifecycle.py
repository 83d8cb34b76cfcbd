"""Device steps in the executor: freeze (the app frozen where it is, resumed by ``foreground`` or after
``duration_s``) and reinstall (what the app had loaded is forgotten with its storage)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from harness.scenario.executor import StepExecutor
from harness.scenario.loader import load_text
from harness.timeline import Timeline


class Device:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.state = SimpleNamespace(value="foreground")

    def freeze(self) -> None:
        self.calls.append("freeze")
        self.state.value = "frozen"

    def unfreeze(self) -> None:
        self.calls.append("unfreeze")
        self.state.value = "background"

    def foreground(self) -> None:
        self.calls.append("foreground")
        self.state.value = "foreground"


def executor(device: Any) -> StepExecutor:
    ex = StepExecutor.__new__(StepExecutor)  # only what device steps touch
    ex.device, ex.timeline, ex._policy = device, Timeline(), None
    ex.app = SimpleNamespace(shell=SimpleNamespace(wait_ready=lambda: None))
    return ex


def steps(text: str) -> Any:
    return load_text("id: f\ntitle: t\nrequirements: [R4]\nsteps:\n" + text).steps


def test_freeze_holds_until_foreground() -> None:
    dev = Device()
    ex = executor(dev)
    freeze, fg = steps("  - freeze\n  - foreground\n")
    ex._device(freeze)
    assert dev.calls == ["freeze"] and dev.state.value == "frozen"
    ex._device(fg)
    assert dev.calls == ["freeze", "unfreeze", "foreground"]


def test_freeze_with_a_duration_resumes_by_itself() -> None:
    dev = Device()
    [freeze] = steps("  - freeze: 0.01\n")
    executor(dev)._device(freeze)
    assert dev.calls == ["freeze", "unfreeze", "foreground"]


def test_freeze_needs_a_lifecycle() -> None:
    from harness.scenario.steps import STEPS

    assert STEPS["freeze"].needs == frozenset({"lifecycle"})


def test_a_reinstall_forgets_what_the_app_had_loaded() -> None:
    dev = Device()
    dev.reinstall = lambda: dev.calls.append("reinstall")  # type: ignore[attr-defined]
    ex = executor(dev)
    ex.threads_loaded, ex.calendar_loaded = {1, 2}, True
    [reinstall] = steps("  - reinstall\n")
    ex._device(reinstall)
    assert dev.calls == ["reinstall"] and ex.threads_loaded == set() and ex.calendar_loaded is False
