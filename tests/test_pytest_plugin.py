"""The pytest plugin, through pytester: scenario files become items; bad files are collection errors."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

GOOD = """\
id: {id}
title: a scenario
requirements: [{reqs}]
tags: [{tags}]
steps:
  - offline
  - add_note: {{contact: 3, as: n1}}
  - online
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    d = pytester.mkdir("scenarios")
    (d / "a.yaml").write_text(GOOD.format(id="notes-a", reqs="R9, R22", tags="queued, smoke"))
    (d / "b.yaml").write_text(GOOD.format(id="reads-b", reqs="R6", tags="reads"))
    (pytester.path / "devices").mkdir()  # not under scenarios/: never collected
    (pytester.path / "devices" / "x.yaml").write_text("name: x\n")
    return pytester


def test_scenario_files_are_collected_as_items_named_by_id(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--collect-only", "-q", "scenarios")
    result.stdout.fnmatch_lines(["scenarios/a.yaml::notes-a", "scenarios/b.yaml::reads-b", "*2 tests collected*"])
    assert result.ret == 0


@pytest.mark.parametrize("args,expected", [
    (["-m", "R22"], ["scenarios/a.yaml::notes-a"]),
    (["-m", "reads"], ["scenarios/b.yaml::reads-b"]),
    (["-m", "smoke and R9"], ["scenarios/a.yaml::notes-a"]),
    (["-k", "reads"], ["scenarios/b.yaml::reads-b"]),
])
def test_markers_for_tags_and_requirement_ids_select(suite: pytest.Pytester, args: list[str],
                                                     expected: list[str]) -> None:
    result = suite.runpytest("--collect-only", "-q", "scenarios", *args)
    result.stdout.fnmatch_lines(expected + ["*1/2 tests collected*"])


def test_a_broken_file_is_a_collection_error_with_file_line_and_fix(suite: pytest.Pytester) -> None:
    (suite.path / "scenarios" / "c.yaml").write_text(GOOD.format(id="c", reqs="R9", tags="x").replace(
        "add_note", "add_notes"))
    result = suite.runpytest("-q", "scenarios")
    result.stdout.fnmatch_lines(["*scenarios/c.yaml:7: steps[[]1[]]: 'add_notes' is not allowed*"
                                 "did you mean 'add_note'*"])
    assert result.ret == pytest.ExitCode.INTERRUPTED  # collection errors stop the run: nothing half-configured


def test_header_names_device_bugs_and_seed(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--collect-only", "scenarios", "--harness-seed", "42", "--harness-bugs", "outbox-lifo")
    result.stdout.fnmatch_lines(["harness: device=reference-unrestricted bugs=outbox-lifo seed=42 run=*"])


def test_bad_seed_is_a_usage_error(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--collect-only", "scenarios", "--harness-seed", "soon")
    result.stderr.fnmatch_lines(["*--harness-seed: 'soon' is not an integer*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_unknown_pool_is_a_usage_error(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--collect-only", "scenarios", "--harness-pool", "no-such-device,other")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_scenario_that_does_not_fit_the_device_is_skipped_with_reason(suite: pytest.Pytester) -> None:
    (suite.path / "scenarios" / "d.yaml").write_text(GOOD.format(id="android-only", reqs="R20", tags="x") +
                                                     "device:\n  kinds: [android]\n")
    result = suite.runpytest("-rs", "scenarios/d.yaml")
    result.stdout.fnmatch_lines(["*android-only runs on android devices; reference-unrestricted is reference*"])
    assert result.ret == 0


def test_a_scenario_file_outside_scenarios_is_collected_when_named(pytester: pytest.Pytester) -> None:
    elsewhere = pytester.mkdir("exported")
    (elsewhere / "r.yaml").write_text(GOOD.format(id="regression-x", reqs="R5", tags="x"))
    (elsewhere / "other.yaml").write_text("not: a scenario\n")
    result = pytester.runpytest("--collect-only", "-q", "exported/r.yaml")
    result.stdout.fnmatch_lines(["exported/r.yaml::regression-x", "*1 test collected*"])
    # a folder of arbitrary YAML outside scenarios/ is not collected
    assert pytester.runpytest("--collect-only", "-q", "exported").ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_header_names_the_app_under_test(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--collect-only", "scenarios", "--harness-app", "todo-pouch")
    result.stdout.fnmatch_lines(["harness: app=todo-pouch"])
