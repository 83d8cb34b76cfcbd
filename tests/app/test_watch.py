"""The continuous screen read: what it reads comes from the app profile alone; one round trip per read."""

from __future__ import annotations

import re
from typing import Any

import pytest

from harness.app.profile import load_app_profile, parse_app_profile
from harness.app.watch import READ_SCRIPT, WATCH, Watcher, _route_regex, read_page_source, web_spec
from harness.errors import SpecError
from harness.timeline import Timeline


def test_the_web_read_asks_for_what_the_profile_declares_and_nothing_else() -> None:
    spec = web_spec(load_app_profile("examples/apps/todo-pouch"))
    assert spec["banner"] == "[data-testid=offline-banner]" and spec["attrs"]["connectivity"] == "data-connectivity"
    assert spec["items"] == [["todos", "[data-testid=todo-item]", "[data-testid=todo-text]", "data-sync-state"]]
    assert spec["gated"] == [] and spec["screens"] == [] and spec["unavailable"] is None
    ref = web_spec(load_app_profile("refapp"))
    assert ["payment_submit", "[data-testid=payment-submit]"] in ref["gated"]
    assert [s[0] for s in ref["screens"]] == ["contact_view", "thread_view", "calendar_view"]
    assert ref["screens"][0][4] == [["activity", "[data-testid=activity-item]", "data-activity-id"]]


def test_a_list_under_a_record_takes_its_parent_from_the_route() -> None:
    rx = _route_regex("#/contacts/{in}")
    assert rx is not None and re.match(rx, "#/contacts/12").group(1) == "12"  # type: ignore[union-attr]
    assert re.match(rx, "#/contacts/12?tab=notes") and not re.match(rx, "#/contacts/12/opportunities")
    assert _route_regex(None) is None and _route_regex("/native") is None
    assert "function" not in READ_SCRIPT and READ_SCRIPT.count("return out") == 1


def test_the_watch_section_names_only_locators_and_attributes_the_profile_has() -> None:
    base = ("name: t\ncapabilities: [item_sync_state]\nlocators: {pay: {css: '#p'}}\nattributes: {sync_state: s}\n"
            "collections:\n  c: {list: {css: l}, item: {css: i}}\n")
    assert parse_app_profile(base + "watch: {gated: {pay: {requirement: R13}}}\n").watch.gated["pay"].requirement == "R13"
    with pytest.raises(SpecError, match="watch.gated.payy"):
        parse_app_profile(base + "watch: {gated: {payy: {requirement: R13}}}\n")
    with pytest.raises(SpecError, match="watch.screens.s.subject"):
        parse_app_profile(base + "watch: {screens: {s: {root: pay, subject: nope, requirement: R6}}}\n")


ANDROID = """\
name: native
platform: android
capabilities: [offline_indicator, item_sync_state]
locators:
  app_root: {xpath: "//*[@resource-id='root']"}
  offline_banner: {accessibility_id: "Offline"}
  pay: {xpath: "//*[@resource-id='pay']"}
attributes: {connectivity: content-desc, sync_state: content-desc}
collections:
  notes: {list: {xpath: "//*[@resource-id='list']"}, item: {xpath: ".//*[@resource-id='row']"}}
watch:
  gated: {pay: {feature: pay, requirement: R13}}
"""

SOURCE = """<hierarchy>
  <node resource-id="root" content-desc="offline" displayed="true">
    <node content-desc="Offline" displayed="true"/>
    <node resource-id="pay" enabled="true" displayed="true"/>
    <node resource-id="list" displayed="true">
      <node resource-id="row" text="Note hx0000000001" content-desc="pending" displayed="true"/>
      <node resource-id="row" text="an old note" content-desc="synced" displayed="true"/>
    </node>
  </node>
</hierarchy>"""


def test_a_native_app_is_read_from_one_page_source() -> None:
    got = read_page_source(SOURCE, parse_app_profile(ANDROID))
    assert got["connectivity"] == "offline" and got["banner"] is True
    assert got["gated"] == [{"control": "pay", "enabled": True}]
    assert got["items"] == [{"source": "notes", "text": "Note hx0000000001", "state": "pending"}]
    assert got["lists"] == [{"collection": "notes", "parent": None, "items": ["Note hx0000000001", "an old note"]}]


EDITING = """\
name: t
platform: android
locators: {app_root: {xpath: "//*[@resource-id='root']"}}
collections:
  notes: {list: {xpath: "//*[@resource-id='list']"}, item: {xpath: ".//*[@resource-id='row']"},
          text: {xpath: ".//*[@resource-id='title']"}}
"""


def test_an_item_with_an_inline_editor_open_is_not_read_as_its_controls() -> None:
    # an open editor replaces the item's text with a field and a Save button: "Save" is no item of the list
    source = """<hierarchy><node resource-id="root" displayed="true"><node resource-id="list" displayed="true">
      <node resource-id="row" displayed="true"><node resource-id="title" text="an old note" displayed="true"/></node>
      <node resource-id="row" displayed="true"><node resource-id="field" text="" displayed="true"/>
        <node resource-id="save" text="Save" displayed="true"/></node>
    </node></node></hierarchy>"""
    got = read_page_source(source, parse_app_profile(EDITING))
    assert got["lists"] == [{"collection": "notes", "parent": None, "items": ["an old note"]}]


class Driver:
    def __init__(self, answer: Any) -> None:
        self.answer, self.calls = answer, 0

    def execute_script(self, script: str, spec: Any) -> Any:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return dict(self.answer)


def test_one_read_is_one_round_trip_recorded_with_its_moment() -> None:
    tl = Timeline()
    drv = Driver({"ready": True, "connectivity": "offline", "gated": [{"control": "payment_submit", "enabled": True}],
                  "screens": {"contact_view": {"subject": "3", "ready": True}}})
    w = Watcher(load_app_profile("refapp"), lambda: drv, tl, offline_belief=lambda: True)
    ev = w.observe("step", step="wait")
    assert ev is not None and ev.name == WATCH and drv.calls == 1 and w.reads == 1
    d = ev.data
    assert d["offline"] is True and d["trigger"] == "step" and d["step"] == "wait" and d["t0"] <= ev.t <= d["t1"]
    assert d["gated"][0]["requirement"] == "R13" and d["gated"][0]["feature"] == "pay"
    assert d["screens"]["contact_view"]["requirement"] == "R6" and d["read_ms"] >= 0


def test_an_app_in_the_background_is_not_read_and_a_failed_read_is_logged_not_raised() -> None:
    tl = Timeline()
    drv = Driver({"ready": True})
    w = Watcher(load_app_profile("refapp"), lambda: drv, tl, device_state=lambda: "frozen")
    assert w.observe("wait") is None and drv.calls == 0
    broken = Watcher(load_app_profile("refapp"), lambda: Driver(RuntimeError("page gone")), tl)
    assert broken.observe("wait") is None and broken.failures == 1
    assert tl.events[-1].name == "watch.failed" and "page gone" in tl.events[-1].data["error"]


def test_a_belief_that_changed_during_the_read_is_left_to_the_windows() -> None:
    beliefs = iter([False, True])
    w = Watcher(load_app_profile("refapp"), lambda: Driver({"ready": True}), Timeline(),
                offline_belief=lambda: next(beliefs))
    ev = w.observe("transition")
    assert ev is not None and "offline" not in ev.data
