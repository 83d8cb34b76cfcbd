"""Real lab, real browser: the machine runs clean on the bug-free app and finds, shrinks and exports bugs.

Bounded for 2-core CI: one shared lab, short budgets, a short shrink bound,
fixed seeds, no example database. The exported scenario is replayed twice
in-process by the fuzz run (ScenarioRunner.run, what ``harness run`` does)
and once more through the ``harness run`` command.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from harness import paths
from harness.scenario.loader import load_scenario
from harness.stateful import FuzzOptions, fuzz, timescale

# a search, a bounded shrink, three replays and a `harness run` of the export: minutes, not the unit default of 300 s
pytestmark = [pytest.mark.processes, pytest.mark.browser, pytest.mark.timeout(1200)]

DEVICE = "reference-unrestricted"


def run_fuzz(runner: Any, tmp_path: Path, bugs: tuple[str, ...], max_examples: int, seed: int,
             checks: tuple[str, ...] | None = None) -> Any:
    """Bounded by examples, not seconds: a seed's examples are the same on any machine, and a busy one only makes
    them slower (a 150 s budget reached outbox-lifo's fifth example on an idle machine and not at load 10)."""
    opts = FuzzOptions(device=DEVICE, bugs=bugs, budget_s=900, max_examples=max_examples, seed=seed,
                       export_dir=tmp_path, use_database=False, shrink_s=25, checks=checks)
    return fuzz(opts, runner=runner)


def test_clean_app_short_budget(fuzz_runner: Any, tmp_path: Path) -> None:
    out = run_fuzz(fuzz_runner, tmp_path, (), max_examples=3, seed=3)
    assert out.stats.examples >= 1 and out.stats.steps >= 1
    assert not out.found, f"false alarm on the bug-free app: {out.title}\n{out.steps}"


# Seeds with a sequence that exposes the bug among the first examples (generation does not depend on the app,
# so the examples of a seed are the same until one fails; any change to the machine's rules or constants can
# move them). Seed 19 now meets outbox-lifo at its fifth example (118 s at load 6, with or without the setup
# snapshot). Earlier, measured (benchmarks/bugfinding.py --budget 150 --shrink 40): outbox-lifo at 36 s (notes
# queued offline drain newest first),
# server-ignores-idempotency at 46 s (a note queued offline, its response held past the app's timeout on the
# reconnection, the retry under the same key applied twice); both replayed to the same verdict. Not
# retry-new-key: at seed 19 it shrinks to "edit online, drop the link at once", a duplicate only when the drop
# meets the request in flight (its replays failed two times in three).
@pytest.mark.parametrize("bug, check, seed", [("outbox-lifo", "ordering", 19)])
def test_finds_shrinks_exports_and_replays(fresh_fuzz_runner: Any, tmp_path: Path, bug: str, check: str,
                                           seed: int) -> None:
    out = run_fuzz(fresh_fuzz_runner, tmp_path, (bug,), max_examples=8, seed=seed, checks=("ordering", "exactly_once"))
    assert out.found and out.kind == "failed", "not found within the budget"
    assert check in out.failed_checks, out.title
    # shrinking is bounded in time here (each candidate is a real run): it must not grow the sequence
    assert len(out.steps) <= out.first_failure_steps
    # then by its steps, each candidate a real run: never longer than what Hypothesis's shrinker left
    assert out.stats.step_shrink_runs >= 1 and len(out.actions) <= out.hypothesis_shrunk_actions
    assert out.scenario_path is not None and out.scenario_path.exists()
    assert out.replay_matches, (out.replay_outcome, out.replay_failed, out.failed_checks)
    # explored at a quarter of the app's time (its profile names its timers), exported and replayed at it
    assert load_scenario(out.scenario_path).setup.time_scale == timescale.DEFAULT_FUZZ_SCALE
    profile_probe = dict(urllib.parse.parse_qsl(fresh_fuzz_runner.app_profile.parameters.launch_query))["probe_ms"]
    launched = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(fresh_fuzz_runner.device.app_url).query))
    assert launched["probe_ms"] == str(round(int(profile_probe) * timescale.DEFAULT_FUZZ_SCALE))
    # harness run collects scenario files inside the project only: a temporary copy under regressions/
    copy = paths.SCENARIOS / "regressions" / f"_pytest-{out.scenario_path.name}"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(out.scenario_path.read_text())
    cmd = [sys.executable, "-m", "harness", "run", str(copy), "--device", DEVICE, "--seed",
           str(out.seed), "--bugs", bug, "--report-dir", str(tmp_path / "replay")]
    try:
        proc = subprocess.run(cmd, cwd=paths.ROOT, capture_output=True, text=True, timeout=180)
    finally:
        copy.unlink(missing_ok=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED" in proc.stdout


def test_two_workers_one_finding_shrunk_and_exported_once(tmp_path: Path) -> None:
    """`harness fuzz --workers 2`: two labs on free ports (seeds 19 and 20); the worker that meets the bug first
    claims it, shrinks and exports it; the other stops at its next example and exports nothing."""
    export = tmp_path / "export"
    cmd = [sys.executable, "-m", "harness", "fuzz", "--workers", "2", "--bugs", "server-ignores-idempotency",
           "--seed", "19", "--budget", "900", "--max-examples", "16", "--shrink", "25", "--checks", "ordering,exactly_once",
           "--no-database", "--report-dir", str(tmp_path / "run"), "--export-dir", str(export)]
    proc = subprocess.run(cmd, cwd=paths.ROOT, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-4000:]
    import json

    merged = json.loads((tmp_path / "run" / "parallel-result.json").read_text())
    outcomes = {w["slot"]: w["outcome"] for w in merged["workers"]}
    assert set(outcomes) == {"w0", "w1"} and all(o is not None for o in outcomes.values()), out[-4000:]
    [finder] = [slot for slot, o in outcomes.items() if o["found"]]
    [other] = [slot for slot in outcomes if slot != finder]
    assert json.loads((tmp_path / "run" / "found").read_text())["worker"] == finder
    assert "exactly_once" in outcomes[finder]["title"] and outcomes[finder]["replay_matches"], outcomes[finder]
    assert [p.name for p in export.iterdir()] == [Path(outcomes[finder]["scenario_path"]).name]
    assert not outcomes[other]["found"] and outcomes[other]["examples"] >= 1
    assert not any(w["crashes"] for w in merged["workers"])


def test_a_resume_round_passes_an_app_that_resumes_on_its_triggers_and_fails_one_that_waits_for_its_probe(
        fuzz_runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # every round a resume round (in a run, one in four): the app's probe held at 20 s, every way back triggered
    from harness.stateful import resume
    from harness.stateful.fuzz import _export

    monkeypatch.setattr(resume, "is_resume_round", lambda round_no: True)
    clean = fuzz(FuzzOptions(device=DEVICE, budget_s=600, max_examples=2, seed=1, export_dir=tmp_path,
                             use_database=False, shrink_s=10), runner=fuzz_runner)
    assert clean.stats.resume_examples == clean.stats.examples == 2
    assert not clean.found, f"false alarm in a resume round: {clean.title}\n{clean.steps}"
    # the simplest resume-round spell drops the link and comes back while the app is in the background: an app
    # that does not sync when it returns to the foreground waits for its probe (the 20 s held)
    opts = FuzzOptions(device=DEVICE, bugs=("no-sync-on-foreground",), budget_s=600, max_examples=3, seed=1,
                       export_dir=tmp_path, use_database=False, shrink_s=10, replay=False)
    out = fuzz(opts, runner=fuzz_runner)
    assert out.found and out.kind == "failed", out.title
    names = [s.name for s in out.steps]
    assert names.index("background") < names.index("foreground"), names
    path, _ = _export(out, opts)
    scenario = load_scenario(path)  # it replays at the held probe and the round's bounds
    assert scenario.setup.app.probe_ms == 80_000 and scenario.setup.time_scale == timescale.DEFAULT_FUZZ_SCALE
    assert scenario.expect.bounds.drain_s == resume.RESUME_BOUND_S
