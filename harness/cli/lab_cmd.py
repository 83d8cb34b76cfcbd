"""``harness up`` / ``harness down``: a lab for hand control, kept by a detached supervisor.

``up`` starts :mod:`harness.lab.supervisor` in its own session (it outlives
the shell command), waits until the state file says ``up`` (or ``failed``),
and prints what to set on a device: the proxy address, the CA certificate,
the control URL and the run folder. ``down`` sends SIGTERM to the
supervisor, which stops every part in reverse order, then checks that none
of the lab's processes is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import psutil

from harness import paths
from harness.errors import LabError, PartFailed, UserError
from harness.cli.options import app_option, resolve_app
from harness.lab.state import LabState, clear_state, read_state, state_path


def _running() -> LabState | None:
    st = read_state()
    if st is not None and not st.alive:
        clear_state()
        return None
    return st


def print_lab(st: LabState) -> None:
    ep = st.endpoints
    assert ep is not None
    click.echo(f"lab is up (supervisor pid {st.supervisor_pid})")
    click.echo(f"  device HTTP proxy : {ep.proxy_host}:{ep.proxy_port}"
               f"   (Android emulator: 10.0.2.2:{ep.proxy_port}; a phone on the LAN: harness up --listen-host 0.0.0.0)")
    click.echo(f"  CA certificate    : {ep.ca_cert}")
    click.echo(f"  backend / app     : {ep.backend_url}   app {ep.app} at {ep.app_url}")
    click.echo(f"  control URL       : http://harness.control/status via proxy {ep.mitm_url}")
    click.echo(f"  toxiproxy API     : {ep.toxiproxy_api}")
    if ep.appium_url:
        click.echo(f"  appium            : {ep.appium_url}")
    click.echo(f"  run folder        : {ep.run_dir}   (ledger {ep.ledger})")
    click.echo("  change conditions : harness net offline|online|flap|outage|profile|http|status|reset")


@click.command("up")
@app_option
@click.option("--backend", default=None, help="the URL of a backend that already runs (default: start the app's own).")
@click.option("--bugs", default="", help="Comma-separated bugs of the app's catalogue to switch on (apps with a "
              "configure hook).")
@click.option("--token-ttl-s", type=float, default=None, help="access-token lifetime (apps with a configure hook).")
@click.option("--appium", is_flag=True, help="Also start Appium.")
@click.option("--run-dir", type=click.Path(path_type=Path), default=None, help="Run folder (default reports/lab-<time>).")
@click.option("--listen-host", default="127.0.0.1", show_default=True,
              help="Where the device proxy listens; 0.0.0.0 for a phone on the LAN.")
@click.option("--timeout-s", type=float, default=90.0, show_default=True)
def up_command(app: str, backend: str | None, bugs: str, token_ttl_s: float | None, appium: bool,
               run_dir: Path | None, listen_host: str, timeout_s: float) -> None:
    """Start the lab and print the proxy address, CA path, control URL and run folder."""
    profile = resolve_app(app)  # a bad profile: its file:line error before anything starts
    st = _running()
    if st is not None:
        if st.status == "up":
            print_lab(st)
            raise UserError(f"a lab is already up (supervisor pid {st.supervisor_pid}); run `harness down` first")
        raise UserError(f"a lab is {st.status} (pid {st.supervisor_pid}); wait or run `harness down`")
    clear_state()
    run_dir = run_dir or paths.REPORTS / time.strftime("lab-%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "harness.lab.supervisor", "--state", str(state_path()), "--run-dir", str(run_dir),
            "--app", str(profile.source or app), "--bugs", bugs, "--listen-host", listen_host]
    if backend:
        argv += ["--backend", backend]
    if token_ttl_s is not None:
        argv += ["--token-ttl-s", str(token_ttl_s)]
    if appium:
        argv.append("--appium")
    log = run_dir / "supervisor.log"
    with log.open("ab") as fh:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=str(paths.ROOT))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        st = read_state()
        if st is not None and st.supervisor_pid == proc.pid and st.status in ("up", "failed"):
            break
        if proc.poll() is not None:
            raise PartFailed("supervisor", f"exited with code {proc.returncode}", log=log)
        time.sleep(0.1)
    else:
        proc.terminate()
        raise PartFailed("supervisor", f"the lab was not up after {timeout_s:g} s", log=log)
    if st.status == "failed":
        proc.wait(10)
        clear_state()
        raise LabError(f"{st.error} (supervisor log: {log})")
    print_lab(st)


@click.command("down")
@click.option("--timeout-s", type=float, default=30.0, show_default=True)
def down_command(timeout_s: float) -> None:
    """Stop the running lab cleanly."""
    st = read_state()
    if st is None or not st.alive:
        clear_state()
        click.echo("no lab is running")
        return
    pids = list(st.endpoints.pids.values()) if st.endpoints else []
    os.kill(st.supervisor_pid, signal.SIGTERM)
    try:
        psutil.Process(st.supervisor_pid).wait(timeout_s)
    except psutil.TimeoutExpired:
        os.kill(st.supervisor_pid, signal.SIGKILL)
    except psutil.NoSuchProcess:
        pass
    left = []
    for pid in pids:  # the lab's own children, started by that supervisor
        try:
            p = psutil.Process(pid)
            if p.status() != psutil.STATUS_ZOMBIE:
                p.kill()
                left.append(pid)
        except psutil.NoSuchProcess:
            pass
    clear_state()
    click.echo(f"lab stopped (run folder {st.raw.get('run_dir')})" + (f"; killed leftovers {left}" if left else ""))


__all__ = ["down_command", "print_lab", "up_command"]
