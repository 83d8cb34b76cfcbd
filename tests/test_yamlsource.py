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


@pytest.mark.parametrize(("text", "line"), [
    ("a: 1\nb: !!bool x\n", 2),    # ruamel's bool constructor: KeyError
    ("a:\n  b: 0x_\n", 2),         # its int constructor on a bare prefix: IndexError
    ("a: 1\nb: !!float z\n", 2),   # ValueError
    ("a: 9999-99-99\n", 1),        # a date with month 99: ValueError
])
def test_a_value_ruamel_cannot_build_is_a_spec_error_at_its_line(text: str, line: int) -> None:
    with pytest.raises(SpecError) as ei:
        load_mapping(text, file="f.yaml", expected="a mapping")
    assert ei.value.field == "(yaml)" and ei.value.line == line and ei.value.fix, str(ei.value)


def test_a_file_of_too_many_values_is_rejected_before_it_is_all_parsed() -> None:
    # 20,000 short items took ruamel's round-trip parser seconds (about 0.1 ms each); the cap stops it early
    with pytest.raises(SpecError, match=r"more than \d+ values") as ei:
        load_mapping("a: 1\ns: [" + "x, " * 20_000 + "x]\n", file="f.yaml", expected="a mapping")
    assert ei.value.line == 2


@pytest.mark.parametrize("text", ["a: " + "[" * 3000 + "\n", "a: " + "{a: " * 3000 + "\n", "s:\n  " + "- " * 5000 + "x\n"])
def test_deep_nesting_is_rejected_at_its_depth_not_by_python_recursion(text: str) -> None:
    # 3000 open '[' took ruamel seconds to scan before the composer hit Python's recursion limit
    with pytest.raises(SpecError, match=r"nesting deeper than \d+") as ei:
        load_mapping(text, file="f.yaml", expected="a mapping")
    assert ei.value.line is not None


def test_an_integer_no_field_takes_is_rejected_at_its_line() -> None:
    # 0b with 20,000 digits builds an int of 20,000 bits that Python then refuses to print in the message
    with pytest.raises(SpecError, match="an integer of 20000 bits") as ei:
        load_mapping("a: 1\nb:\n  c: [1, !!int 0b" + "1" * 20_000 + "]\n", file="f.yaml", expected="a mapping")
    assert ei.value.line == 3
    assert load_mapping("a: 18446744073709551615\n", file="f.yaml", expected="a mapping")["a"] == 2**64 - 1


def test_a_mapping_made_only_of_a_merge_key_has_lines() -> None:
    # ruamel gives such a mapping no line table (lc.data is None): line_of raised TypeError
    tree = load_mapping("<<: {x: 1}\n", file="f.yaml", expected="a mapping")
    assert line_of(tree, ["x"]) == 1


@pytest.mark.parametrize(("text", "key", "line"), [
    ("a: 1\n? [a, b]\n: c\n", "('a', 'b')", 2),           # a complex key, made a string for validation
    ("a: 1\n!!python/object:os.system id: 3\n", "id", 2),  # a tagged key
    ("a: 1\n2: x\n", "2", 2),                              # a number as a key
])
def test_a_key_that_is_no_plain_string_is_found_by_the_name_validation_gives_it(text: str, key: str,
                                                                                line: int) -> None:
    assert line_of(load_mapping(text, file="f.yaml", expected="a mapping"), [key]) == line


def test_open_brackets_are_counted_as_they_are_scanned_not_after() -> None:
    # ruamel's scanner reads far ahead of its parser inside '[' (a simple key may follow), slower with each level:
    # a line of 100,000 '[' took a second or more. It stops at the depth limit now, before reaching the '@'
    # (which would otherwise be the error: the scanner got there first)
    with pytest.raises(SpecError, match=r"nesting deeper than \d+") as ei:
        load_mapping("steps: " + "[" * 100 + "@\n", file="f.yaml", expected="a mapping")
    assert ei.value.line == 1


@pytest.mark.parametrize("text", ["a: &x 1\nb: &x 2\nc: *x\n", "%YAML 1.1\n---\na: 1e3\n"])
def test_what_yaml_allows_loads_without_the_parser_printing_a_warning(text: str) -> None:
    # an anchor defined twice (the second wins) and a YAML 1.1 float without a dot made ruamel print a warning
    # as a line of its own source ('.../ruamel/yaml/composer.py:211: ReusedAnchorWarning') before the result
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tree = load_mapping(text, file="f.yaml", expected="a mapping")
    assert tree["a"] in (1, 1000.0)
