"""indicators (R1, R2, R9): banner within bounds, item indicators follow the ack."""

from __future__ import annotations


from .factory import crm_context, crm_run, M1, TL

CTX = crm_context(max_detect_s=5, max_banner_clear_s=5, max_indicator_clear_s=3)


def _by_req(verdicts: list) -> dict:
    return {v.requirement_ids[0]: v for v in verdicts}


def _run(tl: TL) -> dict:
    return _by_req(crm_run(tl.events, names=["indicators"], context=CTX))


def test_banner_in_time_and_cleared_passes(tl: TL) -> None:
    tl.drop(10)                                                       # 0
    tl.obs("banner", 12, visible=True, text="You are offline. Some features are limited.")  # 1
    tl.restore(30)                                                    # 2
    tl.obs("banner", 31, visible=True)                                # 3 (within the clear bound)
    tl.obs("banner", 32, visible=False)                               # 4
    v = _run(tl)
    assert v["R1"].passed and v["R1"].measured == {"time_to_detect_s": 2.0}
    assert [e.seq for e in v["R1"].evidence] == [1]
    assert v["R2"].passed and [e.seq for e in v["R2"].evidence] == [4]


def test_banner_never_shown_on_half_open_fails_r1(tl: TL) -> None:
    tl.drop(10, name="half_open")              # 0
    tl.obs("banner", 16, visible=False)        # 1 (the page object waited, then recorded absence)
    tl.restore(30, name="half_open")           # 2
    v = _run(tl)
    assert not v["R1"].passed and [e.seq for e in v["R1"].evidence] == [0]


def test_late_banner_fails_r1(tl: TL) -> None:
    tl.drop(10)
    tl.obs("banner", 18, visible=True, text="Offline")   # 1: 8 s > 5 s
    v = _run(tl)
    assert not v["R1"].passed and v["R1"].measured["time_to_detect_s"] == 8.0


def test_sticky_banner_fails_r2(tl: TL) -> None:
    tl.drop(10)
    tl.obs("banner", 11, visible=True, text="Offline")   # 1
    tl.restore(20)                                       # 2
    tl.obs("banner", 27, visible=True, text="Offline")   # 3
    v = _run(tl)
    assert v["R1"].passed and not v["R2"].passed
    assert [e.seq for e in v["R2"].evidence] == [3]


def test_short_online_spans_are_not_judged_for_r2(tl: TL) -> None:
    tl.drop(10)
    tl.restore(11)
    tl.obs("banner", 11.5, visible=True, text="Offline")
    tl.drop(12)
    assert "R2" not in _run(tl)


def test_note_indicator_pending_then_cleared_passes(tl: TL) -> None:
    tl.drop(10)                                          # 0
    tl.action("add_note", 11, M1, contact_id=1)          # 1
    tl.obs("item_state", 12, marker=M1, state="pending")  # 2
    tl.restore(20)                                       # 3
    tl.request(21, [M1])                                 # 4
    tl.obs("item_state", 21.5, marker=M1, state="pending")  # 5: still within the bound
    tl.obs("item_state", 26, marker=M1, state="synced")  # 6
    v = _run(tl)
    assert v["R9"].passed and [e.seq for e in v["R9"].evidence] == [2, 6]


def test_indicator_never_clears_fails_r9(tl: TL) -> None:
    tl.drop(10)
    tl.action("add_note", 11, M1, contact_id=1)
    tl.obs("item_state", 12, marker=M1, state="pending")   # 2
    tl.restore(20)
    tl.request(21, [M1])                                   # 4
    tl.obs("item_state", 30, marker=M1, state="pending")   # 5
    v = _run(tl)
    assert not v["R9"].passed and [e.seq for e in v["R9"].evidence] == [5]
    assert "#4" in v["R9"].evidence[0].summary


def test_synced_before_ack_is_a_lie(tl: TL) -> None:
    tl.drop(10)
    tl.action("add_note", 11, M1, contact_id=1)
    tl.obs("item_state", 12, marker=M1, state="synced")   # 2
    v = _run(tl)
    assert not v["R9"].passed and [e.seq for e in v["R9"].evidence] == [2]


def test_a_banner_back_for_a_moment_then_read_gone_by_the_screen_reads_passes_r2(tl: TL) -> None:
    # a lost response right after reconnection looks like a drop to the app: the banner comes back until its
    # next probe; the expectation's last read met that moment, the continuous observation saw it go again
    tl.drop(10)                                                       # 0
    tl.obs("banner", 11, visible=True, text="Offline")                # 1
    tl.restore(20)                                                    # 2
    tl.obs("banner", 20.2, visible=False, seen_by="expect_banner")    # 3
    tl.obs("banner", 20.3, visible=True, text="Offline")              # 4: read once more
    tl.obs("watch", 20.4, banner=True, connectivity="offline", device="foreground")   # 5
    tl.obs("watch", 20.7, banner=False, connectivity="online", device="background")   # 6: not on screen
    tl.obs("watch", 20.8, banner=False, connectivity="online", device="foreground")   # 7
    v = _run(tl)
    assert v["R2"].passed and [e.seq for e in v["R2"].evidence] == [7]


def test_a_banner_back_and_never_read_gone_again_fails_r2(tl: TL) -> None:
    tl.drop(10)
    tl.obs("banner", 11, visible=True, text="Offline")
    tl.restore(20)
    tl.obs("banner", 20.2, visible=False, seen_by="expect_banner")
    tl.obs("banner", 20.3, visible=True, text="Offline")              # 4
    tl.obs("watch", 20.4, banner=True, connectivity="offline", device="foreground")
    tl.obs("watch", 20.7, banner=False, connectivity="online", device="background")  # in the background: not counted
    v = _run(tl)
    assert not v["R2"].passed and [e.seq for e in v["R2"].evidence] == [4]
