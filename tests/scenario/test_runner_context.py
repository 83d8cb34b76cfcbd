"""What the runner tells the checks and the app, derived from a scenario (pure, no processes)."""

from __future__ import annotations

import urllib.parse

from harness.app.profile import load_app_profile
from harness.scenario.loader import load_text
from harness.scenario.runner import app_url, context_for

HEAD = "id: s1\ntitle: t\nrequirements: [R9]\nsteps: [offline]\n"


def test_app_url_carries_the_scenario_timers() -> None:
    s = load_text(HEAD + "setup:\n  app: {probe_ms: 300, queue_messages: false}\n")
    url = app_url("http://127.0.0.1:8000/?old=1", s)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith("http://127.0.0.1:8000/?")
    assert q["probe_ms"] == "300" and q["queue_messages"] == "0" and "old" not in q


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
