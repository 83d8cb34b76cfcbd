"""liveness (R4, R19, R23, R24): sync resumes by itself and finishes; measured times."""

from __future__ import annotations

from harness.checks import measure

from .factory import crm_context, crm_run, M1, M2, TL

CTX = crm_context(max_first_upload_s=5, max_drain_s=10, long_outage_s=60, flap_min_windows=3)


def _by_req(verdicts: list) -> dict:
    return {v.requirement_ids[0]: v for v in verdicts}


def test_resume_and_measured_times(tl: TL) -> None:
    tl.drop(10)                                   # 0
    tl.obs("banner", 11, visible=True)            # 1
    tl.action("add_note", 12, M1)                 # 2
    tl.action("add_note", 13, M2)                 # 3
    tl.restore(20)                                # 4
    tl.request(22, [M1], key="a")                 # 5
    tl.request(24, [M2], key="b")                 # 6
    tl.obs("sync_status", 25, pending=0)          # 7
    assert measure(tl.events, CTX) == {"time_to_detect_s": 1.0, "time_to_first_upload_s": 2.0,
                                       "time_to_drain_s": 4.0, "time_to_converge_s": 5.0}
    v = _by_req(crm_run(tl.events, names=["liveness"], context=CTX))
    assert list(v) == ["R4"] and v["R4"].passed
    assert [e.seq for e in v["R4"].evidence] == [5]
    assert v["R4"].measured["time_to_drain_s"] == 4.0


def test_stuck_queue_after_network_switch_fails_r4(tl: TL) -> None:
    tl.drop(10, layer="device", name="airplane")   # 0
    tl.action("add_note", 12, M1)                  # 1
    tl.restore(20, layer="device", name="airplane")  # 2
    tl.add("log", "idle", 40)                      # 3: the run went on; nothing uploaded
    v = _by_req(crm_run(tl.events, names=["liveness"], context=CTX))
    assert not v["R4"].passed and [e.seq for e in v["R4"].evidence] == [2]


def test_slow_resume_fails_r4(tl: TL) -> None:
    tl.drop(10)
    tl.action("add_note", 12, M1)
    tl.restore(20)
    tl.request(31, [M1])   # 3: 11 s > 5 s
    v = _by_req(crm_run(tl.events, names=["liveness"], context=CTX))
    assert not v["R4"].passed and [e.seq for e in v["R4"].evidence] == [3]


def test_long_outage_and_flapping_need_a_full_drain(tl: TL) -> None:
    tl.drop(0)                          # 0
    tl.action("add_note", 1, M1)        # 1
    tl.action("add_note", 2, M2)        # 2
    tl.restore(100)                     # 3: a 100 s outage
    for t in (101, 103):                # flapping: windows 2 and 3
        tl.drop(t)
        tl.restore(t + 1)
    tl.request(106, [M1])               # 8
    v = _by_req(crm_run(tl.events, names=["liveness"], context=CTX))
    assert not v["R19"].passed and not v["R23"].passed
    assert [e.seq for e in v["R19"].evidence] == [2]
    tl.request(107, [M2])               # 9
    v = _by_req(crm_run(tl.events, names=["liveness"], context=CTX))
    assert v["R19"].passed and v["R23"].passed and v["R4"].passed
    assert [e.seq for e in v["R23"].evidence] == [9]


def test_401_then_dropped_fails_r24(tl: TL) -> None:
    tl.drop(10)
    tl.action("add_note", 11, M1)
    tl.action("add_note", 12, M2)
    tl.restore(20)
    tl.request(21, [M1], status=401, key="a")                                       # 4
    tl.request(21.5, [], status=200, key="", path="/api/auth/refresh")              # 5
    tl.request(22, [M1], key="a")                                                   # 6
    tl.request(23, [M2], status=401, key="b")                                       # 7: dropped
    v = _by_req(crm_run(tl.events, names=["liveness"], context=CTX))
    assert not v["R24"].passed and [e.seq for e in v["R24"].evidence] == [7]
    tl.request(24, [M2], key="b")
    v = _by_req(crm_run(tl.events, names=["liveness"], context=CTX))
    assert v["R24"].passed and [e.seq for e in v["R24"].evidence] == [4, 7]


def test_no_queued_work_no_verdict(tl: TL) -> None:
    tl.drop(1)
    tl.restore(2)
    assert crm_run(tl.events, names=["liveness"]) == []


def test_a_title_edited_again_offline_arrives_with_the_edit(tl: TL) -> None:
    # a document store sends a record's latest revision only: the first title never travels on its own
    for t in (0, 2, 4):                                          # flapping: three windows
        tl.drop(t)
        tl.restore(t + 1)
    tl.drop(6)                                                   # 6
    tl.action("add_item", 7, M1)                                 # 7
    tl.action("edit_item", 8, M2, previous=M1)                   # 8
    tl.restore(10)                                               # 9
    tl.request(11, [M2])                                         # 10
    v = _by_req(crm_run(tl.events, names=["liveness"], context=CTX))
    assert v["R23"].passed and v["R4"].passed
    assert [e.seq for e in v["R23"].evidence] == [10]


def test_an_edit_that_never_arrives_leaves_both_titles_lost(tl: TL) -> None:
    for t in (0, 2, 4):
        tl.drop(t)
        tl.restore(t + 1)
    tl.drop(6)
    tl.action("add_item", 7, M1)                                 # 7
    tl.action("edit_item", 8, M2, previous=M1)                   # 8
    tl.restore(10)
    tl.add("log", "idle", 30)
    v = _by_req(crm_run(tl.events, names=["liveness"], context=CTX))
    assert not v["R23"].passed and [e.seq for e in v["R23"].evidence] == [7, 8]
