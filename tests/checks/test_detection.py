"""R1, R4, R19 at every offline window: how long the app took to show it, and to show the network back."""

from __future__ import annotations

from harness.checks import CheckContext, run_checks

from .factory import TL

CTX = CheckContext(window_detect_s=10, window_resume_s=15, long_outage_s=60)


def det(tl: TL, ctx: CheckContext = CTX) -> dict[str, object]:
    return {v.requirement_ids[0]: v for v in run_checks(tl.events, names=["detection"], context=ctx)}


def test_a_link_dropped_while_idle_and_never_shown_fails_r1_with_the_window_as_evidence(tl: TL) -> None:
    drop = tl.drop(10)
    for t in range(11, 24, 2):
        tl.watch(t, offline=True, app="online")
    tl.restore(24)
    v = det(tl)["R1"]
    assert not v.passed and "1 of 1 offline windows" in v.title  # type: ignore[attr-defined]
    assert [e.seq for e in v.evidence][-1] == drop.seq  # type: ignore[attr-defined]
    assert "still shown online" in v.evidence[0].summary  # type: ignore[attr-defined]


def test_shown_offline_within_the_bound_passes_and_measures_an_upper_bound(tl: TL) -> None:
    tl.drop(10)
    tl.watch(10.2, offline=True, app="online")
    tl.watch(12, offline=True, app="offline")
    tl.watch(21, offline=True, app="offline")
    v = det(tl)["R1"]
    assert v.passed and v.measured["time_to_show_offline_s"] == 2.02  # type: ignore[attr-defined]


def test_the_banner_an_expectation_saw_counts_and_a_later_flip_back_is_not_a_delay(tl: TL) -> None:
    tl.drop(10)
    tl.obs("banner", 11, visible=True, seen_by="expect_banner")
    tl.watch(21, offline=True, app="online")  # the app flipped back (a probe the portal answered): not R1's delay
    assert det(tl)["R1"].passed  # type: ignore[attr-defined]


def test_a_window_too_short_to_judge_gets_no_verdict(tl: TL) -> None:
    tl.drop(10)
    tl.watch(12, offline=True, app="online")
    tl.restore(13)
    tl.watch(14, offline=False, app="online")
    assert "R1" not in det(tl)


def test_the_clock_starts_again_when_the_app_returns_to_the_foreground(tl: TL) -> None:
    tl.add("device", "background", 9, layer="device")
    tl.drop(10)
    tl.add("device", "foreground", 30, layer="device")
    tl.watch(31, offline=True, app="online")  # 25 s into the window, 1 s after the foreground: not late
    tl.watch(33, offline=True, app="offline")
    assert det(tl)["R1"].passed  # type: ignore[attr-defined]


def test_still_offline_long_after_a_clean_path_came_back_fails_r4_and_r19_after_a_long_outage(tl: TL) -> None:
    tl.drop(10)
    tl.watch(11, offline=True, app="offline")
    tl.restore(80)
    tl.watch(81, offline=False, app="offline")
    tl.watch(96, offline=False, app="offline")
    out = det(tl)
    assert not out["R4"].passed and not out["R19"].passed  # type: ignore[attr-defined]
    assert "clean path came back" in out["R4"].evidence[0].summary  # type: ignore[attr-defined]


def test_shown_online_after_reconnection_passes_r4(tl: TL) -> None:
    tl.drop(10)
    tl.watch(11, offline=True, app="offline")
    tl.restore(20)
    tl.watch(20.5, offline=False, app="offline")
    tl.watch(21.5, offline=False, app="online")
    out = det(tl)
    assert out["R4"].passed and "R19" not in out  # type: ignore[attr-defined]


def test_resumption_waits_for_a_clean_path_but_faults_on_writes_alone_leave_it_clean(tl: TL) -> None:
    tl.drop(10)
    tl.watch(11, offline=True, app="offline")
    tl.add("condition", "http_status", 19, layer="http", action="apply", params={"method": "*", "path": "/*"},
           handle="h1")
    tl.restore(20)
    tl.watch(40, offline=False, app="offline")  # every request answered 503: the app may well say offline
    assert "R4" not in det(tl)
    writes = TL()
    writes.drop(10)
    writes.watch(11, offline=True, app="offline")
    writes.add("condition", "http_status", 19, layer="http", action="apply",
               params={"method": "*", "path": "/*", "header": "Idempotency-Key"}, handle="h1")
    writes.restore(20)
    writes.watch(40, offline=False, app="offline")
    assert not det(writes)["R4"].passed  # type: ignore[attr-defined]


def test_no_reads_no_verdict() -> None:
    tl = TL()
    tl.drop(10)
    tl.restore(30)
    assert run_checks(tl.events, names=["detection"], context=CTX) == []
