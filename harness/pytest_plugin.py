"""pytest plugin: scenario files collected as pytest items, and the lab fixtures.

Registered through the ``pytest11`` entry point, so ``pytest scenarios/``
works in any checkout with the project installed. Options live in the
``harness`` group with a ``--harness-`` prefix.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "offline-harness")
    group.addoption("--harness-device", default=None, help="device profile name or path (default: reference)")
    group.addoption("--harness-bugs", default="", help="refapp bugs to switch on, comma-separated")
    group.addoption("--harness-report-dir", default=None, help="run folder for reports (default: reports/<run-id>)")
    group.addoption("--harness-seed", default=None, type=int, help="seed for markers and generated choices")
