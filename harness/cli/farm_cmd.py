"""``harness farm``: run suites over a device pool and merge one scenario x device matrix.

Validates the pool (every device profile) and every scenario file first,
then runs :func:`harness.farm.run.run_farm` into ``<report-dir>/<run-id>``
and prints the matrix's path. Exit codes: 0 every pair passed or was
skipped, 1 a scenario failed on some device, 2 bad input or a lab/device
that could not run (and nothing failed).
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from harness.cli.options import app_option, resolve_app

from harness import paths
from harness.scenario.session import new_run_id

if TYPE_CHECKING:
    from harness.farm.run import FarmResult


@click.command("farm")
@click.option("--pool", "pool_arg", default=None,
              help="a pool file (pools/NAME.yaml, or NAME) or a comma list of device profiles")
@click.option("--merge", "merge_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="instead of running: merge these farm run folders (e.g. one per CI job) into one matrix")
@click.option("--suites", multiple=True, type=click.Path(path_type=Path),
              help="scenario files or folders (repeatable; default: the pool's suites, else the default suite)")
@click.option("--report-dir", type=click.Path(path_type=Path), default=None,
              help="reports folder: the run goes to DIR/<run-id>, the previous night is looked up in DIR "
                   "(default reports/)")
@click.option("--previous", type=click.Path(path_type=Path), default=None,
              help="the previous night's matrix.json (or its run folder) to mark new failures and fixes")
@click.option("--grid", is_flag=True, help="start a local Selenium Grid 4 and run the pool's devices through it")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="at most this many devices at once")
@click.option("--seed", type=int, default=None, help="seed for markers (the same on every device)")
@app_option
@click.option("--bugs", default="", help="bugs of the app's catalogue to switch on, comma-separated")
@click.option("-k", "keyword", default=None, help="only scenarios matching this pytest -k expression")
@click.option("-m", "markexpr", default=None, help="only scenarios matching this marker expression")
@click.option("--scenario-timeout-s", type=click.FloatRange(min=1), default=600.0, show_default=True,
              help="the watchdog kills a device's worker when one scenario runs longer")
@click.option("--timeout-s", type=click.FloatRange(min=1), default=4 * 3600.0, show_default=True,
              help="the whole farm run is stopped after this long")
def farm_command(pool_arg: str | None, merge_dirs: tuple[Path, ...], suites: tuple[Path, ...], report_dir: Path | None, previous: Path | None, grid: bool,
                 workers: int | None, seed: int | None, app: str, bugs: str, keyword: str | None,
                 markexpr: str | None, scenario_timeout_s: float, timeout_s: float) -> int:
    """Run suites across a device pool and merge a scenario x device matrix."""
    from harness.errors import SpecError
    from harness.farm.history import load_previous
    from harness.farm.pool import load_pool
    from harness.farm.run import FarmOptions, merge_runs, run_farm

    if previous is not None:
        load_previous(previous)  # a bad --previous is an input error before anything runs
    reports = (report_dir or paths.REPORTS).resolve()
    if merge_dirs:
        if pool_arg:
            raise SpecError("--merge", [str(d) for d in merge_dirs], "either --pool (run) or --merge (merge), not both")
        result = merge_runs([d.resolve() for d in merge_dirs], reports=reports, previous=previous)
        return _summary(result)
    if not pool_arg:
        raise SpecError("--pool", None, "a pool to run (or --merge DIR to merge finished runs)",
                        fix="give --pool reference-policies, or a comma list of device profiles")
    app_profile = resolve_app(app)  # a bad profile: its file:line error before anything starts
    pool = load_pool(pool_arg)
    for s in suites:
        if not s.exists():
            raise SpecError("--suites", str(s), "an existing scenario file or folder")
    run_dir = reports / new_run_id()
    opts = FarmOptions(suites=tuple(s.resolve() for s in suites), workers=workers, seed=seed,
                       app=str(app_profile.source or app),
                       bugs=tuple(b.strip() for b in bugs.split(",") if b.strip()), keyword=keyword,
                       markexpr=markexpr, grid=grid, previous=previous, scenario_timeout_s=scenario_timeout_s,
                       timeout_s=timeout_s)
    signal.signal(signal.SIGTERM, _interrupt)  # a cancelled CI job stops the workers, labs and Grid too
    click.echo(f"harness farm: pool {pool.name} ({', '.join(pool.devices)}); run folder {run_dir}")
    return _summary(run_farm(pool, run_dir=run_dir, options=opts, log=click.echo, reports=reports))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _summary(result: "FarmResult") -> int:
    counts = result.matrix.counts()
    click.echo(f"{len(result.matrix.scenarios)} scenario(s) x {len(result.matrix.devices)} device(s) in "
               f"{result.wall_s:.1f} s: {counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
               f"{counts['skipped']} skipped, {counts.get('not_applicable', 0)} not applicable")
    hist = result.matrix.history
    if hist.get("previous"):
        click.echo(f"against {hist['previous']}: {len(hist['new_failures'])} new failure(s), {len(hist['fixes'])} fix(es)")
        for s, d in hist["new_failures"]:
            click.echo(f"  NEW FAILURE {s} [{d}]")
        for s, d in hist["fixes"]:
            click.echo(f"  FIXED       {s} [{d}]")
    click.echo(f"matrix: {result.matrix_path}")
    click.echo(f"html: {result.html_path}")
    click.echo(f"junit: {result.junit_path}")
    return result.exit_code


__all__ = ["farm_command"]
