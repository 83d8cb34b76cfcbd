"""Hypothesis settings profiles for fuzzing (``ci`` and ``nightly``) and the project-local example database.

One example costs seconds (a fresh app in a real browser), so the profiles
differ from Hypothesis's defaults: no per-example deadline, no health checks
about slow data generation, one bug at a time (``report_multiple_bugs``
off, so a found failure goes straight to shrinking), short sequences, and
``max_examples`` of one round (``ROUND_EXAMPLES``, see there): the fuzz
command runs round after round until its wall-clock budget ends; shrinking
gets its own bound (``shrink_s``).

Failing examples are kept in ``.hypothesis/fuzz/<device>/<bugs>/`` so that
the next run of the same configuration replays them first.

>>> load_profile("ci").stateful_step_count
3
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from harness import paths
from harness.errors import UserError


@dataclass(frozen=True)
class Profile:
    """A fuzz profile: Hypothesis settings plus the shrink bound the engine cannot express."""

    name: str
    steps: int  # stateful_step_count: the longest generated sequence
    shrink_s: float  # wall-clock bound on shrinking one failure


#: examples per Hypothesis run ("round"). Below ten, Hypothesis skips the two things it does first for cheap
#: tests, which cost a real app session each here: the "small test case" phase (every novel prefix is first
#: run extended with the simplest choices: the same dull sequence again and again) and, after ten valid
#: examples, up to five mutated copies of each generated example. Each round after the first gets a seed
#: derived from the run's seed (:func:`harness.stateful.fuzz.round_seed`), so the run still replays from one seed.
ROUND_EXAMPLES = 9

PROFILES: dict[str, Profile] = {
    "ci": Profile("ci", steps=3, shrink_s=180.0),
    "nightly": Profile("nightly", steps=12, shrink_s=900.0),
}

for _p in PROFILES.values():
    settings.register_profile(
        f"harness-fuzz-{_p.name}",
        max_examples=ROUND_EXAMPLES,  # one round; the fuzz loop runs rounds until the time budget ends
        stateful_step_count=_p.steps,
        deadline=None,
        derandomize=False,
        report_multiple_bugs=False,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        database=None,
    )


def load_profile(name: str) -> settings:
    """The registered Hypothesis settings of profile ``name`` (``ci`` or ``nightly``)."""
    if name not in PROFILES:
        raise UserError(f"settings profile {name!r} is unknown; use one of {', '.join(sorted(PROFILES))}")
    return settings.get_profile(f"harness-fuzz-{name}")


def database_dir(device: str, bugs: tuple[str, ...], app: str | None = None) -> Path:
    """Where failing examples of this configuration are kept (project-local, ignored by git); another app's
    examples are kept apart (its draws mean other steps)."""
    base = paths.ROOT / ".hypothesis" / "fuzz"
    if app:
        base = base / "apps" / app.replace("/", "_")
    return base / device.replace("/", "_") / ("+".join(sorted(bugs)) or "no-bugs")


def settings_for(name: str, *, device: str, bugs: tuple[str, ...], use_database: bool = True,
                 app: str | None = None, database: Path | None = None) -> settings:
    """The profile's settings with the example database of this app, device and bug set (or ``database``: the
    one a parallel run's workers share)."""
    db = DirectoryBasedExampleDatabase(str(database or database_dir(device, bugs, app))) if use_database else None
    return settings(load_profile(name), database=db)


__all__ = ["PROFILES", "ROUND_EXAMPLES", "Profile", "database_dir", "load_profile", "settings_for"]
