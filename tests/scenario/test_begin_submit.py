"""Split actions (begin ... submit) and the screen reads the executor takes between steps."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from harness.errors import LabError
from harness.scenario import steps as S
from harness.scenario.executor import StepExecutor
from harness.scenario.handlers import BEGINNERS, HANDLERS
from harness.scenario.loader import load_text
from harness.scenario.steps import parse_step
from harness.timeline import Timeline

HEAD = "id: s1\ntitle: a scenario\nrequirements: [R9]\nsetup: {load: [{items: 3}]}\n"


def test_begin_takes_a_step_as_a_scenario_writes_it_and_exports_back() -> None:
    b = parse_step("begin", {"add_item": {"in": 3, "as": "n1"}})
    assert isinstance(b, S.Begin) and b.action == "add_item" and b.label == "n1" and b.step.parent == 3
    again = parse_step("begin", b.model_dump(by_alias=True, exclude_defaults=True))
    assert again == b
    assert parse_step("begin", {"call": 3}).step.contact == 3  # a scalar shorthand of the begun step
    assert S.STEPS["begin"].needs_for(parse_step("begin", {"pay": {"contact": 3}})) == {"payments"}


@pytest.mark.parametrize("bad,says", [({"wait": 3}, "user-action step"), ({"pay": {}}, "begin pay: contact")])
def test_a_bad_begun_step_is_an_input_error_naming_it(bad: dict[str, Any], says: str) -> None:
    with pytest.raises(Exception, match=says):
        parse_step("begin", bad)


def test_a_begun_item_is_labelled_for_the_steps_after_it() -> None:
    s = load_text(HEAD + "steps:\n  - begin: {add_item: {in: 3, as: n1}}\n  - offline\n  - submit\n"
                  "  - expect_item: {as: n1, state: pending}\n")
    assert [st.name for st in s.steps] == ["begin", "offline", "submit", "expect_item"] and s.labels == {"n1": 0}


class Collection:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def begin_add(self, text: str, *, marker: str) -> Any:
        self.log.append(f"typed {text}")
        return lambda: self.log.append("tapped add")


def executor() -> Any:
    log: list[str] = []
    profile = SimpleNamespace(name="t", collection=lambda name: ("todos", None))
    ex = SimpleNamespace(begun=None, timeline=Timeline(), offline_belief=lambda: False, app_profile=profile, log=log,
                         app=SimpleNamespace(collection=lambda name, parent: Collection(log)),
                         new_item=lambda label, kind, **kw: "hx0000000001")
    return ex


def test_begin_stops_before_the_last_tap_and_submit_makes_it() -> None:
    ex = executor()
    HANDLERS["begin"](ex, parse_step("begin", {"add_item": {"in": 3}}))
    assert ex.log == ["typed Item hx0000000001"] and ex.begun is not None
    assert ex.timeline.events[-1].name == "begin" and ex.timeline.events[-1].data["action"] == "add_item"
    HANDLERS["submit"](ex, parse_step("submit", None))
    assert ex.log[-1] == "tapped add" and ex.begun is None


def test_submit_without_begin_and_begin_twice_are_errors_that_say_so() -> None:
    ex = executor()
    with pytest.raises(LabError, match="no action was begun"):
        HANDLERS["submit"](ex, parse_step("submit", None))
    HANDLERS["begin"](ex, parse_step("begin", {"add_item": {}}))
    with pytest.raises(LabError, match="not submitted yet"):
        HANDLERS["begin"](ex, parse_step("begin", {"add_item": {}}))


def test_an_action_that_cannot_be_split_says_which_can() -> None:
    ex = executor()
    with pytest.raises(LabError, match="cannot be split.*add_item"):
        HANDLERS["begin"](ex, parse_step("begin", {"open_list": {}}))
    assert {"add_item", "edit_item"} <= set(BEGINNERS)


class Watch:
    def __init__(self) -> None:
        self.reads: list[str] = []

    def observe(self, trigger: str, **data: Any) -> None:
        self.reads.append(trigger)


class Schedule:
    """Goes through a transition at each time in ``at`` (seconds after it starts)."""

    def __init__(self, at: list[float]) -> None:
        import time

        self.t0, self.at, self.records = time.monotonic(), at, []  # type: ignore[var-annotated]

    def tick(self) -> None:
        import time

        while self.at and time.monotonic() - self.t0 >= self.at[0]:
            self.records.append(self.at.pop(0))


def test_time_passing_is_read_every_second_and_at_every_transition() -> None:
    ex = StepExecutor.__new__(StepExecutor)  # only what _pass_time touches
    ex.scenario = SimpleNamespace(setup=SimpleNamespace(time_scale=1.0))
    ex.watch = Watch()
    sched = Schedule([0.3, 0.5])
    ex._schedules = [sched]
    real = ex._transitions
    ex._transitions = lambda: (sched.tick(), real())[1]  # type: ignore[method-assign]
    ex._pass_time(1.8)  # transitions at 0.3 and 0.5, then a read a second after the last read
    assert ex.watch.reads.count("transition") == 2 and ex.watch.reads.count("wait") == 1


def test_at_a_faster_clock_time_passing_is_read_as_often_in_the_app_time(fake_clock: Any) -> None:
    # a quarter of the app's time: a second of wall time is four of the app's seconds, each read once (it used to
    # be read once a wall second: none at all in the fuzzer's waits of 0.125-0.5 s); on the executor's fake clock
    # (conftest.py), so the count does not depend on how late a busy machine wakes a sleeper
    ex = StepExecutor.__new__(StepExecutor)
    ex.scenario = SimpleNamespace(setup=SimpleNamespace(time_scale=0.25))
    ex.watch = Watch()
    ex._schedules = []
    ex._pass_time(1.0)
    assert ex.watch.reads.count("wait") == 3  # at 0.3, 0.6 and 0.9 s: every 0.25 s, on the 0.1 s ticks
    ex.scenario.setup.time_scale = 1.0
    ex.watch.reads.clear()
    ex._pass_time(1.0)
    assert ex.watch.reads.count("wait") <= 1  # at the app's own pace: once a second
