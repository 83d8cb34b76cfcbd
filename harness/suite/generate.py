"""Generate the covering suite: the fewest scenarios in which every pair (or triple) of values appears.

The combinations come from ``covertable`` (``make``: a greedy covering-array generator with
declarative constraints, deterministic for a salt: the seed). It was chosen over ``allpairspy``
because it is maintained (3.2, 2026), does any strength (``--strength 3``) and takes constraints as
data; its simulated-annealing post-pass (``optimize``) is not used, since it stops on a wall-clock
budget and would make the suite depend on the machine's speed. After it, every required tuple is
checked independently (:meth:`AppDimensions.required_tuples`) and any it missed gets a scenario of
its own, so the suite covers them all whatever the library does.

Each combination becomes an ordinary scenario file (validated by the scenario loader): the steps of
each chosen value put into the slots they name (``harness/spec/dimensions.yaml``), every applicable
check judging it (``expect.checks`` left out), the requirements the values exercise listed, and a
header saying which combination it is and which tuples it covered first. A failure replays like any
other scenario: ``harness run FILE --app APP``.

>>> from harness.app.profile import load_app_profile              # doctest: +SKIP
>>> suite = generate(load_app_profile("refapp"), strength=2, seed=1)
>>> suite.coverage()
1.0
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from harness.errors import SpecError, UserError
from harness.suite.dimensions import (
    KINDS, SPLICES, AppDimensions, Read, Value, canonical, choose, for_app, is_one_of, substitute, tuples_of,
)

#: every generated file's name starts so (an output folder is cleaned of these before writing)
PREFIX = "cover-"
TAG = "covering"
STRENGTHS = (2, 3)
#: covering arrays tried per suite (salts "SEED:0".."SEED:7"); the smallest is kept
ATTEMPTS = 8


@dataclass
class Composed:
    """One generated scenario: its combination, its data (as a scenario file holds it), its header."""

    index: int
    row: dict[str, str]
    data: dict[str, Any]
    variants: dict[str, str]
    new_tuples: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    header: str = ""

    @property
    def id(self) -> str:
        return str(self.data["id"])


@dataclass
class Suite:
    """A generated covering suite for one app."""

    app: str
    strength: int
    seed: int
    dims: AppDimensions
    rows: list[dict[str, str]]
    scenarios: list[Composed]
    files: list[Path] = field(default_factory=list)
    #: combinations added after the library's array, for tuples it left uncovered
    completed: int = 0

    def required(self) -> set[tuple[tuple[str, str], ...]]:
        return self.dims.required_tuples(self.strength)

    def coverage(self) -> float:
        req = self.required()
        got = {t for r in self.rows for t in tuples_of(r, self.strength)} & req
        return len(got) / len(req) if req else 1.0

    def summary(self) -> dict[str, Any]:
        req = self.required()
        pairs = self.dims.required_tuples(2)
        return {"app": self.app, "strength": self.strength, "seed": self.seed, "scenarios": len(self.rows),
                "tuples": len(req), "coverage": round(self.coverage(), 6),
                "pairs": len(pairs), "pair_coverage": round(pair_coverage(self.rows, pairs), 6),
                "dimensions": {d: vals for d, vals in self.dims.factors().items()},
                "excluded": self.dims.describe_excluded(),
                "reads": [r.key for r in self.dims.reads],
                "constraints": [f"{c.id}: {c.why}" for c in self.dims.constraints],
                "completed_after_library": self.completed,
                "pairs_required": sorted(" x ".join(f"{d}={k}" for d, k in p) for p in pairs),
                "files": [f.name for f in self.files]}


def pair_coverage(rows: Iterable[Mapping[str, str]], required: set[tuple[tuple[str, str], ...]]) -> float:
    got = {t for r in rows for t in tuples_of(r, 2)} & required
    return len(got) / len(required) if required else 1.0


# -- the covering array ---------------------------------------------------------------------------------


def _selected(ad: AppDimensions, dim: str, sel: Mapping[str, Any]) -> list[str]:
    if "trait" in sel:
        return [v.key for v in ad.values[dim] if str(sel["trait"]) in v.traits]
    return [k for k in sel.get("values", ()) if any(v.key == k for v in ad.values[dim])]


def library_constraints(ad: AppDimensions) -> list[dict[str, Any]]:
    """The dimensions' constraints in covertable's declarative form (``not (if) or then``)."""
    out = []
    for c in ad.constraints:
        if c.if_dim not in ad.values or c.then_dim not in ad.values:
            continue
        out.append({"operator": "or", "conditions": [
            {"operator": "not", "condition": {"operator": "in", "left": c.if_dim,
                                              "values": _selected(ad, c.if_dim, c.if_sel)}},
            {"operator": "in", "left": c.then_dim, "values": _selected(ad, c.then_dim, c.then_sel)},
        ]})
    return out


def covering_rows(ad: AppDimensions, strength: int, seed: int) -> tuple[list[dict[str, str]], int]:
    """The combinations (value keys per dimension, in dimension order) and how many were added after the
    library's array to cover what it missed."""
    from covertable import make

    if strength not in STRENGTHS:
        raise SpecError("--strength", strength, "2 (every pair) or 3 (every triple)")
    factors = ad.factors()
    dims = list(factors)
    if len(dims) < strength:
        raise SpecError("--strength", strength, f"at most the number of dimensions ({len(dims)})")
    best: list[dict[str, str]] | None = None
    for attempt in range(ATTEMPTS):  # the smallest of a few arrays, each from a salt derived from the seed
        raw = make(factors, strength=strength, salt=f"{seed}:{attempt}", constraints=library_constraints(ad) or None)
        rows = _drop_redundant([r for r in ({d: str(r[d]) for d in dims} for r in raw) if ad.allows(r)], strength)
        if best is None or len(rows) < len(best):
            best = rows
    rows = best or []
    missing = ad.required_tuples(strength) - {t for r in rows for t in tuples_of(r, strength)}
    added = 0
    if missing:  # the library left some tuples out: one allowed combination each, greedily
        for row in ad.valid_rows():
            got = tuples_of(row, strength) & missing
            if got:
                rows.append(row)
                missing -= got
                added += 1
                if not missing:
                    break
    return rows, added


def _drop_redundant(rows: list[dict[str, str]], strength: int) -> list[dict[str, str]]:
    """Rows whose every tuple other rows cover too, removed (last first): the same coverage, fewer scenarios."""
    counts: Counter[tuple[tuple[str, str], ...]] = Counter(t for r in rows for t in tuples_of(r, strength))
    keep = list(rows)
    for r in reversed(rows):
        mine = tuples_of(r, strength)
        if all(counts[t] > 1 for t in mine):
            keep.remove(r)
            counts.subtract(mine)
    return keep


# -- composing one scenario -----------------------------------------------------------------------------


def _merge(into: dict[str, Any], extra: Mapping[str, Any], who: str, source: str, owners: dict[str, str],
           path: str = "") -> None:
    """Deep-merge ``extra`` (a value's setup) into ``into``; two values setting one field differently is an
    input error naming both (at the second one's file and line)."""
    from harness.suite.dimensions import _at

    for k, v in extra.items():
        where = f"{path}.{k}" if path else k
        if isinstance(v, Mapping):
            cur = into.setdefault(k, {})
            if not isinstance(cur, dict):
                raise SpecError(f"setup.{where}", v, f"a value that agrees with {owners.get(where)}", **_at(source))
            _merge(cur, v, who, source, owners, where)
        elif k in into and into[k] != v:
            raise SpecError(f"setup.{where}", v, f"{into[k]!r}, which {owners.get(where)} sets", **_at(source),
                            fix=f"{who} and {owners.get(where)} disagree: add a constraint that keeps them apart, "
                                "or make them agree")
        else:
            into[k] = v
            owners[where] = who


class _Composer:
    def __init__(self, ad: AppDimensions, row: Mapping[str, str], variant_counts: Counter[str]) -> None:
        self.ad = ad
        self.have = ad.have
        self.chosen: dict[str, Value] = {d: ad.value(d, row[d]) for d in ad.values}
        self.names: dict[str, Any] = {}
        self.kinds = set(KINDS)
        self.variants: dict[str, str] = {}
        for d, v in self.chosen.items():
            if v.kinds:
                self.kinds &= set(v.kinds)
            if v.variants:
                var = v.variants[variant_counts[v.name] % len(v.variants)]
                variant_counts[v.name] += 1
                self.names.update(var.vars)
                self.variants[d] = var.name
                if var.kinds:
                    self.kinds &= set(var.kinds)
        self.provider = {field: next((v for v in self.chosen.values() if getattr(v, field)), None)
                         for field in ("act", "detect")}
        self.uses = 0
        self.begun: tuple[bool, list[Any]] | None = None
        self.total_uses = sum(self._count(steps) for v in self.chosen.values() for steps in v.slots.values())
        self.total_uses += sum(self._count(steps) for steps in ad.base.always.values())
        self.read_used = any("{read}" in steps for v in self.chosen.values() for steps in v.slots.values())

    @staticmethod
    def _count(steps: Iterable[Any]) -> int:
        return sum(1 for s in steps if s in ("{act}", "{begin_act}"))

    def _use_names(self) -> dict[str, Any]:
        names = dict(self.names)
        if self.total_uses:
            names["last"] = f"a{self.total_uses}"
        return names

    def expand(self, items: Iterable[Any]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if item in ("{begin_act}", "{submit_act}"):
                out += self._split_act(item)
            elif isinstance(item, str) and item in SPLICES:
                out += self._splice(SPLICES[item])
            elif is_one_of(item):
                alt = choose(item, self.have, self._use_names())
                assert alt is not None, "value applicability checked every one_of"
                out += self.expand(alt)
            else:
                out.append(substitute(item, self._use_names()))
        return out

    def _splice(self, what: str) -> list[Any]:
        if what == "read":
            return [s for r in self.ad.reads for s in self.expand(r.steps)]
        v = self.provider[what]
        if v is None:
            raise SpecError(f"{{{what}}}", what, f"a chosen value that provides {what}",
                            fix=f"give every value of the dimension that provides {what} a `{what}:`")
        if what == "detect":
            return self.expand(v.detect or ())
        self.uses += 1
        names = {**self._use_names(), "label": f"a{self.uses}", "base": f"b{self.uses}"}
        return [substitute(s, names) for s in self.expand_raw(v.act or (), names)]

    def _split_act(self, item: str) -> list[Any]:
        """``{begin_act}``: one use of the action up to its last tap (``begin``), when the app can split its first
        step; ``{submit_act}``: that tap (``submit``) and the rest of the use. An action whose first step cannot be
        split is done whole at ``{submit_act}``."""
        from harness.scenario.handlers import BEGINNERS

        if item == "{begin_act}":
            steps = self._splice("act")
            first = steps[0] if steps else None
            name = next(iter(first)) if isinstance(first, dict) else first
            if name in BEGINNERS:
                self.begun = (True, steps[1:])
                return [{"begin": first if isinstance(first, dict) else {first: None}}]
            self.begun = (False, steps)
            return []
        if self.begun is None:
            raise SpecError("{submit_act}", item, "a {begin_act} before it in the scenario's slots")
        began, rest = self.begun
        self.begun = None
        return (["submit"] if began else []) + rest

    def expand_raw(self, items: Iterable[Any], names: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if is_one_of(item):
                alt = choose(item, self.have, names)
                assert alt is not None
                out += self.expand_raw(alt, names)
            else:
                out.append(substitute(item, names))
        return out

    def steps(self) -> list[Any]:
        out: list[Any] = []
        for slot in self.ad.base.slots:
            if slot == "prepare":
                act = self.provider["act"]
                for u in range(1, self.total_uses + 1):
                    if act is not None and act.act_prepare:
                        out += self.expand_raw(act.act_prepare, {**self.names, "base": f"b{u}", "label": f"a{u}"})
                if self.read_used:
                    out += [s for r in self.ad.reads for s in self.expand(r.prepare)]
            for v in self.chosen.values():
                out += self.expand(v.slots.get(slot, ()))
            out += self.expand(self.ad.base.always.get(slot, ()))
        return out

    def parts(self) -> list[Value | Read]:
        return list(self.chosen.values()) + (list(self.ad.reads) if self.read_used else [])

    def setup(self) -> dict[str, Any]:
        setup: dict[str, Any] = {}
        owners: dict[str, str] = {}
        for part in self.parts():
            who = part.name if isinstance(part, Value) else f"read {part.key}"
            _merge(setup, substitute(dict(part.setup), self.names), who, part.source, owners)
        loads: list[Any] = []
        seen: set[str] = set()
        for part in self.parts():
            for item in part.load:
                if canonical(item) not in seen:
                    seen.add(canonical(item))
                    loads.append(item)
        if loads:
            setup["load"] = loads
        return setup

    def bounds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for v in self.chosen.values():
            for k, b in v.bounds.items():
                out[k] = min(float(b), out.get(k, float(b)))
        return out

    def requirements(self) -> list[str]:
        reqs = {r for part in self.parts() for r in part.requirements}
        return sorted(reqs, key=lambda r: int(r[1:]))


def compose(ad: AppDimensions, row: Mapping[str, str], index: int, variant_counts: Counter[str]) -> Composed:
    """One combination as a scenario (data as in a scenario file)."""
    c = _Composer(ad, row, variant_counts)
    dims = list(ad.values)
    sid = f"{PREFIX}{index:03d}-" + "-".join(row[d].replace("_", "-") for d in dims[:2])
    titles = []
    for d in dims:
        t = c.chosen[d].title
        titles.append(f"{t} ({c.variants[d]})" if d in c.variants else t)
    data: dict[str, Any] = {
        "id": sid[:80],
        "title": "; ".join(titles),
        "requirements": c.requirements() or ["R25"],
        "tags": [TAG] + [f"{d}.{row[d]}" for d in dims],
    }
    if c.kinds != set(KINDS):
        data["device"] = {"kinds": [k for k in KINDS if k in c.kinds]}
    setup = c.setup()
    if setup:
        data["setup"] = setup
    data["steps"] = _merge_waits(c.steps())
    expect = dict(ad.base.expect)
    bounds = {**dict(expect.pop("bounds", None) or {}), **c.bounds()}
    if bounds:
        expect["bounds"] = {k: (int(v) if float(v).is_integer() else v) for k, v in bounds.items()}
    if expect:
        data["expect"] = expect
    return Composed(index, dict(row), data, dict(c.variants))


def _merge_waits(steps: list[Any]) -> list[Any]:
    """Adjacent waits (one value's, then the next's) as one."""
    out: list[Any] = []
    for s in steps:
        if isinstance(s, dict) and set(s) == {"wait"} and out and isinstance(out[-1], dict) and set(out[-1]) == {"wait"}:
            total = float(out[-1]["wait"]) + float(s["wait"])
            out[-1] = {"wait": int(total) if total.is_integer() else round(total, 3)}
        else:
            out.append(s)
    return out


# -- the suite -----------------------------------------------------------------------------------------


def generate(profile: Any, *, strength: int = 2, seed: int = 1, app_arg: str | None = None) -> Suite:
    """The covering suite for ``profile``'s app (nothing written; see :func:`write_suite`)."""
    ad = for_app(profile)
    rows, added = covering_rows(ad, strength, seed)
    counts: Counter[str] = Counter()
    covered: set[tuple[tuple[str, str], ...]] = set()
    scenarios = []
    for i, row in enumerate(rows, start=1):
        comp = compose(ad, row, i, counts)
        tuples = sorted(tuples_of(row, strength) - covered)
        covered |= set(tuples)
        comp.new_tuples = tuples
        scenarios.append(comp)
    suite = Suite(app=profile.name, strength=strength, seed=seed, dims=ad, rows=rows, scenarios=scenarios,
                  completed=added)
    for comp in scenarios:
        comp.header = _header(suite, comp, app_arg or profile.name)
    return suite


def _header(suite: Suite, comp: Composed, app_arg: str) -> str:
    files = " + ".join(_shown(f) for f in suite.dims.base.files)
    lines = [
        f"# Generated by `harness suite generate --app {app_arg} --strength {suite.strength} --seed {suite.seed}`",
        f"# from {files}: regenerate it, do not edit it.",
        "# combination: " + " ".join(f"{d}={k}" for d, k in comp.row.items()),
    ]
    if comp.variants:
        lines.append("# variant: " + " ".join(f"{d}={v}" for d, v in comp.variants.items()))
    label = {2: "pairs", 3: "triples"}.get(suite.strength, "tuples")
    if comp.new_tuples:
        lines.append(f"# first to cover {len(comp.new_tuples)} {label}:")
        text = [" x ".join(f"{d}={k}" for d, k in t) for t in comp.new_tuples]
        line = "#  "
        for t in text:
            if len(line) + len(t) + 2 > 110 and line.strip("# "):
                lines.append(line.rstrip(","))
                line = "#  "
            line += f" {t},"
        lines.append(line.rstrip(","))
    else:
        lines.append(f"# covers no {label} the scenarios before it did not (kept: the library's array)")
    lines.append(f"# replay: harness run <this file> --app {app_arg}")
    return "\n".join(lines) + "\n"


def _shown(path: str) -> str:
    from harness import paths

    try:
        return str(Path(path).resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def flow(node: Any) -> str:
    """A value in YAML flow style (``{add_item: {in: 3, as: a1}}``)."""
    import json

    if isinstance(node, bool):
        return "true" if node else "false"
    if node is None:
        return "null"
    if isinstance(node, (int, float)):
        return repr(node)
    if isinstance(node, str):
        return node if PLAIN.match(node) and node.lower() not in RESERVED else json.dumps(node)
    if isinstance(node, Mapping):
        return "{" + ", ".join(f"{flow(k)}: {flow(v)}" for k, v in node.items()) + "}"
    if isinstance(node, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in node) + "]"
    raise TypeError(f"cannot write {type(node).__name__} to a scenario file")


def to_yaml(comp: Composed) -> str:
    """The scenario file's text: the header, then the scenario in the layout of the hand-written ones."""
    d = comp.data
    out = [comp.header.rstrip("\n")]
    out += [f"id: {flow(d['id'])}", f"title: {flow(d['title'])}", f"requirements: {flow(d['requirements'])}",
            f"tags: {flow(d['tags'])}"]
    if "device" in d:
        out.append(f"device: {flow(d['device'])}")
    if "setup" in d:
        out.append("setup:")
        for k, v in d["setup"].items():
            out.append(f"  {k}: {flow(v)}")
    out.append("steps:")
    out += [f"  - {flow(s)}" for s in d["steps"]]
    if "expect" in d:
        out.append("expect:")
        for k, v in d["expect"].items():
            out.append(f"  {k}: {flow(v)}")
    return "\n".join(out) + "\n"


def write_suite(suite: Suite, out: Path) -> list[Path]:
    """Write every scenario into ``out`` (earlier ``cover-*.yaml`` there removed first), each file loaded back by
    the scenario loader; and ``suite.json``, what was generated and why. Returns the files."""
    import json

    from harness.scenario.loader import ScenarioInvalid, load_scenario

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{PREFIX}*.yaml"):
        old.unlink()
    files: list[Path] = []
    problems: list[ScenarioInvalid] = []
    for comp in suite.scenarios:
        path = out / f"{comp.id}.yaml"
        path.write_text(to_yaml(comp), encoding="utf-8")
        try:
            load_scenario(path)
        except ScenarioInvalid as e:
            problems.append(e)
        files.append(path)
    if problems:  # a scenario the harness cannot load as generated is the generator's (or the data's) bug
        raise UserError("the generated suite does not load (a bug in harness/suite or in the dimensions data):\n"
                        + "\n".join(str(p) for p in problems))
    suite.files = files
    (out / "suite.json").write_text(json.dumps(suite.summary(), indent=2) + "\n", encoding="utf-8")
    return files


__all__ = ["Composed", "PREFIX", "STRENGTHS", "Suite", "TAG", "compose", "covering_rows", "flow", "generate",
           "library_constraints", "pair_coverage", "to_yaml", "write_suite"]
