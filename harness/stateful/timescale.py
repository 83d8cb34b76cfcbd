"""The fuzzer's clock: the app's timers and every drawn duration, multiplied by one factor.

Why: with resets and reads cheap, a generated example spends most of its
time waiting on the app's own clock (it notices a drop at its next
heartbeat, retries after its backoff, gives a request up after its
timeout) and on the durations the sequence draws (time passing offline,
an outage, a background period). Exploration runs that clock faster: the
app is launched with its profile's ``time_parameters`` multiplied by the
factor (a scenario's ``setup.time_scale``, applied by the runner), and the
fuzzer multiplies every duration it draws by the same factor, the access
tokens' lifetime and the quiet period that ends an example too. The
relations a sequence hinges on (a spell outlives the token, a lost
response is withheld past the app's request timeout, an incident outlasts
a few retries) hold as before; what does not shrink is what the machine
really takes (a page load, a tap), so a faster clock is a lower bound on
how slow the real world may be, not a new one.

An export carries its factor (``setup.time_scale``, the scaled token
lifetime, the drawn durations as drawn), so ``harness run`` replays the
same sequence at the same clock. ``harness fuzz --time-scale 1`` explores
at the app's own pace.

>>> scale_step("flap", {"up_s": 1.0, "down_s": 0.5, "cycles": 2}, 0.25)
{'up_s': 0.25, 'down_s': 0.125, 'cycles': 2}
>>> scale_step("wait", 2.0, 0.25), scale_step("condition", {"type": "latency", "latency_ms": 800}, 0.25)
(0.5, {'type': 'latency', 'latency_ms': 200})
"""

from __future__ import annotations

from typing import Any

from harness.errors import SpecError
from harness.scenario.model import TIME_SCALE_MAX, TIME_SCALE_MIN, Setup, scaled_ms

#: the factor ``harness fuzz`` uses when the app profile names its timers (measured on the reference app,
#: docs/fuzzing.md: 0.25 runs about 1.7 times the examples a minute of 1, the same sequences)
DEFAULT_FUZZ_SCALE = 0.25
#: the fields of each step's parameters that are durations (the step's own names; None: the value itself)
DURATIONS: dict[str, tuple[str, ...] | None] = {
    "wait": None,
    "flap": ("up_s", "down_s", "jitter_s"),
    "outage": ("duration_s",),
    "switch_network": ("blackout_s",),
    "background": ("duration_s",),
    "condition": ("latency_ms", "jitter_ms"),
    "drop_response": ("hold_ms",),
}
#: the quiet period that ends an example at the app's own pace (s), and the least it may shrink to: below a
#: quarter second the poll that sees it is as long as the period
QUIESCENCE_S = 1.0
MIN_QUIESCENCE_S = 0.25


def _times(value: Any, factor: float, ms: bool) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return scaled_ms(value, factor) if ms else round(value * factor, 3)


def scale_step(name: str, params: Any, factor: float) -> Any:
    """``params`` of step ``name`` with its durations (:data:`DURATIONS`) times ``factor``; the rest as given."""
    if factor == 1 or name not in DURATIONS:
        return params
    fields = DURATIONS[name]
    if fields is None:
        return _times(params, factor, ms=False)
    if not isinstance(params, dict):
        return params
    return {k: _times(v, factor, ms=k.endswith("_ms")) if k in fields else v for k, v in params.items()}


def resolve(requested: float | None, app_profile: Any) -> tuple[float, str]:
    """The factor a fuzz run uses and why: the one asked for, else :data:`DEFAULT_FUZZ_SCALE` when the app
    profile names its timers (``parameters.time_parameters``), else 1."""
    names = tuple(getattr(getattr(app_profile, "parameters", None), "time_parameters", ()) or ())
    if requested is None:
        requested = DEFAULT_FUZZ_SCALE if names else 1.0
    elif not (TIME_SCALE_MIN <= requested <= TIME_SCALE_MAX):
        raise SpecError("--time-scale", requested, f"a factor from {TIME_SCALE_MIN:g} to {TIME_SCALE_MAX:g}",
                        fix="0.25 runs the app's clock four times faster; 1 at its own pace")
    elif requested != 1 and not names:
        raise SpecError("--time-scale", requested, "1 for this app", fix="its profile names no time_parameters (the "
                        "launch parameters that are its timers, in ms); name them or leave --time-scale out")
    if requested == 1:
        return 1.0, "the app's own pace" + ("" if names else " (its profile names no time_parameters)")
    return requested, f"the app's timers ({', '.join(names)}) and every drawn duration x{requested:g}"


def scaled_setup(setup: Setup, factor: float) -> Setup:
    """The fuzz setup at ``factor``: the app launched at it, the access tokens living that much less."""
    if factor == 1:
        return setup
    ttl = setup.token_ttl_s
    return setup.model_copy(update={"time_scale": factor,
                                    "token_ttl_s": None if ttl is None else max(0.1, round(ttl * factor, 3))})


def quiescence_s(factor: float) -> float:
    return max(MIN_QUIESCENCE_S, round(QUIESCENCE_S * factor, 3))


__all__ = ["DEFAULT_FUZZ_SCALE", "DURATIONS", "quiescence_s", "resolve", "scale_step", "scaled_setup"]
