"""A lab and reference device shared by the real-process fuzz tests (started once, stopped at the end)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

DEVICE = "reference-unrestricted"


def _runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from harness.device.profiles import can_run_here, find_profile
    from harness.scenario.runner import ScenarioRunner

    ok, why = can_run_here(find_profile(DEVICE))
    if not ok:
        pytest.skip(f"{DEVICE} cannot run here: {why}")
    run_dir: Path = tmp_path_factory.mktemp("fuzz-run")
    runner = ScenarioRunner.start(run_dir=run_dir, device=DEVICE, app="refapp", bugs=(), seed=1)
    try:
        yield runner
    finally:
        runner.close()


@pytest.fixture(scope="module")
def fuzz_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from _runner(tmp_path_factory)


@pytest.fixture
def fresh_fuzz_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A lab and browser of its own: a seed's examples then run exactly as in a fresh ``harness fuzz``
    (after earlier fuzz runs in the same browser, a lost-response example once did not fail as it does
    in a fresh one)."""
    yield from _runner(tmp_path_factory)
