"""The state machine's generated sequences, without a lab: every one is a valid scenario, the simplest is a plain spell.

The real ScenarioRun is swapped for one that records the steps and reports
no failure, so Hypothesis drives the machine through many sequences in a
second; the exporter and the scenario loader then judge each sequence the
way ``harness run`` would read it (labels defined before use, parameters
in range).
"""

from __future__ import annotations

from pathlib import Path
import time
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from harness.scenario.loader import load_scenario
from harness.scenario.model import Step
from harness.scenario.result import ScenarioResult
from harness.stateful import machine as M
from harness.stateful import strategies as S
from harness.apps.refapp.fuzz import crm_vocabulary
import harness.apps.refapp.plugin  # noqa: F401,E402  (its handlers: the actions a sequence may split, as in a run)
from harness.stateful.exporter import export_scenario, scenario_from_steps


class RecordingRun:
    """Stands in for ScenarioRun: records each step, every verdict passes."""

    runs: ClassVar[list["RecordingRun"]] = []

    def __init__(self, runner: Any, scenario: Any) -> None:
        self.scenario = scenario
        self.folder: Path = runner.run_dir / scenario.id
        self.steps: list[Step] = []
        self.reset_s = self.steps_s = self.finish_s = 0.0

    def begin(self) -> "RecordingRun":
        RecordingRun.runs.append(self)
        return self

    def step(self, step: Step) -> list[Any]:
        self.steps.append(step)
        return []

    def finish(self) -> ScenarioResult:
        return ScenarioResult(id=self.scenario.id, title="", requirements=(), tags=(), folder=self.folder)

    def error(self, exc: BaseException) -> ScenarioResult:  # pragma: no cover - a recording never errs
        raise AssertionError(f"unexpected error: {exc}")


class FakeRunner:
    bugs: tuple[str, ...] = ()

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir


def record_sequences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vocab: Any, *, seed: int, examples: int,
                     owners: dict[int, int], policies: tuple[str, ...] = ("unrestricted", "ios_bar_off", "doze"),
                     ) -> tuple[list[RecordingRun], M.FuzzContext]:
    """Generate ``examples`` sequences of six rules with ``vocab`` and no lab; each one's recording, and the context."""
    monkeypatch.setattr(M, "ScenarioRun", RecordingRun)
    RecordingRun.runs = []
    ctx = M.FuzzContext(runner=FakeRunner(tmp_path), opportunity_owner=owners, vocab=vocab, deadline=float("inf"),
                        policies=policies)
    machine = M.machine_for(ctx)
    machine._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=6, deadline=None, database=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate]))
    return RecordingRun.runs, ctx


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[RecordingRun]:
    owners = {1: 1, 2: 3, 3: 4}
    return record_sequences(tmp_path, monkeypatch, crm_vocabulary(owners), seed=7, examples=60, owners=owners)[0]


def test_every_generated_sequence_is_a_valid_scenario(recorded: list[RecordingRun], tmp_path: Path) -> None:
    assert len(recorded) >= 30
    out = tmp_path / "export"
    for run in recorded:
        sc = scenario_from_steps(run.steps, bugs=(), requirements=("R22",), title="t")
        path = export_scenario(sc, seed=7, directory=out)  # the loader refuses unknown labels or bad params
        assert [s.as_yaml() for s in load_scenario(path).steps] == [s.as_yaml() for s in sc.steps]


def test_the_simplest_sequence_is_plain_offline_spells(recorded: list[RecordingRun]) -> None:
    # Hypothesis runs the simplest choices first; the spell sorts first, so that is a plain spell, repeated
    first = [s.name for s in recorded[0].steps]
    spell = ["offline", "expect_banner", "add_note", "expect_item", "online", "expect_banner", "expect_item"]
    assert first[:len(spell)] == spell and first[len(spell):2 * len(spell)] == spell
    assert recorded[0].steps[0].params.via == "link"
    assert recorded[0].steps[6].params.state == "synced" and first[-1] == "wait_synced"


def test_spells_reach_every_reconnection_and_offline_kind(recorded: list[RecordingRun]) -> None:
    names = {s.name for run in recorded for s in run.steps}
    # the drops, the reconnection conditions and the background reconnection all occur in 60 sequences
    assert {"offline", "half_open", "captive_portal", "condition", "flap", "switch_network", "drop_response",
            "http_status", "foreground", "kill", "relaunch", "server_activity"} <= names


def test_most_sequences_go_offline(recorded: list[RecordingRun]) -> None:
    # swarm testing switches random rules off per example; the spell is kept on, so most sequences drop
    # the network (with plain swarm testing about half of them never did)
    drops = {"offline", "half_open", "captive_portal"}
    share = sum(1 for r in recorded if any(s.name in drops for s in r.steps)) / len(recorded)
    assert share >= 0.7, share


def test_server_messages_go_to_a_loaded_thread(recorded: list[RecordingRun]) -> None:
    # a message in a thread the app never loaded cannot show whether the delta download works (R18, R25)
    messages = 0
    for run in recorded:
        loaded = set(S.SETUP_THREADS)
        offline = False
        for s in run.steps:
            # "online" after any reconnection step: at least every thread the model counts as loaded
            offline = {"offline": True, "half_open": True, "captive_portal": True, "online": False,
                       "reset_network": False}.get(s.name, offline)
            if s.name == "open_thread" and not offline:
                loaded.add(s.params.conversation)
            if s.name == "server_activity" and s.params.kind == "message":
                messages += 1
                assert s.params.conversation in loaded
    assert messages >= 3


class ScreenNeverComes(RecordingRun):
    """The first note's screen never answers: ScenarioRun.step raises ScreenTimeout, as the page objects do."""

    def step(self, step: Step) -> list[Any]:
        from harness.app.base import ScreenTimeout

        self.steps.append(step)
        if step.name == "add_note":
            raise ScreenTimeout("app refapp: contact 1 or a needs-a-connection message not seen within 10s")
        return []

    def step_failed(self, step: Step, exc: BaseException) -> Any:
        from harness.checks import Verdict

        self.failed = Verdict("ui", ("R26",), False, f"step {step.name} could not be done: {exc}")
        return self.failed

    def finish(self) -> ScenarioResult:
        return ScenarioResult(id=self.scenario.id, title="", requirements=(), tags=(), folder=self.folder,
                              outcome="failed", verdicts=[self.failed])


def test_a_screen_that_never_comes_is_a_failed_verdict_that_ends_the_sequence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # judged as ``harness run`` judges the exported file: R26, no closing steps after it (not a lab error)
    monkeypatch.setattr(M, "ScenarioRun", ScreenNeverComes)
    RecordingRun.runs = []
    ctx = M.FuzzContext(runner=FakeRunner(tmp_path), opportunity_owner={1: 1}, vocab=crm_vocabulary({1: 1}),
                        deadline=float("inf"))
    machine = M.machine_for(ctx)
    machine._hypothesis_internal_use_seed = 7  # type: ignore[attr-defined]
    with pytest.raises(M.SequenceFailed) as info:
        run_state_machine_as_test(machine, settings=settings(
            max_examples=5, stateful_step_count=3, deadline=None, database=None,
            suppress_health_check=list(HealthCheck), phases=[Phase.generate]))
    assert info.value.check == "ui" and ctx.stats.errors == 0 and ctx.stats.failures >= 1
    assert all(run.steps[-1].name == "add_note" for run in RecordingRun.runs if run.steps)


TODO = """\
name: todo
capabilities: [offline_indicator, pending_count, item_sync_state, lifecycle]
locators: {app_root: {css: body}, offline_banner: {css: "#b"}, sync_status: {css: "#s"}}
attributes: {pending: data-pending, sync_state: data-s}
collections:
  items: {list: {css: "#l"}, item: {css: "#l li"}, input: {css: "#i"}, submit: {css: "#a"},
          edit: {css: ".e"}, edit_input: {css: "#ei"}, edit_submit: {css: "#es"}, delete: {css: ".d"}}
"""


@pytest.mark.parametrize("caps", ["[offline_indicator, pending_count, item_sync_state, lifecycle]", "[]"])
def test_a_generic_app_gets_only_the_steps_it_supports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       caps: str) -> None:
    from harness.app.profile import parse_app_profile
    from harness.scenario.applicability import applicability
    from harness.scenario.steps import STEPS
    from harness.stateful.vocab import generic_vocabulary

    text = TODO.replace("[offline_indicator, pending_count, item_sync_state, lifecycle]", caps)
    profile = parse_app_profile(text)
    have = profile.capability_set
    vocab = generic_vocabulary(profile)
    monkeypatch.setattr(M, "ScenarioRun", RecordingRun)
    RecordingRun.runs = []
    ctx = M.FuzzContext(runner=FakeRunner(tmp_path), opportunity_owner={}, vocab=vocab, deadline=float("inf"),
                        policies=("unrestricted",))
    machine = M.machine_for(ctx)
    # seed 2: among its sequences, spells that delete an item they added (the last-item check must skip it)
    machine._hypothesis_internal_use_seed = 2  # type: ignore[attr-defined]
    run_state_machine_as_test(machine, settings=settings(
        max_examples=40, stateful_step_count=6, deadline=None, database=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate]))
    names = {s.name for run in RecordingRun.runs for s in run.steps}
    assert {"add_item", "open_list"} <= names
    assert not names & {"add_note", "open_contact", "call", "server_activity", "edit_opportunity"}
    for run in RecordingRun.runs:
        for s in run.steps:
            assert STEPS[s.name].needs_for(s.params) <= have, (s.name, have)
        sc = scenario_from_steps(run.steps, bugs=(), requirements=("R22",), title="t", setup=vocab.setup,
                                 final_wait_s=30 if vocab.pending else 0)
        assert applicability(sc, profile).applicable, applicability(sc, profile).reason
    for run in RecordingRun.runs:  # a deleted item is never expected again (it is gone, not synced), under any of
        deleted: set[str] = set()  # its titles; nor is a title a later edit replaced (todo-pouch, seeds 2 and 3)
        record: dict[str, str] = {}
        for s in run.steps:
            if s.name == "edit_item":
                record[s.params.label] = record.get(s.params.item, s.params.item)
                deleted.add(s.params.item)
            elif s.name == "delete_item":
                gone = record.get(s.params.item, s.params.item)
                deleted |= {s.params.item} | {k for k, v in record.items() if v == gone} | {gone}
            elif s.name == "expect_item":
                assert s.params.label not in deleted, [x.as_yaml() for x in run.steps]
    if caps == "[]":
        bad = names & {"expect_banner", "kill", "background", "wait_synced"}
        assert not bad, bad
        states = {s.params.state for run in RecordingRun.runs for s in run.steps if s.name == "expect_item"}
        assert states <= {"synced"}  # an item "absent or shown" needs no per-item sync indicator


def test_the_reference_app_explores_with_its_plugin_vocabulary() -> None:
    from types import SimpleNamespace

    from harness.app.profile import load_app_profile, parse_app_profile
    from harness.stateful.vocab import vocabulary_for

    ref = vocabulary_for(SimpleNamespace(app_profile=load_app_profile("refapp"), lab=SimpleNamespace(admin=None)))
    assert "add_note" in ref.writes and "open_contact" in ref.reads and ref.server == "server_activity"
    generic = vocabulary_for(SimpleNamespace(app_profile=parse_app_profile(TODO), lab=SimpleNamespace(admin=None)))
    assert generic.writes == ("add_item", "edit_item", "delete_item") and generic.setup.load == ["items"]


class LabDiesEvery(RecordingRun):
    """A note on a contact whose id ``every`` divides raises what a dead device raises (not a ScreenTimeout): some
    examples, decided by the example's own steps (a count of examples would make a replayed prefix behave
    differently, which Hypothesis reports as a flaky strategy)."""

    every: ClassVar[int] = 1
    errors: ClassVar[list[str]] = []

    def step(self, step: Step) -> list[Any]:
        from harness.errors import LabError

        self.steps.append(step)
        if step.name == "add_note" and int(getattr(step.params, "contact", 0)) % self.every == 0:
            raise LabError("appium: session gone")
        return []

    def error(self, exc: BaseException) -> ScenarioResult:
        LabDiesEvery.errors.append(str(exc))
        return ScenarioResult(id=self.scenario.id, title="", requirements=(), tags=(), folder=self.folder,
                              outcome="error", error=str(exc))


def _fuzz_with(run_class: type, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> M.FuzzContext:
    monkeypatch.setattr(M, "ScenarioRun", run_class)
    RecordingRun.runs, LabDiesEvery.errors = [], []
    ctx = M.FuzzContext(runner=FakeRunner(tmp_path), opportunity_owner={1: 1}, vocab=crm_vocabulary({1: 1}),
                        deadline=float("inf"))
    machine = M.machine_for(ctx)
    machine._hypothesis_internal_use_seed = 7  # type: ignore[attr-defined]
    run_state_machine_as_test(machine, settings=settings(
        max_examples=20, stateful_step_count=3, deadline=None, database=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate]))
    return ctx


def test_a_lab_error_now_and_then_is_counted_and_discarded_never_a_finding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    LabDiesEvery.every = 2
    ctx = _fuzz_with(LabDiesEvery, tmp_path, monkeypatch)  # no exception: nothing was found
    assert ctx.stats.failures == 0 and not ctx.failures
    assert ctx.stats.errors >= 1 and len(ctx.harness_errors) == ctx.stats.errors == len(LabDiesEvery.errors)
    assert all("session gone" in e for _, e in ctx.harness_errors)
    # the search went on after the error. How many examples meet an error is not asserted: with this seed it was 7
    # when the test ran alone and 1 after tests/suite ran in the same process (Hypothesis's choices from the fifth
    # example on differ; found in CI, reproduced with `pytest tests/suite/test_generate.py tests/stateful/...`)
    first = min(int(folder.name.rsplit("-", 1)[1]) for folder, _ in ctx.harness_errors if folder is not None)
    assert ctx.stats.examples > first


def test_errors_in_every_example_end_the_run_as_a_broken_lab(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    LabDiesEvery.every = 1
    with pytest.raises(M.LabBroken) as info:
        _fuzz_with(LabDiesEvery, tmp_path, monkeypatch)
    assert len(info.value.errors) == M.MAX_CONSECUTIVE_ERRORS and "session gone" in str(info.value)


def test_moments_for_the_whole_timeline_oracles_are_made_on_purpose(recorded: list[RecordingRun]) -> None:
    # an action begun online and submitted after a drop (a feature's form open offline, two taps split by the
    # drop), and a write whose answer is held or slowed while its item is on screen
    begun = [(run, i) for run in recorded for i, s in enumerate(run.steps) if s.name == "begin"]
    assert begun and {s.params.action for run, i in begun for s in [run.steps[i]]} & {"pay", "run_workflow", "call"}
    whole = 0
    for run, i in begun:
        after = [s.name for s in run.steps[i + 1:]]
        if after == ["wait_synced"]:
            continue  # Hypothesis ran out of data mid-rule: the example ends there (and is discarded)
        whole += 1
        assert after[0] in ("offline", "half_open", "captive_portal") and "submit" in after
    assert whole
    names = {s.name for run in recorded for s in run.steps}
    assert {"hold", "release"} <= names
    held = [run.steps[i + 1:] for run in recorded for i, s in enumerate(run.steps) if s.name == "hold"]
    assert all(any(s.name == "reset_network" for s in rest) for rest in held)


def test_a_failure_after_another_worker_claimed_one_is_left_to_it_unshrunk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(M, "ScenarioRun", ScreenNeverComes)
    RecordingRun.runs = []
    ctx = M.FuzzContext(runner=FakeRunner(tmp_path), opportunity_owner={1: 1}, vocab=crm_vocabulary({1: 1}),
                        deadline=float("inf"), on_first_failure=lambda: False)
    machine = M.machine_for(ctx)
    machine._hypothesis_internal_use_seed = 7  # type: ignore[attr-defined]
    with pytest.raises(M.BudgetExhausted):
        run_state_machine_as_test(machine, settings=settings(
            max_examples=5, stateful_step_count=3, deadline=None, database=None,
            suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink]))
    assert ctx.stats.failures == 0 and "R26" in ctx.stats.left_to_other_worker


class ResetDiesAfterTheFirst(RecordingRun):
    """The steady state is reached once, then never again: what a device whose restore broke does."""

    begun: ClassVar[int] = 0

    def begin(self) -> "RecordingRun":
        from harness.errors import LabError

        ResetDiesAfterTheFirst.begun += 1
        if ResetDiesAfterTheFirst.begun > 1:
            raise LabError("chromium: the app's storage could not be restored")
        return super().begin()


def test_a_reset_that_breaks_ends_the_run_as_a_broken_lab_not_a_hypothesis_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Hypothesis replays choice sequences it ran in full; a reset that now fails rejects the replay early, which it
    # reported as a flaky strategy definition (a traceback) instead of the harness error it is
    from harness.errors import LabError
    from harness.stateful.fuzz import _Rounds, _search
    from harness.stateful.settings import settings_for

    monkeypatch.setattr(M, "ScenarioRun", ResetDiesAfterTheFirst)
    ResetDiesAfterTheFirst.begun = 0
    ctx = M.FuzzContext(runner=FakeRunner(tmp_path), opportunity_owner={1: 1}, vocab=crm_vocabulary({1: 1}),
                        deadline=float("inf"))
    with pytest.raises(LabError, match="could be carried out|could not be carried out") as info:
        _search(M.machine_for(ctx), _Rounds(ctx.vocab, None, settings_for("ci", device="reference-unrestricted", bugs=(),
                                                                         use_database=False)),
                seed=3, ctx=ctx, shrink_s=60)
    assert "could not be restored" in str(info.value) and ctx.stats.failures == 0


def test_after_a_flaky_finding_the_next_search_ends_at_the_budget_and_is_not_cut_as_shrinking(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # todo-pouch seed 4: after a flaky finding the search went on; the machine still counted the run's failures,
    # so past the shrink bound it rejected every example (Hypothesis: "inconsistent data generation") and past the
    # budget it would never have ended
    from harness.stateful.fuzz import FuzzOptions, FuzzOutcome, _search_on

    monkeypatch.setattr(M, "ScenarioRun", RecordingRun)
    ctx = M.FuzzContext(runner=FakeRunner(tmp_path), opportunity_owner={1: 1}, vocab=crm_vocabulary({1: 1}),
                        deadline=time.monotonic() + 60)
    ctx.stats.failures, ctx.shrink_deadline = 2, time.monotonic() - 1  # a shrink that ran out of its bound
    ctx.failures = [M.FailedRun([], None, RuntimeError("x"))]  # type: ignore[arg-type]
    out = FuzzOutcome(seed=1, settings="", run_dir=tmp_path, stats=ctx.stats, kind="flaky", found=True)
    assert _search_on(out, ctx, FuzzOptions(device="reference-unrestricted"))
    machine = M.machine_for(ctx)
    machine()  # a new example: neither rejected as over the shrink bound nor ended
    ctx.deadline = time.monotonic() - 1
    with pytest.raises(M.BudgetExhausted):
        machine()
