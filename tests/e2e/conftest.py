"""End-to-end tests: `harness run` as a user runs it, on the reference device, through the whole lab."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness import paths


@dataclass
class RunOutput:
    code: int
    output: str
    folder: Path

    def results(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted(self.folder.glob("scenarios/*/result.json"))]


def _harness_run(folder: Path, *args: str, timeout_s: float = 1800) -> RunOutput:
    """Run ``harness run ARGS --report-dir FOLDER`` in a child process, as a user would."""
    proc = subprocess.run([sys.executable, "-m", "harness", "run", *args, "--report-dir", str(folder)],
                          cwd=paths.ROOT, capture_output=True, text=True, timeout=timeout_s)
    return RunOutput(proc.returncode, proc.stdout + proc.stderr, folder)


@pytest.fixture
def harness_run() -> Any:
    """``harness_run(folder, *args)``: `harness run` in a child process; returns code, output, results."""
    return _harness_run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.path):
            item.add_marker(pytest.mark.processes)
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.e2e)
            # a whole `harness run` per test: the default suite takes minutes, not the unit default of 300 s
            item.add_marker(pytest.mark.timeout(2400))
