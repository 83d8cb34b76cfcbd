"""Run a suite over a device pool with pytest-xdist, watch each device, and write the merged matrix.

Every device of the pool is one xdist worker, and ``--dist each`` sends
every scenario to every worker. Each worker is started from its own
execnet spec ``popen//env:HARNESS_DEVICE=<device>``, so its device is part
of the worker itself: when a worker dies, xdist's replacement (a new ``gwN``)
resumes the remaining scenarios on the same device. Each worker gets its
own lab on free ports and its own run folder ``<batch>/workers/gwN``
(:class:`~harness.scenario.session.SuiteSession`). A pool with
``workers: K`` (or ``--workers K``) runs its devices K at a time, in batches
``<run>/batch-<i>``.

The watchdog reads each worker's heartbeat (:mod:`harness.farm.progress`):
a scenario still running after ``scenario_timeout_s`` gets its worker
SIGKILLed (only processes this run started), which xdist reports as a crash
and the matrix as that device's error; the whole run is stopped after
``timeout_s``. A device that keeps failing with lab errors is given up on by
its worker. Then each worker's report.html is rendered and the matrix,
matrix.html, the merged junit.xml and the comparison with the previous
night are written.

Usage::

    result = run_farm(load_pool("reference-policies"), reports=Path("reports"))
    print(result.matrix_path, result.exit_code)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from harness import paths
from harness.errors import LabError, SpecError
from harness.farm.matrix import Matrix, build_matrix, device_name, write_matrix
from harness.farm.pool import Pool

Log = Callable[[str], None]


@dataclass(frozen=True)
class FarmOptions:
    """What to run and how long to wait."""

    suites: tuple[Path, ...] = ()
    workers: int | None = None
    seed: int | None = None
    bugs: tuple[str, ...] = ()
    #: the app under test (a name, folder or profile path; None: the default app)
    app: str | None = None
    keyword: str | None = None
    markexpr: str | None = None
    grid: bool = False
    previous: Path | None = None
    scenario_timeout_s: float = 600.0
    timeout_s: float = 4 * 3600.0
    max_lab_errors: int = 2


@dataclass
class FarmResult:
    """Where the outputs are and what they say."""

    run_dir: Path
    matrix: Matrix
    matrix_path: Path
    html_path: Path
    junit_path: Path
    wall_s: float
    batches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return self.matrix.exit_code()


def _descendant(pid: int, root: int) -> bool:
    """Whether ``pid`` is ``root`` or one of its descendants (so we only ever kill our own)."""
    try:
        import psutil

        proc = psutil.Process(pid)
        return pid == root or any(p.pid == root for p in proc.parents())
    except Exception:
        return False


class Watchdog:
    """Kills a worker whose scenario overran, and reports progress lines from outcomes.jsonl."""

    def __init__(self, batch_dir: Path, root_pid: int, *, scenario_timeout_s: float, log: Log) -> None:
        self.batch_dir = batch_dir
        self.root_pid = root_pid
        self.scenario_timeout_s = scenario_timeout_s
        self.log = log
        self.killed: set[tuple[int, str]] = set()
        self._offset = 0

    def _record(self, rec: dict[str, Any]) -> None:
        with (self.batch_dir / "watchdog.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec) + "\n")

    def check(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for hb_path in sorted((self.batch_dir / "heartbeats").glob("*.json")):
            try:
                hb = json.loads(hb_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            nodeid, pid = hb.get("nodeid"), int(hb.get("pid") or 0)
            if not nodeid or not pid or (pid, nodeid) in self.killed:
                continue
            ran = now - float(hb.get("since") or now)
            if ran <= self.scenario_timeout_s:
                continue
            self.killed.add((pid, nodeid))
            scenario = str(nodeid).split("::")[-1]
            msg = (f"watchdog: {scenario} still running on {device_name(str(hb.get('device')))} after "
                   f"{ran:.0f} s (limit {self.scenario_timeout_s:g} s); worker {hb.get('worker')} (pid {pid}) killed")
            self._record({"t": now, "worker": hb.get("worker"), "device": hb.get("device"), "scenario": scenario,
                          "pid": pid, "message": msg})
            self.log(msg)
            if _descendant(pid, self.root_pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def progress(self) -> None:
        path = self.batch_dir / "outcomes.jsonl"
        try:
            with path.open("r", encoding="utf-8") as fh:
                fh.seek(self._offset)
                chunk = fh.read()
        except OSError:
            return
        complete = chunk[: chunk.rfind("\n") + 1]
        self._offset += len(complete.encode("utf-8"))
        for line in complete.splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("event") == "outcome":
                self.log(f"{str(rec.get('outcome')).upper():7} {rec.get('scenario')} [{device_name(str(rec.get('device')))}] "
                         f"({float(rec.get('duration_s') or 0):.1f}s)")
            elif rec.get("event") == "node_down":
                self.log(f"DOWN    worker {rec.get('worker')} [{device_name(str(rec.get('device')))}]: {rec.get('error')}")


def pytest_argv(files: Sequence[Path], devices: Sequence[str], batch_dir: Path, opts: FarmOptions) -> list[str]:
    """The pytest command line of one batch (one worker per device, every scenario on each)."""
    argv = [sys.executable, "-m", "pytest", *[str(f) for f in files],
            "-p", "no:cacheprovider", "--rootdir", str(paths.ROOT), "-c", str(paths.ROOT / "pyproject.toml"),
            "--dist", "each", "-q", "-o", "console_output_style=classic", "-rN",
            "--harness-report-dir", str(batch_dir)]
    for dev in devices:
        argv += ["--tx", f"popen//env:HARNESS_DEVICE={dev}"]
    if opts.seed is not None:
        argv += ["--harness-seed", str(opts.seed)]
    if opts.bugs:
        argv += ["--harness-bugs", ",".join(opts.bugs)]
    if opts.app:
        argv += ["--harness-app", opts.app]
    if opts.keyword:
        argv += ["-k", opts.keyword]
    if opts.markexpr:
        argv += ["-m", opts.markexpr]
    return argv


def run_batch(files: Sequence[Path], devices: Sequence[str], batch_dir: Path, opts: FarmOptions, *, log: Log,
              deadline: float) -> dict[str, Any]:
    """One pytest-xdist run over ``devices``; returns its manifest entry (exit code, wall time)."""
    batch_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    plugins = [p for p in env.get("PYTEST_PLUGINS", "").split(",") if p]
    env.update({
        "HARNESS_FARM_DIR": str(batch_dir),
        "PYTEST_PLUGINS": ",".join([*plugins, "harness.farm.progress"]),
        "HARNESS_FARM_MAX_LAB_ERRORS": str(opts.max_lab_errors),
    })
    env.pop("HARNESS_DEVICE", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    argv = pytest_argv(files, devices, batch_dir, opts)
    t0 = time.monotonic()
    with (batch_dir / "pytest.log").open("ab") as out:
        out.write(("$ " + " ".join(argv) + "\n").encode())
        out.flush()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                cwd=str(paths.ROOT), start_new_session=True)
    dog = Watchdog(batch_dir, proc.pid, scenario_timeout_s=opts.scenario_timeout_s, log=log)
    timed_out = False
    try:
        while proc.poll() is None:
            time.sleep(0.5)
            dog.progress()
            dog.check()
            if time.time() > deadline and not timed_out:
                timed_out = True
                msg = f"watchdog: farm time limit reached ({opts.timeout_s:g} s); stopping {', '.join(devices)}"
                log(msg)
                for dev in devices:
                    dog._record({"t": time.time(), "device": dev, "message": msg})
                _stop_group(proc)
    finally:
        if proc.poll() is None:
            _stop_group(proc)
        dog.progress()
    return {"dir": batch_dir.name, "devices": list(devices), "exit_code": proc.returncode,
            "wall_s": round(time.monotonic() - t0, 2), "timed_out": timed_out}


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait_s in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def grid_profiles(devices: Sequence[str], hub_url: str, out_dir: Path) -> list[str]:
    """Copies of the pool's profiles with ``appium_url`` set to the running hub (written under ``out_dir``)."""
    from ruamel.yaml import YAML

    from harness.device.profiles import find_profile, load_profile

    out_dir.mkdir(parents=True, exist_ok=True)
    yaml = YAML(typ="rt")
    out: list[str] = []
    for ref in devices:
        prof = find_profile(ref)
        src = Path(ref) if ref.endswith((".yaml", ".yml")) else paths.DEVICES / f"{prof.name}.yaml"
        if not src.is_file():
            src = next(p for p in paths.DEVICES.glob("*.yaml") if load_profile(p).name == prof.name)
        doc = yaml.load(src.read_text(encoding="utf-8"))
        if prof.backend not in ("chromium", "remote"):
            raise SpecError("devices", prof.name, "a chromium or remote profile to run through the Grid", file=src)
        doc["appium_url"] = hub_url
        target = out_dir / f"{prof.name}.yaml"
        with target.open("w", encoding="utf-8") as fh:
            yaml.dump(doc, fh)
        load_profile(target)  # still valid
        out.append(str(target))
    return out


def run_farm(pool: Pool, *, run_dir: Path, options: FarmOptions = FarmOptions(), log: Log = print,
             reports: Path | None = None) -> FarmResult:
    """Run ``pool`` into ``run_dir`` and write matrix.json, matrix.html and junit.xml there."""
    from harness.device.profiles import can_run_here, find_profile
    from harness.scenario.loader import load_all, scenario_files

    t0 = time.monotonic()
    started = time.time()
    suites = options.suites or pool.suites
    if suites:
        files = scenario_files(suites)
    else:
        from harness.cli.run_cmd import default_suite

        files = default_suite()
    if not files:
        raise SpecError("suites", [str(s) for s in suites], "folders or files holding scenario *.yaml files")
    scenarios = load_all(files)  # every file validated before anything starts
    run_dir.mkdir(parents=True, exist_ok=True)
    devices = list(pool.devices)
    grid = None
    unrunnable: dict[str, str] = {}
    manifest: dict[str, Any] = {
        "run_id": run_dir.name, "pool": pool.name, "pool_file": str(pool.source) if pool.source else None,
        "devices": [device_name(d) for d in devices], "started": started,
        "scenarios": [{"id": s.id, "title": s.title, "requirements": list(s.requirements)} for s in scenarios],
        "files": [str(f) for f in files], "seed": options.seed, "bugs": list(options.bugs),
        "selection": {"keyword": options.keyword, "markexpr": options.markexpr},
    }
    try:
        if options.grid or pool.grid:
            from harness.farm.grid import Grid

            log("starting Selenium Grid 4 (hub + Appium relay node) ...")
            grid = Grid.start(run_dir / "grid", max_sessions=max(1, len(devices)))
            manifest["grid_url"] = grid.url
            log(f"grid hub {grid.url} -> appium {grid.appium_url}")
            devices = grid_profiles(devices, grid.url, run_dir / "devices")
        for ref in devices:
            ok, why = can_run_here(find_profile(ref))
            if not ok:
                unrunnable[device_name(ref)] = why
                log(f"SKIP    device {device_name(ref)}: cannot run here: {why}")
        runnable = [d for d in devices if device_name(d) not in unrunnable]
        if not runnable:
            raise LabError("no device of pool " + pool.name + " can run on this machine: " +
                           "; ".join(f"{d}: {w}" for d, w in unrunnable.items()))
        parallel = min(options.workers or pool.parallel, len(runnable))
        batches = [runnable[i:i + parallel] for i in range(0, len(runnable), parallel)]
        manifest.update(parallel=parallel, batches=[])
        deadline = time.time() + options.timeout_s
        for i, batch in enumerate(batches):
            bdir = run_dir if len(batches) == 1 else run_dir / f"batch-{i}"
            log(f"batch {i + 1}/{len(batches)}: {', '.join(device_name(d) for d in batch)} "
                f"({len(files)} scenario file(s) each)")
            entry = run_batch(files, batch, bdir, options, log=log, deadline=deadline)
            entry["dir"] = bdir.relative_to(run_dir).as_posix() or "."
            manifest["batches"].append(entry)
            _write_manifest(run_dir, manifest, unrunnable)
    finally:
        if grid is not None:
            grid.stop()
        manifest["finished"] = time.time()
        manifest["wall_s"] = round(time.monotonic() - t0, 2)
        _write_manifest(run_dir, manifest, unrunnable)
    _render_worker_reports(run_dir, manifest, log)
    return finish(run_dir, previous=options.previous, reports=reports or run_dir.parent,
                  wall_s=manifest["wall_s"], batches=manifest.get("batches", []), unrunnable=unrunnable)


def _write_manifest(run_dir: Path, manifest: dict[str, Any], unrunnable: dict[str, str]) -> None:
    (run_dir / "farm.json").write_text(json.dumps({**manifest, "unrunnable": unrunnable}, indent=2, default=str),
                                       encoding="utf-8")


def _render_worker_reports(run_dir: Path, manifest: dict[str, Any], log: Log) -> None:
    try:
        from harness.report.html import render_report
    except ImportError as e:
        log(f"worker reports not rendered: {e}")
        return
    for b in manifest.get("batches", []):
        for wdir in sorted((run_dir / str(b.get("dir", "."))).glob("workers/*")):
            if (wdir / "run.json").is_file():
                try:
                    render_report(wdir)
                except Exception as e:  # a broken reporter never hides the matrix
                    log(f"report for {wdir} not rendered: {type(e).__name__}: {e}")


def finish(run_dir: Path, *, previous: Path | None = None, reports: Path | None = None, wall_s: float | None = None,
           batches: list[dict[str, Any]] | None = None, unrunnable: dict[str, str] | None = None) -> FarmResult:
    """Build the matrix from ``run_dir`` and write matrix.json, matrix.html, junit.xml (also re-renders)."""
    from harness.farm.history import apply_history, compare, find_previous, load_previous
    from harness.farm.html import write_html
    from harness.farm.junit import write_junit

    matrix = build_matrix(run_dir)
    for dev, why in (unrunnable or matrix.meta.get("unrunnable") or {}).items():
        matrix.device_notes.setdefault(dev, []).append(f"cannot run here: {why}")
        for key, cell in list(matrix.cells.items()):
            if key[1] == dev and cell.reason.startswith("not run"):
                matrix.cells[key] = type(cell)(scenario=cell.scenario, device=dev, outcome="error",
                                               reason=f"not run: {dev} cannot run here: {why}", lab_error=True)
    prev = previous if previous is not None else find_previous(reports or run_dir.parent, exclude=run_dir)
    if prev is not None:
        data = load_previous(prev)
        apply_history(matrix, compare(matrix, data), prev, str(data.get("run_id") or ""))
    matrix_path = write_matrix(matrix, run_dir / "matrix.json")
    html_path = write_html(matrix, run_dir / "matrix.html")
    junit_path = write_junit(matrix, run_dir / "junit.xml")
    return FarmResult(run_dir=run_dir, matrix=matrix, matrix_path=matrix_path, html_path=html_path,
                      junit_path=junit_path, wall_s=float(wall_s if wall_s is not None else matrix.meta.get("wall_s") or 0),
                      batches=list(batches or []))





def merge_runs(run_dirs: Sequence[Path], *, reports: Path, previous: Path | None = None) -> FarmResult:
    """Merge finished farm run folders into one matrix.

    One folder is re-merged in place; several (say, one per CI job of a device
    matrix) are copied into a new ``<reports>/<run-id>`` as batches, so the
    merged folder carries every device's report.
    """
    import shutil

    from harness.scenario.session import new_run_id

    for d in run_dirs:
        if not (d / "farm.json").is_file() and not (d / "workers").is_dir():
            raise SpecError("--merge", str(d), "a farm run folder (with farm.json or workers/)")
    if len(run_dirs) == 1:
        return finish(run_dirs[0], previous=previous, reports=reports)
    target = reports / new_run_id()
    manifest: dict[str, Any] = {"run_id": target.name, "pool": "merged", "devices": [], "scenarios": [],
                                "batches": [], "merged_from": [str(d) for d in run_dirs]}
    seen: set[str] = set()
    for i, src in enumerate(run_dirs):
        data: dict[str, Any] = {}
        try:
            data = json.loads((src / "farm.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        manifest["devices"] += [d for d in data.get("devices") or [] if d not in manifest["devices"]]
        for s in data.get("scenarios") or []:
            if isinstance(s, dict) and s.get("id") not in seen:
                seen.add(str(s.get("id")))
                manifest["scenarios"].append(s)
        batches = data.get("batches") or [{"dir": "."}]
        for j, b in enumerate(batches):
            name = f"batch-{i}-{j}"
            shutil.copytree(src / str(b.get("dir", ".")), target / name,
                            ignore=shutil.ignore_patterns("batch-*", "matrix.*", "junit.xml", "farm.json"))
            manifest["batches"].append({**b, "dir": name})
    _write_manifest(target, manifest, {})
    return finish(target, previous=previous, reports=reports)

__all__ = ["FarmOptions", "FarmResult", "Watchdog", "finish", "grid_profiles", "merge_runs", "pytest_argv", "run_batch",
           "run_farm"]
