"""Fixtures for device tests: a private Appium server and a small static site.

The static site (tests/device/site) records lifecycle events the OS fires
and counts requests that reach ``/api/``, so tests can tell whether the
device's controls really changed what the page sees.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.lab.appium import start_appium

SITE = Path(__file__).parent / "site"


@pytest.fixture(scope="session")
def appium_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_appium(tmp_path_factory.mktemp("appium"))
    yield url
    proc.stop()


@dataclass
class Site:
    url: str
    api_hits: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    hits: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):  # type: ignore[no-untyped-def]
            super().__init__(*a, directory=str(SITE), **kw)

        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/api/"):
                hits.append(self.path)
                body = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, *a: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield Site(f"http://127.0.0.1:{srv.server_address[1]}/index.html", hits)
    srv.shutdown()
