"""Longest tests first: with ``pytest -n 2`` (scripts/test) each xdist worker takes the next test as it frees up,
so starting the multi-minute end-to-end runs first keeps one worker from running them alone at the end."""

from __future__ import annotations

import pytest

#: node id prefixes, longest-running first (each a whole `harness run` or fuzz run through the real lab)
FIRST = ("tests/e2e/test_default_suite.py", "tests/stateful/test_fuzz_e2e.py", "tests/e2e/test_second_app.py",
         "tests/e2e/test_bug_catalogue.py", "tests/e2e/", "tests/stateful/test_fuzz_signals.py")


def _rank(item: pytest.Item) -> int:
    return next((i for i, prefix in enumerate(FIRST) if item.nodeid.startswith(prefix)), len(FIRST))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the order within each group is kept
