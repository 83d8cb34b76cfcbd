"""A scenario's outcome: verdicts, measured times, where its files are; written as result.json.

The report and the farm's matrix read ``result.json`` (not the runner's
objects), so a run folder can be re-rendered or merged long after the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.checks import Verdict
from harness.errors import CheckFailed, Evidence


@dataclass
class ScenarioResult:
    """What one scenario run produced."""

    id: str
    title: str
    requirements: tuple[str, ...]
    tags: tuple[str, ...]
    folder: Path
    outcome: str = "passed"  # passed | failed | error | skipped | not_applicable
    duration_s: float = 0.0
    verdicts: list[Verdict] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    skip_reason: str | None = None
    device: str = ""
    bugs: tuple[str, ...] = ()
    seed: int | None = None
    app: str = ""
    #: checks the scenario asked for that the app cannot be judged by -> why (its missing capability)
    not_applicable_checks: dict[str, str] = field(default_factory=dict)
    #: for an ``error``: the files that show what happened (screenshot, page source, the lab's logs)
    evidence_files: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "requirements": list(self.requirements), "tags": list(self.tags),
            "outcome": self.outcome, "duration_s": round(self.duration_s, 3),
            "verdicts": [v.to_dict() for v in self.verdicts], "metrics": self.metrics, "error": self.error,
            "skip_reason": self.skip_reason, "device": self.device, "bugs": list(self.bugs), "seed": self.seed,
            "app": self.app, "not_applicable_checks": dict(self.not_applicable_checks),
            "evidence_files": list(self.evidence_files),
        }

    def write(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "result.json"
        path.write_text(json.dumps(self.to_dict(), indent=2, default=str))
        return path

    def raise_for_verdicts(self) -> None:
        """Raise CheckFailed naming every broken requirement and its evidence (pytest shows it)."""
        if self.outcome == "error":
            from harness.errors import HarnessFault

            raise HarnessFault(self.error or "the scenario could not be carried out", evidence=self.evidence_files)
        failed = self.failed
        if not failed:
            return
        ids: list[str] = []
        for v in failed:
            ids.extend(r for r in v.requirement_ids if r not in ids)
        titles = "; ".join(f"{v.check}: {v.title}" for v in failed)
        evidence = [e for v in failed for e in v.evidence][:20]
        raise CheckFailed(ids, titles, evidence or [Evidence(-1, "see the report")])


__all__ = ["ScenarioResult"]
