"""exactly_once (R22, R27): one key per queued marker, arrived, once in the backend's logs."""

from __future__ import annotations

import pytest

from harness.checks import Snapshots

from .factory import crm_context, crm_run, M1, M2, TL


def _queued_two(tl: TL) -> None:
    tl.drop(1)                              # 0
    tl.action("add_note", 2, M1, contact_id=1)   # 1
    tl.action("add_note", 3, M2, contact_id=1)   # 2
    tl.restore(10)                          # 3


def test_retry_with_same_key_after_lost_response_passes(tl: TL) -> None:
    _queued_two(tl)
    tl.request(11, [M1], key="a", fault="drop_response")  # 4: applied, response lost
    tl.request(12, [M1], key="a")                          # 5: replay, same key
    tl.request(13, [M2], key="b")                          # 6
    tl.snapshot("mutations", 20, {"items": [{"seq": 1, "key": "a"}, {"seq": 2, "key": "b"}]})
    tl.snapshot("backend", 21, {"notes": [{"id": 1, "contact_id": 1, "text": f"n {M1}"},
                                          {"id": 2, "contact_id": 1, "text": f"n {M2}"}]})
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert v.passed and v.requirement_ids == ("R22",)
    assert [e.seq for e in v.evidence] == [1, 4, 2, 6]


def test_retry_with_new_key_is_a_duplicate(tl: TL) -> None:
    _queued_two(tl)
    tl.request(11, [M1], key="a", fault="drop_response")  # 4
    tl.request(12, [M1], key="a2")                         # 5: new key
    tl.request(13, [M2], key="b")                          # 6
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed and v.requirement_ids == ("R22",)
    assert [e.seq for e in v.evidence] == [1, 4, 5]
    assert "2 different write identities" in v.evidence[0].summary


def test_lost_marker_fails(tl: TL) -> None:
    _queued_two(tl)
    tl.request(11, [M1], key="a")
    tl.request(12, [M2], key="b", status=401)  # rejected and never retried
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed and "1 never arrived" in v.title
    assert [e.seq for e in v.evidence] == [2]


def _cut_while_the_backend_had_it(tl: TL) -> None:
    """M1's only request was forwarded to the backend and the app's side of the path broke before any answer
    (no status); the app never sent it again (a replication that finds the server has the document)."""
    _queued_two(tl)
    tl.add("request", "POST /api/contacts/1/notes", 11, layer="http", method="POST", path="/api/contacts/1/notes",
           host="backend", status=None, fault="upstream_error", forwarded=True, key="a", markers=[M1],
           t_start=11, t_end=11.05)                       # 4
    tl.request(13, [M2], key="b")                          # 5


def test_a_write_cut_on_its_way_back_counts_as_arrived_when_the_read_back_holds_it(tl: TL) -> None:
    _cut_while_the_backend_had_it(tl)
    tl.snapshot("backend", 21, {"notes": [{"id": 1, "contact_id": 1, "text": f"n {M1}"},
                                          {"id": 2, "contact_id": 1, "text": f"n {M2}"}]})
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert v.passed, v.title


def test_a_write_cut_on_its_way_back_is_lost_when_the_read_back_lacks_it(tl: TL) -> None:
    _cut_while_the_backend_had_it(tl)
    tl.snapshot("backend", 21, {"notes": [{"id": 2, "contact_id": 1, "text": f"n {M2}"}]})
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed and "1 never arrived" in v.title


def test_server_applying_a_replay_twice_is_caught_by_the_mutation_log(tl: TL) -> None:
    _queued_two(tl)
    tl.request(11, [M1], key="a", fault="drop_response")  # applied; the response never reached the app
    tl.request(12, [M1], key="a")                          # so it retries with the same key: correct
    tl.request(13, [M2], key="b")
    snaps = Snapshots(mutations=[{"key": "a"}, {"key": "a"}, {"key": "b"}],
                      backend={"notes": [{"text": M1}, {"text": M1}, {"text": M2}]})
    [v] = crm_run(tl.events, names=["exactly_once"], snapshots=snaps)
    assert not v.passed
    summaries = " | ".join(e.summary for e in v.evidence)
    assert "mutation log holds" in summaries and "2 rows" in summaries
    assert {e.seq for e in v.evidence} == {1}


def test_kill_while_offline_gets_an_r27_verdict(tl: TL) -> None:
    _queued_two(tl)
    kill = tl.add("device", "kill", 5, layer="device")       # 4, but after the actions in time
    tl.add("device", "relaunch", 6, layer="device")          # 5
    tl.request(11, [M1], key="a")                             # 6
    verdicts = crm_run(tl.events, names=["exactly_once"])
    assert [v.requirement_ids for v in verdicts] == [("R22",), ("R27",)]
    r27 = verdicts[1]
    assert not r27.passed
    assert r27.evidence[0].seq == kill.seq
    assert [e.seq for e in r27.evidence[1:]] == [2]   # M2 lost across the kill


def test_no_mutation_means_no_verdict(tl: TL) -> None:
    tl.action("open_contact", 1, M1, offline=False, outcome="done")
    tl.request(2, [M1])
    assert crm_run(tl.events, names=["exactly_once"]) == []


def test_online_mutation_counts_too_lost_response_retried_with_a_new_key(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=False, outcome="done")
    tl.request(2, [M1], key="k1")   # applied; its response was lost on the way back
    tl.request(3, [M1], key="k2")   # the retry carries a new key: the server cannot tell
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed and v.requirement_ids == ("R22",)


def test_online_mutation_applied_once_passes(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=False, outcome="done")
    tl.request(2, [M1], key="k1", fault="drop_response")
    tl.request(3, [M1], key="k1")   # same-key retry of a lost response: fine
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert v.passed


def test_resending_an_acknowledged_action_is_a_duplicate_even_under_the_same_key(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=True, outcome="queued")
    tl.request(2, [M1], key="k1")   # applied and acknowledged (delivered)
    tl.request(3, [M1], key="k1")   # a second flush loop sends it again
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed and "sent again after the server had acknowledged it" in v.title + "".join(
        e.summary for e in v.evidence)


def test_the_same_action_sent_twice_at_once_is_a_duplicate(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=True, outcome="queued")
    first = tl.request(2.00, [M1], key="k1")
    tl.request(2.02, [M1], key="k1")   # a second flush loop, 20 ms later, while the first is in flight
    assert first.data["t_end"] > 2.02
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed and any("sent twice at once" in e.summary for e in v.evidence)


def _slow_link(tl: TL, t: float, latency_ms: int) -> None:
    tl.add("condition", "latency", t, layer="link", action="apply", handle="h-lat",
           params={"latency_ms": latency_ms, "jitter_ms": 0, "stream": "downstream"})


def test_resending_when_the_link_broke_while_the_acknowledgement_was_on_its_way_is_a_retry(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=True, outcome="queued")
    _slow_link(tl, 1.5, 900)
    tl.request(2.0, [M1], key="k1")  # acknowledged at 2.05, reaching the app 0.9 s later...
    tl.drop(2.6)                     # ...but the link breaks first: the app never had it
    tl.restore(4.0)
    tl.request(4.5, [M1], key="k1")  # sent again under the same key: the retry R22 asks for
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert v.passed, v


def test_resending_when_the_link_broke_long_after_the_acknowledgement_is_a_duplicate(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=True, outcome="queued")
    _slow_link(tl, 1.5, 900)
    tl.request(2.0, [M1], key="k1")  # acknowledged at 2.05, delivered by about 2.95
    tl.drop(5.0)                     # the link breaks seconds later
    tl.restore(6.0)
    tl.request(6.5, [M1], key="k1")  # the app sends what it had been told was done
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed and any("sent again after the server had acknowledged it" in e.summary for e in v.evidence)


def test_without_added_latency_only_a_break_right_after_the_acknowledgement_excuses_a_resend(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=True, outcome="queued")
    tl.request(2.0, [M1], key="k1")
    tl.drop(3.0)                     # a second after the acknowledgement left: it had arrived
    tl.restore(4.0)
    tl.request(4.5, [M1], key="k1")
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed


def test_sent_again_before_the_first_answer_crossed_a_slow_link_is_sent_twice_at_once(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=True, outcome="queued")
    _slow_link(tl, 1.5, 900)
    tl.request(2.0, [M1], key="k1")  # answered at 2.05; the app has it at about 2.95
    tl.request(2.6, [M1], key="k1")  # a second flush loop sends it while the first still waits
    [v] = crm_run(tl.events, names=["exactly_once"], context=crm_context(min_retry_gap_s=5.0))
    assert not v.passed and any("sent twice at once" in e.summary for e in v.evidence)


def test_a_resend_after_the_proxy_killed_the_connection_is_a_retry_even_over_a_slow_link(tl: TL) -> None:
    # a lost response with no hold: the proxy kills the connection once the backend committed; the close carries no
    # data for the slowed link to delay, and Chromium resends the request itself under the same key at once. Seen as
    # "sent twice at once" on the bug-free app (fuzz clean run, seed 1, a 188 ms link): exported as a bug
    tl.action("add_note", 1, M1, offline=False, outcome="done")
    _slow_link(tl, 1.5, 900)
    tl.request(2.0, [M1], key="k1", fault="drop_response")  # committed, the connection killed at 2.05
    tl.request(2.06, [M1], key="k1")                         # the resend, 10 ms after the kill
    [v] = crm_run(tl.events, names=["exactly_once"], context=crm_context(min_retry_gap_s=5.0))
    assert v.passed, v
    # the same resend after an answer that was sent is still two at once: the answer was on its way
    tl2 = TL()
    tl2.action("add_note", 1, M1, offline=False, outcome="done")
    _slow_link(tl2, 1.5, 900)
    tl2.request(2.0, [M1], key="k1")
    tl2.request(2.06, [M1], key="k1")
    [v] = crm_run(tl2.events, names=["exactly_once"], context=crm_context(min_retry_gap_s=5.0))
    assert not v.passed and any("sent twice at once" in e.summary for e in v.evidence)


def test_a_break_between_two_sends_makes_the_second_a_retry(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=True, outcome="queued")
    _slow_link(tl, 1.5, 900)
    tl.request(2.0, [M1], key="k1")
    tl.drop(2.1)                     # the first's answer dies on the way back
    tl.restore(2.5)
    tl.request(2.6, [M1], key="k1")  # the app's retry, before 2.95
    [v] = crm_run(tl.events, names=["exactly_once"], context=crm_context(min_retry_gap_s=5.0))
    assert v.passed, v


def test_resending_after_the_app_was_killed_while_the_acknowledgement_was_on_its_way_is_a_retry(tl: TL) -> None:
    # sent online, killed at once: the acknowledgement left the proxy for a dead app; the relaunched app sends
    # the entry its outbox still holds, under the same key (R22, R27)
    tl.action("send_sms", 1, M1, offline=False, outcome="done")
    tl.request(1.2, [M1], key="k1")      # acknowledged at 1.25
    tl.add("device", "kill", 1.3, layer="device")
    tl.add("device", "relaunch", 1.4, layer="device")
    tl.request(3.0, [M1], key="k1")
    verdicts = crm_run(tl.events, names=["exactly_once"])
    assert verdicts and all(v.passed for v in verdicts), verdicts


#: what stops the app's code, and what lets it run again: a kill and relaunch, a freeze and thaw
PAUSES = pytest.mark.parametrize("pause,resume", [("kill", "relaunch"), ("freeze", "unfreeze")])


@PAUSES
def test_resending_after_a_pause_long_after_the_acknowledgement_is_a_duplicate(tl: TL, pause: str,
                                                                               resume: str) -> None:
    tl.action("send_sms", 1, M1, offline=False, outcome="done")
    tl.request(1.2, [M1], key="k1")      # acknowledged at 1.25, long processed by 3.0
    tl.add("device", pause, 3.0, layer="device")
    tl.add("device", resume, 3.1, layer="device")
    tl.request(4.0, [M1], key="k1")
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed and any("sent again after the server had acknowledged it" in e.summary for e in v.evidence)


@PAUSES
def test_a_pause_between_two_sends_makes_the_second_a_retry(tl: TL, pause: str, resume: str) -> None:
    tl.action("add_note", 1, M1, offline=True, outcome="queued")
    _slow_link(tl, 1.5, 900)
    tl.request(2.0, [M1], key="k1")      # its answer would reach the app at about 2.95...
    tl.add("device", pause, 2.1, layer="device")   # ...but the app is killed or frozen first
    tl.add("device", resume, 2.2, layer="device")
    tl.request(2.6, [M1], key="k1")      # the app, running again, sends its outbox
    verdicts = crm_run(tl.events, names=["exactly_once"], context=crm_context(min_retry_gap_s=5.0))
    assert verdicts and all(v.passed for v in verdicts), verdicts


def test_resending_after_the_app_was_frozen_while_the_acknowledgement_was_on_its_way_is_a_retry(tl: TL) -> None:
    # a battery policy freezes the app right after it sent: the acknowledgement arrives while its code cannot run,
    # and when it is thawed its request timeout fires first; it resends under the same key (R22's retry)
    tl.action("add_note", 1, M1, offline=False, outcome="done")
    _slow_link(tl, 0.5, 1500)
    tl.request(1.2, [M1], key="k1")      # acknowledged at 1.25, at the app about 2.75...
    tl.add("device", "background", 1.3, layer="device")
    tl.add("device", "freeze", 1.4, layer="device")   # ...frozen from 1.4
    tl.add("device", "unfreeze", 20.0, layer="device")
    tl.request(20.5, [M1], key="k1")
    verdicts = crm_run(tl.events, names=["exactly_once"], context=crm_context(min_retry_gap_s=5.0))
    assert verdicts and all(v.passed for v in verdicts), verdicts


def test_app_pauses_are_kill_points_and_freezes_until_thawed() -> None:
    from harness.checks.view import app_pauses
    from harness.timeline import Event

    def dev(seq: int, t: float, name: str) -> Event:
        return Event(seq=seq, t=t, kind="device", name=name, layer="device", data={})

    evs = [dev(1, 1.0, "freeze"), dev(2, 2.0, "freeze"), dev(3, 3.0, "foreground"), dev(4, 4.0, "kill"),
           dev(5, 5.0, "freeze")]
    assert app_pauses(evs) == [(1.0, 3.0), (4.0, 4.0), (5.0, float("inf"))]


def test_an_item_deleted_later_is_not_a_duplicate_when_its_tombstone_carries_its_text(tl: TL) -> None:
    # document protocols (CouchDB/PouchDB) send a deleted document's last revision: same id, new revision,
    # often with the old text; that is the delete, not the create sent again
    tl.action("add_item", 100, M1, offline=False, outcome="done")
    tl.request(101, [M1], key="doc1@1-a", path="/db/todos/_bulk_docs")
    tl.drop(102)
    tl.action("delete_item", 103, M1)
    tl.restore(104)
    tl.request(105, [M1], key="doc1@2-b", path="/db/todos/_bulk_docs")
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert v.passed, v.evidence


@pytest.mark.parametrize("started", [None, 102.5])
def test_a_tombstone_sent_before_the_delete_was_seen_done_is_the_delete_when_its_tap_is_known(
        tl: TL, started: float | None) -> None:
    # the delete's tap at 102.5, its tombstone (old text inside) at 102.7, the item gone from the list at 103:
    # the write belongs to the delete, not to the add sent again; without the tap's time it cannot be told
    tl.action("add_item", 100, M1, offline=False, outcome="done")
    tl.request(101, [M1], key="doc1@1-a", path="/db/todos/_bulk_docs")
    tl.request(102.7, [M1], key="doc1@2-b", path="/db/todos/_bulk_docs")
    tl.action("delete_item", 103, M1, offline=False, outcome="done",
              **({"started": started} if started is not None else {}))
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert v.passed == (started is not None), v.evidence


def test_an_item_edited_before_it_was_sent_may_only_reach_the_server_edited(tl: TL) -> None:
    tl.drop(100)
    tl.action("add_item", 101, M1)
    tl.action("edit_item", 102, M2, previous=M1)
    tl.restore(103)
    tl.request(104, [M2], key="doc1@2-b", path="/db/todos/_bulk_docs")
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert v.passed, v.evidence


def test_a_document_write_retried_under_a_new_id_is_a_duplicate(tl: TL) -> None:
    tl.drop(100)
    tl.action("add_item", 101, M1)
    tl.restore(102)
    tl.request(103, [M1], key="doc1@1-a", path="/db/todos/_bulk_docs", fault="drop_response")
    tl.request(104, [M1], key="doc9@1-c", path="/db/todos/_bulk_docs")
    [v] = crm_run(tl.events, names=["exactly_once"])
    assert not v.passed and "2 different write identities" in v.evidence[0].summary
