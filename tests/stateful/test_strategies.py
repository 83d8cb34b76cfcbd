"""Every strategy draws parameters the step registry and the network layer accept."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.scenario.conditions import condition_for, schedule_for
from harness.scenario.steps import parse_step
from harness.stateful import strategies as S

CASES: list[tuple[str, Callable[[], st.SearchStrategy[Any]]]] = [
    ("drop_response", lambda: S.drop_response_params((4000, 0))), ("http_status", S.http_status_params), ("flap", S.flap_params),
    ("outage", S.outage_params), ("switch_network", S.switch_params), ("background", S.background_params),
    ("open_thread", S.thread_params), ("server_activity", S.server_activity_params), ("wait", S.wait_s),
    ("edit_opportunity", lambda: S.opportunity_edit(2)),
]


@pytest.mark.parametrize("name, strategy", CASES, ids=[c[0] for c in CASES])
def test_draws_are_valid_steps(name: str, strategy: Callable[[], st.SearchStrategy[Any]]) -> None:
    @settings(max_examples=25, deadline=None)
    @given(strategy())
    def check(params: Any) -> None:
        step = parse_step(name, params)
        if name in ("drop_response", "http_status"):
            condition_for(name, step)
        elif name in ("flap", "outage", "switch_network"):
            assert schedule_for(step).duration_s <= 10  # one example stays seconds long

    check()


def test_setup_contacts_are_part_of_the_pool() -> None:
    assert set(S.SETUP_CONTACTS) <= set(S.CONTACTS)


@settings(max_examples=25, deadline=None)
@given(S.drop_response_params((4000, 0)))
def test_lost_responses_aim_at_mutations_not_token_refreshes(params: Any) -> None:
    from harness.app.profile import load_app_profile

    cond = condition_for("drop_response", parse_step("drop_response", params), app=load_app_profile("refapp"))
    assert cond.matches("POST", "/api/contacts/3/notes", {"Idempotency-Key": "k"})
    assert cond.matches("PATCH", "/api/opportunities/2", {"Idempotency-Key": "k"})
    assert not cond.matches("POST", "/api/auth/refresh", {"Authorization": "Bearer t"})


def test_lost_responses_outlast_the_app_request_timeout_when_the_profile_knows_it() -> None:
    from types import SimpleNamespace

    from harness.app.profile import load_app_profile
    from harness.stateful.fuzz import lost_response_holds

    refapp = load_app_profile("refapp")
    request_s = refapp.parameters.timeouts.request_s
    assert request_s  # a second past the app's own timeout: the app sees a timeout, not a slow answer
    assert lost_response_holds(SimpleNamespace(app_profile=refapp)) == (int((request_s + 1) * 1000), 0)
    unknown = refapp.model_copy(update={"parameters": refapp.parameters.model_copy(
        update={"timeouts": refapp.parameters.timeouts.model_copy(update={"request_s": None})})})
    assert lost_response_holds(SimpleNamespace(app_profile=unknown)) == (0,)


def test_setup_threads_are_part_of_the_pool() -> None:
    assert set(S.SETUP_THREADS) <= set(S.CONVERSATIONS)


@settings(max_examples=40, deadline=None)
@given(S.server_activity_params((2,)))
def test_server_messages_land_in_the_threads_given(params: Any) -> None:
    step = parse_step("server_activity", params)
    assert step.conversation == (2 if step.kind == "message" else None)


def test_server_incidents_are_a_blip_or_long_enough_to_outlast_retries() -> None:
    # R19: an engine that gives up after a few failed passes must meet more failures than that in a row
    firsts = set()

    @settings(max_examples=40, deadline=None)
    @given(S.http_status_params())
    def draw(params: Any) -> None:
        firsts.add(parse_step("http_status", params).first)

    draw()
    assert firsts == set(S.INCIDENT_ERRORS) and max(firsts) >= 8


def test_a_slowed_link_stays_below_the_app_request_timeout() -> None:
    # a delay at the app's own timeout makes every request of the app fail: "slow" became "offline", and a screen
    # the app had to load over it was reported "not seen" (R26) on the bug-free app (a fuzz clean run, seed 1)
    from types import SimpleNamespace

    from harness.app.profile import load_app_profile
    from harness.stateful.fuzz import SLOW_LINK_DEFAULT_MS, slow_link_delays

    refapp = load_app_profile("refapp")
    request_ms = refapp.parameters.timeouts.request_s * 1000
    delays = slow_link_delays(SimpleNamespace(app_profile=refapp))
    assert delays and all(0 < d <= 0.6 * request_ms for d in delays)
    unknown = refapp.model_copy(update={"parameters": refapp.parameters.model_copy(
        update={"timeouts": refapp.parameters.timeouts.model_copy(update={"request_s": None})})})
    assert slow_link_delays(SimpleNamespace(app_profile=unknown)) == SLOW_LINK_DEFAULT_MS
