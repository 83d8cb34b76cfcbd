"""gating (R10-R17, R26): offline features are gated or queued as the app profile says."""

from __future__ import annotations


from .factory import crm_context, crm_run, M1, TL


def _by_req(verdicts: list) -> dict:
    return {v.requirement_ids[0]: v for v in verdicts}


def test_every_feature_as_promised_passes(tl: TL) -> None:
    tl.action("search", 1, offline=False, outcome="done", query="ada")          # 0
    tl.obs("search_results", 1.5, offline=False, items=["c:1", "c:2", "n:7"])  # 1
    tl.drop(2)                                                                  # 2
    tl.action("call", 3, outcome="disabled")                                    # 3
    tl.action("pay", 4, outcome="unavailable", message="Payments need a connection")  # 4
    tl.action("run_workflow", 5, outcome="unavailable")                         # 5
    tl.obs("unavailable", 5.5, visible=True)                                    # 6
    tl.action("send_sms", 6, M1, outcome="queued")                              # 7
    tl.action("search", 7, outcome="done", query="ada")                         # 8
    tl.obs("search_results", 7.5, items=["c:1"], scope="on this device")        # 9
    v = _by_req(crm_run(tl.events, names=["gating"]))
    assert set(v) == {"R10", "R11", "R13", "R16", "R17", "R26"}
    assert all(x.passed for x in v.values()), [x for x in v.values() if not x.passed]
    assert [e.seq for e in v["R26"].evidence] == [3, 4, 5]
    assert [e.seq for e in v["R17"].evidence] == [9]


def test_call_hanging_offline_fails_r11_and_r26(tl: TL) -> None:
    tl.drop(1)
    tl.action("call", 2, outcome="hung")    # 1
    v = _by_req(crm_run(tl.events, names=["gating"]))
    assert not v["R11"].passed and not v["R26"].passed
    assert [e.seq for e in v["R11"].evidence] == [1] == [e.seq for e in v["R26"].evidence]


def test_unavailable_without_message_fails_r26(tl: TL) -> None:
    tl.drop(1)
    tl.action("pay", 2, outcome="unavailable")  # 1: no message, no observation
    tl.action("call", 3, outcome="disabled")    # 2
    v = _by_req(crm_run(tl.events, names=["gating"]))
    assert not v["R13"].passed and v["R11"].passed
    assert [e.seq for e in v["R26"].evidence] == [1]


def test_search_error_offline_fails_r17(tl: TL) -> None:
    tl.drop(1)
    tl.action("search", 2, outcome="done", query="x")   # 1
    tl.obs("search_results", 3, state="error")          # 2
    v = _by_req(crm_run(tl.events, names=["gating"]))
    assert not v["R17"].passed and [e.seq for e in v["R17"].evidence] == [2]


def test_search_offline_must_be_a_subset_of_online(tl: TL) -> None:
    tl.action("search", 1, offline=False, outcome="done", query="q")
    tl.obs("search_results", 1.5, offline=False, items=["a"])
    tl.drop(2)
    tl.action("search", 3, outcome="done", query="q")
    tl.obs("search_results", 3.5, items=["a", "zz"])    # 4
    v = _by_req(crm_run(tl.events, names=["gating"]))
    assert not v["R17"].passed and "zz" in v["R17"].evidence[0].summary


def test_profile_decides_whether_sms_queues(tl: TL) -> None:
    tl.drop(1)
    tl.action("send_sms", 2, M1, outcome="unavailable", message="SMS needs a connection")   # 1
    assert not _by_req(crm_run(tl.events, names=["gating"]))["R10"].passed
    ctx = crm_context(queued_features=frozenset({"add_note"}),
                       gated_features=frozenset({"call", "pay", "run_workflow", "send_sms", "send_email"}))
    assert _by_req(crm_run(tl.events, names=["gating"], context=ctx))["R10"].passed


def test_queued_feature_refused_fails(tl: TL) -> None:
    tl.drop(1)
    tl.action("edit_opportunity", 2, M1, outcome="disabled")   # 1
    v = _by_req(crm_run(tl.events, names=["gating"]))
    assert not v["R14"].passed and [e.seq for e in v["R14"].evidence] == [1]


def test_error_page_offline_fails_r26(tl: TL) -> None:
    tl.drop(1)
    tl.obs("error_page", 2, visible=True)   # 1
    v = _by_req(crm_run(tl.events, names=["gating"]))
    assert not v["R26"].passed and [e.seq for e in v["R26"].evidence] == [1]
