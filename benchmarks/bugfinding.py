"""Bug-finding power of ``harness fuzz``: per catalogued bug, found or not within a fixed budget and seeds.

Prints JSON: for each bug of the reference app's catalogue and each seed,
whether the state machine found a failure within the budget, seconds to the
first failure, the shrunk length, the requirements named, and whether the
exported scenario replayed to the same failure; the same runs with no bug
(false alarms); throughput (examples per minute, steps per second) and where
the time goes (reset, steps, final judgement). One lab is shared by every
run; the bugs are switched per run through the backend's admin API and the
client's launch config (each example reinstalls the app).

    .venv/bin/python benchmarks/bugfinding.py --budget 120 --seeds 1,2 [--bugs outbox-lifo,retry-new-key]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def catalogue() -> list[dict[str, Any]]:
    out = subprocess.run([sys.executable, "-m", "refapp", "--list-bugs"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4:
            rows.append({"bug": parts[0], "side": parts[1], "requirements": parts[2].split(","), "what": parts[3]})
    return rows


def one(runner: Any, bug: str | None, seed: int, budget_s: float, shrink_s: float, export_dir: Path) -> dict[str, Any]:
    from harness.stateful import FuzzOptions, fuzz

    opts = FuzzOptions(device="reference-unrestricted", bugs=(bug,) if bug else (), budget_s=budget_s, seed=seed,
                       use_database=False, shrink_s=shrink_s, export_dir=export_dir)
    t0 = time.monotonic()
    try:
        out = fuzz(opts, runner=runner)
    except Exception as e:  # a broken run is recorded, not fatal to the benchmark
        return {"bug": bug, "seed": seed, "found": False, "crashed": f"{type(e).__name__}: {e}"}
    s = out.stats
    return {
        "bug": bug, "seed": seed, "found": out.found, "kind": out.kind or None,
        "seconds_to_first_failure": round(out.time_to_failure_s, 1) if out.time_to_failure_s is not None else None,
        "shrunk_length": len(out.actions) if out.found else None,
        "shrunk_steps_with_expectations": len(out.steps) if out.found else None,
        "first_failure_length": out.first_failure_actions if out.found else None,
        "hypothesis_shrunk_length": out.hypothesis_shrunk_actions if out.found else None,
        "step_shrink_runs": s.step_shrink_runs, "resume_examples": s.resume_examples,
        "failed_checks": out.failed_checks, "requirements_named": out.requirement_ids,
        "replay": out.replay_outcome, "replay_matches": out.replay_matches if out.found else None,
        "replays": out.replays,
        "flaky_before": [{"seconds": f["time_to_failure_s"], "actions": f["actions"], "failed_checks": f["failed_checks"]}
                         for f in out.earlier_flaky],
        "examples": s.examples, "steps": s.steps, "wall_s": round(time.monotonic() - t0, 1),
        "reset_s": round(s.reset_s, 1), "steps_s": round(s.steps_s, 1), "finish_s": round(s.finish_s, 1),
    }


def main() -> None:
    # Hypothesis writes its own notes (a slow shrink, say) to stdout; the JSON alone goes there.
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        result = measure()
    out.write(json.dumps(result, indent=2) + "\n")


def measure() -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=120, help="search budget per bug and seed (s)")
    ap.add_argument("--shrink", type=float, default=90, help="shrink bound per failure (s)")
    ap.add_argument("--seeds", default="1", help="comma-separated seeds")
    ap.add_argument("--bugs", default="", help="only these bugs (default: the whole catalogue)")
    ap.add_argument("--clean-runs", type=int, default=1, help="false-alarm runs (no bug) per seed")
    args = ap.parse_args()

    from harness.scenario.runner import ScenarioRunner

    seeds = [int(s) for s in args.seeds.split(",") if s]
    cat = catalogue()
    if args.bugs:
        wanted = set(args.bugs.split(","))
        cat = [c for c in cat if c["bug"] in wanted]
    tmp = Path(tempfile.mkdtemp(prefix="bugfinding-"))
    runner = ScenarioRunner.start(run_dir=tmp / "run", device="reference-unrestricted", app="refapp", bugs=(),
                                  seed=seeds[0])
    runs: list[dict[str, Any]] = []
    try:
        for seed in seeds:
            for _ in range(args.clean_runs):
                runs.append(one(runner, None, seed, args.budget, args.shrink, tmp / "export"))
                print(json.dumps(runs[-1]), file=sys.stderr)
        for c in cat:
            for seed in seeds:
                r = one(runner, c["bug"], seed, args.budget, args.shrink, tmp / "export")
                r["catalogue_requirements"] = c["requirements"]
                runs.append(r)
                print(json.dumps(r), file=sys.stderr)
    finally:
        runner.close()
    bug_runs = [r for r in runs if r["bug"]]
    clean = [r for r in runs if not r["bug"]]
    found = [r for r in bug_runs if r.get("found")]
    examples = sum(r.get("examples", 0) for r in runs)
    steps = sum(r.get("steps", 0) for r in runs)
    search_s = sum(r.get("reset_s", 0) + r.get("steps_s", 0) + r.get("finish_s", 0) for r in runs)
    summary = {
        "budget_s_per_run": args.budget, "shrink_s": args.shrink, "seeds": seeds,
        "bugs_tried": len(cat), "bugs_found": len({r["bug"] for r in found}),
        "median_seconds_to_first_failure": statistics.median([r["seconds_to_first_failure"] for r in found])
        if found else None,
        "median_shrunk_length": statistics.median([r["shrunk_length"] for r in found]) if found else None,
        "false_alarms": sum(1 for r in clean if r.get("found")), "clean_runs": len(clean),
        "throughput": {
            "examples_per_min": round(examples / (search_s / 60), 2) if search_s else None,
            "steps_per_s": round(steps / search_s, 2) if search_s else None,
            "mean_reset_s": round(sum(r.get("reset_s", 0) for r in runs) / examples, 2) if examples else None,
            "mean_steps_s_per_example": round(sum(r.get("steps_s", 0) for r in runs) / examples, 2)
            if examples else None,
            "mean_finish_s": round(sum(r.get("finish_s", 0) for r in runs) / examples, 2) if examples else None,
            "mean_steps_per_example": round(steps / examples, 1) if examples else None,
        },
    }
    return {"summary": summary, "runs": runs}


if __name__ == "__main__":
    main()
