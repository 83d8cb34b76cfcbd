"""The fuzz vocabulary: a generic app is explored with only what its profile declares; the reference app's
draws are the ones it had before the harness learned other apps (so a seed finds the same bugs).

No lab: the real ScenarioRun is swapped for one that records each step and passes (as in test_machine.py).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar, Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from harness.app.profile import load_app_profile, parse_app_profile
from harness.apps.refapp.fuzz import crm_vocabulary
from harness.scenario.model import Step
from harness.scenario.result import ScenarioResult
from harness.scenario.steps import STEPS
from harness.stateful import machine as M
from harness.stateful.exporter import export_scenario, scenario_from_steps
from harness.stateful.vocab import FuzzVocabulary, generic_vocabulary, vocabulary_for

TINY = """\
name: tiny
capabilities: [offline_indicator, pending_count, item_sync_state, lifecycle]
locators: {app_root: {css: body}, offline_banner: {css: "#offline"}, sync_status: {css: "#sync"}}
attributes: {pending: data-pending, sync_state: data-sync}
collections:
  items: {list: {css: "#list"}, item: {css: "#list li"}, input: {css: "#new"}, submit: {css: "#add"},
          edit: {css: ".edit"}, edit_input: {css: "#edit-text"}, edit_submit: {css: "#save"},
          delete: {css: ".delete"}}
"""


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


@pytest.fixture
def no_local_constants() -> Iterator[None]:
    """Hypothesis also draws, now and then, integers found as literals in any loaded module of the project,
    so an edit anywhere in the harness can change a ``st.integers(1, 500)`` draw. The draws compared here
    are the machine's own: that pool is emptied for the test (and its cache cleared before and after)."""
    from hypothesis.internal.conjecture import providers

    saved = providers._get_local_constants
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = saved
        providers.CONSTANTS_CACHE.cache.clear()


def record(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vocab: FuzzVocabulary, seed: int, examples: int,
           steps: int, **ctx: Any) -> list[list[Step]]:
    monkeypatch.setattr(M, "ScenarioRun", RecordingRun)
    RecordingRun.runs = []
    runner = SimpleNamespace(bugs=(), run_dir=tmp_path)
    machine = M.machine_for(M.FuzzContext(runner=runner, vocab=vocab, deadline=float("inf"), **ctx))
    machine._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, database=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate]))
    return [run.steps for run in RecordingRun.runs]


# -- a generic app ---------------------------------------------------------------------------------------


def test_the_generic_vocabulary_is_what_the_profile_declares() -> None:
    v = generic_vocabulary(parse_app_profile(TINY))
    assert v.reads == ("open_list",) and v.writes == ("add_item", "edit_item", "delete_item")
    assert v.online_only == () and v.server is None and v.domain is None
    assert v.offline_indicator and v.item_sync_state and v.lifecycle and v.pending
    assert v.setup.load == ["items"] and v.token_ttl_s is None
    assert dict(v.http_status_match) == {"writes": True}
    bare = generic_vocabulary(parse_app_profile(
        TINY.replace("[offline_indicator, pending_count, item_sync_state, lifecycle]", "[]")
        .replace('\n          edit: {css: ".edit"}, edit_input: {css: "#edit-text"}, edit_submit: {css: "#save"},'
                 '\n          delete: {css: ".delete"}}', "}")))
    assert bare.writes == ("add_item",)
    assert not (bare.offline_indicator or bare.item_sync_state or bare.lifecycle or bare.pending)
    # what a spell cannot do on this app becomes a write
    assert [bare.spell_action(k) for k in ("online_only", "kill", "background", "server_activity", "wait")] == \
        ["write", "write", "write", "write", "wait"]


def test_vocabulary_for_takes_the_plugins_own_else_the_profiles() -> None:
    ref = vocabulary_for(SimpleNamespace(app_profile=load_app_profile("refapp"), lab=SimpleNamespace(admin=None)))
    assert ref.domain is not None and ref.server == "server_activity" and ref.token_ttl_s == 2
    tiny = vocabulary_for(SimpleNamespace(app_profile=parse_app_profile(TINY), lab=SimpleNamespace(admin=None)))
    assert tiny == generic_vocabulary(parse_app_profile(TINY))


def test_a_generic_app_is_explored_with_only_the_steps_it_supports(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    profile = parse_app_profile(TINY)
    have = profile.capability_set
    vocab = generic_vocabulary(profile)
    runs = record(monkeypatch, tmp_path, vocab, seed=5, examples=40, steps=6, policies=("unrestricted",),
                  lost_response_holds_ms=(4000, 0))
    names = {s.name for run in runs for s in run}
    assert {"add_item", "edit_item", "delete_item", "open_list", "kill", "background", "expect_banner",
            "expect_item", "http_status", "drop_response"} <= names
    for run in runs:
        for s in run:
            assert STEPS[s.name].needs_for(s.params) <= have, (s.name, STEPS[s.name].needs_for(s.params), have)
            if s.name in ("http_status", "drop_response"):
                assert s.params.writes, s.as_yaml()  # the app's writes as its profile identifies them
        # every sequence is a scenario the loader accepts, starting from the vocabulary's setup
        sc = scenario_from_steps(run, bugs=(), requirements=("R22",), title="t", setup=vocab.setup)
        export_scenario(sc, seed=5, directory=tmp_path / "export", app="tiny")


# -- the reference app -------------------------------------------------------------------------------------

OWNERS = {1: 1, 2: 3, 3: 4}
CTX = {"policies": ("unrestricted", "ios_bar_off", "doze"), "lost_response_holds_ms": (4000, 0)}
#: the step names of the first 12 sequences of seed 7 (6 rules each), recorded with the machine as it was
#: before the vocabulary (commit 3b62c83^, module constants READS/WRITES, the CRM draws inline)
REFAPP_SEED_7 = [
    ("offline expect_banner add_note expect_item online expect_banner expect_item offline expect_banner "
     "add_note expect_item online expect_banner expect_item offline expect_banner add_note expect_item "
     "online expect_banner expect_item offline expect_banner add_note expect_item online expect_banner "
     "expect_item offline expect_banner add_note expect_item online expect_banner expect_item offline "
     "expect_banner add_note expect_item online expect_banner expect_item wait_synced"),
    ("offline expect_banner add_note expect_item online expect_banner expect_item offline expect_banner "
     "add_note expect_item online expect_banner expect_item offline expect_banner add_note expect_item "
     "online expect_banner expect_item offline expect_banner add_note expect_item online expect_banner "
     "expect_item offline expect_banner add_note expect_item online expect_banner expect_item offline "
     "expect_banner add_note expect_item online expect_banner expect_item wait_synced"),
    ("open_contacts offline expect_banner open_contacts open_contact open_contacts server_activity "
     "drop_response online expect_banner send_email expect_item half_open expect_banner kill relaunch "
     "run_workflow send_sms expect_item reset_network flap expect_banner expect_item open_contacts "
     "open_contact switch_network offline expect_banner online wait_synced"),
    ("pay search offline expect_banner add_note expect_item open_dashboard server_activity online "
     "expect_banner expect_item run_workflow open_dashboard upload_photo run_workflow wait_synced"),
    ("search offline expect_banner search wait edit_opportunity expect_item background online wait "
     "foreground expect_banner expect_item open_dashboard offline expect_banner call background "
     "run_workflow background online wait foreground expect_banner add_note expect_item server_activity "
     "open_dashboard offline expect_banner open_dashboard open_dashboard wait wait online expect_banner "
     "offline expect_banner server_activity online wait_synced"),
    ("pay open_thread open_dashboard offline expect_banner send_email expect_item server_activity online "
     "wait_synced"),
    ("server_activity background server_activity offline expect_banner send_sms expect_item kill relaunch "
     "expect_item drop_response online expect_banner expect_item server_activity search wait_synced"),
    ("search captive_portal expect_banner upload_photo expect_item server_activity edit_opportunity "
     "expect_item condition reset_network expect_banner send_email add_note expect_item reset_network "
     "open_contacts half_open expect_banner call send_email expect_item drop_response reset_network "
     "expect_banner expect_item open_calendar offline expect_banner open_calendar wait send_email "
     "expect_item online flap expect_banner upload_photo expect_item search offline expect_banner search "
     "send_sms expect_item wait add_note expect_item drop_response online expect_banner expect_item "
     "open_contact offline expect_banner open_contact wait wait open_contacts online expect_banner "
     "open_contacts offline expect_banner open_contacts server_activity condition online expect_banner "
     "send_sms expect_item reset_network wait_synced"),
    ("server_activity outage drop_response kill relaunch outage call wait_synced"),
    ("call server_activity run_workflow open_contact offline expect_banner open_contact upload_photo "
     "expect_item online expect_banner edit_opportunity expect_item server_activity open_dashboard offline "
     "expect_banner open_dashboard edit_opportunity expect_item open_dashboard background expect_item "
     "http_status online expect_banner expect_item wait_synced"),
    ("flap run_workflow send_email captive_portal expect_banner edit_opportunity expect_item wait "
     "reset_network wait_synced"),
    ("flap run_workflow send_email captive_portal expect_banner edit_opportunity expect_item wait "
     "reset_network wait_synced"),
]
#: sha256 of every step with its parameters, seeds 1, 7 and 42 (40 sequences of 8 rules each), recorded as above
REFAPP_DIGEST = "b3ce3734e49ed36c93e49330701733aac3082612bc614ce9d61b8b0de9d3195e"


def test_the_reference_app_draws_the_same_steps_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                          no_local_constants: None) -> None:
    runs = record(monkeypatch, tmp_path, crm_vocabulary(OWNERS), seed=7, examples=12, steps=6, **CTX)
    got = [" ".join(s.name for s in run) for run in runs]
    assert got == REFAPP_SEED_7


def test_the_reference_app_draws_the_same_parameters_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                               no_local_constants: None) -> None:
    full = {seed: [[s.as_yaml() for s in run]
                   for run in record(monkeypatch, tmp_path, crm_vocabulary(OWNERS), seed, 40, 8, **CTX)]
            for seed in (1, 7, 42)}
    assert hashlib.sha256(json.dumps(full, sort_keys=True, default=str).encode()).hexdigest() == REFAPP_DIGEST
