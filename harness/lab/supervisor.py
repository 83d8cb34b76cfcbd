"""The detached process behind ``harness up``: owns a Lab until SIGTERM/SIGINT.

Run as ``python -m harness.lab.supervisor --state FILE --run-dir DIR
[--backend URL] [--bugs a,b] [--token-ttl-s N] [--appium]``. It starts the
lab, writes the state file (status ``up`` with the endpoints, or ``failed``
with the error), then sleeps until a signal, stops the lab in reverse order
and removes the state file.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from harness.errors import HarnessError
from harness.lab import signals
from harness.lab.lab import Lab, LabConfig
from harness.lab.state import clear_state, write_state


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m harness.lab.supervisor")
    ap.add_argument("--state", type=Path, required=True)
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--app", default=None, help="app profile name or path (default: the reference app)")
    ap.add_argument("--backend", default=None, help="URL of a backend that already runs (default: start the app's)")
    ap.add_argument("--bugs", default="")
    ap.add_argument("--token-ttl-s", type=float)
    ap.add_argument("--appium", action="store_true")
    ap.add_argument("--confdir", type=Path)
    ap.add_argument("--listen-host", default="127.0.0.1")
    args = ap.parse_args(argv)
    signals.install()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    pid = os.getpid()
    base = {"supervisor_pid": pid, "run_dir": str(args.run_dir)}
    write_state(args.state, {**base, "status": "starting"})
    try:
        from harness.app.profile import load_app_profile
        from harness.cli.options import DEFAULT_APP

        cfg = LabConfig(run_dir=args.run_dir, app=load_app_profile(args.app or DEFAULT_APP), backend=args.backend,
                        bugs=tuple(b for b in args.bugs.split(",") if b), token_ttl_s=args.token_ttl_s,
                        appium=args.appium, mitm_confdir=args.confdir,
                        listen_host=args.listen_host)
        with Lab(cfg) as lab:
            write_state(args.state, {**base, "status": "up", "endpoints": lab.endpoints.to_json(),
                                     "started": time.time()})
            while True:
                time.sleep(3600)
    except HarnessError as e:
        write_state(args.state, {**base, "status": "failed", "error": str(e)})
        return 2
    except (KeyboardInterrupt, SystemExit):
        clear_state(args.state, pid=pid)
        return 0
    finally:
        st = args.state
        if st.exists():
            from harness.lab.state import read_state

            s = read_state(st)
            if s is not None and s.status != "failed":
                clear_state(st, pid=pid)


if __name__ == "__main__":
    sys.exit(main())
