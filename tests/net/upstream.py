"""A tiny HTTP/1.1 upstream for the chain tests and the benchmark (run as a script).

Until the reference app exists, and for tests that must not depend on it,
this stands in for the backend: ``python tests/net/upstream.py --commits
FILE`` prints ``upstream listening on http://127.0.0.1:P/`` and serves:

* ``GET /health`` -> ``{"ok": true}``
* ``GET|POST /echo`` -> ``{"ok": true, "size": <request body bytes>}``
* ``POST /commit`` -> 201 after appending ``{"key", "sha256", "t"}`` to the
  commits file (what "the backend applied it" means in the tests)
* ``GET /big?n=BYTES`` -> that many bytes (bandwidth tests)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    commits: Path | None = None
    wbufsize = 65536  # headers and body leave in one write (flushed per response), no Nagle/delayed-ACK stall

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self) -> None:
        u = urlsplit(self.path)
        if u.path == "/big":
            n = int(parse_qs(u.query).get("n", ["1000"])[0])
            self._send(200, b"x" * n, "application/octet-stream")
        elif u.path in ("/health", "/echo"):
            self._send(200, json.dumps({"ok": True, "size": 0}).encode())
        else:
            self._send(404, b'{"error": "not_found"}')

    def do_POST(self) -> None:
        body = self._body()
        u = urlsplit(self.path)
        if u.path == "/commit" and self.commits is not None:
            rec = {"key": self.headers.get("Idempotency-Key"), "sha256": hashlib.sha256(body).hexdigest(),
                   "t": time.monotonic()}
            with self.commits.open("a") as fh:
                fh.write(json.dumps(rec) + "\n")
            time.sleep(int(parse_qs(u.query).get("delay_ms", ["0"])[0]) / 1000)  # applied, answered late
            self._send(201, json.dumps({"ok": True, "committed": rec["key"]}).encode())
        else:
            self._send(200, json.dumps({"ok": True, "size": len(body)}).encode())

    do_PUT = do_POST
    do_PATCH = do_POST


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--commits", type=Path)
    args = ap.parse_args()
    Handler.commits = args.commits
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"upstream listening on http://127.0.0.1:{srv.server_address[1]}/", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
