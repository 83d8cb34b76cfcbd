"""One generated sequence run step by step on the shared runner, judged like a scenario.

:meth:`ScenarioRunner.run` takes a whole scenario; the state machine learns
its steps one rule at a time. :class:`LiveSequence` is the same life cycle
cut open: ``begin`` (steady state: network clean, backend reset and seeded,
app reinstalled, setup screens loaded), ``step`` for each generated step,
then ``finish``: the rollback that always runs, quiescence, the final
snapshots, the same checks over the same timeline and a ``result.json``.
It uses the runner's own steady-state and judging methods so that a
sequence and its exported scenario are judged by one code path.

Usage::

    seq = LiveSequence(runner, scenario).begin()
    inline = seq.step(Step("offline", parse_step("offline", None)))
    result = seq.finish()          # ScenarioResult, outcome passed|failed|error
"""

from __future__ import annotations

import random
import time
import traceback
from dataclasses import replace
from typing import Any

from harness.checks import Verdict
from harness.scenario.ledger_feed import LedgerFeed, ledger_end
from harness.scenario.model import Scenario, Step
from harness.scenario.result import ScenarioResult
from harness.timeline import Timeline


class LiveSequence:
    """A scenario whose steps arrive one at a time (see the module docstring)."""

    def __init__(self, runner: Any, scenario: Scenario) -> None:
        self.runner = runner
        self.scenario = scenario
        self.steps: list[Step] = []
        self.inline: list[Verdict] = []
        self.reset_s = 0.0
        self.steps_s = 0.0
        self.finish_s = 0.0
        self._finished = False
        self.folder = runner.run_dir / "scenarios" / scenario.id
        self.folder.mkdir(parents=True, exist_ok=True)
        self.timeline = Timeline(self.folder / "timeline.jsonl", scenario=scenario.id)
        self.result = ScenarioResult(id=scenario.id, title=scenario.title, requirements=scenario.requirements,
                                     tags=scenario.tags, folder=self.folder, device=runner.profile.name,
                                     bugs=runner.bugs, seed=runner.seed)
        self._t0 = time.monotonic()
        self._feed: Any = None
        self.executor: Any = None

    def begin(self) -> "LiveSequence":
        """Steady state; raises (after cleaning up) when the lab or the app cannot get there."""
        from harness.scenario.executor import StepExecutor

        r, sc, tl = self.runner, self.scenario, self.timeline
        r._attach(tl, self.folder)
        tl.append("run", "scenario.start", data={
            "id": sc.id, "title": sc.title, "requirements": list(sc.requirements), "device": r.profile.name,
            "bugs": list(r.bugs), "seed": r.seed, "path": None, "generated": True})
        self._feed = LedgerFeed(r.lab.ledger_path, tl, offset=ledger_end(r.lab.ledger_path)).start()
        rng = random.Random(f"{r.seed}:{sc.id}")
        self.executor = StepExecutor(lab=r.lab, device=r.device, profile=r.profile, app_profile=r.app_profile,
                                     timeline=tl, scenario=sc, rng=rng, folder=self.folder)
        try:
            r._steady_state(sc, self.executor, tl)
        except BaseException:
            self._abort()
            raise
        self.reset_s = time.monotonic() - self._t0
        return self

    def step(self, step: Step) -> list[Verdict]:
        """Run one step; returns its inline verdicts (expectations), also kept for the final judgement."""
        t0 = time.monotonic()
        step = replace(step, index=len(self.steps))
        self.steps.append(step)
        try:
            verdicts = self.executor.run_step(step)
        finally:
            self.steps_s += time.monotonic() - t0
        self.inline.extend(verdicts)
        return verdicts

    def finish(self, *, judge: bool = True) -> ScenarioResult:
        """Rollback, quiescence, snapshots, checks, result.json; ``error`` when the lab or app broke."""
        if self._finished:
            return self.result
        self._finished = True
        t0 = time.monotonic()
        ex, tl, result = self.executor, self.timeline, self.result
        try:
            ex.rollback()
            ex.settle(self._feed)
            ex.final_snapshots()
        except Exception as e:  # the app or the lab broke at the end: an error, with evidence
            result.outcome = "error"
            result.error = f"{type(e).__name__}: {e}"
            tl.append("log", "scenario.error", data={"error": result.error, "traceback": traceback.format_exc()})
            ex.screenshot("error")
        finally:
            self._feed.stop()
            ex.close()
        scenario = replace(self.scenario, steps=tuple(self.steps))
        if result.outcome != "error" and judge:
            self.runner._judge(scenario, tl, result, self.inline, ex)
        self._close(result)
        self.finish_s = time.monotonic() - t0
        return result

    def error(self, exc: BaseException) -> ScenarioResult:
        """Record that a step raised, then clean up like ``finish`` (no judgement)."""
        self.result.outcome = "error"
        self.result.error = f"{type(exc).__name__}: {exc}"
        self.timeline.append("log", "scenario.error", data={"error": self.result.error,
                                                            "traceback": traceback.format_exc()})
        self.executor.screenshot("error")
        try:
            self.executor.rollback()
            self.executor.settle(self._feed)
        except Exception:
            pass
        self._finished = True
        self._feed.stop()
        self.executor.close()
        self._close(self.result)
        return self.result

    def _abort(self) -> None:
        if self._feed is not None:
            self._feed.stop()
        if self.executor is not None:
            self.executor.close()
        self.timeline.close()

    def _close(self, result: ScenarioResult) -> None:
        result.duration_s = time.monotonic() - self._t0
        self.timeline.append("run", "scenario.end", data={"outcome": result.outcome,
                                                          "duration_s": round(result.duration_s, 3)})
        self.timeline.close()
        self.runner._write_har(self.folder, self._feed)
        result.write()


__all__ = ["LiveSequence"]
