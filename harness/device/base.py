"""The device protocol: what only the device can do to the app under test.

The network layers (Toxiproxy, mitmproxy) break the path to the backend;
the device layer does what only a phone's OS does: switch airplane mode or
the network type, send the app to the background, freeze (suspend) it, kill
it, relaunch it (cold start, storage kept), reinstall it (storage gone).
Every backend (the Chromium reference device, Android, iOS, a remote
Appium) implements :class:`Device`, records each step on the timeline as a
``device`` event (names from docs/architecture.md) and says which controls
it really has through :attr:`Device.supports`.

Usage::

    dev = ChromiumDevice(profile, endpoints=..., run_dir=..., timeline=tl)
    dev.launch(app_url)
    dev.set_airplane(True)
    dev.background(); dev.foreground()
    dev.kill(); dev.relaunch()
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from harness.errors import LabError


class AppState(str, enum.Enum):
    """Where the app is in its lifecycle, as the harness drove it."""

    NOT_RUNNING = "not_running"
    FOREGROUND = "foreground"
    BACKGROUND = "background"
    FROZEN = "frozen"


class Control(str, enum.Enum):
    """One device control; a backend lists the ones it can really perform."""

    AIRPLANE = "airplane"
    NETWORK_TYPE = "network_type"
    NETWORK_SPEED = "network_speed"
    BACKGROUND = "background"
    FREEZE = "freeze"
    KILL = "kill"
    RELAUNCH = "relaunch"
    REINSTALL = "reinstall"
    SCREENSHOT = "screenshot"
    CONSOLE_LOG = "console_log"
    BATTERY_POLICY = "battery_policy"


#: The network types a device can be switched to (``none`` = no network).
NETWORK_TYPES: tuple[str, ...] = ("wifi", "cellular", "none")


class Unsupported(LabError):
    """The device cannot perform this control; the message says what to use instead."""

    def __init__(self, device: str, control: str, why: str) -> None:
        self.device = device
        self.control = control
        super().__init__(f"{device}: {control} is not supported: {why}")


@dataclass(frozen=True)
class Endpoints:
    """Where the lab is: what a device needs to reach the app's backend.

    ``proxy`` is the HTTP proxy the device uses (the Toxiproxy link's listen
    address, ``host:port``); ``app_url`` is the URL the app opens.
    """

    app_url: str
    proxy: str | None = None
    appium_url: str | None = None
    ca_cert: Path | None = None


@runtime_checkable
class Device(Protocol):
    """What every device backend offers. Each call appends a ``device`` event.

    >>> isinstance(object(), Device)
    False
    """

    name: str
    supports: frozenset[Control]

    @property
    def state(self) -> AppState: ...

    @property
    def driver(self) -> Any:
        """The live WebDriver (selenium/Appium) for page objects; raises if not running."""
        ...

    def launch(self) -> None:
        """Start the app (a new session) and bring it to the foreground."""
        ...

    def set_airplane(self, on: bool) -> None:
        """Airplane mode on (no network at all, the OS says offline) or off."""
        ...

    def set_network(self, kind: str) -> None:
        """Switch the network type: ``wifi``, ``cellular`` or ``none``."""
        ...

    def background(self) -> None:
        """Send the app to the background (hidden, still running)."""
        ...

    def foreground(self) -> None:
        """Bring the app back to the foreground (visible, running)."""
        ...

    def freeze(self) -> None:
        """Suspend the app: no timers, no network, until unfrozen."""
        ...

    def unfreeze(self) -> None:
        """Resume a frozen app (it stays in the background)."""
        ...

    def kill(self) -> None:
        """End the app's process as the OS would (no chance to clean up)."""
        ...

    def relaunch(self) -> None:
        """Cold start after a kill: a new process, storage kept."""
        ...

    def reinstall(self) -> None:
        """Remove the app and its storage, install again, launch."""
        ...

    def screenshot(self, label: str) -> Path:
        """Save a PNG in the run folder and return its path."""
        ...

    def console_logs(self) -> list[dict[str, Any]]:
        """The app's log lines since the last call (browser console, logcat, syslog)."""
        ...

    def quit(self) -> None:
        """End everything this device started; safe to call twice."""
        ...


def ms_since(t0: float) -> float:
    """Milliseconds from ``t0`` (a ``time.monotonic()`` reading) to now, to 0.1 ms: a cold start's length."""
    return round((time.monotonic() - t0) * 1000, 1)


__all__ = ["AppState", "Control", "Device", "Endpoints", "NETWORK_TYPES", "Unsupported", "ms_since"]
