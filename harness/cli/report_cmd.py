"""``harness report DIR``: re-render a run folder's report.html (and metrics.json, optionally junit.xml).

The report depends on the run folder alone, so a run copied off a CI
machine re-renders anywhere, and a report template change applies to old
runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from harness.report import is_run_folder, load_run, render_report, write_junit


@click.command("report")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--junit/--no-junit", default=False, help="Also write junit.xml from the scenarios' results.")
def report_command(run_dir: Path, junit: bool) -> None:
    """Re-render RUN_DIR/report.html from the run folder alone and print its path.

    Example: harness report reports/2024-05-01T10-00-00
    """
    if not is_run_folder(run_dir):
        raise click.BadParameter(
            f"{run_dir} has neither run.json nor scenarios/; expected a folder like reports/<run-id>/ "
            "written by `harness run`", param_hint="RUN_DIR")
    path = render_report(run_dir)
    if junit:
        write_junit(load_run(run_dir))
    click.echo(str(path))


command = report_command
