"""metrics.json: the measured times of every scenario, for dashboards and trend lines.

Nightly CI keeps one metrics.json per run; comparing them shows a sync
engine getting slower before any bound is crossed. Figures come from the
timeline's ``metric`` events, then the verdicts' ``measured`` figures, then
are re-measured from the events (pure, so a re-render gives the same file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.checks.liveness import measure
from harness.report.load import OUTCOMES, RunFolder, ScenarioRun


#: counts a verdict carries beside its times (per requirement, in ``moments_judged``), not figures in seconds
COUNTS = frozenset({"moments", "windows"})


def scenario_metrics(sc: ScenarioRun) -> dict[str, float]:
    """Every measured figure of one scenario (seconds unless the name says otherwise)."""
    out: dict[str, float] = {}
    for ev in sc.events:
        if ev.kind == "metric" and isinstance(ev.data.get("value"), (int, float)):
            out.setdefault(ev.name, float(ev.data["value"]))
    for v in sc.verdicts:
        for k, val in v.measured.items():
            if k not in COUNTS:
                out.setdefault(k, float(val))
    try:
        for k, val in measure(sc.events).items():
            out.setdefault(k, val)
    except Exception:  # a damaged timeline must not cost the other figures
        pass
    return out


def build_metrics(run: RunFolder) -> dict[str, Any]:
    scenarios: dict[str, Any] = {}
    worst: dict[str, float] = {}
    for sc in run.scenarios:
        m = scenario_metrics(sc)
        for k, v in m.items():
            worst[k] = max(worst.get(k, v), v)
        scenarios[sc.id] = {"outcome": sc.outcome, "duration_s": sc.result.get("duration_s"), "metrics": m,
                            "failed_requirements": sorted({r for v in sc.verdicts if not v.passed
                                                           for r in v.requirement_ids})}
    counts = {o: sum(1 for s in run.scenarios if s.outcome == o) for o in OUTCOMES}
    from harness.report.html import moments_per_requirement

    return {"run_id": run.run.get("run_id", run.dir.name), "device": run.run.get("device"),
            "bugs": run.run.get("bugs") or [], "counts": counts, "max": worst, "scenarios": scenarios,
            "moments_judged": moments_per_requirement(run)}


def write_metrics(run: RunFolder, path: Path | None = None) -> Path:
    """Write metrics.json into the run folder (or ``path``) and return its path."""
    target = path or run.dir / "metrics.json"
    target.write_text(json.dumps(build_metrics(run), indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return target


__all__ = ["build_metrics", "scenario_metrics", "write_metrics"]
