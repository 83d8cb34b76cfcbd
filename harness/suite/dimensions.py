"""The dimensions of the covering suite, as data: read, validated, resolved for one app.

``harness/spec/dimensions.yaml`` (beside the requirement table) lists the dimensions (what the user
does, how the network is lost, what happens to the app, what the user is doing when it happens, how
long the loss lasts, what happens on the server), their values, and the scenario steps that realise
each value, slot by slot. An app adds its own values (and may re-realise a core value) in a
``dimensions.yaml`` beside its ``app.yaml``. The file's header documents every field.

:func:`for_app` resolves the dimensions for an app: a value whose steps need a capability the app
lacks is left out for that app and listed with the reason (:class:`Excluded`), never dropped silently.

>>> dims = load_dimensions()
>>> list(dims.dimensions)[:3]
['action', 'network', 'lifecycle']
>>> dims.dimensions["network"].values["half_open"].slots["loss"]
('half_open',)
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from pydantic import ValidationError

from harness.errors import SpecError
from harness.yamlsource import line_of, load_mapping, plain

#: the core dimensions, beside the requirement table
CORE_FILE = Path(__file__).resolve().parent.parent / "spec" / "dimensions.yaml"
#: an app's own part, beside its profile
APP_FILE = "dimensions.yaml"

VALUE_FIELDS = ("title", "doc", "requirements", "traits", "load", "setup", "bounds", "device", "slots", "act",
                "act_prepare", "detect", "variants")
READ_FIELDS = ("title", "requirements", "load", "setup", "prepare", "steps")
#: list items that stand for steps provided elsewhere (and the field that provides them)
SPLICES = {"{act}": "act", "{begin_act}": "act", "{submit_act}": "act", "{detect}": "detect", "{read}": "read"}
#: placeholders filled per use of the action (the rest come from a value's variant)
USE_NAMES = ("label", "base", "last")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
KINDS = ("reference", "android", "ios", "remote")


@dataclass(frozen=True)
class Variant:
    """One way of realising a value (a policy of a class): placeholder values and the devices it fits."""

    vars: Mapping[str, Any]
    kinds: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        return ",".join(str(v) for v in self.vars.values())


@dataclass(frozen=True)
class Value:
    """One value of a dimension and the steps that realise it (raw templates, see the YAML header)."""

    dimension: str
    key: str
    title: str
    doc: str = ""
    requirements: tuple[str, ...] = ()
    traits: frozenset[str] = frozenset()
    load: tuple[Any, ...] = ()
    setup: Mapping[str, Any] = field(default_factory=dict)
    bounds: Mapping[str, float] = field(default_factory=dict)
    kinds: tuple[str, ...] | None = None
    slots: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    act: tuple[Any, ...] | None = None
    act_prepare: tuple[Any, ...] = ()
    detect: tuple[Any, ...] | None = None
    variants: tuple[Variant, ...] = ()
    source: str = ""

    @property
    def name(self) -> str:
        return f"{self.dimension}={self.key}"


@dataclass(frozen=True)
class Read:
    """One screen "reading" reads: its loads and online preparation, the steps that read it offline."""

    key: str
    title: str
    requirements: tuple[str, ...] = ()
    load: tuple[Any, ...] = ()
    setup: Mapping[str, Any] = field(default_factory=dict)
    prepare: tuple[Any, ...] = ()
    steps: tuple[Any, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    doc: str
    values: Mapping[str, Value]


@dataclass(frozen=True)
class Constraint:
    """``if`` a dimension takes one of some values, ``then`` another takes one of some values."""

    id: str
    why: str
    if_dim: str
    if_sel: Mapping[str, Any]
    then_dim: str
    then_sel: Mapping[str, Any]
    source: str = ""

    @staticmethod
    def matches(sel: Mapping[str, Any], value: Value) -> bool:
        if "trait" in sel:
            return str(sel["trait"]) in value.traits
        return value.key in sel.get("values", ())

    def allows(self, row: Mapping[str, Value]) -> bool:
        """Does a (partial) row satisfy this constraint? Unknown dimensions do not violate it."""
        a, b = row.get(self.if_dim), row.get(self.then_dim)
        if a is None or b is None:
            return True
        return not self.matches(self.if_sel, a) or self.matches(self.then_sel, b)


@dataclass(frozen=True)
class Dimensions:
    """Every dimension, the reads, the constraints, the slots and the steps every scenario has."""

    slots: Mapping[str, str]
    always: Mapping[str, tuple[Any, ...]]
    dimensions: Mapping[str, Dimension]
    reads: Mapping[str, Read]
    constraints: tuple[Constraint, ...]
    files: tuple[str, ...]
    #: merged into every scenario's ``expect``
    expect: Mapping[str, Any] = field(default_factory=dict)
    #: reads an app's file turned off (``name: null``): key -> where
    reads_off: Mapping[str, str] = field(default_factory=dict)


# -- reading -------------------------------------------------------------------------------------------


class _Doc:
    """One YAML file: its tree (for lines) and its plain data."""

    def __init__(self, path: Path) -> None:
        from harness.inputs import read_text

        self.path = path
        self.tree = load_mapping(read_text(path, what="dimensions file"), file=path,
                                 expected="a mapping with dimensions (and slots, always, reads, constraints)")
        self.data = plain(self.tree)

    def error(self, loc: Sequence[Any], value: Any, allowed: str, fix: str | None = None) -> SpecError:
        return SpecError(".".join(str(k) for k in loc) or "(file)", value, allowed, file=str(self.path),
                         line=line_of(self.tree, list(loc)), fix=fix)

    def where(self, loc: Sequence[Any]) -> str:
        return f"{self.path}:{line_of(self.tree, list(loc)) or 1}"


def _mapping(doc: _Doc, loc: Sequence[Any], value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise doc.error(loc, value, f"a mapping of {what}")
    return value


def _steps(doc: _Doc, loc: Sequence[Any], value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise doc.error(loc, value, "a list of steps", "write steps as in a scenario file: [offline, {wait: 2}]")
    return tuple(value)


def _unknown(doc: _Doc, loc: Sequence[Any], data: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for k in data:
        if k not in allowed:
            close = difflib.get_close_matches(k, allowed, n=1)
            raise doc.error(list(loc) + [k], k, "one of the fields: " + ", ".join(allowed),
                            f"did you mean {close[0]!r}?" if close else "remove it")


def _key(doc: _Doc, loc: Sequence[Any], key: str, what: str) -> None:
    if not KEY.match(str(key)):
        raise doc.error(loc, key, f"a {what} name of lower-case letters, digits and _", "rename it, e.g. link_down")


def _requirements(doc: _Doc, loc: Sequence[Any], value: Any) -> tuple[str, ...]:
    from harness.spec.requirements import requirement_ids

    if value is None:
        return ()
    if not isinstance(value, list):
        raise doc.error(loc, value, "a list of requirement ids, e.g. [R5, R22]")
    known = requirement_ids()
    out = []
    for i, r in enumerate(value):
        if str(r).upper() not in known:
            raise doc.error(list(loc) + [i], r, "a requirement id R1..R27", "see shared/spec/REQUIREMENTS.md")
        out.append(str(r).upper())
    return tuple(out)


def _kinds(doc: _Doc, loc: Sequence[Any], value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    dev = _mapping(doc, loc, value, "device constraints ({kinds: [...]})")
    _unknown(doc, loc, dev, ("kinds",))
    kinds = dev.get("kinds")
    if not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds):
        raise doc.error(list(loc) + ["kinds"], kinds, "a list of device kinds: " + ", ".join(KINDS))
    return tuple(kinds)


def _value(doc: _Doc, loc: list[Any], dim: str, key: str, raw: Any, base: Value | None) -> Value:
    data = _mapping(doc, loc, raw, "value fields")
    _unknown(doc, loc, data, VALUE_FIELDS)
    got: dict[str, Any] = {}
    if "title" in data:
        got["title"] = str(data["title"])
    if "doc" in data:
        got["doc"] = str(data["doc"])
    if "requirements" in data:
        got["requirements"] = _requirements(doc, loc + ["requirements"], data["requirements"])
    if "traits" in data:
        traits = data["traits"]
        if not isinstance(traits, list):
            raise doc.error(loc + ["traits"], traits, "a list of names, e.g. [write]")
        got["traits"] = frozenset(str(t) for t in traits)
    if "load" in data:
        got["load"] = _steps(doc, loc + ["load"], data["load"])
    for name in ("setup", "bounds"):
        if name in data:
            got[name] = _mapping(doc, loc + [name], data[name], name)
    if "device" in data:
        got["kinds"] = _kinds(doc, loc + ["device"], data["device"])
    if "slots" in data:
        slots = _mapping(doc, loc + ["slots"], data["slots"], "slot names to steps")
        got["slots"] = {s: _steps(doc, loc + ["slots", s], v) for s, v in slots.items()}
    for name in ("act", "act_prepare", "detect"):
        if name in data:
            got[name] = _steps(doc, loc + [name], data[name])
    if "variants" in data:
        raw_v = data["variants"]
        if not isinstance(raw_v, list) or not raw_v:
            raise doc.error(loc + ["variants"], raw_v, "a non-empty list of {vars: {...}, device: {kinds: [...]}}")
        variants = []
        for i, v in enumerate(raw_v):
            vd = _mapping(doc, loc + ["variants", i], v, "vars and device")
            _unknown(doc, loc + ["variants", i], vd, ("vars", "device"))
            variants.append(Variant(_mapping(doc, loc + ["variants", i, "vars"], vd.get("vars"), "placeholder values"),
                                    _kinds(doc, loc + ["variants", i, "device"], vd.get("device"))))
        got["variants"] = tuple(variants)
    if base is not None:  # an app re-realising a core value: the fields it gives replace the core's
        fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
        fields.update(got, source=doc.where(loc))
        return Value(**fields)
    if "title" not in got:
        raise doc.error(loc, None, "a title (one line: what this value is)", f"add title: to {dim}.{key}")
    return Value(dimension=dim, key=key, source=doc.where(loc), **got)


def _read(doc: _Doc, loc: list[Any], key: str, raw: Any) -> Read:
    data = _mapping(doc, loc, raw, "read fields")
    _unknown(doc, loc, data, READ_FIELDS)
    if "steps" not in data or "title" not in data:
        raise doc.error(loc, key, "a read with a title and steps", f"add title: and steps: to reads.{key}")
    return Read(key=key, title=str(data["title"]), requirements=_requirements(doc, loc + ["requirements"],
                data.get("requirements")), load=_steps(doc, loc + ["load"], data.get("load")),
                setup=_mapping(doc, loc + ["setup"], data.get("setup"), "setup"),
                prepare=_steps(doc, loc + ["prepare"], data.get("prepare")),
                steps=_steps(doc, loc + ["steps"], data["steps"]), source=doc.where(loc))


def _constraint(doc: _Doc, loc: list[Any], raw: Any, dims: Mapping[str, Dimension]) -> Constraint:
    data = _mapping(doc, loc, raw, "constraint fields")
    _unknown(doc, loc, data, ("id", "why", "if", "then"))
    parts = []
    for side in ("if", "then"):
        sel = _mapping(doc, loc + [side], data.get(side), "one dimension: {trait: NAME} or [values]")
        if len(sel) != 1:
            raise doc.error(loc + [side], sel, "exactly one dimension, e.g. {network: {trait: write_fault}}")
        [(dim, which)] = sel.items()
        if dim not in dims:
            raise doc.error(loc + [side, dim], dim, "a dimension: " + ", ".join(dims))
        if isinstance(which, list):
            bad = [v for v in which if v not in dims[dim].values]
            if bad:
                raise doc.error(loc + [side, dim], bad[0], f"a value of {dim}: " + ", ".join(dims[dim].values))
            which = {"values": tuple(which)}
        elif not (isinstance(which, dict) and set(which) == {"trait"}):
            raise doc.error(loc + [side, dim], which, "{trait: NAME} or a list of values")
        parts.append((dim, which))
    if not data.get("id") or not data.get("why"):
        raise doc.error(loc, data.get("id"), "a constraint with an id and a why (one sentence)")
    return Constraint(str(data["id"]), str(data["why"]), parts[0][0], parts[0][1], parts[1][0], parts[1][1],
                      doc.where(loc))


def load_dimensions(app_profile: Any = None, *, core: Path = CORE_FILE) -> Dimensions:
    """The core dimensions, with the app's ``dimensions.yaml`` (beside its profile) merged in when it has one."""
    docs = [_Doc(core)]
    if app_profile is not None and getattr(app_profile, "source", None) is not None:
        extra = Path(app_profile.source).parent / APP_FILE
        if extra.is_file() and extra.resolve() != core.resolve():
            docs.append(_Doc(extra))
    slots: dict[str, str] = {}
    always: dict[str, tuple[Any, ...]] = {}
    dims: dict[str, dict[str, Any]] = {}
    reads: dict[str, Read] = {}
    reads_off: dict[str, str] = {}
    expect: dict[str, Any] = {}
    constraints: list[tuple[_Doc, list[Any], Any]] = []
    for n, doc in enumerate(docs):
        d = doc.data
        _unknown(doc, [], d, ("slots", "expect", "always", "dimensions", "reads", "constraints"))
        if "expect" in d:
            expect.update(_mapping(doc, ["expect"], d["expect"], "expect fields (quiescence_s, bounds, ...)"))
        if "slots" in d:
            if n:
                raise doc.error(["slots"], "slots", "slots in the core file only", "remove slots: from this file")
            for s, text in _mapping(doc, ["slots"], d["slots"], "slot names to what happens then").items():
                _key(doc, ["slots", s], s, "slot")
                slots[s] = str(text)
        for s, steps in _mapping(doc, ["always"], d.get("always"), "slot names to steps").items():
            always[s] = _steps(doc, ["always", s], steps)
        for dk, draw in _mapping(doc, ["dimensions"], d.get("dimensions"), "dimensions").items():
            _key(doc, ["dimensions", dk], dk, "dimension")
            dd = _mapping(doc, ["dimensions", dk], draw, "dimension fields")
            _unknown(doc, ["dimensions", dk], dd, ("title", "doc", "values"))
            cur = dims.setdefault(dk, {"title": "", "doc": "", "values": {}})
            cur["title"] = str(dd.get("title", cur["title"]))
            cur["doc"] = " ".join(str(dd.get("doc", cur["doc"])).split())
            for vk, vraw in _mapping(doc, ["dimensions", dk, "values"], dd.get("values"), "values").items():
                _key(doc, ["dimensions", dk, "values", vk], vk, "value")
                cur["values"][vk] = _value(doc, ["dimensions", dk, "values", vk], dk, vk, vraw, cur["values"].get(vk))
            if not cur["title"]:
                raise doc.error(["dimensions", dk], dk, "a dimension with a title", f"add title: to dimensions.{dk}")
        for rk, rraw in _mapping(doc, ["reads"], d.get("reads"), "reads").items():
            _key(doc, ["reads", rk], rk, "read")
            if rraw is None:  # this app does not read it so (an app's file turning a core read off)
                if rk not in reads:
                    raise doc.error(["reads", rk], rk, "a read of the core file to turn off: " + ", ".join(reads))
                del reads[rk]
                reads_off[rk] = doc.where(["reads", rk])
                continue
            reads[rk] = _read(doc, ["reads", rk], rk, rraw)
        raw_c = d.get("constraints") or []
        if not isinstance(raw_c, list):
            raise doc.error(["constraints"], raw_c, "a list of constraints")
        constraints += [(doc, ["constraints", i], c) for i, c in enumerate(raw_c)]
    dimensions = {k: Dimension(k, v["title"], v["doc"], dict(v["values"])) for k, v in dims.items()}
    for dim in dimensions.values():
        if not dim.values:
            raise SpecError(f"dimensions.{dim.key}.values", None, "at least one value", file=str(core))
    out = Dimensions(slots, always, dimensions, reads,
                     tuple(_constraint(doc, loc, c, dimensions) for doc, loc, c in constraints),
                     tuple(str(doc.path) for doc in docs), expect, reads_off)
    _check_templates(out, docs[0])
    _check_expect(out, docs[0])
    _check_providers(out, docs[0])
    return out


def _check_expect(dims: Dimensions, core: _Doc) -> None:
    """``expect`` and every value's ``bounds`` are what a scenario's expect accepts."""
    from harness.scenario.model import Bounds, Expect

    try:
        Expect.model_validate(dict(dims.expect))
    except ValidationError as e:
        raise core.error(["expect"], dict(dims.expect), f"scenario expect fields ({e.errors()[0]['msg']})") from None
    for dim in dims.dimensions.values():
        for v in dim.values.values():
            try:
                Bounds.model_validate(dict(v.bounds))
            except ValidationError as e:
                raise SpecError(f"dimensions.{v.dimension}.values.{v.key}.bounds", dict(v.bounds),
                                "bounds of expect.bounds (" + ", ".join(Bounds.model_fields) + ")", **_at(v.source),
                                fix=e.errors()[0]["msg"]) from None


def _check_providers(dims: Dimensions, core: _Doc) -> None:
    """``{act}`` and ``{detect}`` are provided by exactly one dimension, by every one of its values."""
    used = {SPLICES[i] for d in dims.dimensions.values() for v in d.values.values() for steps in v.slots.values()
            for i in steps if isinstance(i, str) and i in SPLICES}
    for what in sorted(used - {"read"}):
        providers = [d for d in dims.dimensions.values() if any(getattr(v, what) for v in d.values.values())]
        if len(providers) != 1:
            raise core.error(["dimensions"], what, f"exactly one dimension whose values give `{what}:` (found "
                             f"{', '.join(p.key for p in providers) or 'none'})", f"give `{what}:` to the values "
                             "of one dimension")
        lacking = [v for v in providers[0].values.values() if not getattr(v, what)]
        if lacking:
            v = lacking[0]
            raise SpecError(f"dimensions.{v.dimension}.values.{v.key}", None,
                            f"a `{what}:` (every {v.dimension} value gives one)", **_at(v.source),
                            fix=f"add {what}: [steps]")


def _at(source: str) -> dict[str, Any]:
    """``file=``, ``line=`` of a ``file:line`` source, for SpecError."""
    file, _, line = source.rpartition(":")
    return {"file": file or source, "line": int(line) if line.isdigit() else None}


# -- templates -------------------------------------------------------------------------------------------


def substitute(node: Any, names: Mapping[str, Any]) -> Any:
    """``"{name}"`` replaced by its value (typed when it is the whole string; as text inside a string)."""
    if isinstance(node, str):
        m = PLACEHOLDER.fullmatch(node)
        if m and m.group(1) in names:
            return names[m.group(1)]
        return PLACEHOLDER.sub(lambda mm: str(names[mm.group(1)]) if mm.group(1) in names else mm.group(0), node)
    if isinstance(node, dict):
        return {k: substitute(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [substitute(v, names) for v in node]
    return node


def placeholders(node: Any) -> set[str]:
    """The placeholder names a template uses."""
    if isinstance(node, str):
        return set(PLACEHOLDER.findall(node))
    if isinstance(node, dict):
        return set().union(*(placeholders(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(placeholders(v) for v in node)) if node else set()
    return set()


def is_one_of(item: Any) -> bool:
    return isinstance(item, dict) and set(item) == {"one_of"}


def parse_template_step(item: Any, names: Mapping[str, Any]) -> Any:
    """One step template as the scenario loader would parse it (placeholders filled); raises ValueError
    with a readable reason for an unknown step or bad parameters."""
    from harness.scenario.loader import _split_step
    from harness.scenario.steps import STEPS, parse_step

    name, params = _split_step(substitute(item, names))
    if name is None:
        raise ValueError("a step name, or a mapping with exactly one step name")
    if name not in STEPS:
        close = difflib.get_close_matches(name, STEPS, n=1)
        raise ValueError(f"unknown step {name!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
    try:
        return name, parse_step(name, params)
    except ValidationError as e:
        first = e.errors()[0]
        raise ValueError(f"{name}: {'.'.join(str(x) for x in first['loc'])}: {first['msg']}") from None
    except TypeError as e:
        raise ValueError(str(e)) from None


def _dummy_names(value: Value | None = None) -> dict[str, Any]:
    names: dict[str, Any] = {"label": "a1", "base": "b1", "last": "a1"}
    if value is not None and value.variants:
        names.update(value.variants[0].vars)
    return names


def _walk_steps(steps: Iterable[Any]) -> Iterator[Any]:
    """Every concrete step template in a list (inside one_of alternatives too; splices skipped)."""
    for item in steps:
        if isinstance(item, str) and item in SPLICES:
            continue
        if is_one_of(item):
            for alt in item["one_of"]:
                yield from _walk_steps(alt)
        else:
            yield item


def _check_templates(dims: Dimensions, core: _Doc) -> None:
    """Every slot a value names exists; every step template parses (the scenario loader's own parser)."""
    for dim in dims.dimensions.values():
        for v in dim.values.values():
            for s in v.slots:
                if s not in dims.slots:
                    close = difflib.get_close_matches(s, dims.slots, n=1)
                    raise SpecError(f"dimensions.{v.dimension}.values.{v.key}.slots", s, "a slot: " + ", ".join(dims.slots),
                                    **_at(v.source), fix=f"did you mean {close[0]!r}?" if close else None)
            for part, steps in _templates(v):
                _check_steps(steps, f"dimensions.{v.dimension}.values.{v.key}.{part}", v.source, _dummy_names(v))
    for r in dims.reads.values():
        for part in ("prepare", "steps"):
            _check_steps(getattr(r, part), f"reads.{r.key}.{part}", r.source, _dummy_names())
    for s, steps in dims.always.items():
        if s not in dims.slots:
            raise SpecError(f"always.{s}", s, "a slot: " + ", ".join(dims.slots), file=str(core.path))
        _check_steps(steps, f"always.{s}", str(core.path), _dummy_names())


def _templates(v: Value) -> list[tuple[str, tuple[Any, ...]]]:
    out = [(f"slots.{s}", steps) for s, steps in v.slots.items()]
    out += [(n, getattr(v, n)) for n in ("act", "act_prepare", "detect") if getattr(v, n)]
    return out


def _check_steps(steps: Sequence[Any], where: str, source: str, names: Mapping[str, Any]) -> None:
    at = _at(source)
    for i, item in enumerate(steps):
        if isinstance(item, str) and item.startswith("{") and item not in SPLICES:
            raise SpecError(f"{where}[{i}]", item, "a step, or one of " + ", ".join(SPLICES), **at)
        for step in _walk_steps([item]):
            unknown = placeholders(step) - set(names) - set(USE_NAMES)
            if unknown:
                raise SpecError(f"{where}[{i}]", step, "placeholders " + ", ".join(sorted(set(names) | set(USE_NAMES))),
                                **at, fix=f"give {sorted(unknown)[0]} in the value's variants (vars)")
            try:
                parse_template_step(step, names)
            except ValueError as e:
                raise SpecError(f"{where}[{i}]", step, "a scenario step (docs/scenarios.md, Steps)", **at,
                                fix=str(e)) from None


def step_needs(steps: Iterable[Any], names: Mapping[str, Any]) -> frozenset[str]:
    """The capabilities a list of step templates needs (one_of: none of its alternatives counted; see
    :func:`choose`)."""
    from harness.scenario.steps import STEPS

    needs: set[str] = set()
    for item in steps:
        if (isinstance(item, str) and item in SPLICES) or is_one_of(item):
            continue
        name, params = parse_template_step(item, names)
        needs |= STEPS[name].needs_for(params)
    return frozenset(needs)


def load_needs_of(load: Iterable[Any]) -> frozenset[str]:
    """The capabilities ``setup.load`` targets need."""
    from harness.scenario.model import Setup
    from harness.scenario.steps import load_needs

    items = Setup.model_validate({"load": list(load)}).load
    return frozenset().union(*(load_needs(i) for i in items)) if items else frozenset()


def choose(item: Mapping[str, Any], have: frozenset[str], names: Mapping[str, Any]) -> list[Any] | None:
    """The first alternative of a ``one_of`` whose steps the app can run (None: none can)."""
    for alt in item["one_of"]:
        if not list(_walk_steps(alt)) or step_needs(alt, names) <= have and all(
                choose(s, have, names) is not None for s in alt if is_one_of(s)):
            return list(alt)
    return None


# -- one app ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Excluded:
    """A value (or read) the app cannot run, and why."""

    dimension: str
    value: str
    reason: str


@dataclass
class AppDimensions:
    """The dimensions resolved for one app: the values it can run, in order; what was left out and why."""

    base: Dimensions
    profile: Any
    values: dict[str, list[Value]]
    reads: list[Read]
    excluded: list[Excluded]
    constraints: tuple[Constraint, ...]

    @property
    def have(self) -> frozenset[str]:
        return frozenset(self.profile.capability_set)

    def factors(self) -> dict[str, list[str]]:
        return {d: [v.key for v in vals] for d, vals in self.values.items()}

    def value(self, dim: str, key: str) -> Value:
        for v in self.values[dim]:
            if v.key == key:
                return v
        raise KeyError(f"{dim}={key}")

    def allows(self, row: Mapping[str, str]) -> bool:
        """Does a (partial) row of value keys satisfy every constraint?"""
        vals = {d: self.value(d, k) for d, k in row.items() if d in self.values}
        return all(c.allows(vals) for c in self.constraints)

    def valid_rows(self) -> Iterator[dict[str, str]]:
        """Every full combination the constraints allow (for independent coverage checks)."""
        dims = list(self.values)
        for combo in itertools.product(*(self.factors()[d] for d in dims)):
            row = dict(zip(dims, combo))
            if self.allows(row):
                yield row

    def required_tuples(self, strength: int) -> set[tuple[tuple[str, str], ...]]:
        """Every ``strength``-tuple of values (of distinct dimensions) that some allowed combination holds."""
        return {t for row in self.valid_rows() for t in tuples_of(row, strength)}

    def describe_excluded(self) -> list[str]:
        return [f"{e.dimension}={e.value}: {e.reason}" for e in self.excluded]


def tuples_of(row: Mapping[str, str], strength: int) -> set[tuple[tuple[str, str], ...]]:
    """The ``strength``-tuples of ``(dimension, value)`` one combination covers."""
    items = sorted(row.items())
    return set(itertools.combinations(items, strength))


def value_needs(v: Value, have: frozenset[str]) -> tuple[frozenset[str], str]:
    """What a value needs that the app lacks (empty: it can run), and which part needs it first."""
    names = _dummy_names(v)
    parts: list[tuple[str, frozenset[str]]] = [("load", load_needs_of(v.load))]
    for part, steps in _templates(v):
        parts.append((part, step_needs(steps, names)))
        for item in _walk_all(steps):
            if is_one_of(item) and choose(item, have, names) is None:
                alts = [step_needs(list(_walk_steps(a)), names) for a in item["one_of"]]
                parts.append((part + " (one_of)", min(alts, key=len)))
    missing: set[str] = set()
    first = ""
    for part, needs in parts:
        if needs - have and not first:
            first = part
        missing |= needs - have
    return frozenset(missing), first


def _walk_all(steps: Iterable[Any]) -> Iterator[Any]:
    for item in steps:
        yield item
        if is_one_of(item):
            for alt in item["one_of"]:
                yield from _walk_all(alt)


def for_app(profile: Any, dims: Dimensions | None = None) -> AppDimensions:
    """The dimensions for ``profile``'s app: values it cannot run are listed in ``excluded``, with the reason."""
    from harness.app.capabilities import missing_reason
    from harness.app.plugins import load_plugin, load_vocabularies

    load_plugin(profile)  # its steps and capabilities registered
    load_vocabularies()
    dims = dims or load_dimensions(profile)
    have = frozenset(profile.capability_set)
    values: dict[str, list[Value]] = {}
    excluded: list[Excluded] = []
    for dim in dims.dimensions.values():
        values[dim.key] = []
        for v in dim.values.values():
            missing, part = value_needs(v, have)
            if missing:
                excluded.append(Excluded(dim.key, v.key, missing_reason(missing, profile.name, what=f"{v.name}")
                                         + f" (first needed by its {part})"))
            else:
                values[dim.key].append(v)
    reads: list[Read] = []
    for r in dims.reads.values():
        names = _dummy_names()
        missing = (load_needs_of(r.load) | step_needs(r.prepare, names) | step_needs(r.steps, names)) - have
        if missing:
            excluded.append(Excluded("reads", r.key, missing_reason(missing, profile.name, what=f"read {r.key}")))
        else:
            reads.append(r)
    for r, where in dims.reads_off.items():
        excluded.append(Excluded("reads", r, f"turned off for app {profile.name} ({where})"))
    if not reads:  # "{read}" would read nothing: the values that read are left out
        for dk, vals in values.items():
            for v in list(vals):
                if any("{read}" in steps for steps in v.slots.values()):
                    vals.remove(v)
                    excluded.append(Excluded(dk, v.key, f"app {profile.name} has nothing to read offline (no read "
                                             "of the dimensions' reads applies)"))
    for dk, vals in values.items():
        if not vals:
            raise SpecError(f"dimensions.{dk}", None, f"at least one value app {profile.name} can run",
                            file=dims.files[-1], fix="; ".join(e.reason for e in excluded if e.dimension == dk)
                            or "add a value")
    return AppDimensions(dims, profile, values, reads, excluded, dims.constraints)


def canonical(node: Any) -> str:
    """A stable text of a template or load target (to drop duplicates)."""
    return json.dumps(node, sort_keys=True, default=str)


__all__ = ["APP_FILE", "AppDimensions", "CORE_FILE", "Constraint", "Dimension", "Dimensions", "Excluded", "Read",
           "Value", "Variant", "canonical", "choose", "for_app", "load_dimensions", "substitute", "tuples_of"]
