"""Selenium Grid 4 for real: hub + relay node + Appium 3, and a Chromium session opened through the hub.

Needs the Grid jars (scripts/setup-grid), java, Appium with the chromium
driver and Debian's chromium; skipped with the reason when one is missing.
"""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from harness import paths
from harness.device.chromium import appium_driver
from harness.device.profiles import find_profile
from harness.farm.grid import Grid, grid_installed, relay_toml
from harness.lab.ports import LOOPBACK, can_connect

pytestmark = [pytest.mark.processes, pytest.mark.browser]


def test_relay_toml_offers_the_reference_device() -> None:
    toml = relay_toml("http://127.0.0.1:4723", [{"browserName": "chrome", "platformName": "linux"}], max_sessions=3)
    assert 'url = "http://127.0.0.1:4723"' in toml and "detect-drivers = false" in toml
    assert 'configs = ["3", "{\\"browserName\\": \\"chrome\\", \\"platformName\\": \\"linux\\"}"]' in toml


@pytest.fixture
def page_server() -> Iterator[str]:
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>farm grid page</title><p id=m>hello through the grid</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer((LOOPBACK, 0), Page)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://{LOOPBACK}:{srv.server_address[1]}/"
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_chromium_session_through_hub_relay_and_appium(tmp_path: Path, page_server: str) -> None:
    ok, why = grid_installed()
    if not ok or not (paths.appium() and paths.chromium() and paths.chromedriver()):
        pytest.skip(why if not ok else "appium/chromium/chromedriver missing: run scripts/setup")
    t0 = time.monotonic()
    grid = Grid.start(tmp_path, max_sessions=2, timeout_s=60)
    try:
        nodes = grid.nodes()
        assert len(nodes) == 1 and nodes[0].get("availability") == "UP"
        slots = nodes[0].get("slots") or []
        assert slots and slots[0]["stereotype"]["appium:automationName"] == "Chromium"
        caps = dict(find_profile("reference-unrestricted").capabilities)
        caps.update({
            "appium:executable": paths.chromedriver(), "appium:autodownloadEnabled": False,
            "goog:chromeOptions": {"binary": paths.chromium(), "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                f"--user-data-dir={tmp_path / 'profile'}"]},
        })
        driver = appium_driver(grid.url, caps)  # the hub, not Appium
        try:
            driver.get(page_server)
            assert driver.title == "farm grid page"
            assert driver.find_element("css selector", "#m").text == "hello through the grid"
            # the relay really went through Appium: its log has the session
            assert driver.session_id in (tmp_path / "appium.log").read_text()
            assert "Session created" in (tmp_path / "grid-hub.log").read_text()
        finally:
            driver.quit()
    finally:
        procs = list(grid.procs)
        grid.stop()
    assert all(not p.running() for p in procs) and len(procs) == 3
    for url in (grid.url, grid.appium_url):
        host, port = url.rsplit(":", 1)
        assert not can_connect(LOOPBACK, int(port))
    assert time.monotonic() - t0 < 90
