"""``harness apps``: the apps the harness knows, what each can do, and what of a suite applies to one.

``harness apps`` lists every known app (bundled, ``examples/apps``, ``apps``,
``HARNESS_APPS_PATH``) with its capabilities, collections, write identity,
backend hooks and plugin; ``harness apps NAME|PATH`` shows one app and, for
the default suite (or the given scenario paths), which scenarios apply, why
the others do not, and which requirements no applicable scenario judges.
A broken profile is shown as broken, with its file:line error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from harness.errors import SpecError

HOOKS = ("reset", "seed", "read", "server_change", "configure")


def describe_app(profile: Any) -> dict[str, Any]:
    """What one app can do, as plain data."""
    hooks = profile.hooks
    ident = profile.identity
    return {
        "name": profile.name, "profile": str(profile.source) if profile.source else None,
        "platform": profile.platform, "description": profile.description,
        "capabilities": sorted(profile.capability_set),
        "collections": {n: [op for op, ok in (("add", c.can_add), ("edit", c.can_edit),
                                                ("delete", c.delete is not None)) if ok]
                        for n, c in profile.collections.items()},
        "identity": {"kind": ident.kind, "header": ident.header, "json_path": ident.json_path,
                     "revision_path": ident.revision_path},
        "hooks": [h for h in HOOKS if getattr(hooks, h)],
        "backend": "started by the lab" if profile.backend.start else "external (--backend URL)",
        "plugin": profile.plugin,
    }


def suite_for(profile: Any, scenario_paths: list[Path]) -> dict[str, Any]:
    """Which scenarios of the suite apply to the app, why the others do not, and the unjudged requirements."""
    from harness.cli.coverage_cmd import judged_table
    from harness.cli.run_cmd import default_suite
    from harness.scenario.applicability import applicability
    from harness.scenario.loader import load_all

    files = scenario_paths or default_suite()
    scenarios = load_all(files)
    applies, not_applicable = [], {}
    for s in scenarios:
        a = applicability(s, profile)
        if a.applicable:
            applies.append(s.id)
        else:
            not_applicable[s.id] = a.reason
    table = judged_table(scenarios, profile)
    return {"applicable": applies, "not_applicable": not_applicable,
            "unjudged": [rid for rid, ids in table.items() if not ids]}


@click.command("apps")
@click.argument("app", required=False)
@click.argument("scenario_paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def apps_command(app: str | None, scenario_paths: tuple[Path, ...], as_json: bool) -> int:
    """List the apps the harness knows, or show one app and what of the suite applies to it."""
    from harness.app.profile import known_apps, load_app_profile

    if app is None:
        out: list[dict[str, Any]] = []
        for name, path in known_apps().items():
            try:
                out.append(describe_app(load_app_profile(path)))
            except SpecError as e:
                out.append({"name": name, "profile": str(path), "broken": str(e)})
        if as_json:
            click.echo(json.dumps(out, indent=2))
        else:
            for d in out:
                _print(d)
        return 0
    profile = load_app_profile(app)  # a bad profile: SpecError with file:line (exit 2)
    d = describe_app(profile)
    d["suite"] = suite_for(profile, list(scenario_paths))
    if as_json:
        click.echo(json.dumps(d, indent=2))
        return 0
    _print(d)
    suite = d["suite"]
    click.echo(f"  suite       : {len(suite['applicable'])} scenario(s) apply, {len(suite['not_applicable'])} not")
    for sid, why in suite["not_applicable"].items():
        click.echo(f"    n/a {sid}: {why}")
    click.echo(f"  unjudged    : {', '.join(suite['unjudged']) or 'none'}")
    return 0


def _print(d: dict[str, Any]) -> None:
    click.echo(f"{d['name']}  ({d.get('profile')})")
    if "broken" in d:
        click.echo(f"  BROKEN: {d['broken']}")
        return
    click.echo(f"  platform    : {d['platform']}   {d['description']}")
    click.echo(f"  capabilities: {', '.join(d['capabilities']) or 'none'}")
    cols = "; ".join(f"{n} ({', '.join(ops) or 'read'})" for n, ops in d["collections"].items())
    click.echo(f"  collections : {cols or 'none'}")
    ident = d["identity"]
    where = ident["header"] or (f"{ident['json_path']}" + (f" @ {ident['revision_path']}" if ident["revision_path"]
                                                          else "")) or "the harness's markers"
    click.echo(f"  identity    : {ident['kind']} ({where})")
    click.echo(f"  hooks       : {', '.join(d['hooks']) or 'none (the checks use the ledger and the screen)'}")
    click.echo(f"  backend     : {d['backend']}; plugin: {d['plugin'] or 'none'}")


command = apps_command

__all__ = ["apps_command", "describe_app", "suite_for"]
