"""Longest tests first: with ``pytest -n 2`` (scripts/test) each xdist worker takes the next test as it frees up,
so starting the multi-minute end-to-end runs first keeps one worker from running them alone at the end. And one
way to start the reference app's lab and device in a test process (the fuzz tests, the bug catalogue)."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, ContextManager, Iterator

import pytest

DEVICE = "reference-unrestricted"

#: node id prefixes, longest-running first (each a whole `harness run` or fuzz run through the real lab)
FIRST = ("tests/e2e/test_default_suite.py", "tests/stateful/test_fuzz_e2e.py", "tests/e2e/test_second_app.py",
         "tests/e2e/test_bug_catalogue.py", "tests/e2e/", "tests/stateful/test_fuzz_signals.py")


def _rank(item: pytest.Item) -> int:
    return next((i for i, prefix in enumerate(FIRST) if item.nodeid.startswith(prefix)), len(FIRST))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the order within each group is kept


@pytest.fixture(scope="session")
def start_refapp_runner(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], ContextManager[Any]]:
    """``with start_refapp_runner(NAME) as runner``: the reference app's lab and reference device (bugs off), in a
    fresh folder named after NAME, stopped when the block ends; the test is skipped where the device cannot run."""

    @contextlib.contextmanager
    def start(name: str) -> Iterator[Any]:
        from harness.device.profiles import can_run_here, find_profile
        from harness.scenario.runner import ScenarioRunner

        ok, why = can_run_here(find_profile(DEVICE))
        if not ok:
            pytest.skip(f"{DEVICE} cannot run here: {why}")
        runner = ScenarioRunner.start(run_dir=tmp_path_factory.mktemp(name), device=DEVICE, app="refapp", bugs=(),
                                      seed=1)
        try:
            yield runner
        finally:
            runner.close()

    return start
