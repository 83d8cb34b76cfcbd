"""``harness devices``: list device profiles and whether each can run on this machine.

Every profile under devices/ is validated first (a broken one stops the
listing with file:line and field, exit 2). ``--policies`` lists the
background policies, what each expects of background sync and which
backends can express it.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("devices")
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="folder of device profiles (default: devices/)")
@click.option("--policies", is_flag=True, help="list background policies instead of devices")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def devices_command(directory: Path | None, policies: bool, as_json: bool) -> None:
    """List device profiles and whether each can run here and, if not, why."""
    from harness.device.policies import POLICIES
    from harness.device.profiles import can_run_here, load_profiles

    if policies:
        rows = [{"policy": p.name, "expect": p.expect, "backends": list(p.backends()), "params": p.params,
                 "title": p.title} for p in POLICIES.values()]
        if as_json:
            click.echo(json.dumps(rows, indent=2))
            return
        for r in rows:
            params = ", ".join(f"{k}={v:g}" for k, v in r["params"].items()) or "-"
            click.echo(f"{r['policy']:<18} {r['expect']:<22} {','.join(r['backends']):<20} {params}  {r['title']}")
        return
    profiles = load_profiles(directory)
    out = []
    for name, prof in profiles.items():
        ok, why = can_run_here(prof)
        out.append({"name": name, "backend": prof.backend, "policy": prof.policy, "runs_here": ok, "why": why})
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    for r in out:
        mark = "yes" if r["runs_here"] else "no "
        click.echo(f"{mark}  {r['name']:<28} {r['backend']:<9} {r['policy']:<17} {r['why']}")


command = devices_command

__all__ = ["command", "devices_command"]
