"""App profiles: the refapp profile and the template load; bad profiles name file, line, field."""

from __future__ import annotations

import pytest

from harness.app.profile import PROFILES_DIR, REQUIRED_LOCATORS, load_app_profile, parse_app_profile
from harness.errors import SpecError

REFAPP = (PROFILES_DIR / "refapp.yaml").read_text()


def test_refapp_profile() -> None:
    p = load_app_profile("refapp")
    assert p.parameters.cached_days == 4 and p.parameters.cached_list_size == 50 and p.parameters.queue_messages
    for name in REQUIRED_LOCATORS:
        loc = p.locator(name)
        assert loc.by == "css selector"
    assert p.locator("note_item").value == "[data-testid=note-item]"
    assert p.locator("note_item").css_with("data-key", "k1").value == '[data-testid=note-item][data-key="k1"]'
    assert p.route("contact", id=7) == "#/contacts/7"


def test_template_is_complete_and_valid() -> None:
    p = load_app_profile(PROFILES_DIR / "template.yaml")
    assert p.platform == "android"
    assert p.locator("note_add").by == "xpath"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda s: s.replace("  note_add: {css", "  note_ad: {css"), "locators.note_add"),
        (lambda s: s.replace("cached_days: 4", "cached_days: 0"), "parameters.cached_days"),
        (lambda s: s.replace("platform: web", "platform: symbian"), "platform"),
        (lambda s: s.replace("  note_add: {css: ", "  note_add: {xpath: '//b', css: "), "locators.note_add"),
        (lambda s: s + "colour: red\n", "colour"),
        (lambda s: s.replace("  pending: data-pending", ""), "attributes.pending"),
    ],
)
def test_bad_app_profiles(mutate: object, field: str) -> None:
    text = mutate(REFAPP)  # type: ignore[operator]
    with pytest.raises(SpecError) as ei:
        parse_app_profile(text, file="apps/x.yaml")
    assert ei.value.field.startswith(field), str(ei.value)
    assert ei.value.file == "apps/x.yaml" and ei.value.line and ei.value.line > 1


def test_unknown_app_name() -> None:
    with pytest.raises(SpecError, match="refapp"):
        load_app_profile("nope")
