"""Chrome DevTools Protocol through an Appium session (the reference device's OS controls).

Appium's chromium driver proxies ``POST /session/{id}/goog/cdp/execute``
to chromedriver, which sends one CDP command to the current page. That is
how the reference device switches the network off (``Network.
emulateNetworkConditions``: ``navigator.onLine`` false, requests fail), goes
to the background (``Browser.setWindowBounds`` minimized: the page becomes
``hidden``) and is frozen (``Page.setWebLifecycleState``).

A page's network emulation does not cover its service worker: requests a
worker forwards with ``fetch()`` still reach the network (verified against
Chromium 156 here). :meth:`Cdp.emulate_workers` therefore attaches to every
service-worker target (``Target.attachToTarget`` with ``flatten: false``)
and sends the same emulation with ``Target.sendMessageToTarget``.

>>> # cdp = Cdp(driver); cdp.execute("Network.enable")
"""

from __future__ import annotations

import json
import threading
from typing import Any

_CDP = "harnessCdpExecute"
_LOG = "harnessGetLog"


def register_commands(driver: Any) -> None:
    """Teach the Python client the two chromedriver routes we need."""
    ex = driver.command_executor
    ex.add_command(_CDP, "POST", "/session/$sessionId/goog/cdp/execute")
    ex.add_command(_LOG, "POST", "/session/$sessionId/se/log")


def send(driver: Any, cmd: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """One CDP command on ``driver``'s page (the routes taught to its client once)."""
    ex = driver.command_executor
    if not getattr(ex, "_harness_cdp_routes", False):
        register_commands(driver)
        ex._harness_cdp_routes = True
    res = driver.execute(_CDP, {"cmd": cmd, "params": params or {}})
    value = res.get("value") if isinstance(res, dict) else None
    return value if isinstance(value, dict) else {}


class Cdp:
    """CDP commands for one WebDriver session."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        register_commands(driver)
        self._lock = threading.Lock()
        self._worker_sessions: dict[str, str] = {}  # targetId -> CDP session id
        self._msg_id = 1000

    def execute(self, cmd: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one CDP command on the page and return its result."""
        with self._lock:
            return send(self.driver, cmd, params)

    def browser_log(self) -> list[dict[str, Any]]:
        """Console entries since the last call (needs goog:loggingPrefs browser=ALL)."""
        res = self.driver.execute(_LOG, {"type": "browser"})
        value = res.get("value") if isinstance(res, dict) else None
        return list(value or [])

    def emulate_workers(self, conditions: dict[str, Any]) -> int:
        """Send network emulation to every service worker; returns how many got it."""
        targets = self.execute("Target.getTargets").get("targetInfos", [])
        n = 0
        for t in targets:
            if t.get("type") != "service_worker":
                continue
            tid = str(t["targetId"])
            sid = self._worker_sessions.get(tid)
            if sid is None:
                try:
                    sid = str(self.execute("Target.attachToTarget", {"targetId": tid, "flatten": False})["sessionId"])
                except Exception:  # the worker may have stopped meanwhile
                    continue
                self._worker_sessions[tid] = sid
                self._send(sid, "Network.enable", {})
            self._send(sid, "Network.emulateNetworkConditions", conditions)
            n += 1
        live = {str(t["targetId"]) for t in targets}
        for tid in list(self._worker_sessions):
            if tid not in live:
                del self._worker_sessions[tid]
        return n

    def _send(self, session_id: str, method: str, params: dict[str, Any]) -> None:
        self._msg_id += 1
        msg = json.dumps({"id": self._msg_id, "method": method, "params": params})
        self.execute("Target.sendMessageToTarget", {"sessionId": session_id, "message": msg})

    def window_id(self) -> int:
        return int(self.execute("Browser.getWindowForTarget")["windowId"])


def network_conditions(*, offline: bool, connection_type: str = "wifi") -> dict[str, Any]:
    """The params of Network.emulateNetworkConditions for an on/off radio of a given type."""
    return {
        "offline": offline,
        "latency": 0,
        "downloadThroughput": -1,
        "uploadThroughput": -1,
        "connectionType": "none" if offline else connection_type,
    }


__all__ = ["Cdp", "network_conditions", "register_commands", "send"]
