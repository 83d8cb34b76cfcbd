"""Where the project's external parts live, and how to find them.

Setup installs everything project-local (``.venv``, ``.tools/bin`` for the
Go-built toxiproxy-server, ``.tools/appium`` for Appium 3 and its
APPIUM_HOME); environment variables override each location so a machine
with its own installs can use them. One module, so that setup, ``harness
doctor`` and the lab agree on every path.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

#: The repository root (the folder holding pyproject.toml).
ROOT = Path(__file__).resolve().parent.parent

TOOLS = Path(os.environ.get("HARNESS_TOOLS", ROOT / ".tools"))
TOOLS_BIN = TOOLS / "bin"
APPIUM_DIR = Path(os.environ.get("HARNESS_APPIUM_DIR", ROOT / "tools" / "appium"))
APPIUM_HOME = Path(os.environ.get("APPIUM_HOME", APPIUM_DIR))
REPORTS = Path(os.environ.get("HARNESS_REPORTS", ROOT / "reports"))
SCENARIOS = ROOT / "scenarios"
DEVICES = ROOT / "devices"


def _first(*candidates: str | Path | None) -> str | None:
    for c in candidates:
        if not c:
            continue
        p = Path(c)
        if p.is_file() and os.access(p, os.X_OK):
            return str(p)
        found = shutil.which(str(c)) if os.sep not in str(c) else None
        if found:
            return found
    return None


def toxiproxy_server() -> str | None:
    """TOXIPROXY_SERVER, then the project's .tools/bin, then PATH."""
    return _first(
        os.environ.get("TOXIPROXY_SERVER"),
        TOOLS_BIN / "toxiproxy-server",
        "toxiproxy-server",
    )


def mitmdump() -> str | None:
    """mitmdump from this interpreter's environment, then PATH."""
    return _first(Path(sys.executable).parent / "mitmdump", "mitmdump")


def appium() -> str | None:
    """APPIUM_BIN, then the project-local npm install, then PATH."""
    return _first(
        os.environ.get("APPIUM_BIN"),
        APPIUM_DIR / "node_modules" / ".bin" / "appium",
        "appium",
    )


def chromium() -> str | None:
    return _first(os.environ.get("CHROMIUM_BIN"), "chromium", "chromium-browser", "google-chrome")


def chromedriver() -> str | None:
    return _first(os.environ.get("CHROMEDRIVER_BIN"), "chromedriver")


__all__ = [
    "APPIUM_DIR", "APPIUM_HOME", "DEVICES", "REPORTS", "ROOT", "SCENARIOS", "TOOLS", "TOOLS_BIN",
    "appium", "chromedriver", "chromium", "mitmdump", "toxiproxy_server",
]
