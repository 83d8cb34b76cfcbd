"""Input files are read safely: too large, binary or not UTF-8 is a SpecError naming the file and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import SpecError
from harness.inputs import read_text


def test_text_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: x\n", encoding="utf-8")
    assert read_text(tmp_path / "a.yaml", what="scenario") == "id: x\n"


@pytest.mark.parametrize(("data", "expected"), [
    (b"id: x\n\x00\x01", "binary"),
    (b"id: caf\xe9\n", "UTF-8"),
    (b"x" * 2_000_001, "at most"),
])
def test_bad_files_are_rejected_with_the_reason(tmp_path: Path, data: bytes, expected: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_bytes(data)
    with pytest.raises(SpecError, match=expected) as ei:
        read_text(p, what="scenario")
    assert ei.value.file == str(p) and ei.value.fix


def test_a_missing_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read"):
        read_text(tmp_path / "none.yaml", what="app profile")
