"""Load scenario files: validate everything first, report every error with file:line.

A QA engineer's typo must cost seconds, not a half-run suite: the whole file
is checked (YAML syntax, fields and types, step names and parameters,
requirement ids, labels, seeded ids, condition/profile/policy names) before
anything starts, and every problem is reported at once with the file, the
line, the field path, the bad value, what is allowed and the fix.

>>> s = load_text("id: demo\\ntitle: t\\nrequirements: [R9]\\nsteps:\\n  - offline\\n  - add_note: 3\\n")
>>> [st.name for st in s.steps]
['offline', 'add_note']
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from pydantic import BaseModel, ValidationError

from harness.errors import SpecError, UserError
from harness.scenario.model import Header, Scenario, Step
from harness.scenario.steps import STEPS, parse_step
from harness.yamlsource import error_loc, line_of, load_mapping, plain


#: the most errors a message lists (all are on ``ScenarioInvalid.errors``): a file with a thousand bad steps
#: is fixed from its first few, not from a screenful of the same mistake
MAX_LISTED = 30


class ScenarioInvalid(UserError):
    """A scenario file has one or more errors; ``errors`` lists each, located (the message, the first
    :data:`MAX_LISTED`)."""

    def __init__(self, path: str, errors: Sequence[SpecError]) -> None:
        self.path = path
        self.errors = list(errors)
        head = f"{path}: {len(self.errors)} error{'s' if len(self.errors) != 1 else ''}; nothing was run"
        lines = [head] + [f"  {e}" for e in self.errors[:MAX_LISTED]]
        if len(self.errors) > MAX_LISTED:
            lines.append(f"  ... and {len(self.errors) - MAX_LISTED} more")
        super().__init__("\n".join(lines))


# -- locating values in the YAML tree ----------------------------------------------------------


def _fields_at(model: type[BaseModel], loc: Sequence[Any]) -> list[str] | None:
    """The field names allowed at ``loc`` inside ``model`` (for 'unknown field' fixes)."""
    current: Any = model
    for key in loc:
        if isinstance(key, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or key not in current.model_fields:
            return None
        ann = current.model_fields[key].annotation
        current = _model_in(ann)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return None


def _model_in(ann: Any) -> Any:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _dotted(loc: Sequence[Any]) -> str:
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _at(tree: Any, loc: Sequence[Any]) -> Any:
    """The value at ``loc`` in the tree, or None."""
    for key in loc:
        if isinstance(tree, dict) and key in tree:
            tree = tree[key]
        elif isinstance(tree, list) and isinstance(key, int) and 0 <= key < len(tree):
            tree = tree[key]
        else:
            return None
    return tree


def _pydantic_errors(
    exc: ValidationError, model: type[BaseModel], tree: Any, *, path: str, prefix: Sequence[Any] = (),
    base_line: int | None = None,
) -> list[SpecError]:
    found: list[SpecError] = []
    data = plain(_at(tree, prefix))
    for err in exc.errors():
        loc = error_loc(err["loc"], data)
        line = line_of(tree, list(prefix) + loc, base_line)
        field = _dotted(list(prefix) + loc) or "(file)"
        kind = err["type"]
        if kind == "extra_forbidden" and loc:
            allowed = _fields_at(model, loc[:-1]) or []
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            fix = f"did you mean {close[0]!r}?" if close else "remove it"
            found.append(SpecError(field, loc[-1], "one of the fields: " + ", ".join(allowed), file=path,
                                   line=line, fix=f"unknown field; {fix}"))
        elif kind == "missing" and loc:
            found.append(SpecError(field, None, "a value (this field is required)", file=path, line=line,
                                   fix=f"add {loc[-1]}: ..."))
        else:
            msg = err["msg"].rstrip(".")
            msg = msg[:1].lower() + msg[1:]  # the first letter only: a pattern in the message keeps its case
            found.append(SpecError(field, err.get("input"), msg.replace("input should be ", "").replace(
                "value should have", "a value with"), file=path, line=line))
    return found


# -- steps ---------------------------------------------------------------------------------------


def _split_step(item: Any) -> tuple[str | None, Any]:
    if isinstance(item, str):
        return item, None
    if isinstance(item, dict) and len(item) == 1:
        [(name, params)] = item.items()
        return str(name), params
    return None, item


def _parse_steps(raw: Any, tree: Any, path: str) -> tuple[list[Step], list[SpecError]]:
    steps: list[Step] = []
    errors: list[SpecError] = []
    for i, item in enumerate(raw):
        line = line_of(tree, ["steps", i])
        name, params = _split_step(item)
        where = f"steps[{i}]"
        if name is None:
            errors.append(SpecError(where, plain(item), "a step name, or a mapping with exactly one step name",
                                    file=path, line=line, fix="write '- offline' or '- add_note: {contact: 3}'"))
            continue
        if name not in STEPS:
            close = difflib.get_close_matches(name, STEPS, n=1)
            errors.append(SpecError(where, name, "a step name (" + ", ".join(sorted(STEPS)) + ")", file=path,
                                    line=line, fix=f"did you mean {close[0]!r}?" if close else
                                    "use one of the step names; harness run --list-steps prints them"))
            continue
        try:
            steps.append(Step(name, parse_step(name, plain(params)), line, i))
        except ValidationError as exc:
            errors.extend(_pydantic_errors(exc, STEPS[name].model, tree, path=path, prefix=["steps", i, name],
                                           base_line=line))
        except TypeError as exc:
            errors.append(SpecError(f"{where}.{name}", plain(params), "a mapping of fields", file=path, line=line,
                                    fix=str(exc)))
    return steps, errors


# -- cross references ------------------------------------------------------------------------------

CrossCheck = Callable[[Scenario], Iterable[tuple[int | None, str, Any, str, str | None]]]
#: Extra validators (line, field, value, allowed, fix); other packages add theirs (conditions, policies).
CROSS_CHECKS: list[CrossCheck] = []


def cross_check(fn: CrossCheck) -> CrossCheck:
    CROSS_CHECKS.append(fn)
    return fn


@cross_check
def _requirements(s: Scenario) -> Iterable[tuple[int | None, str, Any, str, str | None]]:
    from harness.spec.requirements import requirement_ids

    known = requirement_ids()
    for i, rid in enumerate(s.requirements):
        if rid.upper() not in known:
            yield None, f"requirements[{i}]", rid, "a requirement id R1..R27", "see shared/spec/REQUIREMENTS.md"


@cross_check
def _requirements_judged(s: Scenario) -> Iterable[tuple[int | None, str, Any, str, str | None]]:
    """A listed requirement must be judged by one of the chosen checks (inline expectations count)."""
    from harness.checks import ALWAYS, CHECK_REQUIREMENTS

    if s.expect.checks is None:
        return
    judged = {r for name in [*s.expect.checks, *ALWAYS] for r in CHECK_REQUIREMENTS.get(name, ())}
    judged |= {"R1", "R2"} if any(st.name == "expect_banner" for st in s.steps) else set()
    judged |= {"R9", "R10", "R14", "R15"} if any(st.name == "expect_item" for st in s.steps) else set()
    judged.add("R26")  # every scenario: a step whose screen never comes after a disturbance is an R26 verdict
    for i, rid in enumerate(s.requirements):
        if rid in judged:
            continue
        could = sorted(n for n, reqs in CHECK_REQUIREMENTS.items() if rid in reqs)
        yield None, f"requirements[{i}]", rid, "a requirement judged by one of the checks in expect.checks " \
            f"({', '.join(s.expect.checks)})", f"add {' or '.join(could) or 'a check that judges it'} to expect.checks"


@cross_check
def _labels_and_ids(s: Scenario) -> Iterable[tuple[int | None, str, Any, str, str | None]]:
    seed = s.setup.seed
    limits = {"contact": seed.contacts, "conversation": seed.conversations, "opportunity": seed.opportunities,
              "workflow": seed.workflows}
    labels: dict[str, int] = {}
    for st in s.steps:
        i, p = st.index, st.params
        for field, limit in limits.items():
            value = getattr(p, field, None)
            if isinstance(value, int) and value > limit:
                yield st.line, f"steps[{i}].{st.name}.{field}", value, f"1..{limit} (setup.seed.{field}s)", \
                    f"pick an id <= {limit} or seed more"
        label = getattr(p, "label", None)
        if st.name in ("edit_item", "delete_item") and p.item not in labels:
            yield st.line, f"steps[{i}].{st.name}.of", p.item, \
                "a label given by an earlier add_item (" + (", ".join(labels) or "none yet") + ")", \
                "add 'as: NAME' to the add_item that creates the item"
        if st.name == "expect_item":
            if label not in labels:
                yield st.line, f"steps[{i}].expect_item.as", label, \
                    "a label given by an earlier step (" + (", ".join(labels) or "none yet") + ")", \
                    "add 'as: NAME' to the step that creates the item"
        elif label:
            if label in labels:
                yield st.line, f"steps[{i}].{st.name}.as", label, "a label not used before", "rename it"
            labels[label] = i
    for j, item in enumerate(s.setup.load):
        for field, limit in (("contact", seed.contacts), ("thread", seed.conversations),
                             ("opportunity", seed.opportunities)):
            value = getattr(item, field, None)
            if isinstance(value, int) and value > limit:
                yield None, f"setup.load[{j}].{field}", value, f"1..{limit}", "pick an id within the seed"


@cross_check
def _policies(s: Scenario) -> Iterable[tuple[int | None, str, Any, str, str | None]]:
    from harness.device.policies import POLICIES

    for st in s.steps:
        field = "policy" if st.name == "background" else "name" if st.name == "policy" else None
        value = getattr(st.params, field, None) if field else None
        if value is not None and value not in POLICIES:
            close = difflib.get_close_matches(value, POLICIES, n=1)
            yield st.line, f"steps[{st.index}].{st.name}.{field}", value, "a policy: " + ", ".join(sorted(POLICIES)), \
                f"did you mean {close[0]!r}?" if close else "harness devices lists the policies"
    for i, name in enumerate(s.device.policies or ()):
        if name not in POLICIES:
            yield None, f"device.policies[{i}]", name, "a policy: " + ", ".join(sorted(POLICIES)), None


@cross_check
def _network(s: Scenario) -> Iterable[tuple[int | None, str, Any, str, str | None]]:
    """Condition types, their parameters and profile names, checked by the network layer's own parsers."""
    from harness.scenario.conditions import condition_for, schedule_for
    from harness.scenario.steps import STEPS as _STEPS

    for st in s.steps:
        try:
            if st.name in ("condition", "profile", "half_open", "drop_response", "http_status", "hold"):
                condition_for(st.name, st.params)
            elif _STEPS[st.name].family == "schedule" and st.name != "wait_schedule":
                schedule_for(st.params)
        except SpecError as e:
            sub = e.field.split(".", 1)[1] if "." in e.field else ""
            yield st.line, f"steps[{st.index}].{st.name}" + (f".{sub}" if sub else ""), e.value, e.allowed, e.fix


#: the longest a scenario may take by its own timers (waits, schedules, background spells): longer is a mistake
MAX_SCENARIO_S = 3600.0


def _step_seconds(name: str, p: Any) -> float:
    """Scenario time a step spends by its own timers (schedules in the background included: they run anyway)."""
    if name == "wait":
        return float(p.s)
    if name == "flap":
        return p.cycles * (p.up_s + p.down_s + p.jitter_s)
    if name in ("outage", "degrade_recover"):
        return float(p.duration_s)
    if name in ("background", "freeze"):
        return float(p.duration_s or 0)
    if name == "policy":
        return float(p.background_s)
    if name == "switch_network":
        return float(p.blackout_s)
    return 0.0


def _step_bound_seconds(name: str, p: Any) -> float:
    """The longest a step may wait for the app (``wait_synced`` whose app never syncs goes on to the next step
    after its timeout; an expectation, after its ``within_s``)."""
    if name == "wait_synced":
        return float(p.timeout_s)
    if name in ("expect_banner", "expect_item"):
        return float(p.within_s)
    return 0.0


@cross_check
def _durations(s: Scenario) -> Iterable[tuple[int | None, str, Any, str, str | None]]:
    """The steps' own timers and the bounds of their waits add up to less than :data:`MAX_SCENARIO_S` (each value
    may be in bounds, the sum not)."""
    total = 0.0
    for st in s.steps:
        total += _step_seconds(st.name, st.params) + _step_bound_seconds(st.name, st.params)
        if total > MAX_SCENARIO_S:
            yield st.line, f"steps[{st.index}].{st.name}", f"{total:.0f} s of scenario time so far", \
                f"a scenario whose waits, bounds of waits and schedules add up to at most {MAX_SCENARIO_S:.0f} s", \
                "shorten the waits, timeouts, cycles or durations (a long soak belongs in several scenarios)"
            return


@cross_check
def _waits_that_can_end(s: Scenario) -> Iterable[tuple[int | None, str, Any, str, str | None]]:
    """A wait for the sync cannot end while requests are held at the proxy: a ``hold`` needs a ``release``
    (or ``reset_network``) before ``wait_synced`` or an expectation of a synced item."""
    held_at: int | None = None
    for st in s.steps:
        if st.name == "hold":
            held_at = st.index
        elif st.name in ("release", "reset_network"):
            held_at = None
        elif held_at is not None and (st.name == "wait_synced" or
                                      (st.name == "expect_item" and st.params.state == "synced")):
            yield st.line, f"steps[{st.index}].{st.name}", st.name, \
                f"a wait that can end (requests are held since steps[{held_at}] and never released)", \
                "add '- release' (or '- reset_network') before it"


def _validate_cross(s: Scenario, tree: Any, path: str) -> list[SpecError]:
    errors = []
    for check in CROSS_CHECKS:
        for line, field, value, allowed, fix in check(s):
            if line is None:
                loc: list[Any] = []
                for part in field.replace("]", "").replace("[", ".").split("."):
                    loc.append(int(part) if part.isdigit() else part)
                line = line_of(tree, loc)
            errors.append(SpecError(field, value, allowed, file=path, line=line, fix=fix))
    return errors


# -- entry points ----------------------------------------------------------------------------------


def load_text(text: str, path: str | Path = "<scenario>") -> Scenario:
    """Validate a scenario given as YAML text; raises ScenarioInvalid listing every error."""
    where = str(path)
    try:
        tree = load_mapping(text, file=where, expected="a mapping with id, title, requirements and steps")
    except SpecError as e:
        raise ScenarioInvalid(where, [e]) from None
    data = plain(tree)
    errors: list[SpecError] = []
    try:
        header = Header.model_validate(data)
    except ValidationError as exc:
        errors.extend(_pydantic_errors(exc, Header, tree, path=where))
        raw_steps = data.get("steps") if isinstance(data.get("steps"), list) else []
        errors.extend(_parse_steps(raw_steps, tree, where)[1])
        raise ScenarioInvalid(where, errors) from None
    steps, step_errors = _parse_steps(header.steps, tree, where)
    errors.extend(step_errors)
    scenario = Scenario(
        id=header.id, title=header.title, requirements=tuple(r.upper() for r in header.requirements),
        tags=tuple(header.tags), device=header.device, setup=header.setup, steps=tuple(steps),
        expect=header.expect, bugs=tuple(header.bugs), path=Path(path) if where != "<scenario>" else None,
        labels={st.params.label: st.index for st in steps  # type: ignore[attr-defined]
                if getattr(st.params, "label", None) and st.name != "expect_item"},
    )
    errors.extend(_validate_cross(scenario, tree, where))
    if errors:
        raise ScenarioInvalid(where, sorted(errors, key=lambda e: e.line or 0))
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Load one scenario file."""
    from harness.inputs import read_text

    p = Path(path)
    return load_text(read_text(p, what="scenario"), p)


def scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every scenario file under ``paths`` (files as given; folders searched for *.yaml), sorted."""
    from harness.inputs import exists

    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if exists(p, "dir"):
            found.extend(sorted(f for f in p.rglob("*.yaml") if not f.name.startswith("_")))
        elif exists(p, "file"):
            found.append(p)
        else:
            raise UserError(f"{p}: no such scenario file or folder")
    return found


def load_all(paths: Iterable[str | Path]) -> list[Scenario]:
    """Load every scenario under ``paths``; all files are validated before any error is raised."""
    scenarios: list[Scenario] = []
    problems: list[ScenarioInvalid] = []
    for f in scenario_files(paths):
        try:
            scenarios.append(load_scenario(f))
        except ScenarioInvalid as exc:
            problems.append(exc)
    if problems:
        errors = [e for p in problems for e in p.errors]
        raise ScenarioInvalid(f"{len(problems)} scenario file(s)", errors)
    ids: dict[str, Path | None] = {}
    for s in scenarios:
        if s.id in ids:
            raise UserError(f"{s.path}: scenario id {s.id!r} is also used by {ids[s.id]}; ids must be unique")
        ids[s.id] = s.path
    return scenarios


__all__ = ["CROSS_CHECKS", "ScenarioInvalid", "cross_check", "load_all", "load_scenario", "load_text",
           "scenario_files"]
