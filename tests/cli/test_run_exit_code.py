"""`harness run`'s exit code keeps harness errors apart from verdicts on the app."""

from __future__ import annotations

import pytest
from rich.console import Console

from harness.cli.run_cmd import exit_code


def _code(pytest_code: int, **counts: int) -> int:
    full = {"passed": 0, "failed": 0, "error": 0, "skipped": 0, **counts}
    return exit_code(pytest_code, full, Console(file=open("/dev/null", "w")))


def test_a_failed_requirement_is_1_whatever_else_happened() -> None:
    assert _code(pytest.ExitCode.TESTS_FAILED, failed=1, error=3) == 1


def test_harness_errors_alone_are_2_not_1() -> None:
    """pytest sees a failed test; the harness knows no requirement was judged."""
    assert _code(pytest.ExitCode.TESTS_FAILED, passed=4, error=1) == 2


def test_all_passed_is_0_and_an_empty_selection_is_2() -> None:
    assert _code(pytest.ExitCode.OK, passed=3, skipped=1) == 0
    assert _code(pytest.ExitCode.NO_TESTS_COLLECTED) == 2
