"""Unique markers carried by every input the harness types.

The app under test is a black box: to follow one note from the keyboard to
the backend, the harness puts a marker (``hx`` + 10 base-36 characters) in
the text it types, then looks for that marker in the ledger (what crossed
the proxy) and on screen. Markers are alphanumeric so they survive any text
field, URL or JSON encoding.

>>> m = new_marker()
>>> bool(MARKER_RE.fullmatch(m))
True
>>> find_markers(f"note {m} and more") == [m]
True
"""

from __future__ import annotations

import random
import re
import string

MARKER_RE = re.compile(r"hx[0-9a-z]{10}")
_ALPHABET = string.digits + string.ascii_lowercase
_rng = random.SystemRandom()


def new_marker(rng: random.Random | None = None) -> str:
    """A fresh marker; pass a seeded ``rng`` for a reproducible sequence."""
    r = rng or _rng
    return "hx" + "".join(r.choice(_ALPHABET) for _ in range(10))


def find_markers(text: str | bytes) -> list[str]:
    """Every marker in ``text``, in order of appearance, without duplicates."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    seen: dict[str, None] = {}
    for m in MARKER_RE.findall(text):
        seen.setdefault(m, None)
    return list(seen)


__all__ = ["MARKER_RE", "find_markers", "new_marker"]
