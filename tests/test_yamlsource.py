"""User-written YAML read with line numbers: every field of the tree has a line, however it got there."""

from __future__ import annotations

import pytest

from harness.app.profile import parse_app_profile
from harness.errors import SpecError
from harness.yamlsource import line_of, load_mapping


def test_a_key_brought_in_by_a_merge_key_has_the_line_where_it_is_written() -> None:
    tree = load_mapping("base: &b\n  x: 1\n  y: 2\nm:\n  <<: *b\n  z: 3\n", file="f.yaml", expected="a mapping")
    assert line_of(tree, ["m", "x"]) == 2
    assert line_of(tree, ["m", "y"]) == 3
    assert line_of(tree, ["m", "z"]) == 6


def test_an_unknown_field_merged_into_a_profile_is_a_spec_error_at_its_line() -> None:
    # was a KeyError from ruamel's line table: the merged key has no position in the mapping that holds it
    with pytest.raises(SpecError) as ei:
        parse_app_profile("name: x\n<<: {steps: [offline]}\n", file="apps/x.yaml")
    assert ei.value.field == "steps" and ei.value.line == 2, str(ei.value)
