"""Applicability: a scenario needing what an app lacks is "not applicable" with the reason; checks too."""

from __future__ import annotations

from harness.app.profile import load_app_profile, parse_app_profile
from harness.paths import SCENARIOS
from harness.scenario.applicability import applicability, applicable_checks, scenario_needs, unjudged_requirements
from harness.scenario.loader import load_all, load_text

TODO = """\
name: todo
capabilities: [pending_count, lifecycle]
locators: {app_root: {css: body}, sync_status: {css: "#s"}}
attributes: {pending: data-pending}
collections:
  todos: {list: {css: "#l"}, item: {css: "#l li"}, input: {css: "#i"}, submit: {css: "#a"}}
"""

SCENARIO = """\
id: s
title: t
requirements: [R5, R1]
setup: {load: [{items: 3}]}
steps:
  - offline
  - add_item: {in: 3, as: a}
  - expect_banner: true
  - online
  - wait_synced: 10
expect:
  checks: [ordering, indicators]
"""


def test_a_step_needing_an_absent_capability_makes_the_scenario_not_applicable() -> None:
    sc = load_text(SCENARIO)
    a = applicability(sc, parse_app_profile(TODO))
    assert not a.applicable and a.missing == {"offline_indicator"}
    assert "offline_indicator" in a.reason and "step 3 (expect_banner)" in a.reason and "todo" in a.reason


def test_a_check_needing_an_absent_capability_is_left_out_with_its_reason() -> None:
    sc = load_text(SCENARIO.replace("  - expect_banner: true\n", ""))
    prof = parse_app_profile(TODO)
    a = applicability(sc, prof)
    assert a.applicable and set(a.checks_not_applicable) == {"indicators", "detection"}
    assert "offline_indicator" in a.checks_not_applicable["indicators"]
    assert applicable_checks(sc, prof) == ["ordering"]


def test_the_always_on_check_runs_whatever_the_scenario_names() -> None:
    # detection judges every offline window of every run (its app shows whether it is offline)
    sc = load_text(SCENARIO)
    prof = parse_app_profile(TODO.replace("[pending_count, lifecycle]", "[pending_count, lifecycle, offline_indicator]")
                             .replace('sync_status: {css: "#s"}', 'sync_status: {css: "#s"}, offline_banner: {css: "#b"}'))
    assert applicable_checks(sc, prof) == ["ordering", "indicators", "detection"]


def test_needs_come_from_steps_and_setup() -> None:
    sc = load_text(SCENARIO.replace("{items: 3}", "dashboard"))
    needs = scenario_needs(sc)
    assert needs["setup.load"] == {"dashboard"} and needs["step 2 (add_item)"] == {"records"}


def test_the_default_suite_serves_both_apps() -> None:
    suite = [s for s in load_all([SCENARIOS]) if "regressions" not in str(s.path)]
    ref = load_app_profile("refapp")
    todo = parse_app_profile(TODO.replace("[pending_count, lifecycle]",
                                          "[pending_count, lifecycle, offline_indicator, item_sync_state]")
                             .replace('sync_status: {css: "#s"}', 'sync_status: {css: "#s"}, offline_banner: {css: "#b"}')
                             .replace("{pending: data-pending}", "{pending: data-pending, sync_state: data-s}"))
    on_ref = [s.id for s in suite if applicability(s, ref).applicable]
    on_todo = [s.id for s in suite if applicability(s, todo).applicable]
    assert len(on_ref) >= len(suite) - 3  # the reference app has every capability but generic edit/delete hooks
    assert len(on_todo) >= 12
    unjudged = unjudged_requirements(suite, todo, [f"R{i}" for i in range(1, 28)])
    assert "R6" in unjudged and "R5" not in unjudged
