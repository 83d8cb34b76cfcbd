"""Synthetic farm run folders, written exactly as the runner, SuiteSession and the progress plugin write them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


class FarmFolder:
    """Builds a farm run folder: farm.json, workers/gwN/{run.json, scenarios/<id>/result.json}, outcomes.jsonl."""

    def __init__(self, root: Path, devices: list[str], scenarios: list[str]) -> None:
        self.root = root
        self.devices = devices
        self.root.mkdir(parents=True, exist_ok=True)
        manifest = {"run_id": root.name, "pool": "test-pool", "devices": devices, "batches": [{"dir": "."}],
                    "scenarios": [{"id": s, "title": f"title of {s}", "requirements": ["R5"]} for s in scenarios],
                    "wall_s": 12.5, "parallel": len(devices)}
        (root / "farm.json").write_text(json.dumps(manifest))

    def worker(self, index: int, *, device: str | None = None) -> Path:
        w = self.root / "workers" / f"gw{index}"
        (w / "scenarios").mkdir(parents=True, exist_ok=True)
        run = {"run_id": self.root.name, "device": device or self.devices[index], "bugs": [], "seed": 1,
               "worker": f"gw{index}", "scenarios": []}
        (w / "run.json").write_text(json.dumps(run))
        return w

    def result(self, index: int, sid: str, outcome: str, **extra: Any) -> None:
        w = self.worker(index) if not (self.root / "workers" / f"gw{index}" / "run.json").exists() else \
            self.root / "workers" / f"gw{index}"
        d = w / "scenarios" / sid
        d.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {"id": sid, "title": f"title of {sid}", "requirements": ["R5"], "tags": [],
                                "outcome": outcome, "duration_s": 3.5, "verdicts": [], "error": None,
                                "metrics": {"time_to_converge_s": 1.25}}
        data.update(extra)
        (d / "result.json").write_text(json.dumps(data))

    def outcome(self, worker: str, device: str, sid: str, outcome: str, *, when: str = "call", reason: str = "") -> None:
        self._line({"event": "outcome", "t": 1.0, "worker": worker, "device": device, "nodeid": f"x.yaml::{sid}",
                    "scenario": sid, "when": when, "outcome": outcome, "duration_s": 0.1, "reason": reason})

    def node_down(self, worker: str, device: str, error: str | None = None) -> None:
        self._line({"event": "node_down", "t": 2.0, "worker": worker, "device": device, "error": error})

    def _line(self, rec: dict[str, Any]) -> None:
        with (self.root / "outcomes.jsonl").open("a") as fh:
            fh.write(json.dumps(rec) + "\n")


FAILED_VERDICT = {"check": "background", "requirement_ids": ["R20"], "passed": False,
                  "title": "queued work did not sync in the background", "evidence": [{"seq": 4, "summary": "x"}]}


@pytest.fixture
def farm(tmp_path: Path) -> FarmFolder:
    return FarmFolder(tmp_path / "20250101-020000-abcd", ["dev-a", "dev-b", "dev-c"], ["s1", "s2", "s3", "s4"])
