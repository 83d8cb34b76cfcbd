"""``harness coverage``: which scenarios cover each requirement; fails when one has none."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from harness import paths
from harness.scenario.loader import load_all
from harness.spec.requirements import REQUIREMENTS


def coverage_table(scenario_paths: list[Path]) -> dict[str, list[str]]:
    """Requirement id -> ids of the scenarios that name it, in R1..R27 order."""
    table: dict[str, list[str]] = {r.id: [] for r in REQUIREMENTS}
    for s in load_all(scenario_paths):
        for rid in s.requirements:
            table.setdefault(rid, []).append(s.id)
    return table


@click.command("coverage")
@click.argument("scenario_paths", nargs=-1, type=click.Path(path_type=Path))
def coverage_command(scenario_paths: tuple[Path, ...]) -> int:
    """Print the requirement -> scenarios table; fail if a requirement has none."""
    table = coverage_table(list(scenario_paths) or [paths.SCENARIOS])
    titles = {r.id: r.title for r in REQUIREMENTS}
    out = Table(title="Requirement coverage")
    out.add_column("id")
    out.add_column("requirement")
    out.add_column("n", justify="right")
    out.add_column("scenarios")
    for rid, ids in table.items():
        out.add_row(rid, titles.get(rid, ""), str(len(ids)), ", ".join(ids) if ids else "[red]NONE[/red]")
    Console().print(out)
    missing = [rid for rid, ids in table.items() if not ids]
    if missing:
        click.echo(f"not covered: {', '.join(missing)}", err=True)
        return 1
    click.echo(f"all {len(table)} requirements covered")
    return 0
