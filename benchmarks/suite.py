"""The default suite's wall time at 1 and 2 workers (parallel labs), measured in one run; prints one JSON line.

Runs ``harness run`` (as a user would, in a child process) on the default suite, or on the given scenario
paths, once per worker count, and reports each run's wall time, its verdicts (passed / failed / errors /
not applicable) and whether the verdicts agree across the worker counts.

Usage: ``python benchmarks/suite.py [--app NAME|PATH] [--workers 1,2] [PATHS...]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(workers: int, app: str, paths: list[str], folder: Path) -> dict[str, object]:
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "harness", "run", *paths, "--app", app, "--workers", str(workers),
                           "--seed", "1", "--report-dir", str(folder)], cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - t0
    outcomes = {}
    for p in sorted(folder.glob("scenarios/*/result.json")):
        r = json.loads(p.read_text())
        outcomes[r["id"]] = r["outcome"]
    counts = {k: sum(1 for o in outcomes.values() if o == k)
              for k in ("passed", "failed", "error", "not_applicable")}
    return {"workers": workers, "wall_s": round(wall, 1), "exit": proc.returncode, "counts": counts,
            "outcomes": outcomes}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", default="refapp")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.workers.split(",")):
            runs.append(run_once(n, args.app, args.paths, Path(tmp) / f"w{n}"))
    same = all(r["outcomes"] == runs[0]["outcomes"] for r in runs)
    out = {"app": args.app, "scenarios": len(runs[0]["outcomes"]) if runs else 0, "same_verdicts": same,
           **{f"wall_s_{r['workers']}": r["wall_s"] for r in runs},
           "runs": [{k: v for k, v in r.items() if k != "outcomes"} for r in runs]}
    if not same:
        out["differences"] = {sid: [r["outcomes"].get(sid) for r in runs] for sid in runs[0]["outcomes"]
                              if len({str(r["outcomes"].get(sid)) for r in runs}) > 1}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
