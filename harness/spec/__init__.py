"""The offline-mode requirements as data (R1-R27): ids, titles, families.

Scenarios, checks and reports refer to requirements by id; this package is
the one place that knows which ids exist.
"""

from harness.spec.requirements import (
    FAMILIES,
    REQUIREMENTS,
    Requirement,
    by_family,
    requirement,
    requirement_ids,
    validate_ids,
)

__all__ = ["FAMILIES", "REQUIREMENTS", "Requirement", "by_family", "requirement", "requirement_ids", "validate_ids"]
