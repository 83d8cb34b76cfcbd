"""A local Appium chromium session's commands sent straight to the chromedriver Appium started for it.

Why: Appium's chromium driver is a proxy. Every command of the session
goes harness -> Appium (node) -> chromedriver -> Chromium, and on two cores
the middle hop was 45% of a screen read (measured on the reference device:
the snapshot script 10.1 ms through Appium, 6.3 ms to chromedriver; a
trivial script 6.3 ms and 3.3 ms). A fuzzer makes thousands of them.

What changes: nothing the session does. The session is opened and ended
through Appium as before (Appium starts chromedriver and the browser, and
owns their end); the commands in between go to the same chromedriver
session Appium created, on the port the device gave it
(``appium:chromedriverPort``), with the same element ids. Commands Appium
answers itself rather than proxies (its ``/appium/`` routes, image
locators) still go to Appium, and one command a minute goes through Appium
too, so its ``newCommandTimeout`` still ends a session the harness
abandoned.

Only when it is certain to be the same session: Appium on this machine
(loopback URL), chromedriver answering on the port, exactly one session
there, and its browser on this device's ``--user-data-dir``; otherwise the
session stays on Appium. ``HARNESS_DIRECT_CHROMEDRIVER=0`` keeps every
command on Appium (benchmarks/fuzz_throughput.py measures the gain).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.device import devtools_route

#: at most this long between two commands through Appium (its idle timer is minutes)
KEEPALIVE_S = 60.0
#: commands Appium itself answers: the session's start and end
_APPIUM_COMMANDS = frozenset({"newSession", "quit"})
#: locator strategies chromedriver knows (anything else, an image, is Appium's)
_W3C_STRATEGIES = frozenset({"css selector", "xpath", "link text", "partial link text", "tag name"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def enabled() -> bool:
    return os.environ.get("HARNESS_DIRECT_CHROMEDRIVER", "1") != "0"


def chromedriver_session(port: int, user_data_dir: Path, timeout_s: float = 2.0) -> str | None:
    """The id of the one session chromedriver on ``port`` runs for a browser on ``user_data_dir``; None when
    there is not exactly one such session (or chromedriver does not say)."""
    return _session_id(_session_entry(port, user_data_dir, timeout_s))


def _session_id(entry: dict[str, Any] | None) -> str | None:
    return str((entry or {}).get("id") or "") or None


def _session_entry(port: int, user_data_dir: Path, timeout_s: float = 2.0) -> dict[str, Any] | None:
    """chromedriver's entry (id, capabilities) for the one session on ``port`` whose browser is on
    ``user_data_dir``; None when there is not exactly one such session."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sessions", timeout=timeout_s) as r:
            sessions = json.loads(r.read()).get("value") or []
    except Exception:
        return None
    if len(sessions) != 1:
        return None
    s = sessions[0]
    data_dir = ((s.get("capabilities") or {}).get("chrome") or {}).get("userDataDir")
    if not data_dir or Path(data_dir).resolve() != Path(user_data_dir).resolve():
        return None
    return dict(s)


class ChromedriverRoute:
    """A command executor for one session: chromedriver directly, Appium for what only Appium answers.

    Installed as the driver's ``command_executor``; every other attribute is the Appium executor's."""

    def __init__(self, appium: Any, port: int, session_id: str, devtools_address: str | None = None) -> None:
        from selenium.webdriver.remote.client_config import ClientConfig
        from selenium.webdriver.remote.remote_connection import RemoteConnection

        self.appium = appium
        self.session_id = session_id
        self.direct = RemoteConnection(client_config=ClientConfig(
            remote_server_addr=f"http://127.0.0.1:{port}", keep_alive=True,
            timeout=appium.client_config.timeout if hasattr(appium, "client_config") else 120))
        self._lock = threading.Lock()
        self._last_appium = time.monotonic()
        self._script_timeout_s = 30.0
        self.page = devtools_route.PageChannel(devtools_address, self._current_handle) \
            if devtools_address and devtools_route.enabled() else None

    def _current_handle(self) -> str:
        return str(self.direct.execute("w3cGetCurrentWindowHandle", {"sessionId": self.session_id})["value"])

    def _through_appium(self, command: str, params: Any) -> bool:
        if command in _APPIUM_COMMANDS:
            return True
        info = self.appium.get_command(command)
        if info is None or self.direct.get_command(command) is None:
            return True
        path = str(info[1])
        if "/appium/" in path or not path.startswith("/session/$sessionId"):
            return True
        if isinstance(params, dict) and "using" in params and params["using"] not in _W3C_STRATEGIES:
            return True
        with self._lock:  # Appium's idle timer: one command through it now and then
            return time.monotonic() - self._last_appium >= KEEPALIVE_S

    def execute(self, command: str, params: Any) -> Any:
        if command == "setTimeouts" and isinstance(params, dict) and params.get("script") is not None:
            self._script_timeout_s = float(params["script"]) / 1000  # wherever it goes: the session's own
        if self._through_appium(command, params):
            with self._lock:
                self._last_appium = time.monotonic()
            return self.appium.execute(command, params)
        if self.page is not None:
            if command in devtools_route.WINDOW_COMMANDS:
                self.page.forget()
            elif devtools_route.takes(command, params):
                try:
                    return devtools_route.execute(self.page, command, params, self._script_timeout_s)
                except devtools_route.NotHere:
                    pass  # chromedriver answers it: it waits for the new document, or reports the dialog
        mine = dict(params or {})  # the connection consumes the path's words
        mine["sessionId"] = self.session_id
        return self.direct.execute(command, mine)

    def add_command(self, name: str, method: str, url: str) -> None:
        self.appium.add_command(name, method, url)
        self.direct.add_command(name, method, url)

    def close(self) -> None:
        if self.page is not None:
            self.page.close()
        try:
            self.direct.close()
        finally:
            self.appium.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.appium, name)


def route(driver: Any, *, appium_url: str, port: int | None, user_data_dir: Path) -> str | None:
    """Send ``driver``'s commands to its chromedriver directly when that is certainly the same session (see
    the module docstring); returns chromedriver's session id, or None (the driver left on Appium)."""
    from selenium.webdriver.remote.webdriver import WebDriver

    if not enabled() or port is None or not isinstance(driver, WebDriver):
        return None
    if urlsplit(appium_url).hostname not in _LOOPBACK:
        return None
    entry = _session_entry(int(port), user_data_dir)
    sid = _session_id(entry)
    if sid is None:
        return None
    caps = (entry or {}).get("capabilities") or {}
    address = (caps.get("goog:chromeOptions") or {}).get("debuggerAddress")
    driver.command_executor = ChromedriverRoute(driver.command_executor, int(port), sid,
                                                devtools_address=str(address) if address else None)
    return sid


__all__ = ["ChromedriverRoute", "KEEPALIVE_S", "chromedriver_session", "enabled", "route"]
