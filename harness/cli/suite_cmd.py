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


__all__ = ["default_out", "describe", "suite_command", "suite_files"]
