"""Which pairs of the dimensions' values a set of scenarios exercised and judged, per requirement.

A covering scenario carries its combination as tags (``covering`` and ``<dimension>.<value>``), so any
scenario file, result.json or run folder says which values it combined, without the generator. For
one requirement, a pair of values is

- **exercised** when a scenario holding both values lists the requirement (and applies to the app /
  ran), or judges it;
- **judged** when such a scenario judges the requirement: statically, one of its applicable checks
  (or an inline expectation) judges it (:func:`harness.cli.coverage_cmd.judged_by`); in a run, a
  verdict names it.

The pairs to cover are the generator's (``suite.json`` beside the files: every pair the app's values
and the constraints allow), so a requirement judged in 40 of 391 pairs reads as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable, Mapping

from harness.suite.generate import TAG

Pair = tuple[tuple[str, str], tuple[str, str]]


def row_of(tags: Iterable[str], dimensions: Iterable[str] | None = None) -> dict[str, str] | None:
    """The combination a covering scenario's tags name (None: not a covering scenario)."""
    tags = list(tags)
    if TAG not in tags:
        return None
    dims = set(dimensions) if dimensions is not None else None
    row: dict[str, str] = {}
    for t in tags:
        d, dot, v = t.partition(".")
        if dot and v and (dims is None or d in dims):
            row[d] = v
    return row or None


def pairs_of(row: Mapping[str, str]) -> set[Pair]:
    return set(combinations(sorted(row.items()), 2))  # type: ignore[arg-type]


def pair_text(p: Pair) -> str:
    return " x ".join(f"{d}={v}" for d, v in p)


def parse_pair(text: str) -> Pair:
    a, b = (tuple(x.split("=", 1)) for x in text.split(" x "))
    return tuple(sorted((a, b)))  # type: ignore[return-value]


@dataclass
class RequirementPairs:
    """One requirement's pairs: exercised and judged."""

    rid: str
    exercised: set[Pair] = field(default_factory=set)
    judged: set[Pair] = field(default_factory=set)


@dataclass
class PairCoverage:
    """Per requirement, the pairs exercised and judged, out of the pairs the suite had to cover."""

    required: set[Pair]
    by_requirement: dict[str, RequirementPairs]
    scenarios: int

    def dimension_pairs(self) -> list[tuple[str, str]]:
        return sorted({(a[0], b[0]) for a, b in self.required})

    def breakdown(self, pairs: set[Pair]) -> dict[tuple[str, str], tuple[int, int]]:
        """Per pair of dimensions: (pairs of values in ``pairs``, pairs of values required)."""
        out: dict[tuple[str, str], tuple[int, int]] = {}
        for dd in self.dimension_pairs():
            req = {p for p in self.required if (p[0][0], p[1][0]) == dd}
            out[dd] = (len(pairs & req), len(req))
        return out

    def rows(self) -> list[dict[str, Any]]:
        """Plain rows for a table or JSON: id, exercised, judged, required, per dimension pair, missing."""
        from harness.spec.requirements import REQUIREMENTS

        out = []
        for r in REQUIREMENTS:
            rp = self.by_requirement.get(r.id) or RequirementPairs(r.id)
            judged = rp.judged & self.required
            out.append({
                "id": r.id, "title": r.title, "exercised": len((rp.exercised | rp.judged) & self.required),
                "judged": len(judged), "required": len(self.required),
                "by_dimensions": {f"{a} x {b}": f"{n}/{m}" for (a, b), (n, m) in self.breakdown(judged).items()},
                "exercised_not_judged": sorted(pair_text(p) for p in (rp.exercised - rp.judged) & self.required),
            })
        return out


def _required(required: Iterable[Pair] | None, rows: Iterable[Mapping[str, str]]) -> set[Pair]:
    if required is not None:
        return set(required)
    values: dict[str, set[str]] = {}
    for r in rows:
        for d, v in r.items():
            values.setdefault(d, set()).add(v)
    return _all_pairs(values)


def _all_pairs(values: Mapping[str, set[str]]) -> set[Pair]:
    out: set[Pair] = set()
    for d1, d2 in combinations(sorted(values), 2):
        out |= {((d1, a), (d2, b)) for a in values[d1] for b in values[d2]}
    return out


def static_coverage(scenarios: Iterable[Any], profile: Any, required: Iterable[Pair] | None = None) -> PairCoverage:
    """From scenario files (no run): exercised = applicable and listed, judged = an applicable check judges it."""
    from harness.cli.coverage_cmd import judged_by
    from harness.scenario.applicability import applicability

    by: dict[str, RequirementPairs] = {}
    rows = []
    for s in scenarios:
        row = row_of(s.tags)
        if row is None or not applicability(s, profile).applicable:
            continue
        rows.append(row)
        pairs = pairs_of(row)
        for rid in s.requirements:
            by.setdefault(rid, RequirementPairs(rid)).exercised |= pairs
        for rid in judged_by(s, profile):
            by.setdefault(rid, RequirementPairs(rid)).judged |= pairs
    return PairCoverage(_required(required, rows), by, len(rows))


def run_coverage(results: Iterable[Mapping[str, Any]], required: Iterable[Pair] | None = None) -> PairCoverage | None:
    """From a run's result.json data: exercised = it ran (passed or failed) and lists the requirement, judged =
    a verdict names it. None when no covering scenario ran."""
    by: dict[str, RequirementPairs] = {}
    rows = []
    for res in results:
        row = row_of(res.get("tags") or ())
        if row is None or res.get("outcome") not in ("passed", "failed"):
            continue
        rows.append(row)
        pairs = pairs_of(row)
        for rid in res.get("requirements") or ():
            by.setdefault(str(rid), RequirementPairs(str(rid))).exercised |= pairs
        for v in res.get("verdicts") or ():
            for rid in v.get("requirement_ids") or ():
                by.setdefault(str(rid), RequirementPairs(str(rid))).judged |= pairs
    if not rows:
        return None
    return PairCoverage(_required(required, rows), by, len(rows))


def required_from_manifest(folder: Path) -> set[Pair] | None:
    """The pairs a generated suite had to cover, from its ``suite.json`` (None when there is none)."""
    try:
        data = json.loads((Path(folder) / "suite.json").read_text())
    except (OSError, ValueError):
        return None
    pairs = data.get("pairs_required")
    return {parse_pair(p) for p in pairs} if isinstance(pairs, list) else None


__all__ = ["PairCoverage", "RequirementPairs", "pair_text", "pairs_of", "parse_pair", "required_from_manifest",
           "row_of", "run_coverage", "static_coverage"]
