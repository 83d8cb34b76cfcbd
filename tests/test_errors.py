"""Error messages stay readable whatever the bad value is."""

from __future__ import annotations

from harness.errors import SpecError


def test_a_long_value_is_cut_in_the_message_and_kept_whole_on_the_error() -> None:
    err = SpecError("tags", "x" * 100_000, "a list of tags", file="s.yaml", line=3, fix="shorten it")
    msg = str(err)
    assert msg.startswith("s.yaml:3: tags: 'xxx") and "(100002 characters)" in msg and msg.endswith("Fix: shorten it")
    assert len(msg) < 500
    assert err.value == "x" * 100_000


def test_an_integer_too_long_to_print_does_not_break_the_message() -> None:
    # repr() of an int of more than 4300 digits raises ValueError: the message itself used to fail
    msg = str(SpecError("seed", [1, 10**5000], "an integer", file="s.yaml", line=2))
    assert msg.startswith("s.yaml:2: seed: <a value holding an integer too long to print> is not allowed")


def test_short_values_are_shown_as_before() -> None:
    assert str(SpecError("id", "Has Spaces", "an id", file="s.yaml", line=1)) == \
        "s.yaml:1: id: 'Has Spaces' is not allowed; expected an id"
