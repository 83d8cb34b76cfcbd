"""Scenario network steps -> the lab's typed conditions and schedules.

Keeps the scenario vocabulary (``offline: link``, ``drop_response``,
``flap``) apart from the network layer's registry, so each can change
without the other; every value is validated by the network layer's own
constructors (SpecError naming the bad parameter).
"""

from __future__ import annotations

from typing import Any

from harness.net.conditions import Condition, make_condition
from harness.net.schedule import Schedule, degrade_recover, flap, outage, switch_network
from harness.scenario import steps as S


def _http_params(p: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"method": p.method, "path": p.path}
    if getattr(p, "header", None) is not None:
        out["header"] = p.header
    if getattr(p, "first", None) is not None:
        out["first_n"] = p.first
    if getattr(p, "rate", None) is not None:
        out["rate"] = p.rate
    return out


def condition_for(name: str, params: Any, *, seed: int = 0) -> Condition:
    """The lab condition a network step stands for (not offline/online/reset/release)."""
    if name == "condition":
        extra = {k: v for k, v in (params.model_extra or {}).items()}
        return make_condition(params.type, extra)
    if name == "profile":
        return make_condition("profile", {"name": params.name})
    if name == "half_open":
        return make_condition("half_open")
    if name == "drop_response":
        return make_condition("drop_response", {**_http_params(params), "seed": seed, "hold_ms": params.hold_ms})
    if name == "http_status":
        return make_condition("http_status", {**_http_params(params), "status": params.status, "seed": seed})
    if name == "captive_portal":
        return make_condition("captive_portal", {"path": "/api/*"})
    if name == "hold":
        return make_condition("hold", {"method": params.method, "path": params.path})
    raise ValueError(f"{name} is not a condition step")


def offline_condition(via: str) -> Condition | None:
    """``offline: link`` takes the link down; ``offline: backend`` refuses API requests; airplane is the device's."""
    if via == "link":
        return make_condition("down")
    if via == "backend":
        return make_condition("refuse", {"path": "/api/*"})
    return None


def schedule_for(step: S.StepModel, *, seed: int = 0) -> Schedule:
    """The schedule a schedule step stands for."""
    if isinstance(step, S.Flap):
        return flap(up_s=step.up_s, down_s=step.down_s, cycles=step.cycles, jitter_s=step.jitter_s, seed=seed)
    if isinstance(step, S.Outage):
        return outage(duration_s=step.duration_s)
    if isinstance(step, S.SwitchNetwork):
        return switch_network(blackout_s=step.blackout_s)
    if isinstance(step, S.DegradeRecover):
        return degrade_recover(profiles=(step.profile,), step_s=step.duration_s)
    raise ValueError(f"{type(step).__name__} is not a schedule step")


__all__ = ["condition_for", "offline_condition", "schedule_for"]
