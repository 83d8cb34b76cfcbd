"""Fuzzing throughput as one JSON line: sequences per minute at 1 and 2 workers, reset and step times.

Each configuration is a real ``harness fuzz`` run on the bug-free app through
the parallel controller (``harness/stateful/parallel.py``, what
``harness fuzz --workers N`` runs), with a fixed seed, no example database
and the same time budget; the workers write every example's reset time and
every step's time (``workers/wN/outcome.json``), which this script merges.

A "sequence" is 20 steps (the unit the issue asks for): sequences per minute
= steps per minute / 20, over the whole run's wall time (lab start-up
included, as a user pays it).

Configurations (each optimisation switched off on its own, so its gain shows):

* ``optimised``: everything on, at 1 and at 2 workers (the second worker is
  the parallel-exploration gain);
* ``no_setup_snapshot``: the setup screens replayed before every example
  instead of restoring the server and the app's storage as they were after
  the first setup (``HARNESS_SETUP_SNAPSHOT=0``);
* ``no_session_wipe``: a new browser profile per example instead of wiping the
  app's storage in the running session over CDP (``HARNESS_RESET=profile``;
  with the setup snapshot off too, since a restore needs the running session).
* ``no_snapshot_reads``: page objects read the screen element by element (a
  WebDriver round trip per lookup, text, attribute, displayed, enabled)
  instead of one round trip per read (``HARNESS_SNAPSHOT_READS=0``,
  ``harness/app/snapshot.py``).
* ``no_time_scale``: the app's timers and the drawn durations at the app's own
  pace instead of four times faster (``--time-scale 1``;
  ``harness/stateful/timescale.py``).
* ``no_kept_install``: each restore clears the app's service worker and Cache
  Storage too and the app installs its worker again, instead of keeping what
  is already as saved (``HARNESS_KEEP_INSTALLED=0``,
  ``ChromiumDevice.restore_app_storage``).

* ``no_direct_chromedriver``: every WebDriver command through Appium's proxy
  instead of straight to the chromedriver Appium started for the session
  (``HARNESS_DIRECT_CHROMEDRIVER=0``, ``harness/device/chromedriver_route.py``).
* ``no_devtools_scripts``: the harness's own scripts (screen reads, change
  waits, a tap's aim) and CDP input events through chromedriver instead of
  one DevTools message each on a WebSocket to the page
  (``HARNESS_DEVTOOLS_SCRIPTS=0``, ``harness/device/devtools_route.py``).
* ``no_cdp_input``: taps and typing through chromedriver's element click and
  keys (100 ms a click) instead of CDP input events aimed by one script
  (``HARNESS_CDP_INPUT=0``, ``harness/app/pointer.py``).
* ``no_change_waits``: a bounded wait sleeps its poll interval between two
  looks instead of returning at the page's next change
  (``HARNESS_CHANGE_WAITS=0``, ``harness/app/changes.py``).
* ``no_renderer_kill``: an app kill SIGKILLs the whole browser and the
  relaunch opens a new browser and session, instead of crashing the app's
  renderer and loading the app in a new tab of the same session
  (``HARNESS_KILL_MODE=sigkill``, ``ChromiumDevice.kill``).

Each example's reset is split on its timeline (``setup.done``: network,
backend hooks, install, setup loads); the run's totals per phase are
printed too, so the next optimisation aims at the largest.

    .venv/bin/python benchmarks/fuzz_throughput.py [--budget 120] [--seed 5] [--only optimised] [--profile nightly]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS_PER_SEQUENCE = 20
CONFIGS: dict[str, dict[str, str]] = {
    "optimised": {},
    "no_setup_snapshot": {"HARNESS_SETUP_SNAPSHOT": "0"},
    "no_session_wipe": {"HARNESS_RESET": "profile", "HARNESS_SETUP_SNAPSHOT": "0"},
    "no_snapshot_reads": {"HARNESS_SNAPSHOT_READS": "0"},
    "no_kept_install": {"HARNESS_KEEP_INSTALLED": "0"},
    "no_time_scale": {},
    "no_direct_chromedriver": {"HARNESS_DIRECT_CHROMEDRIVER": "0"},
    "no_devtools_scripts": {"HARNESS_DEVTOOLS_SCRIPTS": "0"},
    "no_cdp_input": {"HARNESS_CDP_INPUT": "0"},
    "no_change_waits": {"HARNESS_CHANGE_WAITS": "0"},
    "no_renderer_kill": {"HARNESS_KILL_MODE": "sigkill"},
}
#: configurations switched off by an option rather than the environment
OPTIONS: dict[str, list[str]] = {"no_time_scale": ["--time-scale", "1"]}


def pct(xs: list[float], p: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 3)


def one(name: str, workers: int, budget_s: float, seed: int, app: str, work: Path,
        profile: str = "ci") -> dict[str, Any]:
    from harness.stateful.parallel import Parallel, worker_argv

    env = CONFIGS[name]
    run_dir = work / f"w{workers}-{name}"
    argv = worker_argv(app=app, bugs=(), settings_profile=profile, export_dir=work / "export", checks=None,
                       max_examples=None, run_dir=run_dir, extra=["--no-database", *OPTIONS.get(name, [])])
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = Parallel(run_dir, ["reference-unrestricted"] * workers, seed, budget_s, argv,
                          work / "db").run()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    outcomes = result.outcomes
    steps = sum(int(o.get("steps") or 0) for o in outcomes)
    step_times = [t for o in outcomes for t in o.get("step_times_s") or []]
    reset_times = [t for o in outcomes for t in o.get("reset_times_s") or []]
    minutes = result.elapsed_s / 60
    return {
        "workers": workers, "wall_s": round(result.elapsed_s, 1), "examples": result.examples, "steps": steps,
        "sequences_per_min": round(steps / STEPS_PER_SEQUENCE / minutes, 2) if minutes else 0.0,
        "examples_per_min": round(result.examples / minutes, 2) if minutes else 0.0,
        "reset_p50_s": pct(reset_times, 50), "reset_p95_s": pct(reset_times, 95),
        "step_p50_s": pct(step_times, 50), "step_p95_s": pct(step_times, 95),
        "mean_step_s": round(statistics.fmean(step_times), 3) if step_times else None,
        "crashes": len(result.crashes), "found": [f.get("title") for f in result.findings],
        "harness_errors": sum(len(o.get("harness_errors") or []) for o in outcomes),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=120.0, help="seconds of search per configuration")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--app", default="refapp")
    ap.add_argument("--only", default="", help="comma list of configurations (default: all)")
    ap.add_argument("--profile", default="ci", choices=["ci", "nightly"],
                    help="the fuzz settings profile (harness fuzz --settings-profile): its rules per example")
    args = ap.parse_args()
    names = [n for n in (args.only.split(",") if args.only else CONFIGS)]
    t0 = time.monotonic()
    out: dict[str, Any] = {"budget_s": args.budget, "seed": args.seed, "app": args.app, "profile": args.profile,
                           "steps_per_sequence": STEPS_PER_SEQUENCE, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="fuzz-throughput-") as tmp:
        work = Path(tmp)
        runs: dict[str, Any] = {}
        for name in names:
            runs[f"{name}_1"] = one(name, 1, args.budget, args.seed, args.app, work, args.profile)
            print(json.dumps({name + "_1": runs[f"{name}_1"]}), file=sys.stderr, flush=True)
            if name == "optimised":
                runs[f"{name}_2"] = one(name, 2, args.budget, args.seed, args.app, work, args.profile)
                print(json.dumps({name + "_2": runs[f"{name}_2"]}), file=sys.stderr, flush=True)
    best = runs.get("optimised_1") or next(iter(runs.values()))
    out.update({
        "sequences_per_min_1": best["sequences_per_min"],
        "sequences_per_min_2": (runs.get("optimised_2") or {}).get("sequences_per_min"),
        "reset_p50_s": best["reset_p50_s"], "reset_p95_s": best["reset_p95_s"],
        "step_p50_s": best["step_p50_s"], "step_p95_s": best["step_p95_s"],
        "switched_off": {name: {k: runs[f"{name}_1"][k] for k in ("sequences_per_min", "reset_p50_s", "reset_p95_s",
                                                                 "step_p50_s", "step_p95_s")}
                         for name in names if name != "optimised"},
        "runs": runs, "benchmark_s": round(time.monotonic() - t0, 1),
    })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
