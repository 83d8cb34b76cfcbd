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


def load_mapping(text: str, *, file: str | Path, expected: str) -> CommentedMap:
    """The document as a ruamel mapping; SpecError (file, line) on bad YAML or a non-mapping document."""
    try:
        tree = YAML(typ="rt").load(io.StringIO(text))
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise SpecError("(yaml)", str(getattr(e, "problem", None) or e).strip(), "valid YAML", file=file,
                        line=mark.line + 1 if mark else None, fix="check indentation, colons and quotes") from None
    if not isinstance(tree, dict):
        raise SpecError("(file)", plain(tree), expected, file=file, line=1)
    return tree


def line_of(node: Any, loc: Sequence[Any], base: int | None = None) -> int | None:
    """1-based line of the deepest element of ``loc`` present in the tree (``base`` if none is)."""
    line = base
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def plain(node: Any) -> Any:
    """Plain dicts (string keys) and lists, for validation."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


__all__ = ["line_of", "load_mapping", "plain"]
