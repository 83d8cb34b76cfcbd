"""The covering suite's size and pair coverage, checked independently of the generator; prints one JSON line.

For the reference app (and the second sample app, examples/apps/todo-pouch), generates the pairwise
covering suite (``harness suite generate``, seed 1) into a temporary folder, loads the files back with the
scenario loader, reads each file's combination from its tags, and counts the pairs of dimension values
they hold against every pair the app's values allow: enumerated here by brute force over all
combinations and the constraints, not taken from the generator or covertable.

Top-level keys are the reference app's: ``scenarios`` (the suite's size), ``pair_coverage`` (1.0 when
every pair is covered), ``pairs``, ``lower_bound`` (the product of the two largest dimensions), ``generate_s``;
``apps`` has the same per app.

Options: ``--strength 3`` counts triples too (``triple_coverage`` of the strength-3 suite); ``--run``
also runs the suite end to end (``harness run --suite covering --workers 2``) and adds its wall time and
verdicts; ``--bugs all|a,b`` runs it once per bug of the reference app's catalogue, stopping at the first
failure (``-x``), and adds which bugs it caught (slow: minutes per bug).

Usage: ``python benchmarks/covering.py [--strength 3] [--run] [--bugs all]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
APPS = ("refapp", "examples/apps/todo-pouch")


def allowed_tuples(ad: Any, strength: int) -> set[tuple[tuple[str, str], ...]]:
    """Every tuple of values some combination allowed by the constraints holds (brute force)."""
    factors = ad.factors()
    dims = list(factors)
    out: set[tuple[tuple[str, str], ...]] = set()
    for combo in itertools.product(*factors.values()):
        row = dict(zip(dims, combo))
        if all(c.allows({d: ad.value(d, k) for d, k in row.items()}) for c in ad.constraints):
            out |= set(itertools.combinations(sorted(row.items()), strength))
    return out


def measure(app: str, strength: int, folder: Path) -> dict[str, Any]:
    from harness.app.profile import load_app_profile
    from harness.scenario.loader import load_all
    from harness.suite.coverage import row_of
    from harness.suite.dimensions import for_app
    from harness.suite.generate import generate, write_suite

    profile = load_app_profile(app)
    t0 = time.monotonic()
    files = write_suite(generate(profile, strength=strength, seed=1, app_arg=app), folder)
    took = time.monotonic() - t0
    ad = for_app(profile)
    rows = [row_of(s.tags, ad.values) for s in load_all(files)]
    held = {k: {t for r in rows if r for t in itertools.combinations(sorted(r.items()), k)} for k in (2, strength)}
    sizes = sorted((len(v) for v in ad.values.values()), reverse=True)
    out: dict[str, Any] = {"app": profile.name, "strength": strength, "scenarios": len(files),
                           "lower_bound": sizes[0] * sizes[1], "generate_s": round(took, 2),
                           "dimensions": {d: len(v) for d, v in ad.values.items()},
                           "left_out": [f"{e.dimension}={e.value}" for e in ad.excluded]}
    for k, name in ((2, "pair"), (3, "triple")):
        if k > strength:
            continue
        need = allowed_tuples(ad, k)
        out[f"{name}s"] = len(need)
        out[f"{name}_coverage"] = round(len(held[k] & need) / len(need), 6) if need else 1.0
    return out


def run_suite(extra: list[str], folder: Path) -> dict[str, Any]:
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "harness", "run", "--suite", "covering", "--workers", "2",
                           "--seed", "1", "--report-dir", str(folder), *extra], cwd=ROOT, capture_output=True,
                          text=True)
    wall = time.monotonic() - t0
    outcomes: dict[str, str] = {}
    failed_reqs: set[str] = set()
    for p in sorted(folder.glob("scenarios/*/result.json")):
        r = json.loads(p.read_text())
        outcomes[r["id"]] = r["outcome"]
        failed_reqs |= {x for v in r.get("verdicts") or () if not v.get("passed") for x in v.get("requirement_ids")}
    counts = {k: sum(1 for o in outcomes.values() if o == k) for k in ("passed", "failed", "error", "not_applicable")}
    return {"wall_s": round(wall, 1), "exit": proc.returncode, "counts": counts,
            "failed": sorted(s for s, o in outcomes.items() if o in ("failed", "error")),
            "failed_requirements": sorted(failed_reqs, key=lambda r: int(r[1:]))}


def catalogue() -> list[str]:
    out = subprocess.run([sys.executable, "-m", "refapp", "--list-bugs"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strength", type=int, choices=(2, 3), default=2)
    ap.add_argument("--run", action="store_true", help="also run the pairwise suite end to end on the reference app")
    ap.add_argument("--bugs", default="", help="all, or bugs of the reference app's catalogue, comma-separated")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="covering-") as tmp:
        apps = {}
        for app in APPS:
            apps[Path(app).name] = measure(app, 2, Path(tmp) / Path(app).name)
            if args.strength == 3:
                apps[Path(app).name]["strength_3"] = measure(app, 3, Path(tmp) / f"{Path(app).name}-3")
        out: dict[str, Any] = {k: apps["refapp"][k] for k in ("scenarios", "pair_coverage", "pairs", "lower_bound",
                                                              "generate_s")}
        out["apps"] = apps
        if args.run:
            out["run"] = run_suite([], Path(tmp) / "run")
        bugs = catalogue() if args.bugs == "all" else [b for b in args.bugs.split(",") if b]
        if bugs:
            out["bugs"] = {}
            for bug in bugs:
                r = run_suite(["--bugs", bug, "-x"], Path(tmp) / f"bug-{bug}")
                out["bugs"][bug] = {"caught": bool(r["failed"]), "by": r["failed"][:3], "wall_s": r["wall_s"],
                                    "requirements": r["failed_requirements"]}
            out["bugs_caught"] = sum(1 for b in out["bugs"].values() if b["caught"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
