"""A local Selenium Grid 4 (hub + one Appium relay node) for the farm, as real Java processes.

The Grid is the scale-out engine: a device profile whose ``appium_url`` is a
Grid hub gets its session routed by capabilities to a relay node, which
forwards every WebDriver command to an Appium server. Locally the farm
starts all three parts (Appium 3 with the chromium driver, the hub, a node
relaying to that Appium) on free loopback ports, each a
:class:`~harness.lab.process.ManagedProcess` with a log file and a health
check, and stops them in reverse order. The jars come from
``scripts/setup-grid`` (``.tools/grid/lib``).

Usage::

    with Grid.start(run_dir) as grid:
        print(grid.url)      # http://127.0.0.1:P: the hub, for a profile's appium_url
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Mapping

import httpx

from harness import paths
from harness.errors import PartFailed
from harness.lab.appium import start_appium
from harness.lab.ports import LOOPBACK, free_port
from harness.lab.process import ManagedProcess

#: The installed Grid's classpath folder (scripts/setup-grid).
GRID_LIB = Path(os.environ.get("HARNESS_GRID_LIB", paths.TOOLS / "grid" / "lib"))
MAIN_CLASS = "org.openqa.selenium.grid.Main"
#: What the relay node offers: the reference device's capabilities.
CHROMIUM_STEREOTYPE: dict[str, str] = {
    "browserName": "chrome", "platformName": "linux", "appium:automationName": "Chromium",
}


def java() -> str | None:
    """JAVA (an executable), then JAVA_HOME/bin/java, then PATH."""
    for c in (os.environ.get("JAVA"), os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "java")):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return shutil.which("java")


def grid_installed() -> tuple[bool, str]:
    """Whether the Grid can start here, and if not, the fix."""
    if java() is None:
        return False, "no java on PATH: install a JDK 17+"
    if not any(GRID_LIB.glob("selenium-grid-*.jar")):
        return False, f"no Selenium Grid jars in {GRID_LIB}: run scripts/setup-grid"
    return True, f"java + {GRID_LIB}"


def relay_toml(appium_url: str, stereotypes: list[Mapping[str, Any]], *, max_sessions: int) -> str:
    """The node's TOML: no local drivers, every slot relayed to ``appium_url``.

    >>> 'detect-drivers = false' in relay_toml("http://127.0.0.1:1", [CHROMIUM_STEREOTYPE], max_sessions=2)
    True
    """
    configs: list[str] = []
    for st in stereotypes:
        configs += [str(max_sessions), json.dumps(dict(st))]
    quoted = ", ".join(json.dumps(c) for c in configs)
    return (
        "[node]\n"
        "detect-drivers = false\n"
        f"max-sessions = {max_sessions * max(1, len(stereotypes))}\n"
        "override-max-sessions = true\n"
        "[relay]\n"
        f'url = "{appium_url}"\n'
        'status-endpoint = "/status"\n'
        f"configs = [{quoted}]\n"
    )


def _status(url: str) -> dict[str, Any]:
    r = httpx.get(url.rstrip("/") + "/status", timeout=3.0, trust_env=False)
    r.raise_for_status()
    value = r.json().get("value", {})
    return value if isinstance(value, dict) else {}


def hub_ready(url: str) -> bool:
    """The hub answers /status with ready: true (at least one node with a free slot registered)."""
    return bool(_status(url).get("ready"))


@dataclass
class Grid:
    """A running hub + relay node + Appium; :meth:`stop` stops them in reverse order."""

    url: str
    appium_url: str
    run_dir: Path
    procs: list[ManagedProcess] = field(default_factory=list)

    @classmethod
    def start(cls, run_dir: Path, *, max_sessions: int = 3, timeout_s: float = 90.0,
              stereotypes: list[Mapping[str, Any]] | None = None, appium_url: str | None = None) -> "Grid":
        """Start Appium (unless ``appium_url`` is given), the hub and the relay node; healthy or PartFailed."""
        ok, why = grid_installed()
        if not ok:
            raise PartFailed("selenium-grid", why, fix="run scripts/setup-grid")
        run_dir.mkdir(parents=True, exist_ok=True)
        grid = cls(url="", appium_url=appium_url or "", run_dir=run_dir)
        try:
            if not appium_url:
                proc, grid.appium_url = start_appium(run_dir, timeout_s=timeout_s)
                grid.procs.append(proc)
            grid._start_hub(timeout_s)
            grid._start_node(stereotypes or [CHROMIUM_STEREOTYPE], max_sessions, timeout_s)
        except BaseException:
            grid.stop()
            raise
        return grid

    def _java(self, name: str, args: list[str]) -> ManagedProcess:
        exe = java()
        assert exe is not None
        proc = ManagedProcess(name, [exe, "-Xmx256m", "-cp", f"{GRID_LIB}/*", MAIN_CLASS, *args],
                              log_path=self.run_dir / f"{name}.log", stop_timeout_s=10.0)
        self.procs.append(proc)
        return proc.start()

    def _start_hub(self, timeout_s: float) -> None:
        port, pub, sub = free_port(), free_port(), free_port()
        self.bus = (f"tcp://{LOOPBACK}:{pub}", f"tcp://{LOOPBACK}:{sub}")
        self.url = f"http://{LOOPBACK}:{port}"
        hub = self._java("grid-hub", [
            "hub", "--host", LOOPBACK, "--port", str(port),
            "--publish-events", self.bus[0], "--subscribe-events", self.bus[1],
            "--session-request-timeout", "120", "--log-level", "INFO",
        ])
        hub.wait_ready(lambda: "ready" in _status(self.url), timeout_s=timeout_s, interval_s=0.25)

    def _start_node(self, stereotypes: list[Mapping[str, Any]], max_sessions: int, timeout_s: float) -> None:
        config = self.run_dir / "grid-node.toml"
        config.write_text(relay_toml(self.appium_url, stereotypes, max_sessions=max_sessions), encoding="utf-8")
        port = free_port()
        node = self._java("grid-node", [
            "node", "--host", LOOPBACK, "--port", str(port), "--config", str(config),
            "--publish-events", self.bus[0], "--subscribe-events", self.bus[1], "--grid-url", self.url,
            "--register-cycle", "1", "--heartbeat-period", "5", "--log-level", "INFO",
        ])
        node.wait_ready(lambda: hub_ready(self.url), timeout_s=timeout_s, interval_s=0.25)

    def nodes(self) -> list[dict[str, Any]]:
        """The hub's view of its nodes (``/status`` value.nodes)."""
        nodes = _status(self.url).get("nodes") or []
        return [n for n in nodes if isinstance(n, dict)]

    def stop(self) -> None:
        """Stop node, hub and Appium (reverse start order); idempotent."""
        procs, self.procs = self.procs, []
        for proc in reversed(procs):
            try:
                proc.stop()
            except Exception:
                pass

    def __enter__(self) -> "Grid":
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


__all__ = ["CHROMIUM_STEREOTYPE", "GRID_LIB", "Grid", "grid_installed", "hub_ready", "java", "relay_toml"]
