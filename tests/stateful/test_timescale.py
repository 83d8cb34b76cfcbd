"""The fuzzer's clock: the same sequences at a quarter of the time, every duration scaled, exported with its factor."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

import harness.apps.refapp.plugin  # noqa: F401  (its handlers, as in a run)
from harness.app.profile import load_app_profile
from harness.apps.refapp.fuzz import crm_vocabulary
from harness.errors import SpecError
from harness.net.conditions import CONDITIONS
from harness.scenario.loader import load_scenario
from harness.scenario.steps import STEPS, parse_step
from harness.stateful import machine as M
from harness.stateful import timescale
from harness.stateful.exporter import FUZZ_SETUP, export_scenario, scenario_from_steps
from tests.stateful.test_machine import FakeRunner, RecordingRun

OWNERS = {1: 1, 2: 3, 3: 4}


def generate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, factor: float) -> list[list[Any]]:
    monkeypatch.setattr(M, "ScenarioRun", RecordingRun)
    RecordingRun.runs = []
    ctx = M.FuzzContext(runner=FakeRunner(tmp_path), opportunity_owner=OWNERS, vocab=crm_vocabulary(OWNERS),
                        deadline=float("inf"), policies=("unrestricted", "doze"), time_scale=factor,
                        lost_response_holds_ms=(3500, 0))
    machine = M.machine_for(ctx)
    machine._hypothesis_internal_use_seed = 11  # type: ignore[attr-defined]
    run_state_machine_as_test(machine, settings=settings(
        max_examples=40, stateful_step_count=6, deadline=None, database=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate]))
    return [run.steps for run in RecordingRun.runs]


def test_the_same_seed_draws_the_same_sequences_with_every_duration_scaled(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    slow = generate(tmp_path, monkeypatch, 1.0)
    fast = generate(tmp_path, monkeypatch, 0.25)
    assert len(slow) == len(fast) >= 20
    scaled_fields = 0
    for a_run, b_run in zip(slow, fast):
        assert [s.name for s in a_run] == [s.name for s in b_run]
        for a, b in zip(a_run, b_run):
            fields = timescale.DURATIONS.get(a.name, ())
            da, db = a.params.model_dump(by_alias=True), b.params.model_dump(by_alias=True)
            for k in da:
                if fields is None or k in fields:  # a duration: a quarter (ms: whole, at least 1)
                    if da[k]:
                        assert db[k] == pytest.approx(da[k] / 4, abs=1), (a.name, k, da[k], db[k])
                        scaled_fields += 1
                else:  # everything else as drawn
                    assert db[k] == da[k], (a.name, k)
    assert scaled_fields >= 30  # waits, flaps, outages, slow links, lost responses, backgrounds all met


@pytest.mark.parametrize("name", sorted(timescale.DURATIONS))
def test_every_scaled_field_is_a_field_of_its_step(name: str) -> None:
    # the table names the steps' own fields: a renamed field would silently run at the app's own pace
    assert name in STEPS
    fields = timescale.DURATIONS[name]
    if fields is None:
        parse_step(name, 0.5)
        return
    if name == "condition":  # its fields are the condition type's (the fuzzer draws latency)
        model_fields = {f.name for f in dataclasses.fields(CONDITIONS["latency"])}
    else:
        model_fields = set(STEPS[name].model.model_fields)
    assert set(fields) <= model_fields, set(fields) - model_fields


def test_the_default_is_a_quarter_for_an_app_that_names_its_timers_and_its_own_pace_otherwise(tmp_path: Path) -> None:
    refapp = load_app_profile("refapp")
    assert timescale.resolve(None, refapp)[0] == timescale.DEFAULT_FUZZ_SCALE
    assert timescale.resolve(1.0, refapp)[0] == 1.0
    plain = refapp.model_copy(update={"parameters": refapp.parameters.model_copy(update={"time_parameters": ()})})
    assert timescale.resolve(None, plain) == (1.0, "the app's own pace (its profile names no time_parameters)")
    with pytest.raises(SpecError, match="--time-scale.*time_parameters"):
        timescale.resolve(0.5, plain)
    with pytest.raises(SpecError, match="--time-scale: 0.01"):
        timescale.resolve(0.01, refapp)


def test_an_export_carries_its_clock_and_replays_at_it(tmp_path: Path) -> None:
    setup = timescale.scaled_setup(FUZZ_SETUP, 0.25)
    assert setup.time_scale == 0.25 and setup.token_ttl_s == FUZZ_SETUP.token_ttl_s / 4
    steps = [M.Step("offline", parse_step("offline", "link")), M.Step("wait", parse_step("wait", 0.25))]
    sc = scenario_from_steps(steps, bugs=(), requirements=("R5",), title="t", setup=setup)
    assert sc.expect.quiescence_s == timescale.quiescence_s(0.25) < 1
    loaded = load_scenario(export_scenario(sc, seed=1, directory=tmp_path))
    assert loaded.setup.time_scale == 0.25 and loaded.setup.token_ttl_s == setup.token_ttl_s
    assert loaded.expect.quiescence_s == sc.expect.quiescence_s
    assert "time_scale: 0.25" in (tmp_path / f"{sc.id}.yaml").read_text()
