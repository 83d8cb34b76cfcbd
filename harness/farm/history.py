"""Compare tonight's matrix with a previous night's matrix.json: new failures and fixes.

A pair (scenario, device) that passed before and now fails or errors is a
``new_failure``; one that failed or errored before and now passes is
``fixed``; failing both times is ``still_failing``; a pair the previous
night did not have is ``new``. Skips are neither. The previous matrix is a
path, or the newest ``matrix.json`` under the reports folder other than
tonight's.

Usage::

    prev = find_previous(paths.REPORTS, exclude=run_dir)
    diff = compare(matrix, load_previous(prev)); apply_history(matrix, diff, prev)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.errors import SpecError
from harness.farm.matrix import Matrix, cells_of

BAD: frozenset[str] = frozenset({"failed", "error"})


@dataclass(frozen=True)
class History:
    """The changes between two nights, as (scenario, device) pairs."""

    new_failures: tuple[tuple[str, str], ...] = ()
    fixes: tuple[tuple[str, str], ...] = ()
    still_failing: tuple[tuple[str, str], ...] = ()
    new: tuple[tuple[str, str], ...] = ()
    gone: tuple[tuple[str, str], ...] = field(default=())

    def to_json(self) -> dict[str, list[list[str]]]:
        return {k: [list(p) for p in getattr(self, k)] for k in ("new_failures", "fixes", "still_failing", "new", "gone")}


def find_previous(reports: Path, *, exclude: Path | None = None) -> Path | None:
    """The newest matrix.json under ``reports`` (one level down), not the one in ``exclude``."""
    if not reports.is_dir():
        return None
    skip = exclude.resolve() if exclude is not None else None
    found = [p for p in reports.glob("*/matrix.json") if skip is None or p.parent.resolve() != skip]
    return max(found, key=lambda p: (p.stat().st_mtime, p.parent.name), default=None)


def load_previous(path: Path) -> dict[str, Any]:
    """A previous matrix.json (a file, or a run folder holding one); SpecError when unreadable."""
    target = path / "matrix.json" if path.is_dir() else path
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except OSError as e:
        raise SpecError("previous", str(path), f"a readable matrix.json ({e.strerror})") from None
    except ValueError as e:
        raise SpecError("previous", str(path), f"a matrix.json document (not valid JSON: {e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise SpecError("previous", str(path), "a matrix.json written by `harness farm` (with a cells list)")
    return data


def compare(matrix: Matrix, previous: dict[str, Any]) -> History:
    """The changes from ``previous`` (a matrix.json document) to ``matrix``."""
    before = {(str(c.get("scenario")), str(c.get("device"))): str(c.get("outcome")) for c in cells_of(previous)}
    new_failures, fixes, still, new = [], [], [], []
    for key, cell in matrix.cells.items():
        was = before.get(key)
        if was is None:
            new.append(key)
        elif was == "passed" and cell.outcome in BAD:
            new_failures.append(key)
        elif was in BAD and cell.outcome == "passed":
            fixes.append(key)
        elif was in BAD and cell.outcome in BAD:
            still.append(key)
    gone = sorted(set(before) - set(matrix.cells))
    return History(tuple(new_failures), tuple(fixes), tuple(still), tuple(new), tuple(gone))


def apply_history(matrix: Matrix, history: History, previous: Path | str | None, previous_run: str = "") -> None:
    """Mark each changed cell (``Cell.change``) and record the summary in ``matrix.history``."""
    for kind, pairs in (("new_failure", history.new_failures), ("fixed", history.fixes),
                        ("still_failing", history.still_failing), ("new", history.new)):
        for key in pairs:
            matrix.cells[key] = replace(matrix.cells[key], change=kind)
    matrix.history = {"previous": str(previous) if previous else None, "previous_run": previous_run,
                      **history.to_json()}


__all__ = ["History", "apply_history", "compare", "find_previous", "load_previous"]
