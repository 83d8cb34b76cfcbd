"""A tiny JSON path: dotted keys, ``[]`` for every element of a list, ``[N]`` for one.

Enough to point at a write's identity in a request body (``docs[]._id``)
and at a collection's records in a read-back answer (``rows[].doc``),
without a dependency; a path that does not match yields nothing.

>>> values_at({"docs": [{"_id": "a"}, {"_id": "b"}]}, "docs[]._id")
['a', 'b']
>>> values_at({"rows": [{"doc": {"t": 1}}]}, "rows[].doc")
[{'t': 1}]
"""

from __future__ import annotations

import re
from typing import Any

_PART = re.compile(r"([^.\[\]]+)|\[(\d*)\]")


def parse_path(path: str) -> list[str | int | None]:
    """``docs[]._id`` -> ``["docs", None, "_id"]`` (None: every element; an int: that element)."""
    out: list[str | int | None] = []
    for m in _PART.finditer(path):
        if m.group(1) is not None:
            out.append(m.group(1))
        else:
            out.append(int(m.group(2)) if m.group(2) else None)
    return out


def values_at(obj: Any, path: str) -> list[Any]:
    """Every value at ``path`` in ``obj``, in document order (missing keys are skipped)."""
    nodes = [obj]
    for part in parse_path(path):
        nxt: list[Any] = []
        for n in nodes:
            if part is None:
                if isinstance(n, list):
                    nxt.extend(n)
            elif isinstance(part, int):
                if isinstance(n, list) and -len(n) <= part < len(n):
                    nxt.append(n[part])
            elif isinstance(n, dict) and part in n:
                nxt.append(n[part])
        nodes = nxt
    return nodes


def split_list_path(path: str) -> tuple[str, str]:
    """``docs[]._id`` -> (``docs[]``, ``_id``): the path to the elements and the path inside each one
    (everything after the last ``[]``); a path without ``[]`` is one element: (``""``, path)."""
    i = path.rfind("[]")
    if i < 0:
        return "", path
    return path[: i + 2], path[i + 2:].lstrip(".")


__all__ = ["parse_path", "split_list_path", "values_at"]
