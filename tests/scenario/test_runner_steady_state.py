"""The steady state's order: the last example's app stops before the backend is reset or restored under it.

A still-running app re-syncs into a backend reset under it (todo-pouch's live replication pushed the previous
run's documents into the fresh database before the reinstall wiped the app, and a replay judged them as
duplicates); so the device stops the app first, then the network and the backend are reset.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from harness.scenario.runner import ScenarioRunner
from harness.stateful.exporter import fuzz_scenario
from harness.timeline import Timeline


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, name: str, result: Any = None) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(f"{name}({args[0]})" if name == "device.stop_app" else name)
            return result
        return call


def _runner(rec: Recorder, *, snapshot_page: str | None = None) -> ScenarioRunner:
    runner = ScenarioRunner.__new__(ScenarioRunner)
    hooks = SimpleNamespace(has=lambda name: False, reset=rec("backend.reset"), seed=rec("backend.seed"))
    runner.lab = SimpleNamespace(net=SimpleNamespace(reset=rec("net.reset")), hooks=hooks,
                                 endpoints=SimpleNamespace(app_url="http://127.0.0.1:1/"))
    runner.app_profile = SimpleNamespace(parameters=SimpleNamespace(
        launch_query="", time_parameters=(), setup_snapshot_page=snapshot_page))
    runner.device = SimpleNamespace(state=SimpleNamespace(value="foreground"), stop_app=rec("device.stop_app"),
                                    app_url="")
    runner.setup_snapshots, runner.bugs = None, ()
    return runner


def test_the_app_stops_before_the_network_and_the_backend_are_reset(tmp_path: Path) -> None:
    rec = Recorder()
    ex = SimpleNamespace(fresh_install=rec("device.fresh_install"), load=rec("load"))
    scenario = fuzz_scenario("order", bugs=(), checks=None, setup=None)
    _runner(rec).steady_state(scenario, ex, Timeline(tmp_path / "t.jsonl"))
    assert rec.calls[:4] == ["device.stop_app(None)", "net.reset", "backend.reset", "backend.seed"]
    assert "device.fresh_install" in rec.calls[4:]
