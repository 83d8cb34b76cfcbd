"""The export is a sequence that fails the same way on every replay: the failing sequences met, fewest actions
first (a shrunk sequence can hinge on a race that its replay does not meet, and can be longer than an earlier
failure)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from harness.checks.model import Verdict
from harness.scenario.model import Step
from harness.scenario.result import ScenarioResult
from harness.scenario.steps import parse_step
from harness.stateful.machine import FailedRun, FuzzContext, SequenceFailed

F = importlib.import_module("harness.stateful.fuzz")  # the package's ``fuzz`` is the function


def failed_run(tmp_path: Path, *names: str, error: type[SequenceFailed] = SequenceFailed) -> FailedRun:
    steps = [Step(n, parse_step(n, {"contact": 1, "as": f"n{i}"} if n == "add_note" else None))
             for i, n in enumerate(names, 1)]
    verdicts = [Verdict("ordering", ("R5",), False, "out of order")]
    result = ScenarioResult(id="x", title="", requirements=(), tags=(), folder=tmp_path, outcome="failed",
                            verdicts=verdicts)
    return FailedRun(steps, result, error(verdicts))


class Runner:
    """Replays by script: each run() answers the next outcome and records the scenario's step names."""

    def __init__(self, outcomes: list[str], run_dir: Path) -> None:
        self.outcomes, self.ran, self.run_dir = outcomes, [], run_dir

    def run(self, scenario: Any) -> ScenarioResult:
        self.ran.append([s.name for s in scenario.steps if s.name != "wait_synced"])
        outcome = self.outcomes.pop(0)
        verdicts = [Verdict("ordering", ("R5",), outcome == "passed", "")]
        return ScenarioResult(id=scenario.id, title="", requirements=(), tags=(), folder=Path("."),
                              outcome=outcome, verdicts=verdicts)


@pytest.fixture
def found(tmp_path: Path) -> tuple[F.FuzzOutcome, FuzzContext, F.FuzzOptions]:
    ctx = FuzzContext(runner=None, opportunity_owner={}, deadline=0)
    ctx.failures = [failed_run(tmp_path, "offline", "add_note", "add_note", "online"),
                    failed_run(tmp_path, "offline", "add_note", "online"),
                    failed_run(tmp_path, "offline", "online")]
    out = F.FuzzOutcome(seed=1, settings="", run_dir=tmp_path, stats=ctx.stats)
    opts = F.FuzzOptions(device="reference-unrestricted", bugs=("outbox-lifo",), export_dir=tmp_path / "export")
    F._found(out, ctx, ctx.failures[-1].error, opts)
    return out, ctx, opts


def run_export(found: Any, outcomes: list[str]) -> tuple[F.FuzzOutcome, Runner]:
    out, ctx, opts = found
    runner = Runner(outcomes, out.run_dir / "run")
    F._export_and_replay(out, ctx, runner, opts, ctx.failures[-1].error)
    return out, runner


def test_the_shrunk_sequence_is_exported_when_every_replay_fails_the_same_way(found: Any) -> None:
    out, runner = run_export(found, ["failed"] * F.REPLAYS)
    assert F.REPLAYS == 3 and out.replay_matches and out.replays == F.REPLAYS and out.kind == "failed"
    assert [s.name for s in out.steps] == ["offline", "online"]
    assert [p.name for p in out.scenario_path.parent.iterdir()] == [out.scenario_path.name]


def test_a_shrunk_sequence_that_replays_clean_gives_way_to_the_one_before(found: Any) -> None:
    out, runner = run_export(found, ["failed", "failed", "passed", "failed", "failed", "failed"])
    assert out.replay_matches and out.replays == 6 and out.kind == "failed"
    assert [s.name for s in out.steps] == ["offline", "add_note", "online"]
    assert runner.ran[3] == ["offline", "add_note", "online"]
    # only the export that holds is left on disk
    assert [p.name for p in out.scenario_path.parent.iterdir()] == [out.scenario_path.name]


def test_a_failure_that_no_replay_reproduces_is_flaky_and_never_exported(found: Any) -> None:
    out, runner = run_export(found, ["passed", "failed", "passed", "failed", "failed", "passed"])
    assert out.kind == "flaky" and not out.replay_matches and out.replay_outcome == "passed"
    assert [s.name for s in out.steps] == ["offline", "online"] and out.replays == len(runner.ran) == 6
    export_dir = found[2].export_dir
    assert not export_dir.exists() or not list(export_dir.iterdir())  # nothing in the regressions
    assert out.scenario_path.parent == runner.run_dir / "flaky" and out.scenario_path.is_file()
    # the evidence: every replay, its outcome and folder
    assert [r["outcome"] for r in out.replay_history] == ["passed", "failed", "passed", "failed", "failed", "passed"]


def test_candidates_are_distinct(tmp_path: Path) -> None:
    one = failed_run(tmp_path, "offline", "online")
    assert F.replay_candidates([one]) == [one]
    two = failed_run(tmp_path, "offline", "add_note", "online")
    assert F.replay_candidates([two, one]) == [one, two]


def test_an_earlier_failure_with_fewer_actions_goes_first(tmp_path: Path) -> None:
    # shrinking towards the offline spell (the simplest rule, the most steps) can lengthen the sequence
    first = failed_run(tmp_path, "offline", "add_note", "online")
    other = failed_run(tmp_path, "offline", "add_note", "add_note", "add_note", "online")
    shrunk = failed_run(tmp_path, "offline", "add_note", "add_note", "online")
    assert F.replay_candidates([first, other, shrunk]) == [first, shrunk, other]


def test_only_failures_like_the_shrunk_one_are_candidates(tmp_path: Path) -> None:
    from harness.stateful.machine import failure_class

    elsewhere = failed_run(tmp_path, "offline", "online", error=failure_class("gating"))
    shrunk = failed_run(tmp_path, "offline", "add_note", "online", error=failure_class("ordering"))
    assert F.replay_candidates([elsewhere, shrunk]) == [shrunk]


def test_at_most_a_few_candidates(tmp_path: Path) -> None:
    runs = [failed_run(tmp_path, "offline", *["add_note"] * k, "online") for k in range(6, 0, -1)]
    assert F.replay_candidates(runs) == runs[::-1][:F.CANDIDATES]


def test_after_a_flaky_finding_the_search_goes_on_with_the_budget_left(found: Any) -> None:
    import time

    out, runner = run_export(found, ["passed"] * 9)
    ctx, opts = found[1], found[2]
    ctx.deadline = time.monotonic() + 60
    assert out.kind == "flaky" and F._search_on(out, ctx, opts)
    assert ctx.failures == [] and ctx.stats.first_failure_s is None  # the next failure is a finding of its own
    [kept] = out.flaky_findings
    assert kept["scenario_path"] == str(out.scenario_path) and kept["failed_checks"] == ["ordering"]
    assert [r["outcome"] for r in kept["replays"]] == ["passed"] * len(runner.ran)
    assert out.kind == "flaky" and out.found  # still what the run reports if nothing else is found
    assert out.earlier_flaky == []  # the one it describes is not listed again
    out.scenario_path = out.run_dir / "export" / "a-later-finding.yaml"
    assert out.earlier_flaky == [kept]


@pytest.mark.parametrize("why", ["reproduced", "no budget", "parallel"])
def test_the_search_ends_on_a_reproduced_finding_an_empty_budget_or_in_a_parallel_run(found: Any, why: str) -> None:
    import dataclasses
    import time

    out, _ = run_export(found, ["failed"] * 3 if why == "reproduced" else ["passed"] * 9)
    ctx, opts = found[1], found[2]
    ctx.deadline = time.monotonic() + (5 if why == "no budget" else 60)
    if why == "parallel":
        opts = dataclasses.replace(opts, parallel_run=out.run_dir)
    assert not F._search_on(out, ctx, opts)
    assert out.flaky_findings == [] and ctx.failures  # nothing cleared
