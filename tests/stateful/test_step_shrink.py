"""The step pass of shrinking: units, what goes with a removed unit, delta debugging, and the fuzz loop's judge."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from harness.checks import Verdict
from harness.scenario.model import Step
from harness.scenario.result import ScenarioResult
from harness.scenario.steps import parse_step
from harness.stateful import machine as M
from harness.stateful.fuzz import FuzzOptions, _step_shrink, step_pass_deadline
from harness.stateful.step_shrink import candidate_steps, ddmin, units
from harness.stateful.vocab import FuzzVocabulary
from harness.apps.refapp.fuzz import crm_vocabulary
import harness.apps.refapp.plugin  # noqa: F401  (its steps: the writes of the reference app)


def s(name: str, params: Any = None) -> Step:
    return Step(name, parse_step(name, params))


def names(steps: list[Step]) -> list[str]:
    return [x.name for x in steps]


def test_a_unit_is_an_action_with_the_expectations_after_it_and_a_relaunch_goes_with_its_kill() -> None:
    steps = [s("expect_banner", {"visible": False}), s("offline", "link"), s("expect_banner", {"visible": True}),
             s("kill"), s("relaunch"), s("expect_banner", {"visible": True}), s("relaunch"), s("online"),
             s("wait_synced", 20)]
    assert units(steps) == [[0], [1, 2], [3, 4, 5], [6], [7, 8]]


def test_what_cannot_stand_without_a_removed_unit_goes_with_it() -> None:
    steps = [s("add_item", {"as": "i1"}), s("expect_item", {"as": "i1", "state": "pending"}),
             s("edit_item", {"of": "i1", "as": "i2"}), s("expect_item", {"as": "i2", "state": "pending"}),
             s("begin", {"pay": {"contact": 1}}), s("hold", {"writes": True}), s("submit"), s("release"),
             s("background"), s("foreground"), s("online")]
    groups = units(steps)
    assert len(groups) == 9
    everything = list(range(len(groups)))
    assert candidate_steps(steps, groups, everything) == steps
    # the add gone: its expectation, the edit of its item and the edit's own expectation go too
    assert names(candidate_steps(steps, groups, everything[1:])) == [
        "begin", "hold", "submit", "release", "background", "foreground", "online"]
    # an opener gone: the step that closes it goes; a closer gone: its opener stays
    without = {names(steps)[groups[g][0]]: names(candidate_steps(steps, groups, [k for k in everything if k != g]))
               for g in everything}
    assert "submit" not in without["begin"] and "release" not in without["hold"]
    assert "foreground" not in without["background"]
    assert "begin" in without["submit"] and "hold" in without["release"]
    # the expectation of a kept item stays when only the edit goes
    assert names(candidate_steps(steps, groups, [0] + everything[2:])) == [
        "add_item", "expect_item", "begin", "hold", "submit", "release", "background", "foreground", "online"]


def test_ddmin_finds_the_smallest_failing_subset_asking_each_subset_once() -> None:
    asked: list[tuple[int, ...]] = []

    def fails(subset: list[int]) -> bool:
        asked.append(tuple(subset))
        return {3, 11} <= set(subset)

    assert ddmin(16, fails, deadline=float("inf")) == [3, 11]
    assert len(asked) == len(set(asked))
    assert len(asked) < 60  # far fewer than the 2**16 subsets


def test_ddmin_skips_what_cannot_be_built_and_stops_at_its_deadline() -> None:
    least = ddmin(6, lambda subset: None if len(subset) < 5 else 0 in subset, deadline=float("inf"))
    assert len(least) == 5 and 0 in least
    ticks = itertools.count()
    calls: list[list[int]] = []

    def fails(subset: list[int]) -> bool:
        calls.append(subset)
        return True

    # the clock passes its deadline after two answers: the best so far, no more runs
    assert ddmin(8, fails, deadline=4, clock=lambda: next(ticks)) == calls[-1]
    assert len(calls) == 2 and len(calls[-1]) == 2


class OrderingBug:
    """Stands in for the runner: a scenario fails ``ordering`` when two writes are queued in one offline spell;
    from the ``broken_after``-th run on, every run is a harness error (the lab broke)."""

    bugs: tuple[str, ...] = ("outbox-lifo",)

    def __init__(self, run_dir: Path, broken_after: int | None = None) -> None:
        self.run_dir = run_dir
        self.scenarios: list[list[str]] = []
        self.runs: list[list[Step]] = []
        self.broken_after = broken_after

    def run(self, scenario: Any) -> ScenarioResult:
        steps = names(list(scenario.steps))
        self.scenarios.append(steps)
        self.runs.append(list(scenario.steps))
        folder = self.run_dir / scenario.id
        folder.mkdir(parents=True)
        if self.broken_after is not None and len(self.scenarios) > self.broken_after:
            return ScenarioResult(id=scenario.id, title="", requirements=(), tags=(), folder=folder, outcome="error",
                                  error="the device went away")
        queued = best = 0
        for name in steps:
            queued = 0 if name == "online" else queued + (name in ("add_note", "send_sms") and "offline" in steps)
            best = max(best, queued if "offline" in steps[:steps.index(name)] else 0)
        failed = best >= 2
        return ScenarioResult(id=scenario.id, title="", requirements=(), tags=(), folder=folder,
                              outcome="failed" if failed else "passed",
                              verdicts=[Verdict("ordering", ("R5",), not failed, "queued writes in order")])


def test_the_fuzz_loop_keeps_each_smaller_run_that_fails_the_same_check_and_never_drops_the_closing_steps(
        tmp_path: Path) -> None:
    steps = [s("open_contacts"), s("offline", "link"), s("expect_banner", {"visible": True}),
             s("add_note", {"contact": 1, "as": "n1"}), s("expect_item", {"as": "n1", "state": "pending"}),
             s("wait", 0.5), s("send_sms", {"contact": 2, "as": "s2"}), s("search", {"contact": 3}),
             s("online"), s("expect_item", {"as": "s2", "state": "synced"}), s("open_dashboard"),
             s("online"), s("wait_synced", 20)]
    runner = OrderingBug(tmp_path)
    first = runner.run(type("Sc", (), {"steps": steps, "id": "first"})())
    ctx = M.FuzzContext(runner=runner, opportunity_owner={1: 1}, vocab=crm_vocabulary({1: 1}), deadline=float("inf"))
    ctx.failures = [M.FailedRun(steps, first, M.failure_class("ordering")([]), closing_from=11)]
    runner.scenarios.clear()
    _step_shrink(ctx, FuzzOptions(device="reference-unrestricted", bugs=runner.bugs), deadline=float("inf"))
    smallest = ctx.failures[-1]
    assert names(smallest.steps) == ["offline", "expect_banner", "add_note", "expect_item", "send_sms", "online",
                                     "wait_synced"]
    assert isinstance(smallest.error, M.failure_class("ordering"))
    assert ctx.stats.step_shrink_runs == len(runner.scenarios)
    assert len({tuple(sc) for sc in runner.scenarios}) == len(runner.scenarios)  # no candidate run twice
    # every candidate kept the closing reconnection, and only the smallest failing run's evidence is left
    assert all(sc[-2:] == ["online", "wait_synced"] for sc in runner.scenarios)
    assert [p.name for p in tmp_path.iterdir()] == [smallest.result.folder.name]
    # no candidate ran with an expectation its removals had made stale (n1 pending with the drop gone, say)
    from harness.stateful.step_shrink import without_stale_expectations

    assert len(runner.runs) > 5
    for ran in runner.runs:
        assert without_stale_expectations(ran, ctx.new_model()) == ran, [x.as_yaml() for x in ran]


def test_the_step_pass_leaves_a_failure_it_cannot_judge_alone(tmp_path: Path) -> None:
    runner = OrderingBug(tmp_path)
    errored = ScenarioResult(id="x", title="", requirements=(), tags=(), folder=tmp_path / "x", outcome="error")
    ctx = M.FuzzContext(runner=runner, opportunity_owner={}, vocab=FuzzVocabulary(reads=(), writes=()),
                        deadline=float("inf"))
    ctx.failures = [M.FailedRun([s("offline", "link"), s("online")], errored, RuntimeError("x"))]
    _step_shrink(ctx, FuzzOptions(device="reference-unrestricted"), deadline=float("inf"))
    assert runner.scenarios == [] and len(ctx.failures) == 1


@pytest.mark.parametrize("deadline", [0.0])
def test_no_time_left_no_run(tmp_path: Path, deadline: float) -> None:
    runner = OrderingBug(tmp_path)
    first = runner.run(type("Sc", (), {"steps": [s("offline", "link"), s("add_note", {"contact": 1, "as": "n1"}),
                                                 s("add_note", {"contact": 1, "as": "n2"}), s("online")],
                                       "id": "first"})())
    ctx = M.FuzzContext(runner=runner, opportunity_owner={1: 1}, vocab=crm_vocabulary({1: 1}), deadline=float("inf"))
    ctx.failures = [M.FailedRun([], first, M.failure_class("ordering")([]))]
    runner.scenarios.clear()
    _step_shrink(ctx, FuzzOptions(device="reference-unrestricted"), deadline=deadline)
    assert runner.scenarios == []


def test_the_step_pass_has_the_rest_of_the_bound_and_never_less_than_its_share() -> None:
    assert step_pass_deadline(100, 110, 60) == 160  # Hypothesis ended early: the rest is the step pass's
    # Hypothesis's part (20 s) ended 40 s late, with a long example in flight: the step pass still gets 40 s
    assert step_pass_deadline(100, 160, 60) == 200


def test_a_run_the_harness_could_not_carry_out_is_evidence_not_a_verdict_and_a_broken_lab_ends_the_pass(
        tmp_path: Path) -> None:
    steps = [s("offline", "link"), s("add_note", {"contact": 1, "as": "n1"}), s("wait", 0.5),
             s("open_contacts"), s("search", {"contact": 3}), s("send_sms", {"contact": 2, "as": "s2"}),
             s("open_dashboard"), s("online"), s("wait_synced", 20)]
    runner = OrderingBug(tmp_path, broken_after=2)
    first = runner.run(type("Sc", (), {"steps": steps, "id": "first"})())
    ctx = M.FuzzContext(runner=runner, opportunity_owner={1: 1}, vocab=crm_vocabulary({1: 1}), deadline=float("inf"))
    ctx.failures = [M.FailedRun(steps, first, M.failure_class("ordering")([]), closing_from=7)]
    runner.scenarios = runner.scenarios[:1]
    _step_shrink(ctx, FuzzOptions(device="reference-unrestricted", bugs=runner.bugs), deadline=float("inf"))
    # one run judged, then three harness errors in a row: no more runs; none of them counted as a pass or a failure
    assert len(runner.scenarios) == 1 + 1 + M.MAX_CONSECUTIVE_ERRORS
    assert ctx.stats.errors == M.MAX_CONSECUTIVE_ERRORS
    assert all("went away" in e for _, e in ctx.harness_errors) and all(f.exists() for f, _ in ctx.harness_errors)
    assert all(f.result.outcome == "failed" for f in ctx.failures)


# -- expectations the model no longer makes -----------------------------------------------------------------------

def _model() -> Any:
    from harness.stateful.model import RefModel

    return RefModel(contacts=(1, 2, 3), opportunity_owner={1: 2}, cached_contacts={1, 2})


def test_a_write_whose_drop_was_shrunk_away_is_not_expected_pending() -> None:
    # retry-new-key's export once began this way: the drop removed, the email then made online (synced at once),
    # and the replay failed on "e1 is synced, expected pending" (the harness's stale belief), not on the bug
    steps = [s("offline", "link"), s("expect_banner", {"visible": True}),
             s("send_email", {"contact": 1, "as": "e1"}), s("expect_item", {"as": "e1", "state": "pending"}),
             s("online"), s("expect_banner", {"visible": False}), s("expect_item", {"as": "e1", "state": "synced"})]
    from harness.stateful.step_shrink import without_stale_expectations

    assert without_stale_expectations(steps, _model()) == steps
    gone = candidate_steps(steps, units(steps), [1, 2])  # the drop's unit removed
    assert names(gone) == ["send_email", "expect_item", "online", "expect_banner", "expect_item"]
    kept = without_stale_expectations(gone, _model())
    assert [x.as_yaml() for x in kept] == [x.as_yaml() for x in (steps[2], steps[4], steps[5], steps[6])]


def test_an_item_left_offline_by_a_removed_reconnection_is_not_expected_synced_nor_the_banner_gone() -> None:
    from harness.stateful.step_shrink import without_stale_expectations

    steps = [s("offline", "airplane"), s("expect_banner", {"visible": True}), s("add_note", {"contact": 2, "as": "n1"}),
             s("expect_item", {"as": "n1", "state": "pending"}), s("online"), s("expect_banner", {"visible": False}),
             s("expect_item", {"as": "n1", "state": "synced"}), s("wait_synced", 20)]
    candidate = [steps[0], steps[1], steps[2], steps[3], steps[5], steps[6], steps[7]]  # the ``online`` gone
    assert names(without_stale_expectations(candidate, _model())) == \
        ["offline", "expect_banner", "add_note", "expect_item", "wait_synced"]


def test_every_expectation_the_machine_generates_is_one_the_model_makes(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # the pass must never take away an expectation of a sequence as the machine ran it (only ones a removal made
    # stale): the reference app's vocabulary, a resume round's, and a generic app's
    from harness.app.profile import load_app_profile
    from harness.stateful import resume
    from harness.stateful.step_shrink import without_stale_expectations
    from harness.stateful.vocab import generic_vocabulary
    from tests.stateful.test_machine import record_sequences

    owners = {1: 1, 2: 3, 3: 4}
    crm = crm_vocabulary(owners)
    vocabs = [crm, resume.resume_vocabulary(crm, load_app_profile("refapp"), 0.25),
              generic_vocabulary(load_app_profile("examples/apps/todo-pouch"))]
    expectations = 0
    for seed, vocab in enumerate(vocabs, start=3):
        runs, ctx = record_sequences(tmp_path, monkeypatch, vocab, seed=seed, examples=40, owners=owners)
        for run in runs:
            kept = without_stale_expectations(run.steps, ctx.new_model())
            assert [x.as_yaml() for x in kept] == [x.as_yaml() for x in run.steps], [x.as_yaml() for x in run.steps]
            expectations += sum(x.name.startswith("expect_") for x in run.steps)
    assert expectations > 200
