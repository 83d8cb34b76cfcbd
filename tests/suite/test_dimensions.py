"""The dimensions as data: the core file, an app's own part, what an app cannot run, and input errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.app.profile import load_app_profile, parse_app_profile
from harness.device.policies import POLICIES
from harness.errors import SpecError
from harness.suite.dimensions import for_app, load_dimensions

TINY = """\
name: tiny
capabilities: [item_sync_state]
locators:
  app_root: {css: body}
attributes: {sync_state: data-state}
collections:
  items:
    list: {css: "#list"}
    item: {css: "#list li"}
    input: {css: "#new"}
    submit: {css: "#add"}
"""


def tiny(tmp_path: Path, dims: str | None = None) -> object:
    if dims is not None:
        (tmp_path / "dimensions.yaml").write_text(dims)
    return parse_app_profile(TINY, file=tmp_path / "app.yaml")


def test_the_issue_dimensions_and_their_values() -> None:
    d = load_dimensions().dimensions
    assert list(d) == ["action", "network", "lifecycle", "activity", "duration", "server"]
    assert set(d["network"].values) == {"os_offline", "link_down", "half_open", "flapping", "lost_response",
                                        "captive_portal", "slow_link", "backend_errors", "network_switch"}
    assert {"none", "kill_relaunch", "reinstall", "freeze"} <= set(d["lifecycle"].values)
    assert set(d["activity"].values) == {"idle", "mid_write", "reading"}
    assert set(d["action"].values) == {"add_item", "edit_item", "delete_item"}


def test_every_background_policy_is_a_variant_of_a_lifecycle_value() -> None:
    lifecycle = load_dimensions().dimensions["lifecycle"].values.values()
    policies = {var.vars["policy"] for v in lifecycle for var in v.variants}
    assert policies == set(POLICIES)


def test_the_reference_app_adds_its_actions_and_cannot_edit_or_delete_notes() -> None:
    ad = for_app(load_app_profile("refapp"))
    assert [v.key for v in ad.values["action"]] == ["add_item", "opportunity", "upload", "message", "call",
                                                    "payment", "workflow", "search"]
    out = {(e.dimension, e.value): e.reason for e in ad.excluded}
    assert "records.edit" in out[("action", "edit_item")] and "app refapp" in out[("action", "edit_item")]
    assert "records.delete" in out[("action", "delete_item")]
    assert ("reads", "list") in out  # turned off by its dimensions.yaml, and said so
    assert [r.key for r in ad.reads] == ["contact", "thread", "calendar", "never_loaded"]
    # its own realisation of "changes on the server" (admin API), not the core's server_change hook
    assert ad.value("server", "changes").slots["meanwhile"][0] == {
        "server_activity": {"kind": "message", "count": 2, "conversation": 1}}


def test_the_sample_todo_app_gets_add_edit_delete() -> None:
    ad = for_app(load_app_profile("examples/apps/todo-pouch"))
    assert [v.key for v in ad.values["action"]] == ["add_item", "edit_item", "delete_item"]
    assert [r.key for r in ad.reads] == ["list"]
    assert not ad.excluded


def test_an_app_without_a_lifecycle_or_a_banner_is_constrained_not_dropped(tmp_path: Path) -> None:
    ad = for_app(tiny(tmp_path))
    reasons = {(e.dimension, e.value): e.reason for e in ad.excluded}
    # every value whose steps need the device to drive the app's life cycle is listed, with the reason
    assert {v for d, v in reasons if d == "lifecycle"} == {
        "background_runs", "background_windows", "background_until_foreground", "background_until_relaunch",
        "kill_relaunch", "freeze", "reinstall"}
    assert all("lifecycle" in r for (d, _), r in reasons.items() if d == "lifecycle")
    assert ("server", "changes") in reasons and "server_changes" in reasons[("server", "changes")]
    assert [v.key for v in ad.values["lifecycle"]] == ["none"]
    # no offline banner: the idle user's detection falls back to a wait (one_of), the value stays
    assert "idle" in [v.key for v in ad.values["activity"]]


def test_an_app_file_adds_values_and_re_realises_core_ones(tmp_path: Path) -> None:
    ad = for_app(tiny(tmp_path, """
dimensions:
  network:
    values:
      os_offline: {slots: {loss: [{offline: airplane}], restore: [online]}}
      backend_down:
        title: the backend refuses
        detect: [{wait: 2}]
        slots: {loss: [{offline: backend}], restore: [online]}
"""))
    net = {v.key: v for v in ad.values["network"]}
    assert net["os_offline"].slots["loss"] == ({"offline": "airplane"},)
    assert net["os_offline"].title == "OS offline (airplane mode)"  # fields not given stay the core's
    assert "backend_down" in net


@pytest.mark.parametrize("text, field, fix", [
    ("dimensions:\n  network:\n    values:\n      x:\n        title: t\n        detect: [{wait: 1}]\n"
     "        slots: {loss: [ofline]}\n", "dimensions.network.values.x.slots.loss[0]", "did you mean 'offline'"),
    ("dimensions:\n  network:\n    values:\n      x:\n        titel: t\n", "dimensions.network.values.x.titel",
     "did you mean 'title'"),
    ("dimensions:\n  network:\n    values:\n      x:\n        title: t\n        detect: [{wait: 1}]\n"
     "        slots: {los: [offline]}\n", "dimensions.network.values.x.slots", "did you mean 'loss'"),
    ("dimensions:\n  action:\n    values:\n      x:\n        title: t\n        requirements: [R99]\n",
     "dimensions.action.values.x.requirements.0", "REQUIREMENTS.md"),
    ("reads:\n  nothing: null\n", "reads.nothing", None),
    ("dimensions:\n  network:\n    values:\n      x:\n        title: t\n        slots: {loss: [offline]}\n",
     "dimensions.network.values.x", "add detect"),
])
def test_a_mistake_names_the_file_line_field_and_fix(tmp_path: Path, text: str, field: str, fix: str | None) -> None:
    with pytest.raises(SpecError) as e:
        for_app(tiny(tmp_path, text))
    assert e.value.field == field
    assert e.value.file and e.value.file.endswith("dimensions.yaml")
    assert e.value.line is not None
    if fix:
        assert fix in str(e.value)
