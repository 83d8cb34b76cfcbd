"""matrix.html: the scenario x device table of a farm run, linked to each device's own report.

Rendered from a :class:`~harness.farm.matrix.Matrix` alone (which
:func:`~harness.farm.matrix.build_matrix` reads from the farm folder), so a
night's page can be re-rendered at any time.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import jinja2

from harness.farm.matrix import Matrix

TEMPLATES = Path(__file__).resolve().parent / "templates"


def build_html(matrix: Matrix) -> str:
    """The page's HTML (pure)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("matrix.html.j2").render(
        m=matrix, counts=matrix.counts(), generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"))


def write_html(matrix: Matrix, path: Path) -> Path:
    """Write matrix.html and return its path."""
    path.write_text(build_html(matrix), encoding="utf-8")
    return path


__all__ = ["build_html", "write_html"]
