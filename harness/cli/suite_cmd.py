"""``harness suite generate``: the covering suite for an app, written as ordinary scenario files.

Reads the dimensions (``harness/spec/dimensions.yaml`` and the app's own ``dimensions.yaml``), leaves
out the values the app cannot run (listed, with the reason), builds the fewest combinations in which
every pair (``--strength 3``: every triple) of values appears, and writes one scenario per
combination. The same app, strength and seed give the same files. Exit codes: 0 written, 2 bad input.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from harness.cli.options import app_option, resolve_app


def default_out(app: str, strength: int, seed: int) -> Path:
    """Where a generated suite goes unless told: under the reports folder (generated output, not source)."""
    from harness import paths

    return paths.REPORTS / "covering" / f"{app}-s{strength}-seed{seed}"


@click.group("suite")
def suite_command() -> None:
    """Generate suites from the dimensions (docs/scenarios.md, "The covering suite")."""


@suite_command.command("generate")
@app_option
@click.option("--strength", type=click.Choice(["2", "3"]), default="2", show_default=True,
              help="2: every pair of values in some scenario; 3: every triple")
@click.option("--seed", type=int, default=1, show_default=True, help="the same seed gives the same suite")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="folder for the scenario files (default reports/covering/<app>-s<strength>-seed<seed>; earlier "
                   "cover-*.yaml files there are replaced)")
@click.option("--json", "as_json", is_flag=True, help="print what was generated as JSON")
def generate_command(app: str, strength: str, seed: int, out: Path | None, as_json: bool) -> int:
    """Write the covering suite for an app: every pair (or triple) of dimension values in the fewest scenarios."""
    from harness.suite.generate import generate, write_suite

    profile = resolve_app(app)
    suite = generate(profile, strength=int(strength), seed=seed, app_arg=app)
    folder = (out or default_out(profile.name, int(strength), seed)).resolve()
    files = write_suite(suite, folder)
    summary = suite.summary()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return 0
    for line in describe(suite):
        click.echo(line)
    click.echo(f"written: {folder} ({len(files)} scenario files, suite.json)")
    click.echo(f"run it:  harness run {folder} --app {app}   (or: harness run --suite covering --app {app})")
    return 0


def suite_files(name: str, app: str, profile: object, folder: Path) -> list[Path]:
    """``harness run --suite NAME``: the named generated suite written into ``folder`` (seed 1); its files."""
    from harness.suite.generate import generate, write_suite

    strength = 3 if name == "covering-3" else 2
    suite = generate(profile, strength=strength, seed=1, app_arg=app)
    files = write_suite(suite, folder)
    click.echo(describe(suite)[0] + f", written to {folder}")
    return files


def pair_coverage_report(name: str, app: str, profile: object, paths: list[Path], *, as_json: bool = False) -> int:
    """``harness coverage --suite NAME``: per requirement, the pairs of values exercised and judged (statically:
    by the checks that apply to the app). Exit 1 when a requirement is judged in no pair."""
    import tempfile

    from rich.console import Console
    from rich.table import Table

    from harness.scenario.loader import load_all, scenario_files
    from harness.suite.coverage import required_from_manifest, static_coverage
    from harness.suite.generate import generate, write_suite

    with tempfile.TemporaryDirectory(prefix="harness-suite-") as tmp:
        if paths:  # a generated folder: its files and its manifest
            files = scenario_files(paths)
            folder = paths[0] if paths[0].is_dir() else paths[0].parent
        else:
            suite = generate(profile, strength=3 if name == "covering-3" else 2, seed=1, app_arg=app)
            folder = Path(tmp)
            files = write_suite(suite, folder)
        cov = static_coverage(load_all(files), profile, required_from_manifest(folder))
    rows = cov.rows()
    app_name = getattr(profile, "name", app)
    if as_json:
        click.echo(json.dumps({"app": app_name, "scenarios": cov.scenarios, "pairs": len(cov.required),
                               "requirements": rows}, indent=2))
    else:
        out = Table(title=f"Pairs of dimension values judged per requirement: {name} suite for app {app_name} "
                          f"({cov.scenarios} scenarios, {len(cov.required)} pairs)")
        for col, just in (("id", "left"), ("requirement", "left"), ("judged", "right"), ("exercised", "right"),
                          ("least judged dimension pairs", "left")):
            out.add_column(col, justify=just)  # type: ignore[arg-type]
        for r in rows:
            parts = sorted(r["by_dimensions"].items(), key=lambda kv: _frac(kv[1]))
            weakest = ", ".join(f"{k} {v}" for k, v in parts[:3] if _frac(v) < 1) or "all"
            judged = f"{r['judged']}/{r['required']}" if r["judged"] else "[red]UNJUDGED[/red]"
            out.add_row(r["id"], r["title"], judged, str(r["exercised"]), weakest if r["judged"] else "")
        Console().print(out)
    missing = [r["id"] for r in rows if not r["judged"]]
    if missing:
        click.echo(f"judged in no pair for app {app_name}: {', '.join(missing)}", err=True)
        return 1
    click.echo(f"all {len(rows)} requirements judged in some pair for app {app_name}")
    return 0


def _frac(text: str) -> float:
    n, m = (int(x) for x in text.split("/"))
    return n / m if m else 1.0


def describe(suite: object) -> list[str]:
    """What was generated, for people: sizes, what was left out and why, the coverage."""
    s = suite.summary()  # type: ignore[attr-defined]
    ad = suite.dims  # type: ignore[attr-defined]
    label = {2: "pairs", 3: "triples"}[s["strength"]]
    total = {d: len(dim.values) for d, dim in ad.base.dimensions.items()}
    lines = [f"covering suite for app {s['app']}: {s['scenarios']} scenarios (strength {s['strength']}, seed {s['seed']})",
             "  dimensions: " + ", ".join(f"{d} {len(v)}" + (f" of {total[d]}" if len(v) != total[d] else "")
                                          for d, v in s["dimensions"].items())]
    if s["excluded"]:
        lines.append(f"  left out for app {s['app']} (not applicable):")
        lines += [f"    {e}" for e in s["excluded"]]
    for c in s["constraints"]:
        lines.append(f"  constraint {c}")
    lines.append(f"  {label}: {s['tuples']} required, coverage {s['coverage']:.3f}"
                 + (f"; {s['completed_after_library']} scenarios added for what the library missed"
                    if s["completed_after_library"] else ""))
    return lines


__all__ = ["default_out", "describe", "pair_coverage_report", "suite_command", "suite_files"]
