"""snapshot.Probes: what the next look of a wait (or call of a page object's read) fetches."""

from __future__ import annotations

from types import SimpleNamespace

from harness.app import snapshot
from harness.app.snapshot import MAX_NARROW, Probes


def _read(*keys: tuple[str, str]) -> object:
    return SimpleNamespace(looked=dict.fromkeys(keys))


def test_every_locator_before_the_first_look_then_what_the_looks_asked_for() -> None:
    p = Probes()
    assert p.specs() is None
    p.keep(_read(("css selector", "a")))  # type: ignore[arg-type]
    assert p.specs() == (("css selector", "a"),)
    p.keep(_read(("css selector", "b"), ("css selector", "a")))  # type: ignore[arg-type]
    assert p.specs() == (("css selector", "a"), ("css selector", "b"))


def test_a_first_look_that_asked_for_nothing_still_fetches_everything_next() -> None:
    p = Probes()
    p.keep(_read())  # type: ignore[arg-type]
    assert not p.specs()  # empty: the scope fetches every locator


def test_past_the_cap_every_locator_again() -> None:
    p = Probes()
    p.keep(_read(*[("css selector", f"#k{i}") for i in range(MAX_NARROW)]))  # type: ignore[arg-type]
    assert p.specs() is not None and len(p.specs() or ()) == MAX_NARROW
    p.keep(_read(("css selector", "#one-more")))  # type: ignore[arg-type]
    assert p.specs() is None


def test_a_page_objects_read_keeps_one_record_per_profile_and_method() -> None:
    from harness.app.profile import load_app_profile

    prof = load_app_profile("refapp")
    assert snapshot.probes_for(prof, "X.read") is snapshot.probes_for(prof, "X.read")
    assert snapshot.probes_for(prof, "X.read") is not snapshot.probes_for(prof, "Y.read")
