"""The requirement table mirrors shared/spec/REQUIREMENTS.md and rejects unknown ids."""

from __future__ import annotations

import pytest

from harness.errors import SpecError
from harness.spec import FAMILIES, REQUIREMENTS, by_family, requirement, requirement_ids, validate_ids


def test_ids_are_r1_to_r27_in_order() -> None:
    assert requirement_ids() == tuple(f"R{i}" for i in range(1, 28))
    assert [r.number for r in REQUIREMENTS] == list(range(1, 28))


@pytest.mark.parametrize(("given", "expected"), [("R5", "R5"), ("r22", "R22"), (" R9 ", "R9")])
def test_lookup_normalises(given: str, expected: str) -> None:
    assert requirement(given).id == expected


@pytest.mark.parametrize("bad", ["R0", "R28", "X1", "", "5"])
def test_unknown_id_lists_valid_ids(bad: str) -> None:
    with pytest.raises(SpecError) as err:
        requirement(bad)
    msg = str(err.value)
    assert repr(bad) in msg and "R1, R2" in msg and "R27" in msg


def test_validate_ids() -> None:
    assert validate_ids(["r5", "R22"]) == ("R5", "R22")
    with pytest.raises(SpecError):
        validate_ids("R5")
    with pytest.raises(SpecError, match="R99"):
        validate_ids(["R5", "R99"])


def test_families_cover_everything() -> None:
    groups = by_family()
    assert tuple(groups) == FAMILIES
    assert sum(len(v) for v in groups.values()) == 27
    assert requirement("R10").offline == "unavailable or queued"
