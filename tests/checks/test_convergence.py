"""convergence (R18, R25): the app's final state equals the backend's."""

from __future__ import annotations

from typing import Any


from .factory import crm_context, crm_run, M1, TL

BACKEND: dict[str, Any] = {
    "notes": [{"id": 1, "contact_id": 4, "text": f"call back {M1}"}, {"id": 2, "contact_id": 5, "text": "old"}],
    "opportunities": [{"id": 7, "name": "Deal", "stage": "won", "value": 1200.0}],
    "dashboard": {"widgets": {"contacts": 120, "open_opportunities": 3},
                  "conversation_counts": {"total": 20, "unread": 4}},
}
APP: dict[str, Any] = {
    "notes": {"4": [f"call back {M1}"]},
    "opportunities": {"7": {"stage": "won", "value": "1200"}},
    "dashboard": {"widgets": {"contacts": 120, "open_opportunities": 3},
                  "conversation_counts": {"total": 20, "unread": 4}},
    "ids": {"messages": [501, 502]},
    "pending": 0,
}


def _run_with(tl: TL, app: dict[str, Any]) -> list:
    tl.drop(1)                                                           # 0
    tl.add("server", "activity", 2, layer="backend", kind="message",
           created=[{"id": 501}, {"id": 502}])                           # 1
    tl.restore(10)                                                       # 2
    tl.obs("sync_status", 12, pending=0)                                 # 3
    tl.snapshot("backend", 20, BACKEND)                                  # 4
    tl.snapshot("app", 21, app)                                          # 5
    return crm_run(tl.events, names=["convergence"], context=crm_context(max_converge_s=5))


def test_equal_state_passes(tl: TL) -> None:
    verdicts = _run_with(tl, APP)
    assert [v.title.split(":")[0] for v in verdicts] == ["notes", "opportunities", "dashboard",
                                                         "2 server-side changes downloaded", "quiescent 2.00s after reconnection"]
    assert all(v.passed for v in verdicts)
    assert all(v.requirement_ids == ("R18", "R25") for v in verdicts)
    assert [e.seq for e in verdicts[0].evidence] == [5, 4]


def test_stale_dashboard_and_missing_download_fail(tl: TL) -> None:
    app = dict(APP, dashboard={"widgets": {"contacts": 119, "open_opportunities": 3},
                               "conversation_counts": {"total": 20, "unread": 2}},
               ids={"messages": [501]})
    verdicts = {v.title.split(":")[0].split(" ")[0]: v for v in _run_with(tl, app)}
    dash = verdicts["dashboard"]
    assert not dash.passed and len([e for e in dash.evidence if e.seq == 5]) == 2
    assert "widgets.contacts" in dash.evidence[0].summary
    down = verdicts["1"]
    assert not down.passed and [e.seq for e in down.evidence] == [1, 5]
    assert "502 not downloaded" in down.evidence[0].summary


def test_note_missing_in_app_and_pending_left_fail(tl: TL) -> None:
    app = dict(APP, notes={"4": []}, pending=1)
    verdicts = _run_with(tl, app)
    notes = verdicts[0]
    assert not notes.passed and M1 in notes.evidence[0].summary
    assert not verdicts[-1].passed and "1 changes still pending" in verdicts[-1].title


def test_dashboard_observation_is_used_without_app_snapshot(tl: TL) -> None:
    tl.drop(1)
    tl.restore(2)
    tl.obs("dashboard", 3, widgets={"contacts": 10}, conversation_counts={"total": 3})   # 2
    tl.snapshot("backend", 4, {"contacts": [{}] * 10, "conversations": [{}] * 4})        # 3
    [v] = crm_run(tl.events, names=["convergence"])
    assert not v.passed and [e.seq for e in v.evidence] == [2, 3]
    assert "conversation_counts.total" in v.evidence[0].summary


def test_still_offline_means_no_verdict(tl: TL) -> None:
    tl.drop(1)
    tl.snapshot("app", 2, APP)
    assert crm_run(tl.events, names=["convergence"]) == []


def test_downloads_judged_only_where_the_app_had_loaded(tl: TL) -> None:
    """A message in a thread the app never loaded is not expected in its local copy."""
    tl.drop(1.0)
    tl.add("server", "activity", 2.0, layer="backend", kind="message",
           created=[{"entity": "message", "id": 7, "conversation_id": 1},
                    {"entity": "message", "id": 8, "conversation_id": 5}])
    tl.restore(3.0)
    tl.snapshot("app", 4.0, {"ids": {"messages": ["1", "7"]}, "threads": [1]})
    verdicts = [v for v in crm_run(tl.events, names=["convergence"]) if "downloaded" in v.title]
    assert [v.passed for v in verdicts] == [True]
    tl.snapshot("app", 5.0, {"ids": {"messages": ["1"]}, "threads": [1]})
    verdicts = [v for v in crm_run(tl.events, names=["convergence"]) if "downloaded" in v.title]
    assert [v.passed for v in verdicts] == [False]


def test_events_after_the_snapshot_phase_are_not_part_of_the_scenario(tl: TL) -> None:
    from harness.checks.registry import SNAPSHOT_PHASE, scenario_part

    tl.drop(1.0)
    tl.restore(2.0)
    tl.add("run", SNAPSHOT_PHASE, 3.0, layer="harness")
    tl.drop(4.0)          # the radio off to read the local copy: not an outage
    kept = scenario_part(tl.events)
    assert [e.t for e in kept if e.kind == "condition"] == [1.0, 2.0]


def test_work_left_pending_after_a_lost_response_fails_even_without_an_offline_window(tl: TL) -> None:
    # a response lost after the server committed: no offline window, yet the app never says it synced
    tl.action("add_item", 100, M1, offline=False, outcome="done")
    tl.request(101, [M1], fault="drop_response")
    tl.snapshot("app", 140, {"pending": 1, "collections": {}})
    [v] = crm_run(tl.events, names=["convergence"])
    assert not v.passed and "1 changes still pending" in v.title and v.requirement_ids == ("R18", "R25")


def test_nothing_pending_without_an_offline_window_passes(tl: TL) -> None:
    tl.action("add_item", 100, M1, offline=False, outcome="done")
    tl.request(101, [M1])
    tl.snapshot("app", 140, {"pending": 0})
    [v] = crm_run(tl.events, names=["convergence"])
    assert v.passed


def test_the_dashboard_is_not_judged_when_the_server_moved_on_after_the_last_reconnection(tl: TL) -> None:
    # online, no reconnection after the server's new message: the app's counts wait for its next sync (R18 asks
    # a reconnection to bring them), so a dashboard one behind is no verdict, as the download of it is none
    tl.drop(1)
    tl.restore(2)
    tl.add("server", "activity", 5, layer="backend", kind="message", created=[{"id": 503}])
    tl.snapshot("backend", 20, BACKEND)
    tl.snapshot("app", 21, dict(APP, dashboard={"widgets": {"contacts": 120, "open_opportunities": 3},
                                                "conversation_counts": {"total": 20, "unread": 3}}))
    verdicts = crm_run(tl.events, names=["convergence"], context=crm_context(max_converge_s=5))
    assert not any(v.title.startswith("dashboard") for v in verdicts) and all(v.passed for v in verdicts)
