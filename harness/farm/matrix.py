"""Merge the per-device results of a farm run into one scenario x device matrix (matrix.json).

Three sources, read from the farm folder alone, so a matrix can be rebuilt
(and tested) from any run folder, however damaged:

1. each worker's run folder ``<batch>/workers/gwN`` (run.json names the
   device; ``scenarios/<id>/result.json`` has the outcome, the failed
   verdicts and ``metrics.time_to_converge_s``): authoritative when present;
2. ``<batch>/outcomes.jsonl`` from :mod:`harness.farm.progress`: skips (with
   their reason), crashes, errors before the runner wrote anything, and
   ``node_down`` lines for workers that died;
3. ``<batch>/watchdog.jsonl`` from :mod:`harness.farm.run`: scenarios the
   watchdog gave up on.

A pair with none of these is an ``error`` that says why (the device's
worker died, or it never ran). ``farm.json`` (the run's manifest) gives the
expected devices and scenarios; without it they are whatever was found.

Usage::

    matrix = build_matrix(Path("reports/20250101-020000-ab12"))
    write_matrix(matrix, run_dir / "matrix.json")
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator

from harness.farm.progress import is_check_failure, is_lab_error

OUTCOMES: tuple[str, ...] = ("passed", "failed", "error", "skipped", "not_applicable")


@dataclass(frozen=True)
class Cell:
    """One scenario on one device."""

    scenario: str
    device: str
    outcome: str
    reason: str = ""
    duration_s: float | None = None
    time_to_converge_s: float | None = None
    worker: str | None = None
    report: str | None = None
    failed_requirements: tuple[str, ...] = ()
    lab_error: bool = False
    change: str | None = None  # set by history: new_failure, fixed, still_failing, new
    #: what the device's policy made the app do (the background check's verdict), which is where
    #: devices of a pool are expected to differ
    behaviour: str = ""

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["failed_requirements"] = list(self.failed_requirements)
        return d


@dataclass(frozen=True)
class ScenarioInfo:
    id: str
    title: str = ""
    requirements: tuple[str, ...] = ()


@dataclass
class Matrix:
    """Scenarios (rows) x devices (columns); see the module docstring."""

    run_id: str
    pool: str
    devices: list[str]
    scenarios: list[ScenarioInfo]
    cells: dict[tuple[str, str], Cell]
    device_notes: dict[str, list[str]] = field(default_factory=dict)
    device_reports: dict[str, list[str]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    history: dict[str, Any] = field(default_factory=dict)

    def cell(self, scenario: str, device: str) -> Cell:
        return self.cells[(scenario, device)]

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in OUTCOMES}
        for c in self.cells.values():
            out[c.outcome] += 1
        return out

    def exit_code(self) -> int:
        """0 everything passed or was skipped, 1 a scenario failed, 2 only lab errors (fix the machine)."""
        bad = [c for c in self.cells.values() if c.outcome in ("failed", "error")]
        if not bad:
            return 0
        return 1 if any(not c.lab_error for c in bad) else 2

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "pool": self.pool, "devices": self.devices,
            "scenarios": [{"id": s.id, "title": s.title, "requirements": list(s.requirements)} for s in self.scenarios],
            "cells": [self.cells[(s.id, d)].to_json() for s in self.scenarios for d in self.devices],
            "counts": self.counts(), "device_notes": self.device_notes, "device_reports": self.device_reports,
            "meta": self.meta, "history": self.history,
        }


def device_name(ref: str) -> str:
    """A device column's name: the profile name, or a profile file's stem."""
    return Path(ref).stem if ref.endswith((".yaml", ".yml")) else ref


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a torn last line after a crash
        if isinstance(rec, dict):
            yield rec


def batch_dirs(run_dir: Path, manifest: dict[str, Any] | None) -> list[Path]:
    """The folders holding worker folders: the manifest's batches, else the run folder and any batch-*."""
    if manifest and isinstance(manifest.get("batches"), list) and manifest["batches"]:
        return [run_dir / str(b.get("dir", ".")) for b in manifest["batches"] if isinstance(b, dict)]
    return [run_dir] + sorted(p for p in run_dir.glob("batch-*") if p.is_dir())


def _failed_summary(result: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    lines: list[str] = []
    reqs: list[str] = []
    for v in result.get("verdicts") or []:
        if isinstance(v, dict) and not v.get("passed", True):
            ids = [str(r) for r in v.get("requirement_ids") or []]
            reqs += ids
            lines.append(f"[{','.join(ids)}] {v.get('check', '?')}: {v.get('title', '')}")
    return "; ".join(lines), tuple(dict.fromkeys(reqs))


def _from_result(result: dict[str, Any], device: str, worker: str, link: str | None) -> Cell:
    outcome = str(result.get("outcome", "error"))
    if outcome not in OUTCOMES:
        outcome = "error"
    metrics = result.get("metrics") if isinstance(result.get("metrics"), dict) else {}
    ttc = metrics.get("time_to_converge_s") if metrics else None
    dur = result.get("duration_s")
    failed, reqs = _failed_summary(result)
    error = str(result.get("error") or "")
    if outcome == "skipped":
        reason = str(result.get("skip_reason") or error or "skipped")
    elif outcome == "failed":
        reason = failed or error or "a check failed"
    elif outcome == "error":
        reason = error or "error (no message)"
    else:
        reason = ""
    behaviour = "; ".join(str(v.get("title", "")) for v in result.get("verdicts") or []
                          if isinstance(v, dict) and v.get("check") == "background")
    return Cell(scenario=str(result.get("id")), device=device, outcome=outcome, reason=reason,
                duration_s=float(dur) if isinstance(dur, (int, float)) else None,
                time_to_converge_s=float(ttc) if isinstance(ttc, (int, float)) else None,
                worker=worker, report=link, failed_requirements=reqs,
                lab_error=outcome == "error", behaviour=behaviour)


def _from_outcome(rec: dict[str, Any], device: str) -> Cell:
    outcome, when = str(rec.get("outcome")), str(rec.get("when"))
    reason = str(rec.get("reason") or "")
    lab = is_lab_error(reason) or when == "crash" or "given up after" in reason
    if outcome == "skipped":
        mapped = "skipped"
    elif outcome == "passed":
        mapped = "passed"
    elif when == "call" and not lab and is_check_failure(reason):
        mapped = "failed"
    else:
        mapped = "error"
    if when == "crash":
        reason = f"worker {rec.get('worker')} died while running it ({reason})"
    dur = rec.get("duration_s")
    return Cell(scenario=str(rec.get("scenario")), device=device, outcome=mapped, reason=reason,
                duration_s=float(dur) if isinstance(dur, (int, float)) else None, worker=str(rec.get("worker")),
                lab_error=mapped == "error")


@dataclass
class _Found:
    results: dict[tuple[str, str], Cell] = field(default_factory=dict)
    outcomes: dict[tuple[str, str], Cell] = field(default_factory=dict)
    watchdog: dict[tuple[str, str], str] = field(default_factory=dict)
    infos: dict[str, ScenarioInfo] = field(default_factory=dict)
    devices: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    reports: dict[str, list[str]] = field(default_factory=dict)


def _scan_batch(run_dir: Path, batch: Path, found: _Found) -> None:
    workers = batch / "workers"
    worker_device: dict[str, str] = {}
    for wdir in sorted(workers.iterdir()) if workers.is_dir() else []:
        if not wdir.is_dir():
            continue
        run = _read_json(wdir / "run.json") or {}
        device = device_name(str(run.get("device") or ""))
        if not device:
            found.notes.setdefault("?", []).append(f"{wdir.relative_to(run_dir)}: run.json missing or without a device")
            continue
        worker_device[wdir.name] = device
        found.devices.append(device)
        rel = wdir.relative_to(run_dir).as_posix()
        has_report = (wdir / "report.html").is_file()
        if has_report:
            found.reports.setdefault(device, []).append(f"{rel}/report.html")
        sdir = wdir / "scenarios"
        for sc in sorted(sdir.iterdir()) if sdir.is_dir() else []:
            result = _read_json(sc / "result.json")
            if result is None:
                found.results[(sc.name, device)] = Cell(
                    scenario=sc.name, device=device, outcome="error", worker=wdir.name, lab_error=True,
                    reason=f"no readable result.json in {rel}/scenarios/{sc.name} (the worker stopped mid-scenario)")
                continue
            result.setdefault("id", sc.name)
            link = f"{rel}/report.html#s-{_anchor(sc.name)}" if has_report else f"{rel}/scenarios/{sc.name}"
            found.results[(str(result["id"]), device)] = _from_result(result, device, wdir.name, link)
            found.infos.setdefault(str(result["id"]), ScenarioInfo(
                str(result["id"]), str(result.get("title") or ""),
                tuple(str(r) for r in result.get("requirements") or [])))
    for rec in _read_jsonl(batch / "outcomes.jsonl"):
        device = device_name(str(rec.get("device") or "")) or worker_device.get(str(rec.get("worker")), "")
        if not device:
            continue
        if rec.get("event") == "node_down":
            err = rec.get("error")
            found.notes.setdefault(device, []).append(
                f"worker {rec.get('worker')} went down" + (f": {str(err)[:300]}" if err else " (killed or crashed)"))
        elif rec.get("event") == "outcome" and rec.get("scenario"):
            found.devices.append(device)
            key = (str(rec["scenario"]), device)
            prev = found.outcomes.get(key)
            # a crash or a failing call outranks a setup/teardown line for the same pair
            if prev is None or rec.get("when") in ("call", "crash") or prev.outcome == "passed":
                found.outcomes[key] = _from_outcome(rec, device)
    for rec in _read_jsonl(batch / "watchdog.jsonl"):
        device = device_name(str(rec.get("device") or ""))
        if rec.get("scenario") and device:
            found.watchdog[(str(rec["scenario"]), device)] = str(rec.get("message") or "stopped by the watchdog")
        elif device:
            found.notes.setdefault(device, []).append(str(rec.get("message") or "stopped by the watchdog"))


def _anchor(sid: str) -> str:
    try:
        from harness.report.html import anchor_of
    except ImportError:
        return sid
    return anchor_of(sid)


def build_matrix(run_dir: Path) -> Matrix:
    """Merge every source under ``run_dir`` into a Matrix (never raises for a damaged folder)."""
    manifest = _read_json(run_dir / "farm.json")
    found = _Found()
    for batch in batch_dirs(run_dir, manifest):
        if batch.is_dir():
            _scan_batch(run_dir, batch, found)
    devices = [device_name(str(d)) for d in (manifest or {}).get("devices") or []] + found.devices
    devices = list(dict.fromkeys(d for d in devices if d))
    sids: list[str] = []
    for s in (manifest or {}).get("scenarios") or []:
        if isinstance(s, dict) and s.get("id"):
            sids.append(str(s["id"]))
            found.infos.setdefault(str(s["id"]), ScenarioInfo(str(s["id"]), str(s.get("title") or ""),
                                                              tuple(str(r) for r in s.get("requirements") or [])))
    sids += sorted({k[0] for k in (*found.results, *found.outcomes)} - set(sids))
    selection = (manifest or {}).get("selection") or {}
    if selection.get("keyword") or selection.get("markexpr"):
        # -k / -m deselected the rest: a scenario no device has a word about was not chosen, not broken
        seen = {k[0] for k in (*found.results, *found.outcomes)}
        sids = [s for s in sids if s in seen]
    cells: dict[tuple[str, str], Cell] = {}
    for sid in sids:
        for dev in devices:
            cells[(sid, dev)] = _merge_cell(sid, dev, found)
    return Matrix(
        run_id=str((manifest or {}).get("run_id") or run_dir.name), pool=str((manifest or {}).get("pool") or "?"),
        devices=devices, scenarios=[found.infos.get(s, ScenarioInfo(s)) for s in sids], cells=cells,
        device_notes={d: n for d, n in found.notes.items()}, device_reports=found.reports,
        meta={k: v for k, v in (manifest or {}).items() if k not in ("scenarios",)},
    )


def _merge_cell(sid: str, dev: str, found: _Found) -> Cell:
    key = (sid, dev)
    result, outcome, dog = found.results.get(key), found.outcomes.get(key), found.watchdog.get(key)
    if result is not None:
        if dog and result.outcome == "error":
            return replace(result, reason=f"{dog}; {result.reason}")
        if outcome is not None and outcome.outcome == "error" and result.outcome == "passed":
            return replace(result, outcome="error", reason=outcome.reason, lab_error=outcome.lab_error)
        return result
    if outcome is not None:
        if dog:
            return replace(outcome, outcome="error", reason=f"{dog}; {outcome.reason}", lab_error=True)
        return outcome
    if dog:
        return Cell(scenario=sid, device=dev, outcome="error", reason=dog, lab_error=True)
    notes = found.notes.get(dev)
    why = f"not run: {notes[-1]}" if notes else "not run: no result and no report from its worker"
    return Cell(scenario=sid, device=dev, outcome="error", reason=why, lab_error=True)


def write_matrix(matrix: Matrix, path: Path) -> Path:
    """Write matrix.json and return its path."""
    path.write_text(json.dumps(matrix.to_json(), indent=2, default=str), encoding="utf-8")
    return path


def cells_of(data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The cells of a matrix.json document (for readers of an older night)."""
    return [c for c in data.get("cells") or [] if isinstance(c, dict)]


__all__ = ["Cell", "Matrix", "OUTCOMES", "ScenarioInfo", "build_matrix", "cells_of", "device_name", "write_matrix"]
