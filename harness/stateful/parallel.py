"""``harness fuzz --workers N`` / ``--pool POOL``: N labs exploring at once, one example database, one finding.

Each worker is an ordinary ``harness fuzz`` child process with its own lab
(its own Toxiproxy proxies, mitmdump, backend and device, on free ports) and
its own seed; what they share lives in the run folder:

* ``parallel.json``: the Hypothesis example database every worker reads and
  writes (a directory database: a failure saved by one worker is replayed
  first by every worker that starts an example run after it, so none
  rediscovers it);
* ``found``: created (exclusively) by the first worker to meet a failure.
  The others stop at their next example and do not shrink: a failure is
  shrunk, replayed and exported once, by the worker that found it;
* ``workers/<slot>/outcome.json``: what each worker did (its counters, its
  finding), which the controller merges into one summary.

A worker that dies (a crash, a signal, no outcome written) is reported with
the tail of its log and restarted with a fresh seed while the budget lasts
(at most ``MAX_RESTARTS`` per slot), never silently lost. Ctrl-C or SIGTERM
stops every worker (each unwinds its own lab) before the controller exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from harness import paths

#: restarts of one worker slot after a crash, at most
MAX_RESTARTS = 2
#: a crashed worker is not restarted with less budget than this left
MIN_RESTART_BUDGET_S = 30.0
POLL_S = 0.5

SPEC = "parallel.json"
FOUND = "found"
OUTCOME = "outcome.json"


# -- the worker's side -------------------------------------------------------------------------------------


def worker_spec(run_dir: Path) -> dict[str, Any]:
    """What the controller wrote for its workers (the shared database)."""
    return json.loads((run_dir / SPEC).read_text(encoding="utf-8"))


def stop_requested(run_dir: Path) -> Callable[[], bool]:
    """True once some worker of the run has claimed a finding."""
    return lambda: (run_dir / FOUND).exists()


def claim_finding(run_dir: Path, slot: str) -> Callable[[], bool]:
    """Claim the run's finding for ``slot``: True when it is the first (it shrinks and exports; the others stop at
    their next example); False when another worker claimed first (this one stops without shrinking)."""

    def claim() -> bool:
        try:
            fd = os.open(run_dir / FOUND, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps({"worker": slot, "t": time.time()}))
        return True

    return claim


def write_outcome(folder: Path, out: Any, *, device: str) -> None:
    """``outcome.json`` of one worker, from its :class:`~harness.stateful.fuzz.FuzzOutcome`."""
    st = out.stats
    data = {
        "device": device, "seed": out.seed, "found": out.found, "kind": out.kind, "title": out.title,
        "requirement_ids": out.requirement_ids, "scenario_path": str(out.scenario_path or ""),
        "replays": out.replays, "replay_matches": out.replay_matches, "replay_history": out.replay_history,
        "examples": st.examples, "steps": st.steps, "elapsed_s": round(st.elapsed_s, 1), "errors": st.errors,
        "reset_s": round(st.reset_s, 2), "steps_s": round(st.steps_s, 2), "finish_s": round(st.finish_s, 2),
        "time_to_failure_s": out.time_to_failure_s, "actions": len(out.actions) if out.found else None,
        "first_failure_actions": out.first_failure_actions, "hypothesis_shrunk_actions": out.hypothesis_shrunk_actions,
        "step_shrink_runs": st.step_shrink_runs, "resume_examples": st.resume_examples,
        "harness_errors": [[str(f), e] for f, e in out.harness_errors],
        "left_to_other_worker": st.left_to_other_worker, "flaky_findings": out.flaky_findings,
        "step_times_s": [round(x, 3) for x in st.step_times], "reset_times_s": [round(x, 3) for x in st.reset_times],
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / OUTCOME).write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


# -- the controller's side ---------------------------------------------------------------------------------


@dataclass
class Slot:
    """One worker position: its device, and every process that has held it (restarts included)."""

    name: str
    device: str
    seed: int
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: list[dict[str, Any]] = field(default_factory=list)
    outcome: dict[str, Any] | None = None
    code: int | None = None


@dataclass
class ParallelResult:
    """The merged run: every worker's outcome, the crashes, the finding (if any)."""

    run_dir: Path
    slots: list[Slot]
    elapsed_s: float

    @property
    def outcomes(self) -> list[dict[str, Any]]:
        return [s.outcome for s in self.slots if s.outcome is not None]

    @property
    def examples(self) -> int:
        return sum(int(o.get("examples") or 0) for o in self.outcomes) + sum(
            int(r.get("examples") or 0) for s in self.slots for r in s.restarts)

    @property
    def findings(self) -> list[dict[str, Any]]:
        return [o for o in self.outcomes if o.get("found")]

    @property
    def crashes(self) -> list[dict[str, Any]]:
        return [r for s in self.slots for r in s.restarts]

    def exit_code(self) -> int:
        """1 a reproduced finding; 3 only flaky ones; 2 no worker could run; 0 clean."""
        kinds = {f.get("kind") for f in self.findings}
        if "failed" in kinds or "error" in kinds:
            return 1
        if "flaky" in kinds:
            return 3
        if not self.outcomes:
            return 2
        return 0

    def to_json(self) -> dict[str, Any]:
        return {"run_dir": str(self.run_dir), "elapsed_s": round(self.elapsed_s, 1), "examples": self.examples,
                "workers": [{"slot": s.name, "device": s.device, "seed": s.seed, "exit_code": s.code,
                             "outcome": s.outcome, "crashes": s.restarts} for s in self.slots]}


class Parallel:
    """Start, watch, restart and stop the worker processes of one parallel fuzz run."""

    def __init__(self, run_dir: Path, devices: list[str], seed: int, budget_s: float,
                 argv: Callable[[Slot, Path], list[str]], database: Path,
                 on_event: Callable[[str], None] = lambda _: None) -> None:
        self.run_dir = run_dir
        self.slots = [Slot(f"w{i}", d, seed + i) for i, d in enumerate(devices)]
        self.budget_s = budget_s
        self.argv = argv
        self.on_event = on_event
        self.deadline = 0.0
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / FOUND).unlink(missing_ok=True)
        (run_dir / SPEC).write_text(json.dumps({"database": str(database), "workers": len(devices)}),
                                    encoding="utf-8")

    def folder(self, slot: Slot) -> Path:
        return self.run_dir / "workers" / slot.name

    def run(self) -> ParallelResult:
        t0 = time.monotonic()
        self.deadline = t0 + self.budget_s
        try:
            for slot in self.slots:
                self._start(slot)
            while any(s.proc is not None for s in self.slots):
                time.sleep(POLL_S)
                for slot in self.slots:
                    if slot.proc is not None and slot.proc.poll() is not None:
                        self._ended(slot)
        finally:
            self._stop_all()
        return ParallelResult(self.run_dir, self.slots, time.monotonic() - t0)

    def _start(self, slot: Slot) -> None:
        folder = self.folder(slot)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / OUTCOME).unlink(missing_ok=True)
        budget = max(1.0, self.deadline - time.monotonic())
        log = (folder / "worker.log").open("ab")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("PYTEST_XDIST_WORKER", None)
        argv = self.argv(slot, folder) + ["--budget", f"{budget:.0f}"]
        log.write(("$ " + " ".join(argv) + "\n").encode())
        log.flush()
        slot.proc = subprocess.Popen(argv, cwd=paths.ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        log.close()
        slot.started = time.monotonic()
        self.on_event(f"{slot.name}: started on {slot.device}, seed {slot.seed}, budget {budget:.0f}s")

    def _ended(self, slot: Slot) -> None:
        assert slot.proc is not None
        code = slot.proc.returncode
        slot.proc, slot.code = None, code
        path = self.folder(slot) / OUTCOME
        outcome = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        if outcome is not None and code in (0, 1, 3):
            slot.outcome = outcome
            self.on_event(f"{slot.name}: done ({outcome.get('examples')} examples"
                          + (f", found: {outcome.get('kind')} {outcome.get('title')}" if outcome.get("found") else "")
                          + ")")
            return
        tail = _tail(self.folder(slot) / "worker.log")
        crash = {"exit_code": code, "seed": slot.seed, "after_s": round(time.monotonic() - slot.started, 1),
                 "log_tail": tail, "examples": (outcome or {}).get("examples", 0)}
        slot.restarts.append(crash)
        self.on_event(f"{slot.name}: worker died (exit {code}) after {crash['after_s']}s: {tail[-300:]}")
        left = self.deadline - time.monotonic()
        if (self.run_dir / FOUND).exists() or left < MIN_RESTART_BUDGET_S or len(slot.restarts) > MAX_RESTARTS:
            return
        slot.seed += 1_000_003  # a fresh sequence of examples, still reproducible from the run's seed
        self._start(slot)

    def _stop_all(self) -> None:
        """Every live worker stopped (SIGTERM: each unwinds its own lab), then killed if it will not go."""
        import signal

        live = [s for s in self.slots if s.proc is not None and s.proc.poll() is None]
        for s in live:
            try:
                os.killpg(s.proc.pid, signal.SIGTERM)  # type: ignore[union-attr]
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        for s in live:
            try:
                s.proc.wait(max(0.1, deadline - time.monotonic()))  # type: ignore[union-attr]
            except subprocess.TimeoutExpired:
                os.killpg(s.proc.pid, signal.SIGKILL)  # type: ignore[union-attr]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def worker_argv(*, app: str, bugs: tuple[str, ...], settings_profile: str, export_dir: Path | None,
                checks: tuple[str, ...] | None, max_examples: int | None, run_dir: Path,
                extra: list[str] | None = None) -> Callable[[Slot, Path], list[str]]:
    """The command line of one worker: ``harness fuzz`` on the slot's device and seed, in its own folder."""

    def argv(slot: Slot, folder: Path) -> list[str]:
        out = [sys.executable, "-m", "harness", "fuzz", "--device", slot.device, "--app", app, "--seed",
               str(slot.seed), "--settings-profile", settings_profile, "--report-dir", str(folder / "run"),
               "--worker-of", str(run_dir), "--worker-slot", slot.name]
        if bugs:
            out += ["--bugs", ",".join(bugs)]
        if export_dir is not None:
            out += ["--export-dir", str(export_dir)]
        if checks:
            out += ["--checks", ",".join(checks)]
        if max_examples is not None:
            out += ["--max-examples", str(max_examples)]
        return out + list(extra or [])

    return argv


__all__ = ["MAX_RESTARTS", "Parallel", "ParallelResult", "Slot", "claim_finding", "stop_requested",
           "worker_argv", "worker_spec", "write_outcome"]
