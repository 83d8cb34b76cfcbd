"""cache_reads (R3, R6-R8, R12): offline reads show what was loaded, and only that."""

from __future__ import annotations

import pytest

from .factory import crm_context, crm_run, TL


def _loaded_online(tl: TL) -> None:
    tl.obs("contact_view", 1, contact_id=4, offline=False, fields={"name": "Ada"}, activity=["a1", "a2"])   # 0
    tl.obs("thread_view", 2, conversation_id=9, offline=False, items=["m1", "m2", "m3", "m4"])             # 1
    tl.obs("calendar_view", 3, date="2024-05-02", offline=False, items=[{"id": 31}, {"id": 32}])         # 2
    tl.drop(4)                                                                                            # 3


def _by_req(verdicts: list) -> dict:
    return {v.requirement_ids[0]: v for v in verdicts}


def test_cached_screens_pass(tl: TL) -> None:
    _loaded_online(tl)
    tl.obs("contact_view", 5, contact_id=4, fields={"name": "Ada"}, activity=["a1", "a2"], notes=["new"])  # 4
    tl.obs("thread_view", 6, conversation_id=9, items=["m1", "m2", "m3", "m4"])                           # 5
    tl.obs("calendar_view", 7, date="2024-05-02", items=[{"id": 31}, {"id": 32}])                        # 6
    tl.obs("contact_view", 8, contact_id=99, unavailable=True, message="Needs a connection")              # 7
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert sorted(v, key=lambda r: int(r[1:])) == ["R3", "R6", "R7", "R8", "R12"]
    assert all(x.passed for x in v.values())
    assert [e.seq for e in v["R3"].evidence] == [4, 5, 6]
    assert [e.seq for e in v["R12"].evidence] == [7]


def test_earlier_messages_missing_offline_fails_r7(tl: TL) -> None:
    _loaded_online(tl)
    tl.obs("thread_view", 6, conversation_id=9, items=["m3", "m4"])   # 4: thread-latest-only
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert not v["R7"].passed and not v["R3"].passed
    assert [e.seq for e in v["R7"].evidence] == [4, 1]
    assert "m1" in v["R7"].evidence[0].summary


def test_activity_not_cached_fails_r6(tl: TL) -> None:
    _loaded_online(tl)
    tl.obs("contact_view", 5, contact_id=4, fields={"name": "Ada"}, activity=[])   # 4
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert not v["R6"].passed and [e.seq for e in v["R6"].evidence] == [4, 0]


def test_loaded_screen_saying_unavailable_fails(tl: TL) -> None:
    _loaded_online(tl)
    tl.obs("calendar_view", 7, date="2024-05-02", unavailable=True)   # 4
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert not v["R8"].passed and [e.seq for e in v["R8"].evidence] == [4]


def test_never_loaded_without_message_fails_r12(tl: TL) -> None:
    _loaded_online(tl)
    tl.obs("contact_view", 5, contact_id=77, state="error")   # 4
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert list(v) == ["R12"] and not v["R12"].passed
    assert [e.seq for e in v["R12"].evidence] == [4]


def test_opened_by_online_action_counts_as_loaded(tl: TL) -> None:
    tl.action("open_contact", 1, offline=False, outcome="done", contact_id=5)   # 0
    tl.drop(2)                                                                  # 1
    tl.obs("contact_view", 3, contact_id=5, fields={"name": "Bo"})              # 2
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert v["R6"].passed and "R12" not in v


def test_online_open_that_said_unavailable_did_not_load(tl: TL) -> None:
    # just after a reconnection the app may not have noticed yet: it says "needs a connection" and caches nothing
    tl.action("open_thread", 1, offline=False, outcome="unavailable", conversation_id=2)   # 0
    tl.drop(2)                                                                             # 1
    tl.obs("thread_view", 3, conversation_id=2, unavailable=True)                          # 2
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert list(v) == ["R12"] and v["R12"].passed


def test_what_the_user_edited_or_deleted_offline_is_not_expected_as_it_was(tl: TL) -> None:
    # todo-pouch at seed 2: a title shown online, edited again offline: the list rightly shows the new title
    tl.obs("contact_view", 1, contact_id=4, offline=False, fields={"name": "Ada"},
           activity=["Note hxaaa", "Note hxddd", "a2"])                                                # 0
    tl.drop(4)                                                                                          # 1
    tl.action("edit_item", 5, "hxbbb", previous="hxaaa")                                                # 2
    tl.action("delete_item", 5.5, "hxddd")                                                              # 3
    tl.obs("contact_view", 6, contact_id=4, fields={"name": "Ada"}, activity=["Note hxbbb", "a2"])    # 4
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert v["R6"].passed and [e.seq for e in v["R6"].evidence] == [4]
    tl.obs("contact_view", 7, contact_id=4, fields={"name": "Ada"}, activity=["Note hxbbb"])          # 5: a2 lost
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert not v["R6"].passed and "a2" in v["R6"].evidence[0].summary and "hxaaa" not in v["R6"].evidence[0].summary


def test_a_screen_the_continuous_read_saw_loaded_online_counts_as_loaded(tl: TL) -> None:
    # a clean-run false alarm: an SMS to contact 4 met "needs a connection" (the app had not noticed the link back),
    # then went on, the app loaded the contact and the continuous read saw its screen; offline it was shown cached
    tl.action("open_contact", 1, offline=False, outcome="unavailable", contact_id=4)                      # 0
    tl.watch(2, offline=False, app="online",
             screens={"contact_view": {"subject": "4", "ready": True, "unavailable": False}})             # 1
    tl.drop(3)                                                                                            # 2
    tl.obs("contact_view", 4, contact_id=4, fields={"name": "Wen"}, activity=["a1"])                      # 3
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert v["R6"].passed and "R12" not in v


@pytest.mark.parametrize("seen", [{"subject": "4", "ready": False, "unavailable": False},
                                  {"subject": "4", "ready": True, "unavailable": True},
                                  {"subject": "5", "ready": True, "unavailable": False}])
def test_a_continuous_read_of_another_screen_state_is_no_proof_of_a_load(tl: TL, seen: dict) -> None:
    tl.watch(1, offline=False, app="online", screens={"contact_view": seen})   # 0
    tl.drop(2)                                                                 # 1
    tl.obs("contact_view", 3, contact_id=4, fields={"name": "Wen"})            # 2
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert list(v) == ["R12"] and not v["R12"].passed


def test_a_continuous_read_made_offline_is_no_proof_of_a_load(tl: TL) -> None:
    tl.drop(1)                                                                 # 0
    tl.watch(2, offline=True, app="offline",
             screens={"contact_view": {"subject": "4", "ready": True, "unavailable": False}})   # 1
    tl.obs("contact_view", 3, contact_id=4, fields={"name": "Wen"})            # 2
    v = _by_req(crm_run(tl.events, names=["cache_reads"]))
    assert list(v) == ["R12"] and not v["R12"].passed
