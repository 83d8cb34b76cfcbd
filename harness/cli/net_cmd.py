"""``harness net``: change network conditions in the lab started by ``harness up``.

Every command acts on the running lab (found through the state file), then
prints what is now in force on both layers. Schedules (``flap``,
``outage``, ``switch``, ``degrade``) run in the foreground and print each
transition; Ctrl-C stops them and clears what they applied. Condition
changes are recorded in ``<run folder>/hand-control.jsonl``.

Examples::

    harness net offline
    harness net flap --up-s 5 --down-s 3 --cycles 10 --jitter-s 1
    harness net profile slow-3g
    harness net link latency latency_ms=400 jitter_ms=100 stream=both
    harness net http drop_response --method POST --path '/api/contacts/*/notes' --first 1
    harness net http release
    harness net status
    harness net reset
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import click

from harness.errors import UserError
from harness.lab.state import read_state
from harness.net.conditions import Down, HttpCondition, LinkCondition, make_condition
from harness.net.control import NetControl
from harness.net.http import HttpControl
from harness.net.link import Link
from harness.net.profiles import PROFILES, ProfileCondition
from harness.net.schedule import Schedule, Scheduler, degrade_recover, flap, outage, switch_network
from harness.timeline import Timeline


def _net() -> NetControl:
    st = read_state()
    if st is None or not st.alive or st.endpoints is None or st.status != "up":
        raise UserError("no lab is running; start one with `harness up`")
    ep = st.endpoints
    host, _, port = ep.toxiproxy_api.rsplit("/", 1)[1].partition(":")
    return NetControl(Link(host, int(port)), HttpControl(ep.mitm_url),
                      timeline=Timeline(Path(ep.run_dir) / "hand-control.jsonl"))


def _show(net: NetControl) -> None:
    click.echo("now in force:")
    for line in net.status().lines():
        click.echo(f"  {line}")


def _params(pairs: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in pairs:
        if "=" not in p:
            raise UserError(f"parameter {p!r} must look like key=value (e.g. latency_ms=300)")
        k, v = p.split("=", 1)
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out


def _run_schedule(net: NetControl, schedule: Schedule) -> None:
    click.echo(f"running {schedule.name} for {schedule.duration_s:.1f} s (Ctrl-C stops and cleans up)")
    running = Scheduler(net).start(schedule)
    shown = 0
    try:
        while not running.done:
            running.wait(0.05)
            for r in running.records[shown:]:
                click.echo(f"  +{r.scheduled_t - running.t0:7.2f}s {r.state:<10} error {r.error_ms:5.1f} ms  "
                           f"{' '.join(r.conditions) or 'clean'}")
            shown = len(running.records)
        running.wait()
    except KeyboardInterrupt:
        running.cancel()
        running.wait(10)
        click.echo("stopped")
    _show(net)


@click.group("net")
def net_command() -> None:
    """Change network conditions in the running lab."""


@net_command.command("offline")
def offline() -> None:
    """Link down: connections refused, open ones dropped."""
    net = _net()
    net.apply(Down())
    _show(net)


@net_command.command("online")
def online() -> None:
    """Clean link (enabled, no toxics); HTTP rules stay."""
    net = _net()
    net.online()
    _show(net)


@net_command.command("flap")
@click.option("--up-s", type=float, required=True)
@click.option("--down-s", type=float, required=True)
@click.option("--cycles", type=int, default=10, show_default=True)
@click.option("--jitter-s", type=float, default=0.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def flap_cmd(up_s: float, down_s: float, cycles: int, jitter_s: float, seed: int) -> None:
    """Down for --down-s, up for --up-s, --cycles times."""
    _run_schedule(_net(), flap(up_s=up_s, down_s=down_s, cycles=cycles, jitter_s=jitter_s, seed=seed))


@net_command.command("outage")
@click.option("--duration-s", type=float, required=True)
def outage_cmd(duration_s: float) -> None:
    """Link down for --duration-s, then clean."""
    _run_schedule(_net(), outage(duration_s=duration_s))


@net_command.command("switch")
@click.option("--blackout-s", type=float, default=1.0, show_default=True)
def switch_cmd(blackout_s: float) -> None:
    """Network switch: reset open connections, a blackout, then a clean path."""
    _run_schedule(_net(), switch_network(blackout_s=blackout_s))


@net_command.command("degrade")
@click.argument("profiles", nargs=-1)
@click.option("--step-s", type=float, default=5.0, show_default=True)
def degrade_cmd(profiles: tuple[str, ...], step_s: float) -> None:
    """Step down through PROFILES and back up (default 3g edge gprs)."""
    _run_schedule(_net(), degrade_recover(profiles=profiles or ("3g", "edge", "gprs"), step_s=step_s))


@net_command.command("profile")
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the profiles with their numbers and sources.")
def profile_cmd(name: str | None, list_: bool) -> None:
    """Apply the named profile (replacing the link's toxics)."""
    if list_ or not name:
        for n, p in sorted(PROFILES.items()):
            click.echo(f"{n:<24} up {p.up_delay_ms:>5} ms {p.up_kbps or '-':>7} kbps | down {p.down_delay_ms:>5} ms "
                       f"{p.down_kbps or '-':>7} kbps | jitter {p.jitter_ms} ms loss {p.loss_pct:g}%  [{p.source}]")
        return
    cond = ProfileCondition(name=name)
    net = _net()
    net.online()
    net.apply(cond)
    _show(net)


@net_command.command("link")
@click.argument("kind")
@click.argument("params", nargs=-1)
def link_cmd(kind: str, params: tuple[str, ...]) -> None:
    """Apply a link condition: KIND key=value... (latency latency_ms=300, half_open, reset_peer, ...)."""
    cond = make_condition(kind, _params(params))
    if not isinstance(cond, LinkCondition):
        raise UserError(f"{kind} is an HTTP condition; use `harness net http {kind}`")
    net = _net()
    net.apply(cond)
    _show(net)


@net_command.command("http")
@click.argument("kind")
@click.argument("params", nargs=-1)
@click.option("--method", default="*", show_default=True)
@click.option("--path", default="*", show_default=True, help="Glob (or regex with --regex).")
@click.option("--regex", is_flag=True)
@click.option("--header", default=None, help="Only requests carrying this header (e.g. the app's idempotency key header).")
@click.option("--rate", type=float, default=None, help="Fire for this share of matching requests (seeded).")
@click.option("--first", "first_n", type=int, default=None, help="Fire for the first N matching requests only.")
@click.option("--rule", default=None, help="With release/remove: the rule id.")
@click.option("--kill", is_flag=True, help="With release: kill the held requests instead of forwarding them.")
def http_cmd(kind: str, params: tuple[str, ...], method: str, path: str, regex: bool, header: str | None,
             rate: float | None, first_n: int | None, rule: str | None, kill: bool) -> None:
    """HTTP rule KIND (http_status, http_delay, drop_response, refuse, captive_portal, hold), or release/remove/clear."""
    net = _net()
    if kind == "release":
        click.echo(f"released {net.http.release(rule, kill=kill)} request(s)")
    elif kind == "remove":
        if not rule:
            raise UserError("remove needs --rule ID (see `harness net status`)")
        net.http.remove_rule(rule)
    elif kind == "clear":
        net.http.clear()
    else:
        p = {"method": method, "path": path, "match": "regex" if regex else "glob", "header": header, "rate": rate,
             "first_n": first_n, **_params(params)}
        cond = make_condition(kind, p)
        if not isinstance(cond, HttpCondition):
            raise UserError(f"{kind} is a link condition; use `harness net link {kind}`")
        net.apply(cond)
    _show(net)


@net_command.command("status")
@click.option("--json", "as_json", is_flag=True)
def status_cmd(as_json: bool) -> None:
    """Print what is in force on the link and the HTTP layer."""
    net = _net()
    if as_json:
        click.echo(json.dumps(net.status().to_json(), indent=2, default=str))
    else:
        _show(net)


@net_command.command("reset")
def reset_cmd() -> None:
    """Everything clean: no toxics, link up, no HTTP rules, held requests forwarded."""
    net = _net()
    net.reset()
    _show(net)


__all__ = ["net_command"]
