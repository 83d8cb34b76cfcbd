"""Fixtures for check tests: a fresh timeline builder per test."""

from __future__ import annotations

import pytest

from .factory import TL


@pytest.fixture
def tl() -> TL:
    return TL()
