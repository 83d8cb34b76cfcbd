"""``harness run``: validate, run scenario suites through pytest with a progress display, write the report.

Everything is validated before anything starts (scenario files, the device
profile, the options); then pytest runs the scenarios through the plugin
with its terminal output replaced by a progress bar and one line per
scenario, and the HTML report is rendered from the run folder.
Exit codes: 0 all passed, 1 a check failed, 2 no check failed but the input was bad or a scenario could not
be carried out (a harness error: a lab part or the device broke, a screen never came on an untouched
network), kept apart from verdicts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harness import paths
from harness.cli.options import app_option, check_bugs, resolve_app
from harness.errors import LabError, UserError
from harness.scenario.loader import load_all, scenario_files
from harness.scenario.session import merge_workers, new_run_id

DEFAULT_DEVICE = "reference-unrestricted"


def default_suite() -> list[Path]:
    """The default suite: every scenario under scenarios/ except exported regressions."""
    return [p for p in scenario_files([paths.SCENARIOS]) if "regressions" not in p.relative_to(paths.SCENARIOS).parts]


class ProgressPlugin:
    """Replaces pytest's terminal output: a progress bar and one line per finished scenario."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console, transient=True)
        self.task: Any = None
        self.outcomes: dict[str, str] = {}
        self.lab_errors: list[str] = []
        self.other_errors: list[str] = []
        self.not_applicable = 0

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.progress.start()
        self.task = self.progress.add_task("scenarios", total=len(session.items))

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if self.task is not None:
            self.progress.update(self.task, description=f"running {nodeid.split('::')[-1]}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = report.nodeid.split("::")[-1]
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            outcome = report.outcome
            if (report.when == "setup" and outcome == "failed") or ("outcome", "error") in report.user_properties:
                outcome = "error"  # the scenario could not be carried out: no verdict on the app
            self.outcomes[name] = outcome
            style = {"passed": "green", "failed": "red", "skipped": "yellow"}.get(outcome, "red")
            self.console.print(f"[{style}]{outcome.upper():7}[/{style}] {name} ({report.duration:.1f}s)")
            if outcome in ("failed", "error"):
                text = str(report.longrepr)
                (self.lab_errors if ("LabError" in text or "PartFailed" in text) else self.other_errors).append(text)
                self.console.print("        " + text.strip().replace("\n", "\n        "), markup=False)
            if outcome == "skipped" and isinstance(report.longrepr, tuple):
                self.console.print(f"        {report.longrepr[2]}", markup=False)
                if "not applicable" in str(report.longrepr[2]):
                    self.not_applicable += 1
            if self.task is not None:
                self.progress.advance(self.task)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.other_errors.append(str(report.longrepr))
            self.console.print(str(report.longrepr), markup=False)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.progress.stop()


@click.command("run")
@click.argument("scenario_paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--device", default=DEFAULT_DEVICE, show_default=True, help="device profile name or path")
@app_option
@click.option("--bugs", default="", help="bugs of the app's catalogue to switch on, comma-separated (apps with a "
              "configure hook)")
@click.option("--report-dir", type=click.Path(path_type=Path), default=None, help="run folder (default reports/<run-id>)")
@click.option("--seed", type=int, default=None, help="seed for markers (printed for reproduction)")
@click.option("-k", "keyword", default=None, help="only scenarios matching this pytest -k expression")
@click.option("-m", "markexpr", default=None, help="only scenarios matching this marker expression (tags, R ids)")
@click.option("--backend", default=None, help="the URL of a backend that already runs, instead of starting the app's")
@click.option("--exitfirst", "-x", is_flag=True, help="stop at the first failing scenario")
@click.option("--workers", default="auto", show_default=True, metavar="N|auto",
              help="spread the scenarios over N independent labs on this machine (each its own proxies, backend "
                   "and device, on free ports); auto: one per core, at most 4")
@click.option("--suite", type=click.Choice(["covering", "covering-3"]), default=None,
              help="instead of scenario files: the covering suite generated for the app into the run folder "
                   "(every pair of the dimensions' values; covering-3: every triple); see harness suite generate")
def run_command(scenario_paths: tuple[Path, ...], device: str, app: str, bugs: str, report_dir: Path | None,
                seed: int | None, keyword: str | None, markexpr: str | None, backend: str | None,
                exitfirst: bool, workers: str, suite: str | None = None) -> int:
    """Run scenario suites on a device and write a report."""
    from harness.device.profiles import can_run_here, find_profile
    from harness.scenario.applicability import applicability

    n_workers = parse_workers(workers)
    if n_workers > 1 and backend:
        raise UserError(f"--workers {workers} with --backend: parallel labs need their own backend each; run "
                        "one worker against an external backend (--workers 1)")
    app_profile = resolve_app(app)  # a bad profile: its file:line error before anything starts
    if suite:  # generated for this app into the run folder: the same app and strength give the same files
        from harness.cli.suite_cmd import suite_files

        if scenario_paths:
            raise UserError(f"--suite {suite} generates its scenarios; give either --suite or scenario paths")
        report_dir = report_dir or paths.REPORTS / new_run_id()
        files = suite_files(suite, app, app_profile, report_dir.resolve() / "suite")
    else:
        files = scenario_files(scenario_paths) if scenario_paths else default_suite()
    if not files:
        raise UserError("no scenario files found; give a path to a .yaml scenario or a folder of them")
    scenarios = load_all(files)  # every file validated before anything starts
    check_bugs(app_profile, tuple(b for b in bugs.split(",") if b), backend=backend)
    applicable = sum(1 for s in scenarios if applicability(s, app_profile).applicable)
    profile = find_profile(device)
    runnable, why = can_run_here(profile)
    if not runnable:
        raise LabError(f"device {profile.name} cannot run on this machine: {why}")
    run_dir = (report_dir or paths.REPORTS / new_run_id()).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    if seed is None:  # one seed for every worker, printed: the run reproduces whatever the split
        import secrets

        seed = secrets.randbelow(2**31)
    console = Console(stderr=False)
    console.print(f"harness run: {len(files)} scenario file(s) on {profile.name}, app {app_profile.name} "
                  f"({applicable} applicable); bugs={bugs or 'none'}; seed {seed}; "
                  f"{n_workers} worker{'s' if n_workers > 1 else ''}; run folder {run_dir}")
    args = [str(f) for f in files] + [
        "-p", "no:terminal", "-p", "no:cacheprovider", "-o", "console_output_style=classic", "--rootdir",
        str(paths.ROOT), "-c", str(paths.ROOT / "pyproject.toml"),
        "--harness-device", device, "--harness-report-dir", str(run_dir),
        "--harness-app", str(app_profile.source or app),
    ]
    if bugs:
        args += ["--harness-bugs", bugs]
    if seed is not None:
        args += ["--harness-seed", str(seed)]
    if backend:
        args += ["--harness-backend", backend]
    if keyword:
        args += ["-k", keyword]
    if markexpr:
        args += ["-m", markexpr]
    if exitfirst:
        args.append("-x")
    if n_workers > 1:
        args += ["-p", "xdist", "-n", str(n_workers), "--dist", "load"]
    plugin = ProgressPlugin(console)
    code = pytest.main(args, plugins=[plugin])
    if n_workers > 1:
        _write_merged_run(run_dir, merge_workers(run_dir), device=device, app=app_profile.name, bugs=bugs,
                          seed=seed, workers=n_workers)
    report = _render(run_dir, console)
    _write_junit(run_dir, console)
    counts = {k: list(plugin.outcomes.values()).count(k) for k in ("passed", "failed", "error", "skipped")}
    na = plugin.not_applicable
    console.print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
                  f"{counts['skipped'] - na} skipped, {na} not applicable")
    if report:
        console.print(f"report: {report}")
    return exit_code(code, counts, console)


def exit_code(code: int, counts: dict[str, int], console: Console) -> int:
    """0 all passed; 1 a requirement failed (whatever else happened); 2 no requirement failed but the input was
    bad, nothing was selected, or some scenario could not be carried out (a harness error: see its evidence),
    as ``harness farm`` counts them."""
    if counts["failed"]:
        return 1
    if counts["error"]:
        console.print(f"{counts['error']} scenario(s) could not be carried out: harness errors, not verdicts on "
                      "the app (evidence in each scenario's folder and the report)")
        return 2
    if code == pytest.ExitCode.OK:
        return 0
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        console.print("no scenario matched the selection (-k / -m)")
    return 2


def parse_workers(raw: str) -> int:
    """``N`` (1-16) or ``auto`` (one per core, at most 4: each lab runs a browser)."""
    import os

    if raw == "auto":
        return max(1, min(4, os.cpu_count() or 1))
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if not 1 <= n <= 16:
        raise UserError(f"--workers {raw!r}: give a number of labs from 1 to 16, or auto")
    return n


def _write_merged_run(run_dir: Path, ids: list[str], **info: object) -> None:
    """run.json for a run whose scenarios ran in several workers' labs."""
    import json
    import sys
    import time

    data = {"run_id": run_dir.name, "finished": time.time(), "argv": sys.argv, "scenarios": sorted(ids),
            "worker_dirs": sorted(str(p) for p in (run_dir / "workers").glob("*")), **info}
    for w in data["worker_dirs"]:  # the earliest start of the workers
        try:
            started = json.loads((Path(w) / "run.json").read_text()).get("started")
        except (OSError, ValueError):
            continue
        data["started"] = min(started, data.get("started", started))
    (run_dir / "run.json").write_text(json.dumps(data, indent=2, default=str))


def _render(run_dir: Path, console: Console) -> Path | None:
    try:
        from harness.report.html import render_report
    except ImportError as e:  # the report package is optional for a partial checkout
        console.print(f"report not rendered: {e}")
        return None
    try:
        return Path(render_report(run_dir))
    except Exception as e:  # a broken reporter never hides the run's result
        console.print(f"report not rendered: {type(e).__name__}: {e}")
        return None


def _write_junit(run_dir: Path, console: Console) -> None:
    """junit.xml from the scenarios' result.json files: a harness error is an ``<error>``, never a
    ``<failure>``; a scenario the app cannot be judged by is ``<skipped>`` with the reason."""
    from harness.report import load_run, write_junit

    try:
        write_junit(load_run(run_dir))
    except Exception as e:  # a broken writer never hides the run's result
        console.print(f"junit.xml not written: {type(e).__name__}: {e}")
