"""YAML read with line numbers, for every file a user writes (scenarios, device and app profiles, pools).

Error messages must say which line is wrong, so these files are read with
ruamel.yaml's round-trip loader, which keeps each key's position. One module
for the three things every reader needs: load (a syntax error becomes a
SpecError at its line), find the line of a field path, and turn the tree
into plain dicts and lists for pydantic.

>>> tree = load_mapping("a: 1\\nb:\\n  c: [x, y]\\n", file="f.yaml", expected="a mapping")
>>> line_of(tree, ("b", "c", 1)), plain(tree)
(3, {'a': 1, 'b': {'c': ['x', 'y']}})
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any, Sequence

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError, YAMLFutureWarning, YAMLWarning
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.scanner import RoundTripScanner

from harness.errors import SpecError


#: the most YAML events (values, keys, starts and ends of lists and mappings, aliases unexpanded) a file may
#: hold: the largest shipped file (the reference app's profile) has under 800; ruamel's round-trip parser
#: takes about 0.1 ms an event, so a file of a few hundred KB of short values would take many seconds
MAX_EVENTS = 10_000
#: the most nodes a document may expand to once its aliases are followed: far above any real scenario or
#: profile, far below what a few nested aliases can blow up to (an "alias bomb")
MAX_NODES = 50_000
#: the deepest nesting a document may have (a merge key pointing at itself nests without end)
MAX_DEPTH = 60
#: the largest integer any field takes is far below 2**64 (seeds, ids, milliseconds)
MAX_INT_BITS = 64


class _TooBig(Exception):
    def __init__(self, what: str, line: int | None) -> None:
        super().__init__(what, line)
        self.what = what
        self.line = line


class _BoundedParser(RoundTripParser):  # type: ignore[misc]
    """ruamel's round-trip parser that stops after :data:`MAX_EVENTS` events or past :data:`MAX_DEPTH` nested
    collections, before the rest is even scanned (ruamel's scanner slows down with each open ``[`` or ``{``,
    and its composer recurses once per level)."""

    def get_event(self) -> object:
        event = super().get_event()
        self._count = getattr(self, "_count", 0) + 1
        kind = type(event).__name__
        if kind in ("SequenceStartEvent", "MappingStartEvent"):
            self._depth = getattr(self, "_depth", 0) + 1
        elif kind in ("SequenceEndEvent", "MappingEndEvent"):
            self._depth = getattr(self, "_depth", 0) - 1
        if self._count > MAX_EVENTS or getattr(self, "_depth", 0) > MAX_DEPTH:
            mark = getattr(event, "start_mark", None)
            raise _TooBig("events" if self._count > MAX_EVENTS else "depth",
                          mark.line + 1 if mark is not None else None)
        return event


class _BoundedScanner(RoundTripScanner):  # type: ignore[misc]
    """ruamel's round-trip scanner that stops at the :data:`MAX_DEPTH`-th nested ``[`` or ``{``: it scans ahead
    while a simple key may still follow, and each open flow level makes every later token slower (a line of a
    thousand ``[`` took it about a second before the parser saw the depth)."""

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _TooBig("depth", self.reader.get_mark().line + 1)
        super().fetch_flow_collection_start(TokenClass, to_push)


def _failing_line(tb: Any) -> int | None:
    """The line of the YAML node ruamel was building when it failed: the innermost frame holding a ``node``."""
    line = None
    while tb is not None:
        mark = getattr(tb.tb_frame.f_locals.get("node"), "start_mark", None)
        if mark is not None and isinstance(getattr(mark, "line", None), int):
            line = mark.line + 1
        tb = tb.tb_next
    return line


def load_mapping(text: str, *, file: str | Path, expected: str) -> CommentedMap:
    """The document as a ruamel mapping; SpecError (file, line) on bad YAML, a non-mapping document, more than
    :data:`MAX_EVENTS` events, aliases that expand past :data:`MAX_NODES`, nesting past :data:`MAX_DEPTH` or a
    node that contains itself."""
    yaml = YAML(typ="rt")
    yaml.Parser = _BoundedParser
    yaml.Scanner = _BoundedScanner
    try:
        with warnings.catch_warnings():
            # ruamel warns (as a line of its own source) about what YAML allows: an anchor defined twice (the
            # second wins), a YAML 1.1 float without a dot; the user reads only this module's messages
            warnings.simplefilter("ignore", YAMLWarning)
            warnings.simplefilter("ignore", YAMLFutureWarning)
            tree = yaml.load(io.StringIO(text))
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise SpecError("(yaml)", str(getattr(e, "problem", None) or e).strip(), "valid YAML", file=file,
                        line=mark.line + 1 if mark else None, fix="check indentation, colons and quotes") from None
    except _TooBig as e:
        if e.what == "depth":
            raise SpecError("(yaml)", f"nesting deeper than {MAX_DEPTH}", "a document of ordinary depth", file=file,
                            line=e.line, fix="flatten the document (fewer nested [ { or - levels)") from None
        raise SpecError("(yaml)", f"more than {MAX_EVENTS} values and collections", "a document of ordinary size",
                        file=file, line=e.line, fix="is this really the file you meant? a scenario or profile "
                        "is written by hand; split it") from None
    except RecursionError:
        raise SpecError("(yaml)", "nesting too deep to read", "a document of ordinary depth", file=file,
                        fix="flatten the document (fewer nested [ { or - levels)") from None
    except Exception as e:  # noqa: BLE001 - ruamel's constructors fail on odd scalars with whatever they meet:
        # ValueError (an integer of thousands of digits, month 13), KeyError (!!bool x), IndexError (0x_), ...
        raise SpecError("(yaml)", f"{type(e).__name__}: {str(e)[:120]}", "YAML with ordinary values", file=file,
                        line=_failing_line(e.__traceback__),
                        fix="write the value plainly (quote it if it is text; numbers of at most a few digits; no "
                        "!!tags), remove recursive merge keys") from None
    _check_size(tree, file)
    if not isinstance(tree, dict):
        raise SpecError("(file)", plain(tree), expected, file=file, line=1)
    return tree


def _check_size(tree: Any, file: str | Path) -> None:
    """Walk the tree as a reader would (aliases followed), bounded: too many nodes, too deep, a cycle, or an
    integer too large for any field (its digits alone cost time, and Python will not print one of 4300+)."""
    count = 0
    stack: list[tuple[Any, int, frozenset[int], int | None]] = [(tree, 0, frozenset(), None)]
    while stack:
        node, depth, path, line = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise SpecError("(yaml)", f"more than {MAX_NODES} values once aliases are expanded", "a document of "
                            "ordinary size", file=file, fix="remove the nested aliases (&name / *name) that "
                            "multiply the document")
        if depth > MAX_DEPTH:
            raise SpecError("(yaml)", f"nesting deeper than {MAX_DEPTH}", "a document of ordinary depth", file=file,
                            line=line, fix="flatten the document")
        if isinstance(node, int) and not isinstance(node, bool) and node.bit_length() > MAX_INT_BITS:
            raise SpecError("(yaml)", f"an integer of {node.bit_length()} bits", f"integers of at most "
                            f"{MAX_INT_BITS} bits (19 digits)", file=file, line=line, fix="write a smaller number")
        if isinstance(node, (dict, list)):
            if id(node) in path:
                raise SpecError("(yaml)", "a value that contains itself (an alias or merge key pointing at its own "
                                "mapping)", "a document without cycles", file=file, line=line,
                                fix="remove the alias or '<<' merge key that refers to its own mapping")
            inner = path | {id(node)}
            where = getattr(getattr(node, "lc", None), "data", None) or {}
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((c, depth + 1, inner, _line(where.get(k), line)) for k, c in items)


def _line(position: Any, default: int | None) -> int | None:
    """1-based line from a ruamel position entry ([line, col, ...]), else ``default``."""
    try:
        return int(position[0]) + 1
    except (TypeError, IndexError, ValueError):
        return default


def line_of(node: Any, loc: Sequence[Any], base: int | None = None) -> int | None:
    """1-based line of the deepest element of ``loc`` present in the tree (``base`` if none is)."""
    line = base
    for key in loc:
        if isinstance(node, CommentedMap) and (key := _key_in(node, key)) is not _ABSENT:
            line = _key_line(node, key, line)
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = _line((node.lc.data or {}).get(key), line)
            node = node[key]
        else:
            break
    return line


_ABSENT = object()


def _key_in(node: CommentedMap, key: Any) -> Any:
    """The key of ``node`` that ``key`` names: itself, or the key :func:`plain` turned into that string (a
    number, a tagged scalar, ``? [a, b]``); ``_ABSENT`` if none."""
    if key in node:
        return key
    return next((k for k in node if str(k) == str(key)), _ABSENT)


def _key_line(node: CommentedMap, key: Any, default: int | None, _depth: int = 0) -> int | None:
    """The line of ``key`` in ``node``; a key that came in through a ``<<`` merge key is at its line in the merged
    mapping (ruamel keeps no position for it in ``node``)."""
    data = node.lc.data or {}
    if key in data:
        return _line(data[key], default)
    for _, source in getattr(node, "merge", None) or ():
        if isinstance(source, CommentedMap) and key in source and _depth < MAX_DEPTH:
            return _key_line(source, key, default, _depth + 1)
    return default


def error_loc(loc: Sequence[Any], data: Any) -> list[Any]:
    """A pydantic error's location in ``data`` (the plain document, or the part validated) without the names
    pydantic adds for validators ('function-after[...]') and union branches ('literal[...]', 'HttpCall'); a key
    the document has is kept whatever it looks like (a user's 'ID')."""
    out: list[Any] = []
    for key in loc:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        elif isinstance(key, str) and (key.startswith("function-") or key[:1].isupper() or "[" in key):
            continue
        else:
            data = None
        out.append(key)
    return out


def plain(node: Any) -> Any:
    """Plain dicts (string keys) and lists, for validation (the tree was bounded by :func:`load_mapping`)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


__all__ = ["error_loc", "line_of", "load_mapping", "plain"]
