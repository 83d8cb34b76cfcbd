"""Hypothesis strategies for step parameters: small, fast values the reference lab can run in seconds.

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

from typing import Any

from hypothesis import strategies as st

#: the contacts a sequence touches; the setup opens the first two while online (so they are cached)
CONTACTS: tuple[int, ...] = (1, 2, 3, 4)
SETUP_CONTACTS: tuple[int, ...] = (1, 2)
#: the conversations a sequence touches; the setup opens the first while online, so that a message the
#: server receives in it must reach the app's copy after the next reconnection (R18, R25)
CONVERSATIONS: tuple[int, ...] = (1, 2, 3)
SETUP_THREADS: tuple[int, ...] = (1,)
STAGES = ("lead", "qualified", "proposal", "won", "lost")


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


def http_status_params() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"status": st.sampled_from([500, 502, 503]), "method": st.just("POST"),
                                  "first": st.sampled_from(INCIDENT_ERRORS)})


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


def opportunity_edit(opportunity: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"opportunity": st.just(opportunity), "stage": st.sampled_from(STAGES),
                                  "value": st.integers(1, 500).map(lambda v: float(v * 100))})


def photo_size_kb() -> st.SearchStrategy[int]:
    return st.sampled_from([1, 4, 16])


def thread_params() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"conversation": st.sampled_from(CONVERSATIONS),
                                  "earlier_pages": st.integers(0, 1)})


def server_activity_params(conversations: tuple[int, ...] = CONVERSATIONS) -> st.SearchStrategy[dict[str, Any]]:
    """Server-side changes; new messages land in ``conversations`` (the machine passes the threads the app has
    loaded, when there are any), so a thread the app cached falls behind the server and the delta download
    after reconnection must bring it up to date (R18, R25)."""
    def params(kind: str) -> st.SearchStrategy[dict[str, Any]]:
        fields: dict[str, Any] = {"kind": st.just(kind), "count": st.integers(1, 2)}
        if kind == "message":
            fields["conversation"] = st.sampled_from(conversations)
        return st.fixed_dictionaries(fields)

    return st.sampled_from(["message", "contact", "appointment_change"]).flatmap(params)


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


__all__ = ["CONTACTS", "CONVERSATIONS", "INCIDENT_ERRORS", "SETUP_CONTACTS", "SETUP_THREADS", "STAGES",
           "background_params", "drop_response_params", "drop_via", "flap_params", "http_status_params",
           "latency_params", "opportunity_edit", "outage_params", "photo_size_kb", "server_activity_params",
           "spell_wait_s", "switch_params", "thread_params", "wait_s"]
