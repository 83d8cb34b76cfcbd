"""The registry: names, errors listing the known names, crash isolation, verdict round trip."""

from __future__ import annotations

import pytest

from harness.checks import CHECKS, Verdict, check, run_checks
from harness.checks.registry import CHECK_REQUIREMENTS
from harness.errors import CheckFailed, Evidence, SpecError
from harness.spec import requirement_ids

from .factory import crm_context, crm_run, M1, TL


def test_all_nine_oracles_registered_and_cover_every_requirement() -> None:
    assert set(CHECKS) == {"ordering", "exactly_once", "cache_reads", "gating", "indicators", "convergence",
                           "liveness", "background", "detection"}
    covered = {r for reqs in CHECK_REQUIREMENTS.values() for r in reqs}
    assert covered == set(requirement_ids())


def test_unknown_name_lists_known_names() -> None:
    with pytest.raises(SpecError, match="ordering") as err:
        crm_run([], names=["odering"])
    assert "'odering'" in str(err.value)


def test_duplicate_name_is_an_error() -> None:
    with pytest.raises(SpecError, match="already registered"):
        check("ordering", "R5")(lambda e, s, c: [])


def test_a_crashing_check_becomes_a_failed_verdict(tl: TL) -> None:
    name = "test_crasher"

    @check(name, "R5")
    def crasher(events, snapshots, ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    try:
        tl.drop(1)
        tl.action("add_note", 2, M1)
        verdicts = crm_run(tl.events, names=[name, "exactly_once"])
        assert not verdicts[0].passed and "boom" in verdicts[0].title
        assert verdicts[1].check == "exactly_once"
    finally:
        CHECKS.pop(name)
        CHECK_REQUIREMENTS.pop(name)


def test_verdict_round_trip_and_failure() -> None:
    v = Verdict("ordering", ("R5",), False, "out of order", (Evidence(3, "x"), Evidence(9, "y")), {"t_s": 1.5})
    assert Verdict.from_dict(v.to_dict()) == v
    assert v.event_data()["evidence"] == [3, 9]
    err = v.failure()
    assert isinstance(err, CheckFailed) and isinstance(err, AssertionError)
    assert err.requirement_ids == ("R5",) and "#9: y" in str(err)
