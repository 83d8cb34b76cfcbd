"""Hypothesis strategies for step parameters: small, fast values a lab can run in seconds.

Every strategy draws the YAML parameters of one registered step (the same
names and fields as scenario files, :mod:`harness.scenario.steps`), so a
generated sequence is a scenario's step list and exports without
translation. Timers stay short (flaps of about a second, outages of a few)
because one example is one real app session.

>>> from harness.scenario.steps import parse_step
>>> parse_step("flap", flap_params().example()).cycles <= 3
True
"""

from __future__ import annotations

from typing import Any, Mapping

from hypothesis import strategies as st


def drop_response_params(holds_ms: tuple[int, ...] = (0,)) -> st.SearchStrategy[dict[str, Any]]:
    """The response to one of the app's next mutations lost after the backend committed it (R22).

    Only the app's writes match (``writes: true``: the app profile's identity, e.g. an idempotency key header):
    what the app queued, whatever its route and method, and never a token refresh or a read (with the fuzz
    setup's 2 s tokens the first POST after a reconnection is often the refresh). ``holds_ms``: how long the response is withheld before the connection dies
    (:func:`harness.stateful.fuzz.lost_response_holds`).
    """
    return st.fixed_dictionaries({"writes": st.just(True), "first": st.integers(1, 2),
                                  "hold_ms": st.sampled_from(holds_ms)})


#: how many of the app's next writes a server incident answers with an error: a blip, or an incident long
#: enough that a sync engine retrying with backoff meets many failures in a row before it ends (R19: it must
#: keep retrying; at the fuzz setup's backoff, at most 2 s, eight failures take about 7 s)
INCIDENT_ERRORS: tuple[int, ...] = (1, 8)


def http_status_params(match: Mapping[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Server errors for the app's next requests; ``match``: which requests (default ``writes: true``, the app's
    writes as its profile identifies them; an app's fuzz vocabulary may say otherwise, e.g. every POST)."""
    fields: dict[str, st.SearchStrategy[Any]] = {"status": st.sampled_from([500, 502, 503])}
    fields.update({k: st.just(v) for k, v in (match if match is not None else {"writes": True}).items()})
    fields["first"] = st.sampled_from(INCIDENT_ERRORS)
    return st.fixed_dictionaries(fields)


def flap_params() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"up_s": st.sampled_from([0.5, 1.0]), "down_s": st.sampled_from([0.5, 1.0]),
                                  "cycles": st.integers(2, 3)})


def outage_params() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"duration_s": st.sampled_from([1.0, 2.0, 3.0])})


def switch_params() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"blackout_s": st.sampled_from([0.5, 1.0])})


def background_params() -> st.SearchStrategy[dict[str, Any]]:
    """Background under the device profile's own policy for a second or two, then back."""
    return st.fixed_dictionaries({"duration_s": st.sampled_from([1.0, 2.0])})


def wait_s() -> st.SearchStrategy[float]:
    return st.sampled_from([0.5, 1.0, 2.0])


def spell_wait_s() -> st.SearchStrategy[float]:
    """Time passing offline inside a spell: long enough for the app's retries to back off to their ceiling
    (the reference app's default: 2 s) and, with the fuzz setup's 2 s tokens, for the token to expire (R19, R24)."""
    return st.sampled_from([1.0, 2.0])


def latency_params() -> st.SearchStrategy[dict[str, Any]]:
    """A slow link (a weak cellular signal): every request takes a good part of a second (R23)."""
    return st.fixed_dictionaries({"type": st.just("latency"), "latency_ms": st.sampled_from([300, 800])})


def drop_via() -> st.SearchStrategy[str]:
    """Every kind of "offline" the requirements name: airplane, no signal, no backend, half-open, captive portal."""
    return st.sampled_from(["link", "airplane", "backend", "half_open", "captive_portal"])


__all__ = ["INCIDENT_ERRORS", "background_params", "drop_response_params", "drop_via", "flap_params",
           "http_status_params", "latency_params", "outage_params", "spell_wait_s", "switch_params", "wait_s"]
