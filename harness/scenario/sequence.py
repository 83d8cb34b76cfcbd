"""One scenario run, cut open: ``begin``, one ``step`` at a time, ``finish``.

:meth:`ScenarioRunner.run` feeds a scenario file's steps through it; the
Hypothesis state machine feeds generated steps one rule at a time. Either
way the life cycle is the same single code path: ``begin`` (steady state:
network clean, backend reset and seeded, app reinstalled with the
scenario's timers, setup screens loaded online), ``step`` for each step,
then ``finish``: the rollback that always runs, quiescence, the final
snapshots, the checks over the timeline, ``result.json`` and the HAR. So a
generated sequence and the scenario exported from it are judged alike.

Usage::

    run = ScenarioRun(runner, scenario).begin()
    inline = run.step(Step("offline", parse_step("offline", None)))
    result = run.finish()          # ScenarioResult, outcome passed|failed|error
"""

from __future__ import annotations

import random
import time
import traceback
from dataclasses import replace
from typing import Any

from harness.app.base import ScreenTimeout
from harness.checks import Verdict
from harness.errors import Evidence, HarnessFault, UserError
from harness.scenario.ledger_feed import LedgerFeed, ledger_end
from harness.scenario.model import Scenario, Step
from harness.scenario.result import ScenarioResult
from harness.timeline import Timeline


class ScenarioRun:
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
                                     bugs=runner.bugs, seed=runner.seed,
                                     app=getattr(getattr(runner, "app_profile", None), "name", ""))
        self._t0 = time.monotonic()
        self._feed: Any = None
        self.executor: Any = None

    def begin(self) -> "ScenarioRun":
        """Steady state; raises (after cleaning up) when the lab or the app cannot get there."""
        try:
            self._begin()
        except BaseException:
            self._abort()
            raise
        return self

    def begin_or_error(self) -> "ScenarioRun":
        """Steady state; a lab or app failure becomes an ``error`` result (bad input still raises)."""
        try:
            self._begin()
        except UserError:
            self._abort()
            raise
        except Exception as e:
            self.error(e)
        return self

    def _begin(self) -> None:
        from harness.scenario.executor import StepExecutor

        r, sc, tl = self.runner, self.scenario, self.timeline
        r.attach(tl, self.folder)
        tl.append("run", "scenario.start", data={
            "id": sc.id, "title": sc.title, "requirements": list(sc.requirements), "device": r.profile.name,
            "bugs": list(r.bugs), "seed": r.seed, "path": str(sc.path) if sc.path else None,
            "generated": sc.path is None})
        self._feed = LedgerFeed(r.lab.ledger_path, tl, offset=ledger_end(r.lab.ledger_path)).start()
        rng = random.Random(f"{r.seed}:{sc.id}")
        self.executor = StepExecutor(lab=r.lab, device=r.device, profile=r.profile, app_profile=r.app_profile,
                                     timeline=tl, scenario=sc, rng=rng, folder=self.folder)
        self.executor.feed = self._feed
        r.steady_state(sc, self.executor, tl)
        self.reset_s = time.monotonic() - self._t0

    def step(self, step: Step) -> list[Verdict]:
        """Run one step; returns its inline verdicts (expectations), also kept for the final judgement."""
        t0 = time.monotonic()
        step = replace(step, index=len(self.steps))
        self.steps.append(step)
        try:
            verdicts = self.executor.run_step(step)
        finally:
            took = time.monotonic() - t0
            self.steps_s += took
            self.timeline.append("log", "step.done", data={"step": step.name, "index": step.index,
                                                           "duration_s": round(took, 3)})
        self.inline.extend(verdicts)
        return verdicts

    def step_failed(self, step: Step, exc: BaseException) -> Verdict:
        """The app did not show what a step needed within its bound (an error page, a control that never
        came). A failed verdict (R26: never hang or crash) when the app had a reason to fail: a step of the
        network, the device's life cycle or the server ran before. Otherwise, or when the device no longer
        answers, no verdict: raises :class:`HarnessFault` with the evidence (screenshot, page source, the
        lab's logs), and the caller ends the scenario as a harness error."""
        where = f"step {step.index + 1} ({step.name}{f', line {step.line}' if step.line else ''})"
        return self._screen_failed(where, exc, {"step": step.name, "index": step.index, "line": step.line})

    def _screen_failed(self, where: str, exc: BaseException, data: dict[str, Any]) -> Verdict:
        """A screen that never came, judged as :meth:`step_failed` says (a verdict, or a HarnessFault)."""
        from harness.scenario import evidence

        ev = self.timeline.append("log", "step.failed", layer="app",
                                  data={**data, "error": f"{type(exc).__name__}: {exc}"})
        files, device_error = evidence.collect(self.runner.device, self.runner.lab, self.folder, "step-failed")
        if device_error:
            raise HarnessFault(f"{where}: {exc}; then the device stopped answering ({device_error})",
                               evidence=files) from exc
        if not self.executor.disturbed:
            raise HarnessFault(f"{where} could not be done before anything disturbed the network, the device or "
                               f"the server: {exc}. No requirement is judged: a correct app had no reason to "
                               "fail here", evidence=files) from exc
        source = next((f.name for f in files if f.name.endswith(".page.xml")), None)
        summary = f"{where}: {exc}" + (f" (page source: {source})" if source else "")
        verdict = Verdict("ui", ("R26",), False, f"{where} could not be done: {exc}", (Evidence(ev.seq, summary),))
        self.inline.append(verdict)
        return verdict

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
            try:
                ex.final_snapshots()
            except ScreenTimeout as e:  # the app's lists did not come back after the network did
                self._screen_failed("the final read of the app's lists (network back, traffic quiet)", e,
                                    {"step": "final_snapshots"})
        except Exception as e:  # the app or the lab broke at the end: an error, with evidence
            result.outcome = "error"
            result.error = f"{type(e).__name__}: {e}"
            tl.append("log", "scenario.error", data={"error": result.error, "traceback": traceback.format_exc()})
            self._keep_evidence(e)
        finally:
            self._feed.stop()
            ex.close()
        scenario = replace(self.scenario, steps=tuple(self.steps))
        if result.outcome != "error" and judge:
            self.runner.judge(scenario, tl, result, self.inline, ex)
        self._close(result)
        self.finish_s = time.monotonic() - t0
        return result

    def error(self, exc: BaseException) -> ScenarioResult:
        """Record that the scenario could not be carried out (a harness error: no verdict), with its evidence;
        roll back (always) and close without judgement."""
        self.result.outcome = "error"
        self.result.error = f"{type(exc).__name__}: {exc}"
        self.timeline.append("log", "scenario.error", data={"error": self.result.error,
                                                            "traceback": traceback.format_exc()})
        self._finished = True
        self._keep_evidence(exc)
        if self.executor is not None:
            try:
                self.executor.rollback()
            except Exception as e:
                self.timeline.append("log", "rollback.errors", data={"errors": [str(e)]})
            self.executor.close()
        if self._feed is not None:
            self._feed.stop()
        self._close(self.result)
        return self.result

    def _keep_evidence(self, exc: BaseException) -> None:
        """The error's own evidence files, or a screenshot, the page source and the lab's logs now."""
        from harness.scenario import evidence

        files = [str(f) for f in getattr(exc, "evidence", ())]
        if not files:
            files = [str(f) for f in evidence.collect(self.runner.device, self.runner.lab, self.folder, "error")[0]]
        self.result.evidence_files = files

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
        if self._feed is not None:
            self.runner.write_har(self.folder, self._feed)
        result.write()


__all__ = ["ScenarioRun"]
