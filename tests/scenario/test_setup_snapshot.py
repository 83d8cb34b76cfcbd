"""Set up once, restore before each example: a restored steady state is the set-up one.

Through the real lab on the reference app (its save/restore hooks, the device's storage copy): the second
scenario is restored, not set up; the app's storage, what the executor learnt and the setup's observations
are the same as after the full setup; and the app then reads a setup screen offline from the restored
storage, judged passed by the same checks. What is already as saved (the app's service worker, its Cache
Storage) is kept; what the example changed is rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.scenario.model import Step
from harness.scenario.runner import ScenarioRunner
from harness.scenario.sequence import ScenarioRun
from harness.scenario.setup_snapshot import SetupSnapshots, _simple
from harness.scenario.steps import parse_step
from harness.stateful.exporter import fuzz_scenario
from harness.stateful.strategies import SETUP_CONTACTS
from harness.stateful.vocab import vocabulary_for


def _shape(storage: dict[str, Any]) -> dict[str, Any]:
    """What a storage holds, by name and count (timestamps inside records may differ)."""
    return {"idb": {d["name"]: {s["name"]: len(s["records"]) for s in d["stores"]} for d in storage["idb"]},
            "local": sorted(storage["local"]), "caches": {c["name"]: len(c["entries"]) for c in storage["caches"]}}


def _restored(run: ScenarioRun) -> tuple[str, str]:
    """What the restore before ``run`` did with the app's service worker and its Cache Storage."""
    (event,) = [e for e in run.timeline.events if e.name == "reinstall"]
    return event.data["service_worker"], event.data["cache_storage"]


def test_plain_data_is_carried_and_live_objects_are_not() -> None:
    assert _simple({1: "Ada", 2: "Bo"}) and _simple({"notes": {None, 3}}) and _simple([True, 1.5])
    assert not _simple({"x": object()}) and not _simple([Path(".")])


def test_without_a_page_or_hooks_it_says_why_not() -> None:
    class Runner:
        app_profile = None

    assert "setup_snapshot_page" in SetupSnapshots.usable(Runner())


@pytest.mark.processes
@pytest.mark.browser
def test_a_restored_steady_state_is_the_set_up_one(tmp_path: Path) -> None:
    runner = ScenarioRunner.start(run_dir=tmp_path, device="reference-unrestricted", app="refapp", bugs=(), seed=1)
    try:
        assert SetupSnapshots.usable(runner) == ""
        runner.setup_snapshots = SetupSnapshots()
        setup = vocabulary_for(runner).setup
        first = ScenarioRun(runner, fuzz_scenario("snap-1", bugs=(), checks=None, setup=setup)).begin()
        # the steady state includes the app installed: its service worker active before any step can go offline
        assert [e.data["service_worker"] for e in first.timeline.events if e.name == "installed"] == ["activated"]
        set_up = _shape(runner.device.save_app_storage())
        setup_events = [(e.kind, e.name) for e in first.timeline.events if e.kind in ("action", "observation")]
        names = dict(first.executor.names)
        assert first.finish(judge=False).outcome != "error"

        second = ScenarioRun(runner, fuzz_scenario("snap-2", bugs=(), checks=None, setup=setup)).begin()
        done = next(e for e in second.timeline.events if e.name == "setup.done")
        assert done.data.get("restored") is True and "restore" in done.data["phases_s"]
        assert _shape(runner.device.save_app_storage()) == set_up
        carried = [(e.kind, e.name) for e in second.timeline.events if e.data.get("from_setup_snapshot")]
        assert carried == setup_events and second.executor.names == names and names
        second.step(Step("offline", parse_step("offline", None)))
        second.step(Step("open_contact", parse_step("open_contact", {"contact": SETUP_CONTACTS[0]})))
        result = second.finish()
        assert result.outcome == "passed", [v.title for v in result.verdicts if not v.passed]
        assert any(v.check == "cache_reads" for v in result.verdicts)
        # what was as saved stayed: the worker (stopped, not reinstalled) and the shell's Cache Storage
        assert _restored(second) == ("kept", "kept")

        # a cache the example changed is rewritten; nothing the example left in Web Storage outlives it
        runner.device.driver.execute_async_script(
            "const done = arguments[0]; sessionStorage.setItem('left-by-the-example', '1');"
            "caches.open('left-by-the-example').then((c) => c.put('/left', new Response('x'))).then(() => done())")
        third = ScenarioRun(runner, fuzz_scenario("snap-3", bugs=(), checks=None, setup=setup)).begin()
        assert _restored(third) == ("kept", "rewritten")
        storage = runner.device.save_app_storage()
        assert _shape(storage) == set_up and "left-by-the-example" not in storage["session"]
        assert third.finish(judge=False).outcome != "error"

        # a worker that is not the saved one goes, and the app installs it again
        runner.device.driver.execute_async_script(
            "const done = arguments[0]; navigator.serviceWorker.getRegistrations()"
            ".then((rs) => Promise.all(rs.map((r) => r.unregister()))).then(() => done())")
        fourth = ScenarioRun(runner, fuzz_scenario("snap-4", bugs=(), checks=None, setup=setup)).begin()
        assert _restored(fourth) == ("reinstalled", "rewritten")
        assert [e.data["service_worker"] for e in fourth.timeline.events if e.name == "installed"] == ["activated"]
        assert _shape(runner.device.save_app_storage()) == set_up
        assert fourth.finish(judge=False).outcome != "error"
    finally:
        runner.close()
