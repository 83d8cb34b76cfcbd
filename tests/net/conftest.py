"""Fixtures for the chain tests: a small upstream and one lab per module (real processes)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from harness.lab import Lab, LabConfig
from harness.lab.process import ManagedProcess

UPSTREAM = Path(__file__).resolve().parent / "upstream.py"


def start_upstream(run_dir: Path) -> tuple[ManagedProcess, str]:
    """Start tests/net/upstream.py; returns the process and its base URL."""
    p = ManagedProcess("upstream", [sys.executable, str(UPSTREAM), "--commits", str(run_dir / "commits.jsonl")],
                       log_path=run_dir / "upstream.log").start()

    def ready() -> str | None:
        m = re.search(r"listening on (http://\S+?)/", p.log_text())
        return m.group(1) if m else None

    return p, p.wait_ready(ready, timeout_s=15)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lab")


@pytest.fixture(scope="module")
def upstream(run_dir: Path) -> Iterator[str]:
    p, url = start_upstream(run_dir)
    yield url
    p.stop()


@pytest.fixture(scope="module")
def lab(run_dir: Path, upstream: str) -> Iterator[Lab]:
    with Lab(LabConfig(run_dir=run_dir, backend=upstream)) as lab:
        yield lab


@pytest.fixture
def net(lab: Lab) -> Iterator[Lab]:
    """The module's lab, reset to a clean path before and after each test."""
    lab.net.reset()
    yield lab
    lab.net.reset()


@pytest.fixture
def commits(run_dir: Path) -> Callable[[], list[str]]:
    """Call it for the idempotency keys the upstream committed so far."""

    def read() -> list[str]:
        f = run_dir / "commits.jsonl"
        return [json.loads(line)["key"] for line in f.read_text().splitlines()] if f.exists() else []

    return read
