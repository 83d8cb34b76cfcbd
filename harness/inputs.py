"""Reading a user's input file safely: bounded size, text only, UTF-8.

Every file a user writes (scenarios, device and app profiles, pools) goes
through :func:`read_text` before YAML sees it, so a binary file, a file in
another encoding or a file far larger than any scenario is a SpecError
naming the file and the fix, never a traceback or a parser left to chew
on megabytes.

>>> read_text("/nonexistent.yaml", what="scenario")      # doctest: +ELLIPSIS
Traceback (most recent call last):
...
harness.errors.SpecError: /nonexistent.yaml: (file): ...
"""

from __future__ import annotations

import math
import stat
from pathlib import Path
from typing import Any

from harness.errors import SpecError

#: no hand-written scenario or profile comes near this (the largest shipped file, the reference app's profile, is
#: 8 kB); a bigger file is a mistake (or an attack on the parser: ruamel reads about 0.5-1 MB a second, so a
#: 1 MB file of long lines took it two seconds on a busy machine before anything could be said)
MAX_INPUT_BYTES = 256 * 1024


def read_text(path: str | Path, *, what: str, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The file's text; SpecError when it is missing, too large, binary or not UTF-8."""
    p = Path(path)
    try:
        info = p.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe would block, /dev/zero would never end
            raise SpecError("(file)", str(p), f"a {what} file (this is a folder, a device or a pipe)", file=p,
                            fix="give the YAML file itself")
        size = info.st_size
        if size > max_bytes:
            raise SpecError("(file)", f"{size} bytes", f"a {what} of at most {max_bytes} bytes", file=p,
                            fix=f"is this really a {what}? split it, or check the path")
        with p.open("rb") as f:
            data = f.read(max_bytes + 1)  # a file that grew since stat() is not read past the bound either
        if len(data) > max_bytes:
            raise SpecError("(file)", f"more than {max_bytes} bytes", f"a {what} of at most {max_bytes} bytes",
                            file=p, fix=f"is this really a {what}? split it, or check the path")
    except OSError as e:
        raise SpecError("(file)", str(p), f"a readable {what} file (cannot read it: {e.strerror or e})", file=p,
                        fix="check the path and its permissions") from None
    if b"\x00" in data:
        raise SpecError("(file)", "binary content", f"a {what} in YAML (text)", file=p,
                        line=data[: data.index(b"\x00")].count(b"\n") + 1, fix="give the YAML file, not a binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SpecError("(file)", repr(data[e.start:e.start + 4]), f"a {what} encoded as UTF-8", file=p, line=line,
                        fix="save the file as UTF-8") from None


def exists(path: str | Path, kind: str = "any") -> bool:
    """Whether ``path`` is there (``kind``: "any", "file" or "dir"); a path the system cannot even look up
    (longer than it allows, a NUL byte, a loop of links) is not there, rather than an OSError out of a loader.

    >>> exists("x" * 5000 + ".yaml"), exists("/", "dir")
    (False, True)
    """
    p = Path(path)
    try:
        return p.is_file() if kind == "file" else p.is_dir() if kind == "dir" else p.exists()
    except (OSError, ValueError):
        return False


def non_finite(value: Any, where: str = "") -> str | None:
    """Where a value bound for JSON (Appium capabilities, an HTTP hook's body) holds nan or an infinity, which
    JSON cannot carry (Python would send ``NaN``, which the other side refuses); None when it holds none.

    >>> non_finite({"a": [1, float("nan")]}), non_finite({"a": 1.5})
    ('a[1]', None)
    """
    if isinstance(value, float) and not math.isfinite(value):
        return where or "(value)"
    if isinstance(value, dict):
        for k, v in value.items():
            found = non_finite(v, f"{where}.{k}" if where else str(k))
            if found:
                return found
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found = non_finite(v, f"{where}[{i}]")
            if found:
                return found
    return None


__all__ = ["MAX_INPUT_BYTES", "exists", "non_finite", "read_text"]
