"""Which scenarios and checks apply to an app: what they need against what the app has.

Every step type and every check declares the capabilities it needs
(:data:`harness.scenario.steps.STEPS` ``needs``, :data:`CHECK_NEEDS`); an app
profile says what the app has (:attr:`AppProfile.capability_set`). A scenario
whose steps or setup need something the app lacks is **not applicable**,
with the reason: never run half-way, never a pass, never a failure. A check
the scenario asks for that needs something the app lacks is left out of the
judgement and listed as not applicable. Requirements that no applicable
scenario judges are "unjudged for this app".

>>> from harness.scenario.loader import load_text          # doctest: +SKIP
>>> applicability(load_text(open("scenarios/queued/notes-offline.yaml").read()), profile).applicable
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from harness.app.capabilities import missing_reason

#: capabilities each check needs to judge anything (others it uses when present)
CHECK_NEEDS: dict[str, frozenset[str]] = {
    "ordering": frozenset(),
    "exactly_once": frozenset(),
    "cache_reads": frozenset(),
    "gating": frozenset({"unavailable_features"}),
    "indicators": frozenset({"offline_indicator"}),
    "convergence": frozenset(),
    "liveness": frozenset(),
    "background": frozenset({"lifecycle"}),
    "detection": frozenset({"offline_indicator"}),  # the app shows whether it is offline
}


@dataclass(frozen=True)
class Applicability:
    """Whether a scenario applies to an app; why not; which of its checks do not apply."""

    applicable: bool
    reason: str = ""
    missing: frozenset[str] = frozenset()
    #: check name -> why it does not apply to this app
    checks_not_applicable: Mapping[str, str] = field(default_factory=dict)


def scenario_needs(scenario: Any) -> dict[str, frozenset[str]]:
    """What each part of a scenario needs: ``{"step 3 (add_item)": {...}, "setup.load": {...}}``."""
    from harness.scenario.steps import STEPS, load_needs

    out: dict[str, frozenset[str]] = {}
    for item in scenario.setup.load:
        needs = load_needs(item)
        if needs:
            out["setup.load"] = out.get("setup.load", frozenset()) | needs
    for i, st in enumerate(scenario.steps):
        needs = STEPS[st.name].needs_for(st.params)
        if needs:
            out[f"step {i + 1} ({st.name})"] = needs
    return out


def applicability(scenario: Any, profile: Any) -> Applicability:
    """Does ``scenario`` apply to the app of ``profile``? (see the module docstring)"""
    from harness.app.plugins import load_vocabularies

    load_vocabularies()  # the capabilities of every known app's plugin, for readable reasons
    have = profile.capability_set
    missing: set[str] = set()
    first_part = ""
    for part, needs in scenario_needs(scenario).items():
        lack = needs - have
        if lack and not first_part:
            first_part = part
        missing |= lack
    from harness.checks import ALWAYS

    checks = scenario.expect.checks if scenario.expect.checks is not None else list(CHECK_NEEDS)
    checks = list(checks) + [c for c in ALWAYS if c not in checks]  # run whatever the scenario names
    checks_na = {c: missing_reason(CHECK_NEEDS.get(c, frozenset()) - have, profile.name, what=f"check {c}")
                 for c in checks if CHECK_NEEDS.get(c, frozenset()) - have}
    if missing:
        reason = missing_reason(missing, profile.name, what="this scenario") + f" (first needed by {first_part})"
        return Applicability(False, reason, frozenset(missing), checks_na)
    return Applicability(True, "", frozenset(), checks_na)


def applicable_checks(scenario: Any, profile: Any, a: Applicability | None = None) -> list[str] | None:
    """The checks to run for ``scenario`` on this app (None = every check, all applicable); ``a``: its
    applicability when the caller has it already."""
    from harness.checks import ALWAYS

    a = a if a is not None else applicability(scenario, profile)
    if scenario.expect.checks is None and not a.checks_not_applicable:
        return None
    chosen = scenario.expect.checks if scenario.expect.checks is not None else list(CHECK_NEEDS)
    chosen = list(chosen) + [c for c in ALWAYS if c not in chosen]  # whatever the scenario names
    return [c for c in chosen if c not in a.checks_not_applicable]


def unjudged_requirements(scenarios: Iterable[Any], profile: Any, all_ids: Iterable[str]) -> list[str]:
    """Requirement ids that no applicable scenario of ``scenarios`` lists, for this app."""
    judged: set[str] = set()
    for s in scenarios:
        if applicability(s, profile).applicable:
            judged |= set(s.requirements)
    return [r for r in all_ids if r not in judged]


__all__ = ["Applicability", "CHECK_NEEDS", "applicability", "applicable_checks", "scenario_needs",
           "unjudged_requirements"]
