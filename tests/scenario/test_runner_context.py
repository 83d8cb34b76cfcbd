"""What the runner tells the checks and the app, derived from a scenario (pure, no processes)."""

from __future__ import annotations

import urllib.parse

import pytest

from harness.app.profile import load_app_profile
from harness.errors import SpecError
from harness.scenario.loader import load_text
from harness.scenario.runner import app_url, context_for

HEAD = "id: s1\ntitle: t\nrequirements: [R9]\nsteps: [offline]\n"


def test_app_url_carries_the_scenario_timers() -> None:
    s = load_text(HEAD + "setup:\n  app: {probe_ms: 300, queue_messages: false}\n")
    url = app_url("http://127.0.0.1:8000/?old=1", s)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith("http://127.0.0.1:8000/?")
    assert q["probe_ms"] == "300" and q["queue_messages"] == "0" and "old" not in q


def test_the_app_is_launched_with_its_profile_query_and_only_the_timers_the_scenario_sets() -> None:
    # a scenario that sets nothing must not send the model's defaults (another app's names and values)
    pouch = load_app_profile("examples/apps/todo-pouch").parameters.launch_query
    plain = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(app_url("http://h/", load_text(HEAD), pouch)).query))
    assert plain == dict(urllib.parse.parse_qsl(pouch)) and "heartbeat_ms" not in plain
    s = load_text(HEAD + "setup:\n  app: {probe_ms: 20000}\n")
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(app_url("http://h/", s, pouch)).query))
    assert q["probe_ms"] == "20000" and q["longpoll_max_ms"] == dict(urllib.parse.parse_qsl(pouch))["longpoll_max_ms"]
    assert app_url("http://h/?x=1", load_text(HEAD)) == "http://h/"


def test_the_shortest_retry_gap_is_the_app_request_timeout() -> None:
    pouch = load_app_profile("examples/apps/todo-pouch")
    assert context_for(load_text(HEAD), pouch, None).min_retry_gap_s == pouch.parameters.timeouts.request_s
    s = load_text(HEAD + "setup:\n  app: {request_timeout_ms: 1200}\n")
    assert context_for(s, pouch, None).min_retry_gap_s == 1.2


def test_a_time_scale_runs_the_app_timers_and_only_those_faster() -> None:
    pouch = load_app_profile("examples/apps/todo-pouch")
    given = dict(urllib.parse.parse_qsl(pouch.parameters.launch_query))
    s = load_text(HEAD + "setup:\n  time_scale: 0.25\n  app: {probe_ms: 2000}\n")
    url = app_url("http://h/", s, pouch.parameters.launch_query, pouch.parameters.time_parameters)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    # the scenario's own value is scaled like the profile's: the factor is the app's clock, whatever set its timers
    assert q["probe_ms"] == "500" and q["longpoll_max_ms"] == str(round(int(given["longpoll_max_ms"]) / 4))
    assert q["request_timeout_ms"] == str(round(int(given["request_timeout_ms"]) / 4))
    # the app's request timeout as the checks know it follows
    assert context_for(s, pouch, None).min_retry_gap_s == pouch.parameters.timeouts.request_s / 4


def test_a_time_scale_for_an_app_that_names_no_timers_is_refused_before_anything_starts() -> None:
    s = load_text(HEAD + "setup:\n  time_scale: 0.5\n")
    with pytest.raises(SpecError) as e:
        app_url("http://h/", s, "probe_ms=500", ())
    assert "setup.time_scale" in str(e.value) and "time_parameters" in str(e.value)
    with pytest.raises(SpecError) as e:
        app_url("http://h/", s, "probe_ms=soon", ("probe_ms",))
    assert "probe_ms" in str(e.value) and "soon" in str(e.value)
    assert app_url("http://h/", load_text(HEAD), "probe_ms=soon", ()) == "http://h/?probe_ms=soon"  # 1: untouched


def test_a_timer_switched_off_stays_off_at_any_time_scale() -> None:
    # 0 ms is an app's "off" (no heartbeat, say): scaled to at least 1 ms it became a timer firing every millisecond
    s = load_text(HEAD + "setup:\n  time_scale: 0.25\n")
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
        app_url("http://h/", s, "heartbeat_ms=0&probe_ms=2", ("heartbeat_ms", "probe_ms"))).query))
    assert q == {"heartbeat_ms": "0", "probe_ms": "1"}


def test_context_takes_bounds_and_feature_policy() -> None:
    s = load_text(HEAD + "setup:\n  app: {queue_messages: false}\n  token_ttl_s: 4\n"
                  "expect:\n  bounds: {detect_s: 3, drain_s: 20}\n")
    ctx = context_for(s, load_app_profile("refapp"), None)
    assert ctx.max_detect_s == 3 and ctx.max_drain_s == 20
    assert "send_sms" in ctx.gated_features and "send_sms" not in ctx.queued_features
    assert ctx.expect_token_expiry and ctx.order_scope == "global"
    assert ctx.background_sync is None


def test_background_expectation_follows_the_policy_unless_the_scenario_says() -> None:
    s = load_text(HEAD)
    profile = load_app_profile("refapp")
    assert context_for(s, profile, "runs").background_sync == "allowed"
    assert context_for(s, profile, "none_until_relaunch").background_sync == "forbidden"
    assert context_for(s, profile, "windows").background_sync is None  # "may run": nothing to require
    forced = load_text(HEAD + "expect:\n  sync_while_background: false\n")
    assert context_for(forced, profile, "runs").background_sync == "forbidden"
