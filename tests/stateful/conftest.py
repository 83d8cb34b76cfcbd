"""A lab and reference device shared by the real-process fuzz tests (started once, stopped at the end)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest


@pytest.fixture(scope="module")
def fuzz_runner(start_refapp_runner: Any) -> Iterator[Any]:
    with start_refapp_runner("fuzz-run") as runner:
        yield runner


@pytest.fixture
def fresh_fuzz_runner(start_refapp_runner: Any) -> Iterator[Any]:
    """A lab and browser of its own: a seed's examples then run exactly as in a fresh ``harness fuzz``
    (after earlier fuzz runs in the same browser, a lost-response example once did not fail as it does
    in a fresh one)."""
    with start_refapp_runner("fuzz-run") as runner:
        yield runner
