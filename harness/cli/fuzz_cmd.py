"""``harness fuzz``: let Hypothesis search for a failing sequence, shrink it, export it as a scenario.

Prints the seed and settings first (for reproduction), shows progress
(examples, steps, elapsed) while it searches, and on a failure prints the
shrunk sequence, renders the report of the run folder and prints the path
of the exported scenario and the command that replays it.
Exit codes: 0 the budget ran out clean, 1 a failure was found and replayed the same way three times (exported),
2 bad input or a lab that could not start (or broke in three sequences in a row), 3 a failure was found that
did not replay the same way (flaky: kept in the run folder with its evidence, not exported).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from harness.cli.options import DEFAULT_APP, app_option, check_bugs, resolve_app
from harness.errors import LabError, UserError

DEFAULT_DEVICE = "reference-unrestricted"


def _bugs(raw: str) -> tuple[str, ...]:
    return tuple(b.strip() for b in raw.split(",") if b.strip())


@click.command("fuzz")
@click.option("--device", default=DEFAULT_DEVICE, show_default=True, help="device profile name or path")
@app_option
@click.option("--bugs", default="", help="bugs of the app's catalogue to switch on, comma-separated")
@click.option("--budget", "budget_s", type=click.FloatRange(min=1), default=300, show_default=True,
              help="seconds of searching before giving up clean (shrinking has its own bound)")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Hypothesis seed (printed for reproduction)")
@click.option("--settings-profile", type=click.Choice(["ci", "nightly"]), default="ci", show_default=True,
              help="ci: sequences of 3 rules; nightly: 12 rules and longer shrinking")
@click.option("--report-dir", type=click.Path(path_type=Path), default=None, help="run folder (default reports/fuzz-<id>)")
@click.option("--export-dir", type=click.Path(path_type=Path), default=None,
              help="where the scenario goes (default scenarios/regressions)")
@click.option("--checks", default="", help="judge only these checks, comma-separated (default: all that apply)")
@click.option("--no-database", is_flag=True, help="do not replay or save examples in .hypothesis/fuzz")
@click.option("--max-examples", type=click.IntRange(min=1), default=None,
              help="stop after this many generated sequences (besides --budget); split over the workers")
@click.option("--workers", type=click.IntRange(min=1, max=16), default=1, show_default=True,
              help="explore with N labs at once (each its own proxies, backend and device on free ports), sharing "
                   "one example database; the first failure found stops the others")
@click.option("--pool", default=None, help="explore with one lab per device of this pool (a pool file, its name, "
              "or a comma list of device profiles; Selenium Grid devices included), as --workers does")
@click.option("--shrink", "shrink_s", type=click.FloatRange(min=1), default=None,
              help="seconds of shrinking a failure, at most (default: the settings profile's: ci 180, nightly 900)")
@click.option("--time-scale", "time_scale", type=float, default=None,
              help="run the app's clock (its profile's time_parameters) and every drawn duration at this factor "
                   "(default 0.25 when the profile names its timers, else 1; 1 = the app's own pace)")
@click.option("--worker-of", type=click.Path(path_type=Path), default=None, hidden=True)
@click.option("--worker-slot", default="", hidden=True)
def fuzz_command(device: str, app: str, bugs: str, budget_s: float, seed: int | None, settings_profile: str,
                 report_dir: Path | None, export_dir: Path | None, checks: str, no_database: bool,
                 max_examples: int | None, workers: int, pool: str | None, shrink_s: float | None,
                 time_scale: float | None, worker_of: Path | None, worker_slot: str) -> int:
    """Search for failing action sequences with Hypothesis and export them as scenarios."""
    import secrets

    from harness.device.profiles import can_run_here, find_profile
    from harness.stateful import FuzzOptions, fuzz
    from harness.stateful.fuzz import REPLAYS

    from harness.scenario.model import CHECK_NAMES

    bug_list = _bugs(bugs)
    check_list = _bugs(checks) or None
    bad = [c for c in check_list or () if c not in CHECK_NAMES]
    if bad:
        raise UserError(f"--checks: unknown check {', '.join(bad)}; known: {', '.join(CHECK_NAMES)}")
    app_profile = resolve_app(app)  # a bad profile: its file:line error before anything starts
    check_bugs(app_profile, bug_list)
    _check_bug_names(bug_list, app_profile)
    from harness.stateful import timescale

    timescale.resolve(time_scale, app_profile)  # a factor this app cannot take: said before anything starts
    devices = _devices(device, workers, pool)
    for name in dict.fromkeys(devices):
        ok, why = can_run_here(find_profile(name))
        if not ok:
            raise LabError(f"device {name} cannot run on this machine: {why}")
    profile = find_profile(devices[0])
    seed = seed if seed is not None else secrets.randbelow(2**31)
    if len(devices) > 1:
        return _parallel(devices, app=str(app_profile.source or app), app_name=app_profile.name, bugs=bug_list,
                         budget_s=budget_s, seed=seed, settings_profile=settings_profile, report_dir=report_dir,
                         export_dir=export_dir, checks=check_list, use_database=not no_database,
                         max_examples=max_examples, shrink_s=shrink_s, time_scale=time_scale)
    opts = FuzzOptions(device=profile.name, bugs=bug_list, budget_s=budget_s, seed=seed,
                       settings_profile=settings_profile, report_dir=report_dir, export_dir=export_dir,
                       use_database=not no_database, checks=check_list, app=str(app_profile.source or app),
                       max_examples=max_examples, parallel_run=worker_of, worker_slot=worker_slot, shrink_s=shrink_s,
                       time_scale=time_scale)
    console = Console()
    console.print(f"harness fuzz: app={app_profile.name} device={profile.name} bugs={','.join(bug_list) or 'none'} "
                  f"seed={seed} settings-profile={settings_profile} budget={budget_s:g}s"
                  + (f" max-examples={max_examples}" if max_examples else ""))
    console.print(f"reproduce: harness fuzz --app {app} --device {profile.name} --seed {seed} --settings-profile "
                  f"{settings_profile} --budget {budget_s:g}" + (f" --bugs {','.join(bug_list)}" if bug_list else "")
                  + (f" --max-examples {max_examples}" if max_examples else "")
                  + (f" --time-scale {time_scale:g}" if time_scale is not None else ""))
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                        transient=True)
    task = progress.add_task("starting the lab", total=None)

    def show(stats: object) -> None:
        s = stats  # FuzzStats
        phase = "shrinking" if getattr(s, "failures") else "searching"
        progress.update(task, description=f"{phase}: {getattr(s, 'examples')} examples, {getattr(s, 'steps')} "
                                          f"steps, {getattr(s, 'failures')} failing")

    with progress:
        out = fuzz(opts, on_progress=show)
    if worker_of is not None and report_dir is not None:  # a parallel run's worker: the controller merges this
        from harness.stateful.parallel import write_outcome

        write_outcome(report_dir.parent, out, device=profile.name)
    st = out.stats
    rate = st.examples / (st.elapsed_s / 60) if st.elapsed_s else 0.0
    resumed = f" ({st.resume_examples} in resume rounds)" if st.resume_examples else ""
    console.print(f"{st.examples} examples{resumed}, {st.steps} steps in {st.elapsed_s:.0f}s ({rate:.1f} examples/min); "
                  f"settings: {out.settings}; seed {out.seed}")
    if st.errors:
        console.print(f"[yellow]{st.errors} sequence(s) could not be carried out[/yellow] (harness errors: discarded, "
                      "not findings); evidence:")
        for folder, error in ctx_errors(out):
            console.print(f"  {folder}: {error[:300]}", markup=False, highlight=False)
    for f in out.earlier_flaky:
        console.print(f"[yellow]flaky[/yellow] after {f['time_to_failure_s'] or 0:.0f}s (searched on): {f['title']}; "
                      f"sequence and its replays' evidence: {f['scenario_path']}", markup=False)
    if not out.found:
        console.print("[green]no failure found within the budget[/green]")
        return 0
    console.print(f"[red]FAILED[/red] ({out.kind}) after {out.time_to_failure_s or 0:.0f}s: {out.title}")
    if out.requirement_ids:
        console.print(f"requirements: {', '.join(out.requirement_ids)}")
    console.print(f"shrunk sequence ({len(out.actions)} actions, {len(out.steps)} steps with the expectations; "
                  f"first failure: {out.first_failure_actions} actions, after Hypothesis's shrinker "
                  f"{out.hypothesis_shrunk_actions}, then {out.stats.step_shrink_runs} runs removing steps):")
    for i, stp in enumerate(out.steps, 1):
        console.print(f"  {i:2}. {stp.as_yaml()}", markup=False, highlight=False)
    report = _render(out.run_dir, console)
    if report:
        console.print(f"report: {report}")
    if out.kind == "flaky":
        console.print(f"[yellow]FLAKY[/yellow]: no failing sequence failed the same way on each of {REPLAYS} replays; "
                      "not exported as a bug. The sequence and each replay's folder (the evidence):")
        console.print(f"  sequence: {out.scenario_path}", markup=False)
        for r in out.replay_history:
            console.print(f"  {r['scenario']}: {r['outcome']} {r['failed']} {r['folder']}", markup=False)
        return 3
    if out.scenario_path:
        console.print(f"scenario: {out.scenario_path}")
        console.print(f"replay: {out.replay_command(profile.name, bug_list)}")
        verdict = "same failure" if out.replay_matches else f"{out.replay_outcome} {out.replay_failed}"
        console.print(f"replayed {out.replays} time(s), the last: {out.replay_outcome} ({verdict})")
    return 1


def _devices(device: str, workers: int, pool: str | None) -> list[str]:
    """The device of each worker: ``--pool``'s devices, or ``--device`` ``--workers`` times."""
    if pool is None:
        return [device] * workers
    if workers != 1:
        raise UserError(f"--workers {workers} with --pool {pool}: a pool runs one worker per device; give one of "
                        "the two")
    from harness.farm.pool import load_pool

    return list(load_pool(pool).devices)


def _parallel(devices: list[str], *, app: str, app_name: str, bugs: tuple[str, ...], budget_s: float, seed: int,
              settings_profile: str, report_dir: Path | None, export_dir: Path | None,
              checks: tuple[str, ...] | None, use_database: bool, max_examples: int | None,
              shrink_s: float | None, time_scale: float | None = None) -> int:
    """N workers (harness.stateful.parallel), one summary; exit code as for one worker."""
    from harness import paths
    from harness.scenario.session import new_run_id
    from harness.stateful.parallel import Parallel, worker_argv
    from harness.stateful.settings import database_dir

    console = Console()
    run_dir = (report_dir or paths.REPORTS / f"fuzz-{new_run_id()}").resolve()
    per_worker = -(-max_examples // len(devices)) if max_examples else None
    database = database_dir(devices[0] if len(set(devices)) == 1 else "pool-" + "+".join(sorted(set(devices))),
                            bugs, None if app_name == DEFAULT_APP else app_name)
    console.print(f"harness fuzz: {len(devices)} workers ({', '.join(devices)}), app={app_name} "
                  f"bugs={','.join(bugs) or 'none'} seed={seed} (worker i: seed+i) budget={budget_s:g}s; "
                  f"run folder {run_dir}; example database {database if use_database else 'none'}")
    extra = (["--no-database"] if not use_database else []) + (["--shrink", f"{shrink_s:g}"] if shrink_s else []) \
        + (["--time-scale", f"{time_scale:g}"] if time_scale is not None else [])
    argv = worker_argv(app=app, bugs=bugs, settings_profile=settings_profile, export_dir=export_dir, checks=checks,
                       max_examples=per_worker, run_dir=run_dir, extra=extra)
    result = Parallel(run_dir, devices, seed, budget_s, argv, database,
                      on_event=lambda line: console.print(line, markup=False, highlight=False)).run()
    import json

    (run_dir / "parallel-result.json").write_text(json.dumps(result.to_json(), indent=2, default=str))
    rate = result.examples / (result.elapsed_s / 60) if result.elapsed_s else 0.0
    console.print(f"{result.examples} examples in {result.elapsed_s:.0f}s over {len(devices)} workers "
                  f"({rate:.1f} examples/min); {len(result.crashes)} worker crash(es)")
    for crash in result.crashes:
        console.print(f"  crashed (exit {crash['exit_code']}) after {crash['after_s']}s; restarted while the budget "
                      f"lasted. Log tail:\n{crash['log_tail']}", markup=False, highlight=False)
    for f in result.findings:
        console.print(f"[red]FOUND[/red] ({f['kind']}) on {f['device']} after {f.get('time_to_failure_s') or 0:.0f}s: "
                      f"{f['title']}")
        console.print(f"  requirements: {', '.join(f.get('requirement_ids') or [])}; {f.get('actions')} actions; "
                      f"scenario: {f.get('scenario_path')}", markup=False)
    for o in result.outcomes:
        if o.get("left_to_other_worker"):
            console.print(f"  also met on {o.get('device')} (seed {o.get('seed')}) after the claim, not shrunk: "
                          f"{o['left_to_other_worker'][:300]}", markup=False, highlight=False)
    if not result.findings and result.outcomes:
        console.print("[green]no failure found within the budget[/green]")
    return result.exit_code()


def ctx_errors(out: object) -> list[tuple[object, str]]:
    """The (folder, error) of each sequence the harness could not carry out."""
    return list(getattr(out, "harness_errors", []) or [])


def _check_bug_names(bugs: tuple[str, ...], app_profile: object) -> None:
    """Unknown bug names are bad input (exit 2), named with the catalogue (the app plugin's ``bug_catalogue()``,
    when it has one)."""
    if not bugs:
        return
    from harness.app.plugins import plugin_function

    fn = plugin_function(app_profile, "bug_catalogue") if getattr(app_profile, "plugin", None) else None
    known = list(fn()) if fn is not None else []
    if not known:
        return  # the app keeps its catalogue to itself
    bad = [b for b in bugs if b not in known]
    if bad:
        raise UserError(f"--bugs: unknown bug {', '.join(bad)}; the catalogue has: {', '.join(known)}")


def _render(run_dir: Path, console: Console) -> Path | None:
    try:
        from harness.report.html import render_report

        return Path(render_report(run_dir))
    except Exception as e:  # a broken reporter never hides the finding
        console.print(f"report not rendered: {type(e).__name__}: {e}")
        return None
