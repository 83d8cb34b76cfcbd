"""Read a run folder back, tolerating damage, with every credential already redacted.

The report is rendered from the run folder alone (no lab, no device). A
scenario folder may be torn by a crash (no result.json, half a JSON line, no
timeline): that scenario is shown with its problems and the others render
normally. Everything read here passes through :mod:`harness.redact`, so
nothing downstream can leak a token that a producer forgot to scrub.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.checks.model import Verdict
from harness.redact import redact_obj, redact_text
from harness.timeline import Event, iter_events

OUTCOMES: tuple[str, ...] = ("passed", "failed", "error", "skipped", "not_applicable")
CONSOLE_TAIL_CHARS = 20_000


@dataclass
class ScenarioRun:
    """One scenario folder: its result, events, verdicts, attachments, and what was wrong with it."""

    id: str
    dir: Path
    result: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)
    console: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        o = str(self.result.get("outcome", "error"))
        return o if o in OUTCOMES else "error"

    @property
    def title(self) -> str:
        return str(self.result.get("title") or self.id)

    @property
    def requirements(self) -> list[str]:
        return [str(r) for r in self.result.get("requirements") or []]


@dataclass
class RunFolder:
    """A whole run: run.json plus its scenarios, in run.json order then folder order."""

    dir: Path
    run: dict[str, Any]
    scenarios: list[ScenarioRun]
    problems: list[str] = field(default_factory=list)


def is_run_folder(path: Path) -> bool:
    return (path / "run.json").is_file() or (path / "scenarios").is_dir()


def _read_json(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path.name} is missing")
        return {}
    except (OSError, ValueError) as e:
        problems.append(f"{path.name} is unreadable ({type(e).__name__}: {e})")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path.name} is not a JSON object")
        return {}
    return redact_obj(data)  # type: ignore[no-any-return]


def _redacted_event(ev: Event) -> Event:
    return replace(ev, name=redact_text(ev.name), data=redact_obj(ev.data))


def load_scenario(run_dir: Path, sid: str) -> ScenarioRun:
    """Load one scenario folder; never raises for a damaged folder (problems are listed instead)."""
    d = run_dir / "scenarios" / sid
    sc = ScenarioRun(id=sid, dir=d)
    if not d.is_dir():
        sc.problems.append("scenario folder is missing")
        return sc
    sc.result = _read_json(d / "result.json", sc.problems)
    tl = d / "timeline.jsonl"
    if tl.is_file():
        try:
            sc.events = sorted((_redacted_event(e) for e in iter_events(tl)), key=lambda e: (e.t, e.seq))
        except (OSError, UnicodeDecodeError) as e:
            sc.problems.append(f"timeline.jsonl is unreadable ({e})")
    else:
        sc.problems.append("timeline.jsonl is missing")
    sc.verdicts = _verdicts(sc)
    shots = d / "screenshots"
    if shots.is_dir():
        sc.screenshots = sorted(f"scenarios/{sid}/screenshots/{p.name}" for p in shots.glob("*.png"))
    console = d / "console.log"
    if console.is_file():
        text = console.read_text(encoding="utf-8", errors="replace")
        sc.console = redact_text(text[-CONSOLE_TAIL_CHARS:])
    return sc


def _verdicts(sc: ScenarioRun) -> list[Verdict]:
    raw = sc.result.get("verdicts")
    if isinstance(raw, list):
        out = []
        for item in raw:
            try:
                out.append(Verdict.from_dict(item))
            except (TypeError, ValueError, AttributeError):
                sc.problems.append(f"result.json has an unreadable verdict: {str(item)[:80]}")
        return out
    out = []
    for ev in sc.events:  # fall back to the timeline's check events
        if ev.kind == "check":
            d = dict(ev.data, check=ev.name)
            seqs, notes = list(d.get("evidence") or []), list(d.get("evidence_summaries") or [])
            d["evidence"] = [{"seq": s, "summary": notes[i] if i < len(notes) else ""} for i, s in enumerate(seqs)]
            try:
                out.append(Verdict.from_dict(d))
            except (TypeError, ValueError):
                sc.problems.append(f"check event #{ev.seq} is unreadable")
    return out


def load_run(run_dir: Path) -> RunFolder:
    """Load a run folder: run.json and every scenario listed there or present under scenarios/."""
    problems: list[str] = []
    run = _read_json(run_dir / "run.json", problems)
    ids: list[str] = [str(s) for s in run.get("scenarios") or [] if isinstance(s, (str, int))]
    sdir = run_dir / "scenarios"
    if sdir.is_dir():
        ids += sorted(p.name for p in sdir.iterdir() if p.is_dir() and p.name not in ids)
    return RunFolder(dir=run_dir, run=run, scenarios=[load_scenario(run_dir, s) for s in dict.fromkeys(ids)],
                     problems=problems)


__all__ = ["OUTCOMES", "RunFolder", "ScenarioRun", "is_run_folder", "load_run", "load_scenario"]
