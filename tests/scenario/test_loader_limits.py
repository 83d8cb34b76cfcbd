"""The scenario loader on files far from what anyone writes: it answers quickly, in a message one can read."""

from __future__ import annotations

import pytest

from harness.scenario.loader import ScenarioInvalid, load_text

HEAD = "id: x\ntitle: t\nrequirements: [R9]\n"


def test_hundreds_of_errors_are_all_kept_and_the_first_thirty_listed() -> None:
    # every step refers to a label nothing made: one error each; the message was one line per step (170 kB for
    # a thousand)
    body = HEAD + "steps:\n" + "  - {expect_item: {as: zz, state: pending, within_s: 1}}\n" * 500
    with pytest.raises(ScenarioInvalid) as ei:
        load_text(body, "many.yaml")
    err = ei.value
    assert len(err.errors) == 500
    lines = str(err).splitlines()
    assert lines[0] == "many.yaml: 500 errors; nothing was run"
    assert len(lines) == 1 + 30 + 1 and lines[-1] == "  ... and 470 more"
    assert lines[1].startswith("  many.yaml:5: steps[0].expect_item.as: 'zz'")


@pytest.mark.parametrize(("extra", "field", "line"), [
    ("ID: y\n", "ID", 5),                       # looked like a union branch name to the error mapper: IndexError
    ("'a[b]': 1\n", "a[b]", 5),                 # so did a key with a bracket
    ("? [a, b]\n: c\n", "('a', 'b')", 5),       # a complex key: the error had no line
    ("!!python/object:os.system id: Has Spaces\n", "id", 5),  # a tagged key: the error had no line
])
def test_an_odd_top_level_key_is_an_error_at_its_line(extra: str, field: str, line: int) -> None:
    text = (HEAD + "steps: [offline]\n" + extra) if field != "id" else "title: t\nrequirements: [R9]\nsteps: " \
        "[offline]\ntags: []\n" + extra
    with pytest.raises(ScenarioInvalid) as ei:
        load_text(text, "odd.yaml")
    errors = [e for e in ei.value.errors if e.field == field]
    assert errors and all(e.line == line for e in errors), str(ei.value)


@pytest.mark.parametrize(("body", "field"), [
    ("steps: [offline, online]\nexpect:\n  bounds: {detect_s: .inf}\n", "expect.bounds.detect_s"),
    ("steps: [offline, online]\nexpect:\n  bounds: {drain_s: .inf, converge_s: .inf}\n", "expect.bounds.drain_s"),
])
def test_a_bound_of_infinity_is_rejected(body: str, field: str) -> None:
    # pydantic takes .inf for a float with only a lower bound: a liveness bound that can never be missed
    with pytest.raises(ScenarioInvalid) as ei:
        load_text(HEAD + body, "inf.yaml")
    assert any(e.field == field and e.line == 6 for e in ei.value.errors), str(ei.value)


def test_the_bounds_of_waits_count_towards_the_hour() -> None:
    # two wait_synced of 3600 s each: an app that never syncs goes on after each timeout, two hours in all
    # (only the timers of wait, schedules and background spells were added up)
    body = HEAD + "steps:\n  - offline\n  - online\n  - wait_synced: 3600\n  - wait_synced: 3600\n"
    with pytest.raises(ScenarioInvalid) as ei:
        load_text(body, "slow.yaml")
    [err] = ei.value.errors
    assert err.field == "steps[3].wait_synced" and err.line == 8 and "7200 s" in str(err.value), str(err)
    load_text(HEAD + "steps:\n  - offline\n  - online\n  - wait_synced: 1800\n  - wait_synced: 1800\n", "ok.yaml")


@pytest.mark.parametrize("tag", ["''", "_private", "'two words'", "'x: y'"])
def test_a_tag_pytest_cannot_take_as_a_marker_is_an_input_error(tag: str) -> None:
    # each loaded, then pytest failed while collecting the scenario (IndexError for '', AttributeError for a
    # leading '_'), or the tag could never be selected with -m
    with pytest.raises(ScenarioInvalid) as ei:
        load_text(HEAD + f"steps: [offline]\ntags: [ok, {tag}]\n", "tags.yaml")
    [err] = ei.value.errors
    assert err.field == "tags[1]" and err.line == 5 and "[A-Za-z0-9]" in err.allowed, str(err)
