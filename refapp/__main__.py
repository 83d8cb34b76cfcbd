"""`python -m refapp`: start the reference backend on a port.

Why a hand-bound socket: `--port 0` must report the port the OS picked, and
the lab waits for the line `refapp listening on http://HOST:PORT/` on stdout,
which is printed (flushed) only after uvicorn has started serving on it.
Bad options exit with status 2 and say what is allowed; a port that cannot
be bound exits with status 1 and says why.

    python -m refapp --port 0 --db /tmp/crm.db --admin --bugs changes-feed-skips
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from refapp.bugs import format_list, parse_bug_names


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number; use 0..65535 (0 picks a free port)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is out of range; use 0..65535 (0 picks a free port)")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.1 <= value <= 1e7:
        raise argparse.ArgumentTypeError(f"{value:g} is out of range; use 0.1 .. 10000000 seconds")
    return value


def _bugs(text: str) -> frozenset[str]:
    try:
        return parse_bug_names(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m refapp", description="Reference CRM backend for offline-harness.")
    parser.add_argument("--port", type=_port, help="TCP port (0: pick a free one)")
    parser.add_argument("--db", help="SQLite database file (created if missing)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind [127.0.0.1]")
    parser.add_argument("--bugs", type=_bugs, default=frozenset(), help="comma-separated bug names (see --list-bugs)")
    parser.add_argument("--admin", action="store_true", help="enable the /_admin API (loopback clients only)")
    parser.add_argument("--token-ttl-s", type=_seconds, default=900.0, help="access token lifetime [900]")
    parser.add_argument("--seed", type=int, default=1, help="seed used to fill an empty database [1]")
    parser.add_argument("--no-seed", action="store_true", help="leave an empty database empty")
    parser.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"),
                        help="uvicorn log level [warning]")
    parser.add_argument("--list-bugs", action="store_true", help="print the bug catalogue and exit")
    return parser


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0: asyncio turns Nagle's algorithm off only on sockets whose proto says TCP, and
    # with it on every response after the first on a kept-alive connection waited 40 ms for the client's
    # delayed ACK (headers and body are two writes)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_bugs:
        print(format_list())
        return 0
    if args.port is None or not args.db:
        parser.error("--port and --db are required (e.g. --port 0 --db /tmp/crm.db)")
    db_parent = Path(args.db).expanduser().resolve().parent
    if args.db != ":memory:" and not db_parent.is_dir():
        parser.error(f"--db {args.db}: folder {db_parent} does not exist")

    import uvicorn

    from refapp.server import ServerConfig, create_app

    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"refapp: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown_host}:{port}/"

    config = ServerConfig(db_path=args.db, admin=args.admin, bugs=args.bugs, token_ttl_s=args.token_ttl_s,
                          seed_on_empty=None if args.no_seed else args.seed)
    app = create_app(config)

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(f"refapp listening on {url}", flush=True)

    server = Server(uvicorn.Config(app, log_level=args.log_level, access_log=args.log_level in ("info", "debug"),
                                   lifespan="on", timeout_graceful_shutdown=2))
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
