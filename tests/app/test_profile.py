"""App profiles: capabilities with their locators, collections, identity, hooks; bad profiles name file, line,
field and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.app.profile import BUNDLED_APPS_DIR, css_problem, load_app_profile, parse_app_profile, profile_path
from harness.errors import SpecError

REFAPP = (BUNDLED_APPS_DIR / "refapp" / "app.yaml").read_text()
TEMPLATE = Path(__file__).resolve().parents[2] / "harness" / "app" / "template.yaml"

TINY = """\
name: tiny
capabilities: [offline_indicator, item_sync_state]
locators:
  app_root: {css: body}
  offline_banner: {css: "#banner"}
attributes: {sync_state: data-state}
collections:
  items:
    list: {css: "#list"}
    item: {css: "#list li"}
    input: {css: "#new"}
    submit: {css: "#add"}
identity: {json_path: "docs[]._id", revision_path: "docs[]._rev"}
"""


def test_reference_app_profile_declares_its_crm_capabilities() -> None:
    p = load_app_profile("refapp")
    assert {"notes", "contacts", "offline_indicator", "records", "backend_read"} <= p.capability_set
    assert p.locator("note_item").value == "[data-testid=note-item]"
    assert p.locator("note_item").css_with("data-key", "k1").value == '[data-testid=note-item][data-key="k1"]'
    assert p.route("contact", id=7) == "#/contacts/7"
    assert p.identity.kind == "header"
    assert p.collection(None)[0] == "notes"


def test_a_small_profile_needs_only_what_it_declares() -> None:
    p = parse_app_profile(TINY, file="apps/tiny.yaml")
    assert p.capability_set == {"offline_indicator", "item_sync_state", "records"}
    assert p.identity.kind == "json_path"
    assert p.default_collection() == "items"


def test_template_is_valid_and_one_page() -> None:
    text = TEMPLATE.read_text()
    assert len(text.splitlines()) <= 60
    p = parse_app_profile(text, file=TEMPLATE)
    assert {"records", "records.delete", "backend_reset", "backend_read", "server_changes"} <= p.capability_set


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda s: s.replace("  offline_banner: {css", "  offline_banr: {css"), "locators.offline_banner"),
        (lambda s: s.replace("[offline_indicator,", "[offline_indicatr,"), "capabilities.0"),
        (lambda s: s.replace("name: tiny", "name: tiny\nplatform: symbian"), "platform"),
        (lambda s: s.replace('{css: "#banner"}', "{xpath: '//b', css: '#b'}"), "locators.offline_banner"),
        (lambda s: s.replace('{css: "#banner"}', '{css: "div[data-x=1"}'), "locators.offline_banner"),
        (lambda s: s + "colour: red\n", "colour"),
        (lambda s: s.replace("attributes: {sync_state: data-state}", "attributes: {}"), "attributes.sync_state"),
        (lambda s: s.replace('json_path: "docs[]._id", ', ""), "identity"),
        (lambda s: s.replace('    item: {css: "#list li"}\n', ""), "collections.items.item"),
        # a hook is a union (list, HTTP call, shell, python): the error is the call's own field, not the
        # first branch's 'hooks.reset.list[HttpCall]: a valid list'
        (lambda s: s + "hooks:\n  reset: {method: POST, path: /reset, body: {n: 1, m: x}, ok: [two]}\n",
         "hooks.reset.ok"),
        # a route is filled in with str.format when its screen is opened: a collection's gets only {in}; these
        # loaded, then failed in the middle of a run (IndexError, KeyError, ValueError)
        (lambda s: s.replace('    submit: {css: "#add"}\n', '    submit: {css: "#add"}\n    route: "#/l/{0}"\n'),
         "collections.items.route"),
        (lambda s: s.replace('    submit: {css: "#add"}\n', '    submit: {css: "#add"}\n    route: "#/l/{id}"\n'),
         "collections.items.route"),
        (lambda s: s + "routes: {contact: '#/contacts/{'}\n", "routes.contact"),
        # JSON cannot carry nan or an infinity (Python would send NaN): rejected before anything starts
        (lambda s: s + "hooks:\n  reset: {method: POST, path: /reset, body: {n: [1, .inf]}}\n", "hooks.reset.body"),
        # a resume timer is one of the app's timers that a scenario can set (the fuzzer holds it in setup.app)
        (lambda s: s + "parameters: {time_parameters: [probe_ms], resume_timers: [heartbeat_ms]}\n", "parameters"),
        (lambda s: s + "parameters: {time_parameters: [poll_ms], resume_timers: [poll_ms]}\n", "parameters"),
    ],
)
def test_bad_app_profiles(mutate: object, field: str) -> None:
    text = mutate(TINY)  # type: ignore[operator]
    with pytest.raises(SpecError) as ei:
        parse_app_profile(text, file="apps/x.yaml")
    assert ei.value.field.startswith(field), str(ei.value)
    assert ei.value.file == "apps/x.yaml" and ei.value.line and ei.value.line >= 1


@pytest.mark.parametrize(("sel", "bad"), [("a[b=c]", False), ("div > p:not(.x)", False), ("a[b='[x]']", False),
                                          ("a[b=c", True), ("a)", True), ("a,", True), ("a[b='c]", True)])
def test_css_syntax_is_checked_before_anything_runs(sel: str, bad: bool) -> None:
    assert (css_problem(sel) is not None) is bad


def test_unknown_app_name_lists_the_known_ones() -> None:
    with pytest.raises(SpecError, match="refapp"):
        load_app_profile("nope")


def test_an_app_is_found_by_folder_or_file(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(TINY)
    assert profile_path(tmp_path) == tmp_path / "app.yaml"
    assert load_app_profile(tmp_path / "app.yaml").name == "tiny"
    with pytest.raises(SpecError, match="does not exist"):
        profile_path(tmp_path / "other.yaml")


def test_a_plugin_that_does_not_import_is_a_profile_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as ei:
        parse_app_profile(TINY + "plugin: no_such_module_xyz\n", file="apps/x.yaml")
    assert ei.value.field == "plugin" and ei.value.line == len(TINY.splitlines()) + 1


def test_a_plugin_file_beside_the_profile_registers_capabilities(tmp_path: Path) -> None:
    (tmp_path / "plugin.py").write_text(
        "from harness.app.capabilities import register_capability\n"
        "register_capability('barcode_scan', 'a barcode scanner', locators=('scan_button',), plugin='tiny')\n")
    text = TINY.replace("[offline_indicator,", "[barcode_scan, offline_indicator,") + "plugin: plugin.py\n"
    (tmp_path / "app.yaml").write_text(text)
    with pytest.raises(SpecError, match="scan_button"):
        load_app_profile(tmp_path)
    (tmp_path / "app.yaml").write_text(text.replace("  app_root: {css: body}", "  app_root: {css: body}\n"
                                                                             "  scan_button: {css: '#scan'}"))
    assert "barcode_scan" in load_app_profile(tmp_path).capability_set
