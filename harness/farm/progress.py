"""The farm's pytest plugin: what each device did, written as it happens, and a dead-device breaker.

Loaded in the controller and in every xdist worker through
``PYTEST_PLUGINS=harness.farm.progress`` with ``HARNESS_FARM_DIR`` set (it
does nothing without it). The controller appends one JSON line per
scenario outcome to ``outcomes.jsonl`` (with the worker and the device it
ran on, the skip reason or the error text), plus ``node_down`` lines when a
worker dies. That covers what no result.json can: skips decided before the
runner starts, crashes, collection errors. Each worker writes a heartbeat
file (``heartbeats/<worker>.json``: pid, device, the scenario running and
since when) that the farm's watchdog reads. After
``HARNESS_FARM_MAX_LAB_ERRORS`` (default 2) consecutive lab errors a worker
stops trying its device and errors the rest at once, naming the last error.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

LAB_ERROR_MARKERS: tuple[str, ...] = ("LabError", "PartFailed", "HarnessFault", "ScreenTimeout")
REASON_CHARS = 2000


def _farm_dir() -> Path | None:
    d = os.environ.get("HARNESS_FARM_DIR")
    return Path(d) if d else None


def _append(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str) + "\n")


def _reason(report: pytest.TestReport) -> str:
    lr = report.longrepr
    if report.skipped and isinstance(lr, tuple) and len(lr) == 3:
        text = str(lr[2])
        return text[len("Skipped: "):] if text.startswith("Skipped: ") else text
    if lr is None:
        return ""
    return short_reason(str(getattr(report, "longreprtext", "") or lr))


def short_reason(text: str) -> str:
    """The message of a failure text: pytest's ``E`` lines of a traceback, or the text itself, bounded."""
    e_lines = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
    return ("\n".join(e_lines[:8]) if e_lines else text.strip())[:REASON_CHARS]


def is_check_failure(text: str) -> bool:
    """Whether a failure text is the plugin's rendering of CheckFailed (the app broke a requirement)."""
    return "(scenario folder:" in text


def is_lab_error(text: str) -> bool:
    """Whether a failure text is the machine's fault (a lab part or the device), not the app's."""
    return any(text.lstrip().startswith(m) or f"\n{m}" in text or f"{m}:" in text for m in LAB_ERROR_MARKERS)


def _node_ids(node: Any) -> tuple[str, str]:
    gw = getattr(node, "gateway", None)
    spec = getattr(gw, "spec", None)
    env = getattr(spec, "env", None) or {}
    return str(getattr(gw, "id", "?")), str(env.get("HARNESS_DEVICE", ""))


class ControllerRecorder:
    """Controller side: outcomes.jsonl, one line per outcome (and per dead worker)."""

    def __init__(self, farm_dir: Path) -> None:
        self.path = farm_dir / "outcomes.jsonl"

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        crash = report.when not in ("setup", "call", "teardown")
        if not crash and report.when != "call" and report.passed:
            return
        node = getattr(report, "node", None)
        worker, device = _node_ids(node) if node is not None else (
            os.environ.get("PYTEST_XDIST_WORKER", "main"), os.environ.get("HARNESS_DEVICE", ""))
        _append(self.path, {
            "event": "outcome", "t": time.time(), "worker": worker, "device": device, "nodeid": report.nodeid,
            "scenario": report.nodeid.split("::")[-1], "when": report.when if not crash else "crash",
            "outcome": report.outcome, "duration_s": round(float(report.duration or 0.0), 3),
            "reason": _reason(report),
        })

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        if error is None:
            return  # a worker that finished its scenarios
        worker, device = _node_ids(node)
        _append(self.path, {"event": "node_down", "t": time.time(), "worker": worker, "device": device,
                            "error": str(error) if error else None})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            _append(self.path, {"event": "collect_error", "t": time.time(), "nodeid": report.nodeid,
                                "reason": str(report.longrepr)[:REASON_CHARS]})


class WorkerHeartbeat:
    """Worker side: the heartbeat the watchdog reads, and the dead-device breaker."""

    def __init__(self, farm_dir: Path, worker: str) -> None:
        self.path = farm_dir / "heartbeats" / f"{worker}.json"
        self.worker = worker
        self.device = os.environ.get("HARNESS_DEVICE", "")
        self.max_lab_errors = int(os.environ.get("HARNESS_FARM_MAX_LAB_ERRORS", "2"))
        self.lab_errors = 0
        self.last_lab_error = ""
        self._beat(None)

    def _beat(self, nodeid: str | None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "worker": self.worker, "device": self.device,
                                   "nodeid": nodeid, "since": time.time()}), encoding="utf-8")
        tmp.replace(self.path)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self._beat(nodeid)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self._beat(None)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.max_lab_errors > 0 and self.lab_errors >= self.max_lab_errors:
            pytest.fail(f"device {self.device or '?'} given up after {self.lab_errors} consecutive lab errors "
                        f"(last: {self.last_lab_error[:300]})", pytrace=False)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        text = str(getattr(report, "longreprtext", "") or "")
        if report.failed and is_lab_error(text):
            self.lab_errors += 1
            self.last_lab_error = text.strip().splitlines()[0] if text.strip() else "?"
        elif report.passed or report.failed:
            self.lab_errors = 0


def pytest_configure(config: pytest.Config) -> None:
    farm_dir = _farm_dir()
    if farm_dir is None:
        return
    from harness.pytest_plugin import xdist_worker

    worker = xdist_worker(config)
    if worker:
        config.pluginmanager.register(WorkerHeartbeat(farm_dir, worker), "harness-farm-heartbeat")
    else:
        config.pluginmanager.register(ControllerRecorder(farm_dir), "harness-farm-recorder")


__all__ = ["ControllerRecorder", "LAB_ERROR_MARKERS", "WorkerHeartbeat", "is_check_failure", "is_lab_error",
           "short_reason"]
