"""Checks by name: a decorator fills the registry, ``run_checks`` runs them.

A scenario or the runner names checks (``checks: [ordering, exactly_once]``);
an unknown or duplicate name is an error that lists the known names, like a
Toxiproxy toxic type. A check that crashes on odd input yields a failed
verdict naming the crash instead of aborting the others.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from harness.errors import Evidence, SpecError
from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.timeline import Event

CheckFn = Callable[[Sequence[Event], Snapshots, CheckContext], list[Verdict]]

CHECKS: dict[str, CheckFn] = {}
#: checks that judge every run, whatever checks a scenario names (what they judge happens in every run)
ALWAYS: list[str] = []
#: requirement ids each check can judge (for coverage tables and error messages)
CHECK_REQUIREMENTS: dict[str, tuple[str, ...]] = {}


def check(name: str, *requirement_ids: str, always: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register a check under ``name``; it judges ``requirement_ids``; ``always``: in every run (see
    :data:`ALWAYS`).

    >>> @check("doc_example_never_registered_twice", "R5")   # doctest: +SKIP
    ... def f(events, snapshots, ctx): return []
    """

    def deco(fn: CheckFn) -> CheckFn:
        if name in CHECKS:
            raise SpecError("check", name, f"a new name (already registered: {', '.join(sorted(CHECKS))})")
        CHECKS[name] = fn
        CHECK_REQUIREMENTS[name] = tuple(requirement_ids)
        if always:
            ALWAYS.append(name)
        return fn

    return deco


def get_check(name: str) -> CheckFn:
    """The check registered as ``name``; SpecError listing the known names otherwise."""
    try:
        return CHECKS[name]
    except KeyError:
        raise SpecError("check", name, f"one of {', '.join(sorted(CHECKS))}") from None


#: a ``run`` event that starts the final local-state reading (the radio switched off to read what the
#: app holds); what follows it is evidence for the snapshots, not part of the scenario's own timeline
SNAPSHOT_PHASE = "snapshot.local"


def scenario_part(events: Sequence[Event]) -> list[Event]:
    """The events up to the final snapshot phase (snapshot events themselves are always kept)."""
    out: list[Event] = []
    cut = False
    for e in events:
        if e.kind == "run" and e.name == SNAPSHOT_PHASE:
            cut = True
        if not cut or e.kind == "snapshot":
            out.append(e)
    return out


def run_checks(
    events: Sequence[Event],
    *,
    snapshots: Snapshots | None = None,
    context: CheckContext | None = None,
    names: Iterable[str] | None = None,
) -> list[Verdict]:
    """Run the named checks (default: all, in registry order) over one scenario's events.

    ``snapshots`` defaults to the timeline's last ``snapshot`` events. Events
    are sorted by ``(t, seq)`` first, so producers may append out of order.

    >>> run_checks([])
    []
    """
    chosen = list(names) if names is not None else list(CHECKS)
    fns = [(n, get_check(n)) for n in chosen]  # validate every name before running any
    evs = sorted(events, key=lambda e: (e.t, e.seq))
    snaps = snapshots if snapshots is not None else Snapshots.from_events(evs)
    evs = scenario_part(evs)
    ctx = context or CheckContext()
    out: list[Verdict] = []
    for name, fn in fns:
        try:
            out.extend(fn(evs, snaps, ctx))
        except Exception as exc:  # a broken check must not hide the others' verdicts
            out.append(Verdict(name, CHECK_REQUIREMENTS.get(name, ()), False,
                               f"check crashed: {type(exc).__name__}: {exc}", (Evidence(-1, repr(exc)),)))
    return out


__all__ = ["ALWAYS", "CHECKS", "CHECK_REQUIREMENTS", "CheckFn", "SNAPSHOT_PHASE", "check", "get_check", "run_checks",
           "scenario_part"]
