"""Each catalogued refapp bug makes at least one scenario fail, and the verdict names the broken requirement.

The scenarios tried for a bug are chosen by requirement, not by bug: the
default-suite scenarios that cover any requirement the catalogue says the bug
breaks, the most specific first (the rarest requirement, then the fewest
requirements). The harness is never told which bug is on beyond ``--bugs``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli.run_cmd import default_suite
from harness.scenario.loader import load_scenario
from typing import Any

MAX_SCENARIOS = 3


def catalogue() -> list[tuple[str, tuple[str, ...]]]:
    """(bug, requirement ids) from the reference app's own listing, as a user would read it."""
    out = subprocess.run([sys.executable, "-m", "refapp", "--list-bugs"], capture_output=True, text=True, check=True)
    bugs = []
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] in ("client", "server"):
            bugs.append((parts[0], tuple(parts[2].split(","))))
    return bugs


def scenarios_for(requirements: tuple[str, ...]) -> list[Path]:
    """The default-suite scenarios covering any of ``requirements``, most specific first: those covering
    the requirement fewest scenarios cover, then those naming fewest requirements."""
    loaded = [(path, load_scenario(path)) for path in default_suite()]
    coverage: dict[str, int] = {}
    for _, s in loaded:
        for r in s.requirements:
            coverage[r] = coverage.get(r, 0) + 1
    found = []
    for path, s in loaded:
        shared = set(s.requirements) & set(requirements)
        if shared:
            found.append((min(coverage[r] for r in shared), len(s.requirements), s.id, path))
    return [p for *_, p in sorted(found)][:MAX_SCENARIOS]


BUGS = catalogue()


def test_the_catalogue_has_at_least_twelve_bugs() -> None:
    assert len(BUGS) >= 12


@pytest.mark.parametrize("bug,requirements", BUGS, ids=[b for b, _ in BUGS])
def test_bug_is_caught_naming_its_requirement(bug: str, requirements: tuple[str, ...], tmp_path: Path,
                                              harness_run: Any) -> None:
    chosen = scenarios_for(requirements)
    assert chosen, f"no default-suite scenario covers {requirements}"
    run = harness_run(tmp_path / "run", *map(str, chosen), "--bugs", bug, "-x", "--workers", "1")
    results = run.results()
    named = {rid for r in results for v in r["verdicts"] if not v["passed"] for rid in v["requirement_ids"]}
    assert run.code == 1, f"{bug}: exit {run.code}, expected a failed check\n{run.output[-3000:]}"
    outcomes = {r["id"]: (r["outcome"], r.get("error")) for r in results}
    assert named & set(requirements), (f"{bug}: failed verdicts name {sorted(named)}, expected one of "
                                       f"{requirements}; outcomes {outcomes}\n{run.output[-3000:]}")
