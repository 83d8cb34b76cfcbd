"""Reports from a run folder: report.html with timeline plots, metrics.json, junit.xml.

Everything is rendered from ``reports/<run-id>/`` alone, so ``harness report
DIR`` can re-render any past run, and credentials are redacted on the way in.
"""

from harness.report.html import render_report
from harness.report.junit import write_junit
from harness.report.load import RunFolder, ScenarioRun, is_run_folder, load_run
from harness.report.metrics import build_metrics, write_metrics

__all__ = ["RunFolder", "ScenarioRun", "build_metrics", "is_run_folder", "load_run", "render_report", "write_junit",
           "write_metrics"]
