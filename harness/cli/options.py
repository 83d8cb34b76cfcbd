"""Options shared by several commands: the app under test (``--app``) and its default.

``DEFAULT_APP`` is data: the name of the reference app the harness ships
with (``harness/apps/``), or ``HARNESS_APP`` when set.
"""

from __future__ import annotations

import os
from typing import Any, Callable

import click

DEFAULT_APP = os.environ.get("HARNESS_APP") or "refapp"


def app_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--app NAME|PATH``: the app under test (a known name, a folder with app.yaml, or a profile file)."""
    return click.option("--app", "app", default=DEFAULT_APP, show_default=True, metavar="NAME|PATH",
                        help="the app under test: a name from `harness apps`, a folder with app.yaml, or a "
                             "profile file")(fn)


def resolve_app(app: str) -> Any:
    """The validated profile of ``--app`` (a bad profile raises SpecError with file:line, before anything runs)."""
    from harness.app.profile import load_app_profile

    return load_app_profile(app)


def check_bugs(profile: Any, bugs: tuple[str, ...], *, backend: str | None = None) -> None:
    """Bugs asked of an app that has no catalogue (no configure hook), or on an external backend: the lab's own
    configuration error, raised now, before anything starts."""
    if bugs:
        from harness import paths
        from harness.lab.lab import LabConfig

        LabConfig(run_dir=paths.REPORTS, app=profile, backend=backend, bugs=bugs)


__all__ = ["DEFAULT_APP", "app_option", "check_bugs", "resolve_app"]
