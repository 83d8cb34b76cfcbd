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
from pathlib import Path
from typing import Any, Sequence

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from harness.errors import SpecError


#: the most nodes a document may expand to once its aliases are followed: far above any real scenario or
#: profile, far below what a few nested aliases can blow up to (an "alias bomb")
MAX_NODES = 50_000
#: the deepest nesting a document may have (a merge key pointing at itself nests without end)
MAX_DEPTH = 60


def load_mapping(text: str, *, file: str | Path, expected: str) -> CommentedMap:
    """The document as a ruamel mapping; SpecError (file, line) on bad YAML, a non-mapping document, aliases that
    expand past :data:`MAX_NODES`, nesting past :data:`MAX_DEPTH` or a node that contains itself."""
    try:
        tree = YAML(typ="rt").load(io.StringIO(text))
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise SpecError("(yaml)", str(getattr(e, "problem", None) or e).strip(), "valid YAML", file=file,
                        line=mark.line + 1 if mark else None, fix="check indentation, colons and quotes") from None
    except (ValueError, RecursionError, TypeError, AttributeError) as e:  # e.g. an integer of thousands of digits
        raise SpecError("(yaml)", f"{type(e).__name__}: {str(e)[:120]}", "YAML with ordinary values", file=file,
                        fix="shorten the value (numbers of at most a few digits), remove recursive merge keys") from None
    _check_size(tree, file)
    if not isinstance(tree, dict):
        raise SpecError("(file)", plain(tree), expected, file=file, line=1)
    return tree


def _check_size(tree: Any, file: str | Path) -> None:
    """Walk the tree as a reader would (aliases followed), bounded: too many nodes, too deep, or a cycle."""
    count = 0
    stack: list[tuple[Any, int, frozenset[int]]] = [(tree, 0, frozenset())]
    while stack:
        node, depth, path = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise SpecError("(yaml)", f"more than {MAX_NODES} values once aliases are expanded", "a document of "
                            "ordinary size", file=file, fix="remove the nested aliases (&name / *name) that "
                            "multiply the document")
        if depth > MAX_DEPTH:
            raise SpecError("(yaml)", f"nesting deeper than {MAX_DEPTH}", "a document of ordinary depth", file=file,
                            fix="flatten the document")
        if isinstance(node, (dict, list)):
            if id(node) in path:
                raise SpecError("(yaml)", "a value that contains itself (an alias or merge key pointing at its own "
                                "mapping)", "a document without cycles", file=file,
                                fix="remove the alias or '<<' merge key that refers to its own mapping")
            inner = path | {id(node)}
            children = node.values() if isinstance(node, dict) else node
            stack.extend((c, depth + 1, inner) for c in children)


def line_of(node: Any, loc: Sequence[Any], base: int | None = None) -> int | None:
    """1-based line of the deepest element of ``loc`` present in the tree (``base`` if none is)."""
    line = base
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = _key_line(node, key, line)
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def _key_line(node: CommentedMap, key: Any, default: int | None, _depth: int = 0) -> int | None:
    """The line of ``key`` in ``node``; a key that came in through a ``<<`` merge key is at its line in the merged
    mapping (ruamel keeps no position for it in ``node``)."""
    if key in node.lc.data:
        return int(node.lc.key(key)[0]) + 1
    for _, source in getattr(node, "merge", None) or ():
        if isinstance(source, CommentedMap) and key in source and _depth < MAX_DEPTH:
            return _key_line(source, key, default, _depth + 1)
    return default


def plain(node: Any) -> Any:
    """Plain dicts (string keys) and lists, for validation (the tree was bounded by :func:`load_mapping`)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


__all__ = ["line_of", "load_mapping", "plain"]
