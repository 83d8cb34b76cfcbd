"""report.html: a run at a glance, rendered from the run folder alone and viewable offline.

Sections: a summary (counts, device, bugs, duration), the requirement
matrix (R1-R27 x scenarios: pass / fail / listed but not judged / not
covered), then per scenario its verdicts, the failing checks' evidence
linked to the event table, the timeline plot, measured times, the ledger
(requests that reached the backend), screenshots and the console tail.

``plotly.min.js`` is written once into the run folder and referenced
relatively, so the folder can be zipped, attached to a bug and opened with
no network. A scenario whose files are damaged is shown with its problems;
it never stops the others from rendering.

>>> render_report(Path("reports/2024-05-01T10-00-00"))   # doctest: +SKIP
PosixPath('reports/2024-05-01T10-00-00/report.html')
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
from plotly.offline import get_plotlyjs

from harness.checks.view import markers_of, status_of, summarize
from harness.report.load import OUTCOMES, RunFolder, ScenarioRun, load_run
from harness.report.metrics import scenario_metrics, write_metrics
from harness.report.plot import figure_html, status_class
from harness.spec import REQUIREMENTS

PLOTLY_JS = "plotly.min.js"
TEMPLATES = Path(__file__).parent / "templates"


def anchor_of(sid: str) -> str:
    """An id-safe slug for a scenario id (used in #anchors)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", sid).strip("-") or "scenario"


def ensure_plotly_js(run_dir: Path) -> Path:
    """Write plotly.min.js into the run folder unless an identical copy is already there."""
    js = get_plotlyjs()
    target = run_dir / PLOTLY_JS
    if not target.is_file() or target.stat().st_size != len(js.encode("utf-8")):
        target.write_text(js, encoding="utf-8")
    return target


def cell(sc: ScenarioRun, req: str) -> str:
    """``fail``, ``pass``, ``listed`` (claimed but no verdict) or ``""`` (not covered)."""
    judged = [v for v in sc.verdicts if req in v.requirement_ids]
    if any(not v.passed for v in judged):
        return "fail"
    if judged:
        return "pass"
    return "listed" if req in sc.requirements else ""


def moments_per_requirement(run: RunFolder) -> dict[str, int]:
    """Requirement id -> how many moments (screen reads, offline windows) the whole-timeline checks judged for it
    over the run (their verdicts' ``measured["moments"]``)."""
    out: dict[str, int] = {}
    for sc in run.scenarios:
        for v in sc.verdicts:
            n = int(v.measured.get("moments", 0))
            for r in v.requirement_ids:
                if n:
                    out[r] = out.get(r, 0) + n
    return out


def _fmt_t(ev_t: float, t0: float) -> str:
    return f"{ev_t - t0:.3f}"


def _evidence_links(sc: ScenarioRun, run_dir: Path) -> list[dict[str, str]]:
    """A harness error's evidence files, as links relative to the report (the run folder)."""
    out = []
    for f in sc.result.get("evidence_files") or []:
        href = os.path.relpath(str(f), str(run_dir)) if os.path.isabs(str(f)) else str(f)
        out.append({"href": href, "name": Path(str(f)).name})
    return out


def _scenario_view(sc: ScenarioRun, run_dir: Path) -> dict[str, Any]:
    anchor = anchor_of(sc.id)
    t0 = sc.events[0].t if sc.events else 0.0
    try:
        plot = figure_html(sc.id, anchor, sc.events, sc.verdicts) if sc.events else ""
        plot_error = ""
    except Exception as e:  # a broken plot must not cost the rest of the report
        plot, plot_error = "", f"plot failed: {type(e).__name__}: {e}"
    ledger = [{
        "seq": e.seq, "t": _fmt_t(float(e.data.get("t_start", e.t)), t0), "method": e.data.get("method", ""),
        "path": e.data.get("path", e.name), "status": status_of(e), "fault": e.data.get("fault") or "",
        "cls": status_class(e), "key": str(e.data.get("key") or ""), "markers": ", ".join(markers_of(e)),
    } for e in sc.events if e.kind == "request"]
    rows = [{"seq": e.seq, "t": _fmt_t(e.t, t0), "kind": e.kind, "layer": e.layer, "name": e.name,
             "summary": summarize(e)} for e in sc.events]
    evidence_seqs = {ev.seq for v in sc.verdicts if not v.passed for ev in v.evidence}
    return {"sc": sc, "anchor": anchor, "plot": plot, "plot_error": plot_error, "ledger": ledger, "rows": rows,
            "metrics": scenario_metrics(sc), "failed": [v for v in sc.verdicts if not v.passed],
            "evidence_seqs": evidence_seqs, "known_seqs": {e.seq for e in sc.events},
            "evidence_files": _evidence_links(sc, run_dir)}


def _duration(run: RunFolder) -> str:
    started, finished = run.run.get("started"), run.run.get("finished")
    try:
        if isinstance(started, (int, float)) and isinstance(finished, (int, float)):
            return f"{finished - started:.1f} s"
        if isinstance(started, str) and isinstance(finished, str):
            delta = datetime.fromisoformat(finished) - datetime.fromisoformat(started)
            return f"{delta.total_seconds():.1f} s"
    except ValueError:
        pass
    total = sum(float(s.result.get("duration_s") or 0) for s in run.scenarios)
    return f"{total:.1f} s (sum of scenarios)"


def _when(value: object) -> str:
    """A run.json timestamp (Unix seconds or ISO text) as local date and time."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value or "")


def _pairs(run: RunFolder) -> dict[str, Any] | None:
    """The covering suite's pairs per requirement (None: no covering scenario ran): see harness.suite.coverage."""
    from harness.suite.coverage import required_from_manifest, run_coverage

    cov = run_coverage([sc.result for sc in run.scenarios], required_from_manifest(run.dir / "suite"))
    if cov is None:
        return None
    return {"scenarios": cov.scenarios, "required": len(cov.required), "rows": cov.rows(),
            "dims": [f"{a} x {b}" for a, b in cov.dimension_pairs()]}


def build_html(run: RunFolder) -> str:
    """The report page for a loaded run (pure: no files written)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _when
    scenarios = [_scenario_view(sc, run.dir) for sc in run.scenarios]
    matrix = [{"req": r, "cells": [cell(sc, r.id) for sc in run.scenarios]} for r in REQUIREMENTS]
    moments = moments_per_requirement(run)
    for row in matrix:
        row["covered"] = sum(1 for c in row["cells"] if c in ("pass", "fail"))
        row["moments"] = moments.get(row["req"].id, 0)
    counts = {o: sum(1 for s in run.scenarios if s.outcome == o) for o in OUTCOMES}
    return env.get_template("report.html.j2").render(
        run=run, run_id=run.run.get("run_id", run.dir.name), counts=counts, duration=_duration(run),
        matrix=matrix, scenarios=scenarios, plotly_js=PLOTLY_JS,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        uncovered=[row["req"].id for row in matrix if not row["covered"]], pairs=_pairs(run))


def render_report(run_dir: Path, *, out: Path | None = None) -> Path:
    """Render ``run_dir``/report.html (and metrics.json, plotly.min.js) from the run folder alone.

    >>> render_report(Path("reports/run-1"))   # doctest: +SKIP
    PosixPath('reports/run-1/report.html')
    """
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    ensure_plotly_js(run_dir)
    target = out or run_dir / "report.html"
    target.write_text(build_html(run), encoding="utf-8")
    write_metrics(run)
    return target


__all__ = ["PLOTLY_JS", "anchor_of", "build_html", "cell", "ensure_plotly_js", "render_report"]
