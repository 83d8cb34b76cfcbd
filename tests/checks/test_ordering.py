"""ordering (R5): arrival order of queued markers must follow action order."""

from __future__ import annotations

from .factory import crm_context, crm_run, M1, M2, M3, TL


def _three_notes(tl: TL) -> None:
    tl.drop(1)
    tl.action("add_note", 2, M1, contact_id=1)          # seq 1
    tl.action("edit_opportunity", 3, M2, opportunity_id=7)  # seq 2
    tl.action("add_note", 4, M3, contact_id=1)          # seq 3
    tl.restore(10)                                      # seq 4


def test_in_order_passes(tl: TL) -> None:
    _three_notes(tl)
    tl.request(11, [M1], key="a")
    tl.request(12, [M2], key="b", method="PATCH", path="/api/opportunities/7")
    tl.request(13, [M3], key="c")
    [v] = crm_run(tl.events, names=["ordering"])
    assert v.passed and v.requirement_ids == ("R5",)
    assert [e.seq for e in v.evidence] == [5, 6, 7]


def test_lifo_fails_with_the_inverted_pairs(tl: TL) -> None:
    _three_notes(tl)
    tl.request(11, [M3], key="c")   # seq 5
    tl.request(12, [M2], key="b")   # seq 6
    tl.request(13, [M1], key="a")   # seq 7
    [v] = crm_run(tl.events, names=["ordering"])
    assert not v.passed and v.requirement_ids == ("R5",)
    assert {e.seq for e in v.evidence} == {1, 2, 3, 5, 6, 7}
    assert "out of order" in v.title


def test_failed_first_attempt_does_not_count_as_arrival(tl: TL) -> None:
    _three_notes(tl)
    tl.request(10.5, [M3], status=503, key="c")  # not a 2xx: did not reach/apply
    tl.request(11, [M1], key="a")
    tl.request(12, [M2], key="b")
    tl.request(13, [M3], key="c")
    [v] = crm_run(tl.events, names=["ordering"])
    assert v.passed


def test_per_record_scope_ignores_cross_record_order(tl: TL) -> None:
    _three_notes(tl)
    tl.request(11, [M2], key="b")   # other record first: fine per record
    tl.request(12, [M1], key="a")
    tl.request(13, [M3], key="c")
    assert not crm_run(tl.events, names=["ordering"])[0].passed
    [v] = crm_run(tl.events, names=["ordering"], context=crm_context(order_scope="per_record"))
    assert v.passed


def test_online_actions_and_single_marker_give_no_verdict(tl: TL) -> None:
    tl.action("add_note", 1, M1, offline=False, outcome="done")
    tl.request(2, [M1])
    tl.drop(3)
    tl.action("add_note", 4, M2)
    tl.restore(5)
    tl.request(6, [M2])
    assert crm_run(tl.events, names=["ordering"]) == []
