"""Each catalogued refapp bug makes at least one scenario fail, and the verdict names the broken requirement.

The scenarios tried for a bug are chosen by requirement, not by bug: the
default-suite scenarios that cover any requirement the catalogue says the bug
breaks, the most specific first (the rarest requirement, then the fewest
requirements). The harness is never told which bug is on beyond ``--bugs``.

One lab and reference device per test process run every bug's scenarios, as
`harness run --bugs BUG -x` would (the bug switched through the app's
configure hook before each scenario, the app reinstalled fresh, stop at the
first failing scenario): 25 labs and browser cold starts were minutes of the
suite. `harness run` itself is run as a user runs it by tests/e2e's other
tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli.run_cmd import default_suite
from harness.scenario.loader import load_scenario
from typing import Any, Iterator

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


@pytest.fixture(scope="module")
def refapp_runner(start_refapp_runner: Any) -> Iterator[Any]:
    """The reference app's lab and device, started once for this test process (bugs off until a test says)."""
    with start_refapp_runner("catalogue") as runner:
        yield runner


@pytest.mark.parametrize("bug,requirements", BUGS, ids=[b for b, _ in BUGS])
def test_bug_is_caught_naming_its_requirement(bug: str, requirements: tuple[str, ...], tmp_path: Path,
                                              refapp_runner: Any) -> None:
    chosen = scenarios_for(requirements)
    assert chosen, f"no default-suite scenario covers {requirements}"
    refapp_runner.bugs, refapp_runner.run_dir = (bug,), tmp_path
    try:
        results = []
        for path in chosen:  # -x: up to the first scenario that does not pass
            results.append(refapp_runner.run(load_scenario(path)))
            if results[-1].outcome != "passed":
                break
    finally:
        refapp_runner.bugs = ()
    outcomes = {r.id: (r.outcome, r.error, [v.title for v in r.failed]) for r in results}
    assert not any(r.outcome == "error" for r in results), f"{bug}: a harness error: {outcomes}"
    named = {rid for r in results for v in r.failed for rid in v.requirement_ids}
    assert any(r.outcome == "failed" for r in results), f"{bug}: no scenario failed: {outcomes}"
    assert named & set(requirements), (f"{bug}: failed verdicts name {sorted(named)}, expected one of "
                                       f"{requirements}; outcomes {outcomes}")
