"""``harness coverage``: which scenarios judge each requirement, for an app; fails when one has none.

A requirement is covered when a scenario that applies to the app (its
capabilities) lists it and runs a check that judges it (or an inline
expectation that does: ``expect_banner`` R1/R2, ``expect_item`` the item's
requirement). The HTML report counts the same thing from a run's verdicts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import click
from rich.console import Console
from rich.table import Table

from harness import paths
from harness.cli.options import app_option, resolve_app
from harness.scenario.loader import load_all
from harness.spec.requirements import REQUIREMENTS

#: requirements an inline expectation judges by itself
INLINE_JUDGES: dict[str, tuple[str, ...]] = {"expect_banner": ("R1", "R2"), "expect_item": ("R9", "R10", "R14", "R15")}


def judged_by(scenario: Any, profile: Any) -> set[str]:
    """The requirements this scenario judges on this app (empty when it does not apply)."""
    from harness.checks import CHECK_REQUIREMENTS
    from harness.scenario.applicability import CHECK_NEEDS, applicability, applicable_checks

    a = applicability(scenario, profile)
    if not a.applicable:
        return set()
    checks = applicable_checks(scenario, profile, a)
    chosen = list(CHECK_NEEDS) if checks is None else checks
    can = {r for c in chosen for r in CHECK_REQUIREMENTS.get(c, ())}
    for st in scenario.steps:
        can |= set(INLINE_JUDGES.get(st.name, ()))
    return set(scenario.requirements) & can


def coverage_table(scenario_paths: Iterable[Path], profile: Any | None = None) -> dict[str, list[str]]:
    """Requirement id -> ids of the scenarios that judge it on this app, in R1..R27 order."""
    return judged_table(load_all(list(scenario_paths)), profile or resolve_app(_default()))


def judged_table(scenarios: Iterable[Any], profile: Any) -> dict[str, list[str]]:
    """:func:`coverage_table` over scenarios already loaded."""
    table: dict[str, list[str]] = {r.id: [] for r in REQUIREMENTS}
    for s in scenarios:
        if "regressions" in (s.path.parts if s.path else ()):
            continue
        for rid in sorted(judged_by(s, profile), key=lambda r: int(r[1:])):
            table.setdefault(rid, []).append(s.id)
    return table


def _default() -> str:
    from harness.cli.options import DEFAULT_APP

    return DEFAULT_APP


@click.command("coverage")
@click.argument("scenario_paths", nargs=-1, type=click.Path(path_type=Path))
@app_option
@click.option("--suite", type=click.Choice(["covering", "covering-3"]), default=None,
              help="per requirement, the pairs of the dimensions' values the covering suite exercises and judges "
                   "for the app (generated, or the generated folder given as SCENARIO_PATHS)")
@click.option("--json", "as_json", is_flag=True, help="with --suite: every requirement's pairs as JSON")
def coverage_command(scenario_paths: tuple[Path, ...], app: str, suite: str | None = None,
                     as_json: bool = False) -> int:
    """Print the requirement -> scenarios table for an app; fail if a requirement has none."""
    profile = resolve_app(app)
    if suite:
        from harness.cli.suite_cmd import pair_coverage_report

        return pair_coverage_report(suite, app, profile, list(scenario_paths), as_json=as_json)
    table = coverage_table(list(scenario_paths) or [paths.SCENARIOS], profile)
    titles = {r.id: r.title for r in REQUIREMENTS}
    out = Table(title=f"Requirement coverage for app {profile.name} (judged by an applicable scenario)")
    out.add_column("id")
    out.add_column("requirement")
    out.add_column("n", justify="right")
    out.add_column("scenarios")
    for rid, ids in table.items():
        out.add_row(rid, titles.get(rid, ""), str(len(ids)), ", ".join(ids) if ids else "[red]UNJUDGED[/red]")
    Console().print(out)
    missing = [rid for rid, ids in table.items() if not ids]
    if missing:
        click.echo(f"unjudged for app {profile.name}: {', '.join(missing)}", err=True)
        return 1
    click.echo(f"all {len(table)} requirements judged for app {profile.name}")
    return 0
