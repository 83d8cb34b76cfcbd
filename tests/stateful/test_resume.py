"""Resume rounds (harness.stateful.resume): the app's probe held far away, every reconnection with a trigger.

The sequences are generated without a lab (the recording run of
test_machine.py): in a resume round every way back the machine generates
must have a trigger the app can see, or a correct app would sit offline
until its held probe and the round would raise false alarms.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

from harness.app.profile import load_app_profile
from harness.apps.refapp.fuzz import crm_vocabulary
from harness.scenario.runner import launch_params
from harness.stateful import machine as M
from harness.stateful import resume
from harness.stateful.exporter import fuzz_scenario, scenario_from_steps, to_yaml_text
from harness.stateful.fuzz import _Rounds
from harness.stateful.timescale import scaled_setup
from harness.stateful.vocab import generic_vocabulary
from tests.stateful.test_machine import FakeRunner, RecordingRun, record_sequences

REFAPP = load_app_profile("refapp")
TODO_POUCH = load_app_profile("examples/apps/todo-pouch")
OWNERS = {1: 1, 2: 3, 3: 4}
#: the steps that leave the app offline with no trigger of its own to come back by
UNTRIGGERED_FAULTS = {"drop_response", "flap", "outage", "switch_network"}


def _resumed(vocab=None, profile=REFAPP, factor: float = 0.25):
    vocab = vocab or crm_vocabulary(OWNERS)
    vocab = replace(vocab, setup=scaled_setup(vocab.setup, factor))
    return resume.resume_vocabulary(vocab, profile, factor)


def _record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vocab, *, seed: int = 11,
            examples: int = 80) -> list[RecordingRun]:
    runs, ctx = record_sequences(tmp_path, monkeypatch, vocab, seed=seed, examples=examples, owners=OWNERS)
    assert ctx.stats.resume_examples == len(runs) > 0
    return runs


def _ways_back(run: RecordingRun) -> list[tuple[str, bool, bool]]:
    """Each way back to a clean path in ``run``: (how the path dropped, the app was in the background when it
    came back, a ``foreground`` followed it before the banner was looked at)."""
    out = []
    via, background = None, False
    steps = run.steps
    for i, s in enumerate(steps):
        if s.name in ("offline", "half_open", "captive_portal"):
            via = s.params.via if s.name == "offline" else s.name
        elif s.name == "background":
            background = s.params.duration_s is None  # a timed background comes back by itself
        elif s.name == "foreground":
            background = False
        elif s.name in ("online", "reset_network") and via is not None:
            rest = [t.name for t in steps[i + 1:]]
            until_look = rest[:rest.index("expect_banner")] if "expect_banner" in rest else rest
            out.append((via, background, "foreground" in until_look))
            via = None
    return out


def test_a_resume_round_holds_the_probe_far_away_and_keeps_the_rest_at_the_fuzz_clock() -> None:
    vocab = _resumed()
    assert vocab is not None and vocab.resume
    assert vocab.setup.app.probe_ms == 80_000 and vocab.setup.time_scale == 0.25  # 20 s at the fuzz clock
    assert vocab.bounds is not None and vocab.bounds.drain_s == vocab.bounds.first_upload_s == resume.RESUME_BOUND_S
    scenario = fuzz_scenario("f", setup=vocab.setup, bounds=vocab.bounds)
    params = launch_params(scenario, REFAPP.parameters.launch_query, REFAPP.parameters.time_parameters)
    # the app is launched with the probe at 20 s and its other timers at a quarter of its profile's
    assert params["probe_ms"] == "20000" and params["heartbeat_ms"] == "250" and params["backoff_max_ms"] == "500"
    assert scenario.expect.bounds.drain_s == resume.RESUME_BOUND_S


def test_an_export_of_a_resume_round_carries_the_held_timer_and_the_bounds() -> None:
    vocab = _resumed()
    assert vocab is not None
    from harness.scenario.model import Step
    from harness.scenario.steps import parse_step

    sc = scenario_from_steps([Step("offline", parse_step("offline", None))], bugs=(), requirements=("R20",),
                             title="t", setup=vocab.setup, bounds=vocab.bounds)
    text = to_yaml_text(sc, seed=1)
    assert "probe_ms: 80000" in text and "drain_s: 8" in text and "time_scale: 0.25" in text


def test_an_app_that_names_no_resume_timer_has_no_resume_rounds() -> None:
    from harness.app.profile import parse_app_profile

    bare = parse_app_profile("name: t\nparameters: {time_parameters: [probe_ms]}\n")
    assert resume.resume_vocabulary(generic_vocabulary(bare), bare, 0.25) is None
    rounds = _Rounds(generic_vocabulary(bare), None, settings(database=None))
    ctx = M.FuzzContext(runner=None, opportunity_owner={}, deadline=0, vocab=generic_vocabulary(bare))
    assert all(not (rounds.begin(ctx, n) and ctx.vocab.resume) for n in range(6))


def test_every_fourth_round_from_the_second_is_a_resume_round_with_a_database_of_its_own(tmp_path: Path) -> None:
    plain = crm_vocabulary(OWNERS)
    held = _resumed()
    base = settings(database=DirectoryBasedExampleDatabase(str(tmp_path / "db")))
    rounds = _Rounds(plain, held, base)
    ctx = M.FuzzContext(runner=None, opportunity_owner={}, deadline=0, vocab=plain)
    kinds = []
    for n in range(6):
        st = rounds.begin(ctx, n)
        kinds.append(ctx.vocab.resume)
        # a resume round's draws mean other steps: its failing examples are kept apart
        assert Path(st.database.path) == (tmp_path / "db" / "resume" if ctx.vocab.resume else tmp_path / "db")
    assert kinds == [False, True, False, False, False, True]


def test_in_a_resume_round_every_way_back_has_a_trigger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vocab = _resumed()
    assert vocab is not None
    runs = _record(tmp_path, monkeypatch, vocab)
    names = {s.name for r in runs for s in r.steps}
    assert not names & UNTRIGGERED_FAULTS, names & UNTRIGGERED_FAULTS
    ways = [w for r in runs for w in _ways_back(r)]
    # both triggers are generated: the OS's signal after airplane mode, the return to the foreground after the rest
    assert any(via == "airplane" for via, _, _ in ways)
    assert any(via != "airplane" for via, _, _ in ways)
    for via, in_background, foreground_next in ways:
        assert via == "airplane" or (in_background and foreground_next), (via, in_background, foreground_next)


def test_the_same_generation_outside_a_resume_round_comes_back_without_a_trigger(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the check above can fail: an ordinary round brings the path back under the app's probe alone
    runs, ctx = record_sequences(tmp_path, monkeypatch, crm_vocabulary(OWNERS), seed=11, examples=40, owners=OWNERS)
    ways = [w for r in runs for w in _ways_back(r)]
    assert ctx.stats.resume_examples == 0
    assert any(via != "airplane" and not in_background for via, in_background, _ in ways)


def test_an_app_without_a_life_cycle_drops_by_airplane_mode_in_a_resume_round(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = generic_vocabulary(TODO_POUCH)
    vocab = _resumed(replace(plain, lifecycle=False), TODO_POUCH)
    assert vocab is not None and vocab.setup.app.probe_ms == 80_000
    runs = _record(tmp_path, monkeypatch, vocab, examples=40)
    ways = [w for r in runs for w in _ways_back(r)]
    assert ways and all(via == "airplane" for via, _, _ in ways)
    assert not {s.name for r in runs for s in r.steps} & (UNTRIGGERED_FAULTS | {"background", "kill"})


@pytest.mark.parametrize(("resumed", "drop", "background", "closing"), [
    # a spell cut short after a link drop: in a resume round the way back has its trigger
    (True, "link", False, ["background", "online", "foreground", "wait_synced"]),
    (True, "airplane", False, ["online", "wait_synced"]),  # the OS's signal is the trigger
    (False, "link", False, ["online", "wait_synced"]),
    # cut short while the app was in the background: brought back before the settle (a frozen app syncs nothing)
    (False, None, True, ["foreground", "wait_synced"]),
    (True, "link", True, ["online", "foreground", "wait_synced"]),
])
def test_a_sequence_cut_short_is_closed_with_its_trigger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         resumed: bool, drop: str | None, background: bool,
                                                         closing: list[str]) -> None:
    monkeypatch.setattr(M, "ScenarioRun", RecordingRun)
    RecordingRun.runs = []
    vocab = _resumed() if resumed else crm_vocabulary(OWNERS)
    ctx = M.FuzzContext(runner=FakeRunner(tmp_path), opportunity_owner=OWNERS, vocab=vocab, deadline=float("inf"))
    machine = M.machine_for(ctx)()
    if drop:
        machine._do("offline", drop)
    if background:
        machine._do("background")
    before = len(machine.live.steps)
    machine.teardown()
    assert [s.name for s in machine.live.steps[before:]] == closing
