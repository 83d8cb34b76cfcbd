"""The suite session: one run folder, one lab and one device shared by every scenario of a run.

Starting the lab (backend, toxiproxy-server, mitmdump, Appium) and a device
session costs seconds, so it happens once, lazily, at the first scenario; each
scenario then gets a cheap reset (network cleared, backend reset and seeded,
app reinstalled). The session always stops what it started, whatever happened.
Creating a session starts nothing: the pytest plugin makes one for every
pytest run, including runs that collect no scenario.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from harness import paths
from harness.errors import UserError


def new_run_id() -> str:
    return _dt.datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


class SuiteSession:
    """Options of a run plus the lazily started lab, device and runner."""

    def __init__(self, *, device: str, bugs: tuple[str, ...], run_dir: Path, seed: int, app: str,
                 backend: str | None, worker: str | None = None) -> None:
        self.device_name = device
        self.bugs = bugs
        self.run_dir = run_dir
        self.seed = seed
        self.app_name = app
        self.backend = backend
        self.worker = worker
        self._runner: Any = None
        self._started = time.time()
        self._results: list[dict[str, Any]] = []

    @classmethod
    def from_options(cls, *, device: str, bugs: tuple[str, ...], report_dir: str | None, seed: int | None,
                     app: str, backend: str | None, worker: str | None = None) -> "SuiteSession":
        run_dir = Path(report_dir) if report_dir else paths.REPORTS / new_run_id()
        if worker:
            run_dir = run_dir / "workers" / worker
        return cls(device=device, bugs=bugs, run_dir=run_dir,
                   seed=seed if seed is not None else secrets.randbelow(2**31), app=app, backend=backend,
                   worker=worker)

    def header_lines(self) -> list[str]:
        bugs = ",".join(self.bugs) or "none"
        return [f"harness: device={self.device_name} bugs={bugs} seed={self.seed} run={self.run_dir}"]

    # -- lazily started parts -------------------------------------------------------------------

    @property
    def runner(self) -> Any:
        if self._runner is None:
            from harness.scenario.runner import ScenarioRunner

            self.run_dir.mkdir(parents=True, exist_ok=True)
            self._write_run_json()
            self._runner = ScenarioRunner.start(
                run_dir=self.run_dir, device=self.device_name, app=self.app_name, bugs=self.bugs, seed=self.seed,
                backend=self.backend)
        return self._runner

    def skip_reason(self, scenario: Any) -> str | None:
        """Why this scenario cannot run on this session's device, or None."""
        from harness.scenario.compat import skip_reason

        return skip_reason(scenario, self.device_name)

    def run(self, scenario: Any) -> Any:
        result = self.runner.run(scenario)
        self._results.append({"id": scenario.id, "outcome": result.outcome})
        self._write_run_json()
        return result

    def _write_run_json(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        data = {
            "run_id": self.run_dir.name if not self.worker else self.run_dir.parent.parent.name,
            "started": self._started,
            "finished": time.time(),
            "device": self.device_name,
            "app": self.app_name,
            "bugs": list(self.bugs),
            "seed": self.seed,
            "worker": self.worker,
            "argv": sys.argv,
            "scenarios": [r["id"] for r in self._results],
        }
        (self.run_dir / "run.json").write_text(json.dumps(data, indent=2))

    def close(self) -> None:
        """Stop the device and the lab if they were started; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            try:
                runner.close()
            finally:
                self._write_run_json()


def merge_workers(run_dir: Path) -> list[str]:
    """After a run spread over pytest-xdist workers (each with its own lab, in ``run_dir/workers/<id>``): move
    every scenario folder into ``run_dir/scenarios`` (ids are unique per run) and return the ids, so the report
    and the JUnit file see one run. The workers' labs and logs stay where they are."""
    import shutil

    target = run_dir / "scenarios"
    target.mkdir(parents=True, exist_ok=True)
    moved: list[str] = []
    for worker in sorted((run_dir / "workers").glob("*")):
        for folder in sorted((worker / "scenarios").glob("*")):
            dest = target / folder.name
            if dest.exists():
                shutil.rmtree(dest)
            shutil.move(str(folder), str(dest))
            moved.append(folder.name)
    return moved


__all__ = ["SuiteSession", "merge_workers", "new_run_id"]
