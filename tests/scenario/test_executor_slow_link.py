"""A screen under a link the harness slowed gets a longer bound: slow is not hung (R26)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from harness.app.base import Screen, ScreenTimeout
from harness.app.profile import parse_app_profile
from harness.net.conditions import make_condition
from harness.scenario.executor import SCREEN_ROUND_TRIPS, NetworkBelief, StepExecutor


def _ex(*conditions: Any) -> Any:
    handles = [SimpleNamespace(condition=c) for c in conditions]
    return SimpleNamespace(lab=SimpleNamespace(net=SimpleNamespace(handles=lambda: handles)))


def test_the_allowance_is_the_slowest_per_request_delay_times_a_screens_round_trips() -> None:
    assert StepExecutor.slow_link_allowance_s(_ex()) == 0
    lat = make_condition("latency", {"latency_ms": 2500, "jitter_ms": 500})
    assert StepExecutor.slow_link_allowance_s(_ex(lat)) == SCREEN_ROUND_TRIPS * 3.0
    delay = make_condition("http_delay", {"delay_ms": 4000})
    assert StepExecutor.slow_link_allowance_s(_ex(lat, delay)) == SCREEN_ROUND_TRIPS * 4.0
    assert StepExecutor.slow_link_allowance_s(_ex(make_condition("down", {}))) == 0


def test_a_screen_wait_uses_the_allowance_of_the_belief_it_was_given() -> None:
    profile = parse_app_profile("name: x\nlocators: {app_root: {css: body}}\nparameters: {timeouts: {ui_s: 0.2}}\n")
    ex = SimpleNamespace(offline_belief=lambda: False, slow_link_allowance_s=lambda: 2.0)
    screen = Screen(None, profile, offline_belief=NetworkBelief(ex))  # type: ignore[arg-type]
    calls = []

    def probe() -> bool:
        calls.append(1)
        return len(calls) * 0.05 > 0.4  # comes after ~0.4 s: past ui_s, within ui_s + the allowance

    assert screen.wait("slow screen", probe)
    plain = Screen(None, profile, offline_belief=lambda: False)  # type: ignore[arg-type]
    calls.clear()
    try:
        plain.wait("slow screen", probe)
        raise AssertionError("the plain bound should have run out")
    except ScreenTimeout:
        pass
