"""Whole-timeline judgement: every screen read against the network state at that moment (gating, items, reads)."""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import run_checks

from .factory import M1, M2, TL, crm_context, crm_run


def moments_of(verdicts: list[Any], check: str) -> list[Any]:
    return [v for v in verdicts if v.check == check and "moments" in v.measured]


def only(verdicts: list[Any], check: str, req: str) -> Any:
    found = [v for v in moments_of(verdicts, check) if req in v.requirement_ids]
    assert len(found) == 1, verdicts
    return found[0]


PAY = {"control": "payment_submit", "feature": "pay", "requirement": "R13"}


def pay_form_drop(tl: TL, *, enabled: bool) -> None:
    """The payment form open and filled, the link drops at 10, the app shows offline at 11."""
    tl.watch(9, offline=False, app="online", gated=[{**PAY, "enabled": True}], hash="#/payments/3")
    tl.drop(10)
    tl.watch(10.1, offline=True, app="online", gated=[{**PAY, "enabled": True}])  # not noticed yet
    tl.watch(11, offline=True, app="offline", gated=[{**PAY, "enabled": enabled}])  # just noticed: redrawing
    for t in (12.5, 13.5):
        tl.watch(t, offline=True, app="offline", gated=[{**PAY, "enabled": enabled}])
    tl.restore(14)


def test_a_feature_form_left_enabled_after_the_app_showed_offline_breaks_its_requirement(tl: TL) -> None:
    pay_form_drop(tl, enabled=True)
    v = only(crm_run(tl.events, names=["gating"]), "gating", "R13")
    assert not v.passed and v.measured["moments"] == 2  # 12.5 and 13.5: past the redraw grace
    assert "payment_submit ENABLED" in v.evidence[0].summary and "offline window from #" in v.evidence[0].summary
    assert not only(crm_run(tl.events, names=["gating"]), "gating", "R26").passed


def test_a_feature_form_disabled_once_the_app_knows_it_is_offline_passes(tl: TL) -> None:
    pay_form_drop(tl, enabled=False)
    v = only(crm_run(tl.events, names=["gating"]), "gating", "R13")
    assert v.passed and v.measured["moments"] == 2


def test_a_control_is_not_judged_before_the_app_has_shown_offline_for_the_redraw_grace(tl: TL) -> None:
    tl.drop(10)
    tl.watch(10.5, offline=True, app="online", gated=[{**PAY, "enabled": True}])
    tl.watch(11, offline=True, app="offline", gated=[{**PAY, "enabled": True}])
    tl.watch(11.4, offline=True, app="offline", gated=[{**PAY, "enabled": True}])
    assert moments_of(crm_run(tl.events, names=["gating"]), "gating") == []


def test_messages_are_judged_as_gated_only_when_the_scenario_does_not_queue_them(tl: TL) -> None:
    sms = {"control": "sms_send", "feature": "send_sms", "requirement": "R10", "enabled": True}
    tl.drop(10)
    tl.watch(10.5, offline=True, app="offline", gated=[sms])
    tl.watch(12, offline=True, app="offline", gated=[sms])
    assert moments_of(crm_run(tl.events, names=["gating"]), "gating") == []  # queued: sending offline is fine
    gated = crm_context(gated_features=crm_context().gated_features | {"send_sms"})
    assert not only(crm_run(tl.events, names=["gating"], context=gated), "gating", "R10").passed


def test_an_error_page_read_offline_breaks_r26(tl: TL) -> None:
    tl.drop(10)
    tl.watch(10.5, offline=True, app="offline")
    tl.watch(12, offline=True, app="offline", error_page=True)
    v = only(crm_run(tl.events, names=["gating"]), "gating", "R26")
    assert not v.passed and "error page" in v.evidence[0].summary


# -- items: between send and acknowledgement ----------------------------------------------------------------------

def held_note(tl: TL, *, state_while_held: str) -> None:
    """A note added online while writes are held at the proxy (10 .. release at 14)."""
    tl.add("condition", "hold", 9, layer="http", action="apply", params={"header": "Idempotency-Key"}, handle="h1")
    tl.action("add_note", 10, M1, offline=False, outcome="queued", contact_id="3")
    tl.add("request", "POST /api/contacts/3/notes", 10.05, layer="http", method="POST", path="/api/contacts/3/notes",
           status=None, fault="hold", markers=[M1], t_start=10.05, t_end=12.6)  # the app gave up on it
    tl.watch(10.2, offline=False, items=[{"source": "notes", "text": f"Note {M1}", "state": state_while_held}])
    tl.watch(11.2, offline=False, items=[{"source": "notes", "text": f"Note {M1}", "state": state_while_held}])
    tl.add("request", "POST /api/contacts/3/notes", 12.7, layer="http", method="POST", path="/api/contacts/3/notes",
           status=201, fault="hold", markers=[M1], t_start=12.7, t_end=14.1)
    tl.add("condition", "release", 14, layer="http", action="release")
    tl.watch(14.5, offline=False, items=[{"source": "notes", "text": f"Note {M1}", "state": "synced"}])


def test_an_item_shown_synced_while_its_write_is_held_breaks_r9(tl: TL) -> None:
    held_note(tl, state_while_held="synced")
    v = only(crm_run(tl.events, names=["indicators"]), "indicators", "R9")
    assert not v.passed and v.measured["moments"] == 3
    assert "held at the proxy" in v.evidence[0].summary or "in flight" in v.evidence[0].summary


def test_an_item_pending_while_held_and_synced_after_the_answer_passes(tl: TL) -> None:
    held_note(tl, state_while_held="pending")
    v = only(crm_run(tl.events, names=["indicators"]), "indicators", "R9")
    assert v.passed and v.measured["moments"] == 3


def test_the_answer_on_a_slow_link_reaches_the_app_only_after_the_links_latency(tl: TL) -> None:
    tl.add("condition", "latency", 9, layer="link", action="apply", params={"latency_ms": 1500, "jitter_ms": 0,
                                                                           "stream": "downstream"}, handle="h2")
    tl.action("add_item", 10, M2, offline=False, outcome="queued", requirement="R9")
    tl.add("request", "POST /db/todos/_bulk_docs", 10.01, layer="http", method="POST", path="/db/todos/_bulk_docs",
           status=201, fault=None, markers=[M2], t_start=10.01, t_end=10.03)
    tl.watch(10.5, offline=False, items=[{"source": "todos", "text": f"Item {M2}", "state": "synced"}])
    v = only(run_checks(tl.events, names=["indicators"]), "indicators", "R9")
    assert not v.passed and "had not reached the app" in v.evidence[0].summary
    tl.watch(12, offline=False, items=[{"source": "todos", "text": f"Item {M2}", "state": "synced"}])
    assert not only(run_checks(tl.events, names=["indicators"]), "indicators", "R9").passed  # the first still


def test_an_item_still_pending_long_after_the_answer_reached_the_app_breaks_r9(tl: TL) -> None:
    tl.action("add_item", 10, M2, offline=False, outcome="queued", requirement="R9")
    tl.request(10.1, [M2], path="/db/todos/_bulk_docs")
    tl.watch(11, offline=False, items=[{"source": "todos", "text": f"Item {M2}", "state": "pending"}])
    assert only(run_checks(tl.events, names=["indicators"]), "indicators", "R9").passed
    tl.watch(45, offline=False, items=[{"source": "todos", "text": f"Item {M2}", "state": "pending"}])
    v = only(run_checks(tl.events, names=["indicators"]), "indicators", "R9")
    assert not v.passed and "after the answer" in v.evidence[0].summary


def _push_cut_then_revs_diff(tl: TL, *, edited: bool) -> None:
    """todo-pouch seed 4: the push of M2 reached the server, the link broke before its answer (forwarded, no
    status); the next replication's ``_revs_diff`` learned the server had it, so the app showed it synced."""
    tl.action("add_item", 10, M2, offline=False, outcome="queued", requirement="R9")
    tl.add("request", "POST /db/todos/_bulk_docs", 10.1, layer="http", method="POST", path="/db/todos/_bulk_docs",
           status=None, fault="upstream_error", forwarded=True, markers=[M2], t_start=10.1, t_end=10.11)
    tl.add("request", "POST /db/todos/_revs_diff", 11, layer="http", method="POST", path="/db/todos/_revs_diff",
           status=200, fault=None, markers=[], t_start=11, t_end=11.01)
    tl.watch(11.5, offline=False, items=[{"source": "todos", "text": f"Item {M2}", "state": "synced"}])
    if edited:  # the item edited later: the read-back holds the record's new text only
        tl.action("edit_item", 12, M1, offline=False, outcome="queued", requirement="R9", previous=M2)
        tl.request(12.1, [M1], path="/db/todos/_bulk_docs")


@pytest.mark.parametrize("edited", [False, True])
def test_a_write_whose_answer_was_lost_counts_as_stored_when_the_backend_holds_its_record(tl: TL,
                                                                                          edited: bool) -> None:
    _push_cut_then_revs_diff(tl, edited=edited)
    unproven = only(run_checks(tl.events, names=["indicators"]), "indicators", "R9")
    assert not unproven.passed and "was ever accepted" in unproven.evidence[0].summary  # no read-back: no proof
    tl.snapshot("backend", 20, {"todos": [{"_id": "t1", "title": f"Item {M1 if edited else M2}"}]})
    assert only(run_checks(tl.events, names=["indicators"]), "indicators", "R9").passed


def test_a_write_whose_answer_was_lost_and_the_backend_lacks_stays_unaccepted(tl: TL) -> None:
    _push_cut_then_revs_diff(tl, edited=False)
    tl.snapshot("backend", 20, {"todos": [{"_id": "t9", "title": "Item somebody else's"}]})
    v = only(run_checks(tl.events, names=["indicators"]), "indicators", "R9")
    assert not v.passed and "was ever accepted" in v.evidence[0].summary


def test_an_item_of_no_queued_action_is_not_judged(tl: TL) -> None:
    tl.watch(11, offline=False, items=[{"source": "todos", "text": f"Server item {M1}", "state": "synced"}])
    assert moments_of(run_checks(tl.events, names=["indicators"]), "indicators") == []


# -- reads: the screen open as the link drops ------------------------------------------------------------------

def contact_screen(activity: list[str], **more: Any) -> dict[str, Any]:
    return {"contact_view": {"subject": "3", "ready": True, "unavailable": False, "requirement": "R6",
                             "activity": activity, **more}}


def test_a_screen_that_loses_what_it_showed_when_the_link_drops_breaks_r3_and_its_requirement(tl: TL) -> None:
    tl.watch(9, offline=False, app="online", screens=contact_screen(["a1", "a2"]))
    tl.drop(10)
    tl.watch(11, offline=True, app="offline", screens=contact_screen([]))
    out = crm_run(tl.events, names=["cache_reads"])
    v6, v3 = only(out, "cache_reads", "R6"), only(out, "cache_reads", "R3")
    assert not v6.passed and not v3.passed and "lacks 2 elements" in v6.evidence[0].summary


def test_a_screen_that_keeps_what_it_showed_passes_and_a_loading_screen_is_not_judged(tl: TL) -> None:
    tl.watch(9, offline=False, app="online", screens=contact_screen(["a1"]))
    tl.drop(10)
    tl.watch(10.5, offline=True, app="offline", screens={"contact_view": {"subject": "3", "ready": False,
                                                                        "unavailable": False}})
    tl.watch(11, offline=True, app="offline", screens=contact_screen(["a1", "a9"]))
    v = only(crm_run(tl.events, names=["cache_reads"]), "cache_reads", "R6")
    assert v.passed and v.measured["moments"] == 1


def test_a_loaded_screen_that_says_it_needs_a_connection_offline_breaks_r3(tl: TL) -> None:
    tl.watch(9, offline=False, screens=contact_screen(["a1"]))
    tl.drop(10)
    tl.watch(11, offline=True, screens={"contact_view": {"subject": "3", "ready": False, "unavailable": True,
                                                         "requirement": "R6"}})
    assert not only(crm_run(tl.events, names=["cache_reads"]), "cache_reads", "R6").passed


def test_items_the_user_edited_or_deleted_are_not_expected_back(tl: TL) -> None:
    lst = {"collection": "todos", "parent": None}
    tl.watch(9, offline=False, lists=[{**lst, "items": [f"Item {M1}", f"Item {M2}"]}])
    tl.drop(10)
    tl.action("delete_item", 10.5, M1, outcome="queued")
    tl.watch(11, offline=True, lists=[{**lst, "items": [f"Item {M2}"]}])
    assert only(run_checks(tl.events, names=["cache_reads"]), "cache_reads", "R3").passed
    tl.watch(12, offline=True, lists=[{**lst, "items": []}])
    assert not only(run_checks(tl.events, names=["cache_reads"]), "cache_reads", "R3").passed


def test_a_reinstall_forgets_what_was_shown_and_server_changes_leave_only_unavailability(tl: TL) -> None:
    tl.watch(9, offline=False, screens=contact_screen(["a1"]))
    tl.add("device", "reinstall", 9.5, layer="device")
    tl.drop(10)
    tl.watch(11, offline=True, screens=contact_screen([]))
    assert moments_of(crm_run(tl.events, names=["cache_reads"]), "cache_reads") == []
    other = TL()
    other.watch(9, offline=False, screens=contact_screen(["a1"]))
    other.drop(10)
    other.add("server", "activity", 10.2, layer="backend", kind="appointment_change", created=[])
    other.watch(11, offline=True, screens=contact_screen([]))
    assert moments_of(crm_run(other.events, names=["cache_reads"]), "cache_reads") == []


def test_a_slow_link_taken_away_lets_the_answer_through_at_once(tl: TL) -> None:
    # the latency toxic is removed while the answer is on its way: the app may show synced from then on
    tl.add("condition", "latency", 9, layer="link", action="apply", params={"latency_ms": 1500, "jitter_ms": 0,
                                                                           "stream": "downstream"}, handle="h2")
    tl.action("add_item", 10, M2, offline=False, outcome="queued", requirement="R9")
    tl.add("request", "POST /db/todos/_bulk_docs", 10.01, layer="http", method="POST", path="/db/todos/_bulk_docs",
           status=201, fault=None, markers=[M2], t_start=10.01, t_end=10.03)
    tl.add("condition", "reset", 10.5, layer="harness", action="clear", params={"scope": "all"})
    tl.watch(10.6, offline=False, items=[{"source": "todos", "text": f"Item {M2}", "state": "synced"}])
    assert only(run_checks(tl.events, names=["indicators"]), "indicators", "R9").passed
