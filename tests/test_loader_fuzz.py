"""Fuzzing the input loaders: a mutated scenario, device, app or pool file is loaded or rejected, never a crash.

Hypothesis takes the real files (``scenarios/**/*.yaml``, ``devices/*.yaml``,
the two sample apps' ``app.yaml``, ``pools/*.yaml``), mutates them (a value
at a random YAML path replaced by one of another type, a key deleted, renamed
or added, a value aliased elsewhere, a merge key or anchor inserted, the text
truncated, bytes that are not UTF-8, a BOM, tabs, a duplicated line), or
writes a whole hostile file (alias bombs, deep nesting, a file of thousands of
steps), and hands the file to the loader a user's command would call. The
property (issue 16): the loader returns a valid object holding no nan or
infinity, or raises a :class:`~harness.errors.UserError` whose message names
the file (and a line for every field the file has), short and without a
traceback; nothing else escapes (TypeError, KeyError, OSError,
RecursionError, pydantic's or ruamel's own errors), and no load takes more
than :data:`CPU_S` seconds of CPU (CPU, not wall-clock time: the machine is
shared, and a busy neighbour must not fail the test) or :data:`HANG_S`
seconds at all (it is stopped and reported as a hang).

Deterministic by default (``derandomize``: the same examples every run, no
example database), sized to run in about a minute on two shared cores. Hunt
with more and other examples::

    HARNESS_FUZZ_EXAMPLES=2000 HARNESS_FUZZ_SEED=random .venv/bin/python -m pytest tests/test_loader_fuzz.py

``HARNESS_FUZZ_EXAMPLES`` is the number of examples of each test (default:
each test's own count); ``HARNESS_FUZZ_SEED=random`` draws new examples each
run and ``=<int>`` replays one; ``HARNESS_FUZZ_CPU_S`` moves the per-load
CPU bound (default 2). A failure prints the mutated file and a
``@reproduce_failure`` line; each defect found this way has a plain
regression test beside the loader's own tests.
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import random
import re
import shutil
import signal
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from hypothesis import HealthCheck, Phase, event, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from harness import paths
from harness.app.profile import AppProfile, load_app_profile
from harness.device.profiles import ChromiumProfile, AndroidProfile, IOSProfile, RemoteProfile, load_profile
from harness.errors import SpecError, UserError
from harness.farm.pool import Pool, load_pool
from harness.scenario.loader import ScenarioInvalid, load_scenario
from harness.scenario.model import Scenario

ROOT = paths.ROOT
#: the real files each loader reads (the seeds of every mutation)
CORPUS: dict[str, list[Path]] = {
    "scenario": sorted(p for p in (ROOT / "scenarios").rglob("*.yaml") if not p.name.startswith("_")),
    "device": sorted((ROOT / "devices").glob("*.yaml")),
    "app": [ROOT / "harness/apps/refapp/app.yaml", ROOT / "examples/apps/todo-pouch/app.yaml"],
    "pool": sorted((ROOT / "pools").glob("*.yaml")),
}
#: the name each kind of file is written under (an app profile is found as <folder>/app.yaml)
FILE_NAME = {"scenario": "fuzzed.yaml", "device": "fuzzed-phone.yaml", "app": "app.yaml", "pool": "fuzzed-pool.yaml"}
LOADERS: dict[str, Callable[[Path], Any]] = {
    "scenario": load_scenario,
    "device": load_profile,
    "app": load_app_profile,
    "pool": lambda p: load_pool(str(p)),
}
RESULT_TYPES: dict[str, tuple[type, ...]] = {
    "scenario": (Scenario,),
    "device": (ChromiumProfile, AndroidProfile, IOSProfile, RemoteProfile),
    "app": (AppProfile,),
    "pool": (Pool,),
}

#: per load, in CPU seconds; a loader slower than this on any input is a defect (a user waits on it before
#: anything runs)
CPU_S = float(os.environ.get("HARNESS_FUZZ_CPU_S", "2"))
#: an example still running after this long is stopped and reported as a hang
HANG_S = 20


def _settings(examples: int) -> settings:
    n = int(os.environ.get("HARNESS_FUZZ_EXAMPLES", "0") or 0) or examples
    return settings(
        max_examples=n,
        deadline=None,  # CPU_S, measured by check_loader
        derandomize="HARNESS_FUZZ_SEED" not in os.environ,
        database=None,
        print_blob=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


def _seeded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``HARNESS_FUZZ_SEED=<int>`` replays one run; ``=random`` a new one each time."""
    raw = os.environ.get("HARNESS_FUZZ_SEED")
    if raw is None:
        return fn
    return seed(random.randrange(2**32) if raw == "random" else int(raw))(fn)


# -- values --------------------------------------------------------------------------------------------

#: scalars a user (or a bad editor) might write where something else belongs
#: values too long to show in Hypothesis's statistics (drawn by index, so the strategy's repr stays short)
_LONG = [10**300, 10**4000, "a" * 5000, "x" * 100_000, "../" * 40 + "x.yaml", "a" * 300 + ".yaml"]



def _long(i: int) -> Any:
    return _LONG[i]


ODD_SCALARS = st.sampled_from(range(len(_LONG))).map(_long) | st.sampled_from([
    None, True, False, 0, -1, -10**9, 2**31, 2**63, 10**30, -10**30, 1e308, -0.0, 1e-300,
    float("nan"), float("inf"), float("-inf"), "", " ", "\t", "~", "null", "yes", "no", "on", "off", "0x1F",
    "1e999", ".nan", "-.inf", "2024-01-01", "12:30:45", "*x", "&x", "!!bool", "<<", "R9", "r999", "R0",
    "offline", "online", "wait", "doze", "reference-unrestricted", "chromium", "refapp", "todo-pouch",
    "scenarios", "scenarios/queued", "/", "/dev/null", "/dev/zero", "\x00", "\x00.yaml", "line\nbreak", "\u2028", "\x85", "\ufeff", "é" * 50,
    "{x}", "{0}", "{python}", "%s", "(", "[", "]", "*", "**", "\\", "'", '"', "#", "harness.errors", "os",
    "refapp.py", "x.py", "/etc/passwd.py",
])
ODD_NUMBERS = st.sampled_from([
    0, -1, 0.0, -0.0, 1e-9, 2**31, 2**63 - 1, 2**64, 10**30, 1e308, float("nan"), float("inf"), float("-inf"),
]) | st.floats(allow_nan=True, allow_infinity=True) | st.integers()
SCALARS = st.one_of(
    ODD_SCALARS,
    st.none(), st.booleans(),
    st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.binary(max_size=16),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=4),
    max_leaves=8,
)
#: short texts that mean something to a YAML parser
_LONG_BITS = ["9" * 5000, "0x" + "f" * 4000, "0b" + "1" * 15000]



def _long_bit(i: int) -> str:
    return _LONG_BITS[i]


YAML_BITS = st.sampled_from(range(len(_LONG_BITS))).map(_long_bit) | st.sampled_from([
    "\t", "\ufeff", "\r", "\r\n", "\x85", "\u2028", "\u2029", "&a ", "*a", "*a\n", "<<: *a\n", "<<: {x: 1}\n",
    "<<: [1]\n", "<<: 1\n", "!!bool ", "!!int ", "!!float ", "!!binary ", "!!timestamp ", "!!set ", "!!omap ",
    "!!str ", "!!null ", "!!map ", "!!seq ", "!!python/object:os.system ", "!x ", "!<tag:x> ", "? ", "- ", ": ",
    "{", "}", "[", "]", "'", '"', "%TAG ! tag:x,2000:\n", "%YAML 1.1\n", "%YAML 9.9\n", "---\n", "...\n", "0x_",
    "0b", "0o", "0x", "#", ",", "|", ">", "|-\n", ">+\n", "@", "`", "%", "1:2:3:4:5:6", "1_0", "2001-12-14t21:59:43.10-99:00", "9999-99-99", "\\x", '"\\',
    '"\\uD800"', '"\\U0010FFFF"', '"\\0"', "\x7f", "\x1b[31m", " " * 200,
])


# -- the YAML tree -----------------------------------------------------------------------------------------

def _load(text: str) -> Any:
    return YAML(typ="rt").load(io.StringIO(text))


def _dump(tree: Any) -> str:
    out = io.StringIO()
    YAML(typ="rt").dump(tree, out)
    return out.getvalue()


Slot = tuple[Any, Any]  # (container, key or index)


def _slots(node: Any, out: list[Slot] | None = None, seen: set[int] | None = None) -> list[Slot]:
    """Every (container, key) below ``node``, depth first; a container met twice (aliased, or holding itself
    after an earlier mutation) is walked once."""
    out = [] if out is None else out
    seen = set() if seen is None else seen
    if not isinstance(node, (dict, list)) or id(node) in seen or len(out) > 5000:
        return out
    seen.add(id(node))
    for k in (list(node) if isinstance(node, dict) else range(len(node))):
        out.append((node, k))
        _slots(node[k], out, seen)
    return out


def _containers(node: Any) -> list[Any]:
    found = [node] if isinstance(node, (dict, list)) else []
    return found + [c[k] for c, k in _slots(node) if isinstance(c[k], (dict, list))]


def _mutate_tree(draw: st.DrawFn, tree: Any, kind: str) -> str:
    """One structural change to the document; returns a word for it (shown when an example fails)."""
    slots = _slots(tree)
    if not slots:
        return "nothing to mutate"
    numbers = [(c, k) for c, k in slots if isinstance(c[k], (int, float)) and not isinstance(c[k], bool)]
    if numbers and draw(st.integers(0, 3)) == 0:  # a number where a number belongs, but not one that makes sense
        container, key = draw(st.sampled_from(numbers))
        container[key] = draw(ODD_NUMBERS)
        return "number"
    container, key = draw(st.sampled_from(slots))
    op = draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename", "add", "alias", "cycle",
                               "wrap", "corpus", "graft", "graft", "repeat"]))
    if op == "replace":
        container[key] = draw(VALUES)
    elif op == "delete":
        del container[key]
    elif op == "rename" and isinstance(container, dict):
        value = container.pop(key)
        new = draw(st.sampled_from([str(key) + "s", str(key)[:-1], str(key).upper(), f" {key}", 1, None,
                                    True, "", "<<"]) | st.text(max_size=10))
        container[new] = value
    elif op == "add":
        target = draw(st.sampled_from(_containers(tree)))
        if isinstance(target, dict):
            target[draw(st.text(max_size=12) | st.sampled_from(["steps", "id", "name", "backend", "x"]))] = draw(VALUES)
        else:
            target.insert(draw(st.integers(0, len(target))), draw(VALUES))
    elif op == "alias":  # the same node in two places: dumped as an anchor and an alias
        container[key] = draw(st.sampled_from(_containers(tree)))
    elif op == "cycle":  # a container holding itself (or its parent)
        inner = container[key]
        if isinstance(inner, dict):
            inner[draw(st.sampled_from(["self", "steps", "<<"]))] = draw(st.sampled_from([inner, container]))
        elif isinstance(inner, list):
            inner.append(draw(st.sampled_from([inner, container])))
        else:
            container[key] = container
    elif op == "wrap":
        value = container[key]
        container[key] = draw(st.sampled_from([[value], {"x": value}, [value, value], {str(key): value}]))
    elif op == "corpus":  # a value from the same file put where it does not belong
        other, other_key = draw(st.sampled_from(slots))
        container[key] = other[other_key]
    elif op == "graft":  # a value from another file of the same kind (a step of another scenario, ...)
        other_tree = _load(draw(st.sampled_from(CORPUS[kind])).read_text(encoding="utf-8"))
        other, other_key = draw(st.sampled_from(_slots(other_tree)))
        if isinstance(container, list) and draw(st.booleans()):
            container.insert(key, other[other_key])
        else:
            container[key] = other[other_key]
    elif op == "repeat" and isinstance(container, list):  # one item many times (timers that add up)
        container[key:key] = [container[key]] * draw(st.sampled_from([2, 10, 100, 1000]))
    else:  # rename or repeat where it does not apply: the value replaced instead
        container[key] = draw(VALUES)
    return op


def _mutate_text(draw: st.DrawFn, text: str) -> str:
    lines = text.split("\n")
    op = draw(st.sampled_from(["truncate", "insert", "bits", "dup_line", "del_line", "swap", "tab", "eol",
                               "merge", "anchor", "indent"]))
    if op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if op == "insert":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.text(max_size=20)) + text[at:]
    if op == "bits":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(YAML_BITS) + text[at:]
    i = draw(st.integers(0, max(0, len(lines) - 1)))
    if op == "dup_line":
        lines.insert(i, lines[i])
    elif op == "del_line":
        del lines[i]
    elif op == "swap":
        j = draw(st.integers(0, max(0, len(lines) - 1)))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "tab":
        lines[i] = re.sub(r"^( +)", lambda m: "\t" * draw(st.integers(1, 2)), lines[i])
    elif op == "eol":
        return text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\x85", "\u2028"])))
    elif op == "merge":  # a merge key at the indentation of line i
        indent = re.match(r"^\s*", lines[i]).group(0)  # type: ignore[union-attr]
        lines.insert(i, indent + draw(st.sampled_from(["<<: *a", "<<: {steps: [offline]}", "<<: [*a, {x: 1}]",
                                                      "<<: {name: x, backend: ios}", "<<: []", "<<: *b"])))
    elif op == "anchor":  # an anchor on one key's value, an alias in another's
        m = re.match(r"^(\s*-?\s*[^:#\s][^:#]*:)( ?)(.*)$", lines[i])
        if m:
            lines[i] = f"{m.group(1)} &a{m.group(2)}{m.group(3)}" if m.group(3) else f"{m.group(1)} &a"
        j = draw(st.integers(0, max(0, len(lines) - 1)))
        m2 = re.match(r"^(\s*-?\s*[^:#\s][^:#]*:)\s*(.*)$", lines[j])
        if m2 and j != i:
            lines[j] = f"{m2.group(1)} *a"
    elif op == "indent":
        lines[i] = " " * draw(st.integers(0, 9)) + lines[i].lstrip()
    return "\n".join(lines)


def _mutate_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    op = draw(st.sampled_from(["random", "bom", "utf16", "latin1", "nul", "crlf_bom"]))
    at = draw(st.integers(0, len(data)))
    if op == "random":
        return data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
    if op == "bom":
        return b"\xef\xbb\xbf" + data
    if op == "utf16":
        return data.decode("utf-8", "replace").encode(draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32"])))
    if op == "latin1":
        return data[:at] + draw(st.sampled_from([b"\xe9", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"])) + data[at:]
    if op == "nul":
        return data[:at] + b"\x00" + data[at:]
    return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")


@st.composite
def mutated_file(draw: st.DrawFn, kind: str) -> tuple[str, bytes]:
    """A real file of ``kind`` after a few tree, text and byte mutations; (what was done, the bytes)."""
    source = draw(st.sampled_from(CORPUS[kind]))
    text = source.read_text(encoding="utf-8")
    done = [source.name]
    n_tree = draw(st.integers(0, 3))
    if n_tree:
        tree = _load(text)
        for _ in range(n_tree):
            done.append(_mutate_tree(draw, tree, kind))
        text = _dump(tree)
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]) if n_tree else st.integers(1, 2))):
        text = _mutate_text(draw, text)
        done.append("text")
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = _mutate_bytes(draw, data)
        done.append("bytes")
    return " ".join(done), data


# -- whole hostile files ------------------------------------------------------------------------------------


def _alias_bomb(levels: int, width: int, at: str) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"{at}: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def _merge_bomb(levels: int) -> str:
    lines = ["m0: &m0 {k0: 1, k1: 2}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{<<: [*m{i - 1}], s{i}: *m{i - 1}, t{i}: *m{i - 1}}}")
    lines.append(f"steps: [*m{levels - 1}]")
    return "\n".join(lines) + "\n"


def _without_key(text: str, key: str) -> str:
    """``text`` without the top-level block of ``key`` (so that a new one is no duplicate)."""
    out, skipping = [], False
    for line in text.split("\n"):
        if re.match(rf"^{key}\s*:", line):
            skipping = True
            continue
        if skipping and line[:1] not in (" ", "-", "#", ""):
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out)


@st.composite
def hostile_file(draw: st.DrawFn, kind: str) -> tuple[str, bytes]:
    """A whole file built to hurt a parser: alias bombs, deep nesting, thousands of entries, degenerate docs."""
    field = draw(st.sampled_from(["steps", "tags", "devices", "capabilities", "collections", "setup", "x"]))
    shape = draw(st.sampled_from(["bomb", "merge_bomb", "flow_deep", "block_deep", "seq_deep", "many", "long_line",
                                  "self_merge", "degenerate", "many_keys", "many_errors"]))
    source = draw(st.sampled_from(CORPUS[kind]))
    base = source.read_text(encoding="utf-8")
    n = draw(st.sampled_from([10, 100, 1000, 5000, 20000, 100_000]))
    if shape == "bomb":
        text = _alias_bomb(draw(st.integers(2, 14)), draw(st.integers(2, 12)), field)
    elif shape == "merge_bomb":
        text = _merge_bomb(draw(st.integers(2, 30)))
    elif shape == "flow_deep":
        text = f"{field}: " + draw(st.sampled_from(["[", "{a: ", "[{a: "])) * n + "\n"
    elif shape == "block_deep":
        text = "".join(f"{' ' * (2 * i)}k{i}:\n" for i in range(min(n, 20000))) + "  " * min(n, 20000) + "x\n"
    elif shape == "seq_deep":
        text = f"{field}:\n  " + "- " * min(n, 100_000) + "x\n"
    elif shape == "many":  # the real file with one list made very long
        reps = min(n, 40000)
        text = _without_key(base, "steps") + "\n" + draw(st.sampled_from([
            "steps:\n" + "  - offline\n" * reps, "steps:\n" + "  - offlne\n" * reps,
            "steps:\n" + "  - wait: 3600\n" * reps, "steps:\n" + "  - {flap: {up_s: 1, down_s: 1, cycles: 1000}}\n" * reps,
            "devices:\n" + "  - reference-doze\n" * min(reps, 200), "tags: [" + "t, " * reps + "t]\n",
            "capabilities: [" + "x, " * reps + "x]\n",
        ]))
    elif shape == "long_line":
        text = base + f"\n{field}: " + "x" * min(n * 10, 900_000) + "\n"
    elif shape == "self_merge":
        text = base + f"\n{field}: &s\n  k: 1\n  <<: *s\n"
    elif shape == "many_keys":
        text = "".join(f"k{i}: {i}\n" for i in range(min(n, 50000)))
    elif shape == "many_errors":  # every step wrong in its own way
        text = _without_key(base, "steps") + "\nsteps:\n" + "".join(f"  - bogus{i}: {{x: {i}}}\n" for i in range(min(n, 30000)))
    else:
        text = draw(st.sampled_from(["", "\n", "# only a comment\n", "---\n", "...\n", "null\n", "~\n", "[]\n", "42\n",
                                     "''\n", "- a\n- b\n", "!!binary aGk=\n", "&a [*a]\n", "a: &a [*a]\n",
                                     "? [a, b]\n: c\n", "? {a: b}\n: c\n", "{}\n", "--- !!set {a, b}\n"]))
    return f"{source.name} {shape} {field} {n}", text.encode("utf-8")


# -- the property -------------------------------------------------------------------------------------------


class Hung(Exception):
    """The loader ran past HANG_S on one input (the CPU bound fails the example too, should a loader swallow this)."""


@contextmanager
def _hang_guard(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise Hung(f"the loader was still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _located(err: UserError) -> list[SpecError]:
    if isinstance(err, ScenarioInvalid):
        return err.errors
    return [err] if isinstance(err, SpecError) else []


#: fields that stand for the whole file (no single line to point at)
_WHOLE_FILE = ("(file)", "(yaml)", "(document)")


def _non_finite(obj: Any, where: str = "", depth: int = 0) -> list[str]:
    """Where a loaded object holds nan or an infinity (every number a file sets is a time, a size or a count)."""
    if depth > 40:
        return []
    if isinstance(obj, float):
        return [] if math.isfinite(obj) else [f"{where}={obj}"]
    if isinstance(obj, BaseModel):
        return _non_finite(obj.model_dump(), where, depth + 1)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [b for f in dataclasses.fields(obj) for b in _non_finite(getattr(obj, f.name), f"{where}.{f.name}",
                                                                        depth + 1)]
    if isinstance(obj, dict):
        return [b for k, v in obj.items() for b in _non_finite(v, f"{where}.{k}", depth + 1)]
    if isinstance(obj, (list, tuple)):
        return [b for i, v in enumerate(obj) for b in _non_finite(v, f"{where}[{i}]", depth + 1)]
    return []


def _event(what: str) -> None:
    """An outcome for ``--hypothesis-show-statistics`` (how many examples load, and where the rest fail)."""
    try:
        event(what)
    except InvalidArgument:  # not inside a Hypothesis test (the corpus check)
        pass


def _fast_enough(cpu_at_start: float) -> None:
    took = time.process_time() - cpu_at_start
    assert took <= CPU_S, f"the loader took {took:.2f} s of CPU (at most {CPU_S} s)"


def _no_parser_warnings(caught: list[warnings.WarningMessage]) -> None:
    """A parser's warning is printed as its own source line ('.../ruamel/yaml/composer.py:211:
    ReusedAnchorWarning'): the user reads the loader's message, nothing else."""
    leaked = [f"{w.category.__name__}: {w.message}" for w in caught if "ruamel" in (w.filename or "")
              or "ruamel" in w.category.__module__]
    assert not leaked, f"the parser's warnings reach the user: {leaked}"


def _top_keys(data: bytes) -> set[str]:
    """The top-level keys of a file the loader parsed (a field missing from the file has no line to name)."""
    tree = _load(data.decode("utf-8-sig"))
    return {str(k) for k in tree} if isinstance(tree, dict) else set()


def check_loader(kind: str, data: bytes) -> None:
    """Write ``data`` as a file of ``kind``, load it with the real loader, and hold the property."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        path = folder / FILE_NAME[kind]
        path.write_bytes(data)
        try:
            cpu = time.process_time()
            with _hang_guard(HANG_S), warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = LOADERS[kind](path)
            _no_parser_warnings(caught)
            _fast_enough(cpu)
        except UserError as e:
            _fast_enough(cpu)
            _no_parser_warnings(caught)
            first = _located(e)[:1]
            _event(f"rejected: {first[0].field.split('.')[0].split('[')[0] if first else type(e).__name__}")
            msg = str(e)
            assert "Traceback" not in msg, msg[:2000]
            assert str(path) in msg, f"the message does not name {path}: {msg[:2000]}"
            assert len(msg) < 50_000, f"a message of {len(msg)} characters: {msg[:500]}..."
            for err in _located(e):
                assert err.file is not None, f"an error without its file: {err}"
                if err.line is None and err.field not in _WHOLE_FILE and str(path) in str(err.file):
                    top = re.split(r"[.\[]", err.field, maxsplit=1)[0]
                    assert top not in _top_keys(data), f"an error without a line, in a field the file has: {err}"
        else:
            _event("loaded")
            assert isinstance(result, RESULT_TYPES[kind]), type(result)
            bad = _non_finite(result)
            assert not bad, f"accepted a number that is no number (a bound never reached, a period of nan): {bad}"
            if isinstance(result, AppProfile):  # a screen's route is filled in when it opens, mid-run
                for col in result.collections.values():
                    if col.route is not None:
                        col.route.format(**{"in": 1})
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- the tests ----------------------------------------------------------------------------------------------


@_seeded
@settings(_settings(150))
@given(case=mutated_file("scenario"))
def test_mutated_scenarios_load_or_say_why(case: tuple[str, bytes]) -> None:
    check_loader("scenario", case[1])


@_seeded
@settings(_settings(100))
@given(case=mutated_file("device"))
def test_mutated_device_profiles_load_or_say_why(case: tuple[str, bytes]) -> None:
    check_loader("device", case[1])


@_seeded
@settings(_settings(100))
@given(case=mutated_file("app"))
def test_mutated_app_profiles_load_or_say_why(case: tuple[str, bytes]) -> None:
    check_loader("app", case[1])


@_seeded
@settings(_settings(40))
@given(case=mutated_file("pool"))
def test_mutated_pools_load_or_say_why(case: tuple[str, bytes]) -> None:
    check_loader("pool", case[1])


@_seeded
@settings(_settings(60))
@given(case=st.sampled_from(sorted(CORPUS)).flatmap(lambda kind: st.tuples(st.just(kind), hostile_file(kind))))
def test_hostile_files_are_rejected_fast(case: tuple[str, tuple[str, bytes]]) -> None:
    kind, (_what, raw) = case
    check_loader(kind, raw)


def test_the_corpus_is_there_and_loads() -> None:
    """The seeds of the mutations are the real files, and each loads as it is."""
    for kind, files in CORPUS.items():
        assert files, f"no {kind} files to mutate"
        for f in files:
            check_loader(kind, f.read_bytes())
