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


#: where an app's API lives when its profile does not say (every path)
DEFAULT_API_PATH = "/*"


def api_path(app: Any) -> str:
    """The glob of the app's API requests (``parameters.api_path``), for conditions that hit "the backend"."""
    params = getattr(app, "parameters", None)
    return str(getattr(params, "api_path", None) or DEFAULT_API_PATH)


def _http_params(p: Any, app: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"method": p.method, "path": p.path}
    if getattr(p, "writes", False):
        out.update(writes_match(app))
    if getattr(p, "header", None) is not None:
        out["header"] = p.header
    if getattr(p, "first", None) is not None:
        out["first_n"] = p.first
    if getattr(p, "rate", None) is not None:
        out["rate"] = p.rate
    return out


def writes_match(app: Any) -> dict[str, Any]:
    """How to pick the app's writes out of its traffic, from its profile's identity: requests carrying the
    identity header; else the profile's ``identity.writes`` method and path; else every POST."""
    identity = getattr(app, "identity", None)
    if identity is not None and identity.header:
        return {"method": "*", "path": "*", "header": identity.header}
    writes = getattr(identity, "writes", None)
    if writes is not None:
        return {"method": writes.method, "path": writes.path}
    return {"method": "POST", "path": api_path(app)}


def condition_for(name: str, params: Any, *, seed: int = 0, app: Any = None) -> Condition:
    """The lab condition a network step stands for (not offline/online/reset/release); ``app`` (its profile)
    says where its API is and how its writes look."""
    if name == "condition":
        extra = {k: v for k, v in (params.model_extra or {}).items()}
        return make_condition(params.type, extra)
    if name == "profile":
        return make_condition("profile", {"name": params.name})
    if name == "half_open":
        return make_condition("half_open")
    if name == "drop_response":
        return make_condition("drop_response", {**_http_params(params, app), "seed": seed, "hold_ms": params.hold_ms})
    if name == "http_status":
        return make_condition("http_status", {**_http_params(params, app), "status": params.status, "seed": seed})
    if name == "captive_portal":
        return make_condition("captive_portal", {"path": api_path(app)})
    if name == "hold":
        match = writes_match(app) if params.writes else {"method": params.method, "path": params.path}
        return make_condition("hold", {k: v for k, v in match.items() if k in ("method", "path", "header")})
    raise ValueError(f"{name} is not a condition step")


def offline_condition(via: str, app: Any = None) -> Condition | None:
    """``offline: link`` takes the link down; ``offline: backend`` refuses the app's API requests; airplane is
    the device's."""
    if via == "link":
        return make_condition("down")
    if via == "backend":
        return make_condition("refuse", {"path": api_path(app)})
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


__all__ = ["DEFAULT_API_PATH", "api_path", "condition_for", "offline_condition", "schedule_for", "writes_match"]
