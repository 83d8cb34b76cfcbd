"""Run the state machine against a device for a time budget; shrink, export and replay a failure.

:func:`fuzz` is what ``harness fuzz`` and ``benchmarks/bugfinding.py`` call.
It starts the lab and the device once (or reuses a given runner), learns
the seeded data's opportunity owners, then lets Hypothesis generate
sequences until the budget runs out or one fails. A failure is shrunk
(bounded by the profile's ``shrink_s``: Hypothesis's shrinker for a third
of it, then :mod:`harness.stateful.step_shrink` by the steps), exported to
``scenarios/regressions/`` and replayed through the ordinary
:meth:`ScenarioRunner.run`, which is what ``harness run`` does, three times:
a shrunk sequence can hinge on a race (a link drop landing while a request
is in flight) that Hypothesis met twice and a replay does not. The failing
sequences met are tried fewest actions first (:func:`replay_candidates`);
the first that fails the same way on every replay is the export. When none
does, the finding is reported as flaky with its evidence and kept in the run
folder, never exported as a bug, and the search goes on with the budget left
(:func:`_search_on`). An example the harness could not carry out
(the lab or the device broke) is discarded and counted, never shrunk.

Usage::

    out = fuzz(FuzzOptions(device="reference-unrestricted", bugs=("outbox-lifo",), budget_s=120, seed=1))
    out.found, out.scenario_path, out.replay_failed
"""

from __future__ import annotations

import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable, UnsatisfiedAssumption
from hypothesis.stateful import run_state_machine_as_test

from harness import paths
from harness.lab import signals
from harness.scenario.model import SeedSpec, Step
from harness.stateful.exporter import export_scenario, loaded_text, scenario_from_steps
from harness.errors import LabError, UserError
from harness.stateful.machine import (MAX_CONSECUTIVE_ERRORS, BudgetExhausted, FailedRun, FuzzContext, FuzzStats,
                                      LabBroken, failure_class, machine_for, primary_failure, remove_folder)
from harness.stateful import resume, step_shrink, timescale
from harness.stateful.settings import PROFILES, load_profile, settings_for
from harness.cli.options import DEFAULT_APP
from harness.stateful.vocab import FuzzVocabulary, vocabulary_for


@dataclass(frozen=True, kw_only=True)
class FuzzOptions:
    """What to fuzz, for how long, reproducibly."""

    device: str
    bugs: tuple[str, ...] = ()
    budget_s: float = 300.0
    seed: int | None = None
    settings_profile: str = "ci"
    app: str = DEFAULT_APP
    max_examples: int | None = None  # stop after this many examples (besides the time budget)
    report_dir: Path | None = None
    export_dir: Path | None = None
    use_database: bool = True
    replay: bool = True
    shrink_s: float | None = None  # default: the profile's
    checks: tuple[str, ...] | None = None  # judge only these checks (default: every check that applies)
    #: the app's clock and every drawn duration times this (harness.stateful.timescale); None: the default
    time_scale: float | None = None
    #: a worker of a parallel run (harness.stateful.parallel): that run's folder and this worker's slot
    parallel_run: Path | None = None
    worker_slot: str = ""


@dataclass
class FuzzOutcome:
    """What a fuzz run found (or not), with everything needed to reproduce it."""

    seed: int
    settings: str
    run_dir: Path
    stats: FuzzStats
    vocab: Any = None  # the app's fuzz vocabulary (its setup is the exported scenario's)
    app: str = ""
    found: bool = False
    kind: str = ""  # failed | error | flaky (found, but no candidate failed the same way on every replay)
    steps: list[Step] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    requirement_ids: list[str] = field(default_factory=list)
    title: str = ""
    hypothesis_text: str = ""
    scenario_path: Path | None = None
    scenario_id: str | None = None
    replay_outcome: str | None = None
    replay_failed: list[str] = field(default_factory=list)
    result_folder: Path | None = None
    time_to_failure_s: float | None = None
    #: length of the first failing sequence, before shrinking
    first_failure_steps: int = 0
    first_failure_actions: int = 0
    #: actions of the sequence Hypothesis's shrinker left (before the step pass)
    hypothesis_shrunk_actions: int = 0
    #: replays run for the export (``REPLAYS`` per candidate tried, fewer when one differed)
    replays: int = 0
    #: each replay: the candidate's file name, its outcome, the checks that failed, its result folder
    replay_history: list[dict[str, Any]] = field(default_factory=list)
    #: sequences the harness could not carry out (discarded, not findings): their folder and error
    harness_errors: list[tuple[Path | None, str]] = field(default_factory=list)
    #: flaky findings the search went on after (title, kept sequence, time, replays), oldest first
    flaky_findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def earlier_flaky(self) -> list[dict[str, Any]]:
        """The flaky findings the search went on after, without the one ``self`` still describes (when the run
        ended on a flaky finding)."""
        return [f for f in self.flaky_findings if f["scenario_path"] != str(self.scenario_path or "")]

    @property
    def actions(self) -> list[Step]:
        """The shrunk sequence without its expectations: what a person would do to reproduce it."""
        return actions_of(self.steps)

    @property
    def replay_matches(self) -> bool:
        """The replay failed, and on the same primary check as the shrunk sequence."""
        return self.replay_outcome == "failed" and bool(self.failed_checks) and \
            self.failed_checks[0] in self.replay_failed

    def replay_command(self, device: str, bugs: tuple[str, ...]) -> str:
        if self.scenario_path is None:
            return ""
        rel = self.scenario_path.relative_to(paths.ROOT) if self.scenario_path.is_relative_to(paths.ROOT) \
            else self.scenario_path
        parts = [f"harness run {rel}", f"--device {device}", f"--seed {self.seed}"]
        if self.app and self.app != DEFAULT_APP:
            parts.append(f"--app {self.app}")
        if bugs:
            parts.append(f"--bugs {','.join(bugs)}")
        return " ".join(parts)


def actions_of(steps: list[Step]) -> list[Step]:
    """The steps that act (network, device, user, server, time), not the ``expect_*`` ones that only look."""
    return [s for s in steps if step_shrink.is_action(s)]


def round_seed(seed: int, round_no: int) -> int:
    """The Hypothesis seed of round ``round_no`` of a run seeded ``seed`` (round 0 uses ``seed`` itself)."""
    return seed if round_no == 0 else seed * 1_000_003 + round_no


@contextmanager
def _shrink_bound(seconds: float) -> Iterator[None]:
    """Bound Hypothesis's shrinking by wall-clock time (its engine constant; restored afterwards)."""
    from hypothesis.internal.conjecture import engine

    old = engine.MAX_SHRINKING_SECONDS
    engine.MAX_SHRINKING_SECONDS = int(seconds)
    try:
        yield
    finally:
        engine.MAX_SHRINKING_SECONDS = old


def background_policies(runner: Any) -> tuple[str, ...]:
    """The background policies the runner's device can express, by name (the spell draws one for R20/R21)."""
    from harness.device.policies import POLICIES
    from harness.device.profiles import policy_backend

    profile = getattr(runner, "profile", None)
    if profile is None:
        return ()
    backend = policy_backend(profile)
    return tuple(name for name, p in POLICIES.items() if backend in p.builders)


def lost_response_holds(runner: Any) -> tuple[int, ...]:
    """How long the fuzzer's lost responses are withheld, in ms: when the app profile knows the app's request
    timeout, a second past it first (the app itself sees the loss, as on a mobile network: R22's case, and
    where shrinking goes), then 0 (the connection dies at once, which the platform's HTTP stack may answer by
    resending the request itself)."""
    app_profile = getattr(runner, "app_profile", None)
    request_s = app_profile.parameters.timeouts.request_s if app_profile is not None else None
    return (0,) if request_s is None else (int((request_s + 1) * 1000), 0)


#: a slowed link's delay as a share of the app's request timeout: slow, never slower than the app waits (a delay
#: at the timeout made every request of the app fail, and a screen it had to load was "not seen": a false R26)
SLOW_LINK_SHARES = (0.3, 0.6)
#: without a known request timeout: delays well below the usual few seconds
SLOW_LINK_DEFAULT_MS = (750, 1500)


def slow_link_delays(runner: Any) -> tuple[int, ...]:
    """The delays (ms) a slowed link adds to the app's requests while a write is on screen (R9, R14, R15): shares
    of the app's request timeout when its profile gives it (refapp: 750 and 1500 ms at its 2.5 s), so the app's
    requests are slow but answered."""
    app_profile = getattr(runner, "app_profile", None)
    request_s = app_profile.parameters.timeouts.request_s if app_profile is not None else None
    if request_s is None:
        return SLOW_LINK_DEFAULT_MS
    return tuple(int(request_s * 1000 * share) for share in SLOW_LINK_SHARES)


def start_runner(options: FuzzOptions, seed: int) -> Any:
    from harness.scenario.runner import ScenarioRunner
    from harness.scenario.session import new_run_id

    run_dir = (options.report_dir or paths.REPORTS / f"fuzz-{new_run_id()}").resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    return ScenarioRunner.start(run_dir=run_dir, device=options.device, app=options.app, bugs=options.bugs,
                                seed=seed)


def fuzz(options: FuzzOptions, *, runner: Any = None, on_progress: Callable[[FuzzStats], None] | None = None,
         ) -> FuzzOutcome:
    """Search for a failing sequence within ``options.budget_s``; see the module docstring."""
    profile = PROFILES[load_profile(options.settings_profile) and options.settings_profile]
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    shrink_s = options.shrink_s or profile.shrink_s
    own = runner is None
    if own:
        runner = start_runner(options, seed)
    else:
        runner.bugs, runner.seed = options.bugs, seed
    from harness.scenario.setup_snapshot import SetupSnapshots

    previous_snapshots = getattr(runner, "setup_snapshots", None)
    why_not = SetupSnapshots.usable(runner)
    runner.setup_snapshots = (previous_snapshots or SetupSnapshots()) if not why_not else None
    try:
        factor, clock = timescale.resolve(options.time_scale, runner.app_profile)
        vocab = vocabulary_for(runner)
        vocab = replace(vocab, setup=timescale.scaled_setup(vocab.setup, factor))
        ctx = FuzzContext(time_scale=factor, runner=runner, checks=options.checks, vocab=vocab,
                          opportunity_owner=dict(vocab.records or {}), max_examples=options.max_examples,
                          deadline=time.monotonic() + options.budget_s, on_progress=on_progress,
                          shrink_s=shrink_s * HYPOTHESIS_SHRINK_SHARE, policies=background_policies(runner),
                          lost_response_holds_ms=lost_response_holds(runner),
                          slow_link_delays_ms=slow_link_delays(runner))
        database = None
        if options.parallel_run is not None:  # one of N workers: one database, the first finding stops the rest
            from harness.stateful import parallel

            ctx.stop_requested = parallel.stop_requested(options.parallel_run)
            ctx.on_first_failure = parallel.claim_finding(options.parallel_run, options.worker_slot)
            database = Path(parallel.worker_spec(options.parallel_run)["database"])
        machine = machine_for(ctx)
        st = settings_for(options.settings_profile, device=options.device, bugs=options.bugs,
                          use_database=options.use_database,
                          app=None if runner.app_profile.name == DEFAULT_APP else runner.app_profile.name,
                          database=database)
        out = FuzzOutcome(seed=seed, settings=f"profile={profile.name} steps<={profile.steps} "
                          f"shrink<={shrink_s:g}s budget={options.budget_s:g}s "
                          f"reset={'restore of the first setup' if not why_not else 'full setup: ' + why_not}; "
                          f"clock={clock}",
                          run_dir=runner.run_dir, stats=ctx.stats, vocab=vocab, app=options.app)
        out.harness_errors = ctx.harness_errors  # the same list: filled as the search goes
        search_snapshots = runner.setup_snapshots
        rounds = _Rounds(vocab, resume.resume_vocabulary(vocab, runner.app_profile, factor), st)
        if rounds.resumed is not None:
            out.settings += (f"; resume rounds: every {resume.RESUME_EVERY}th from the second "
                             f"({', '.join(runner.app_profile.parameters.resume_timers)} at {resume.RESUME_TIMER_S:g}s)")
        round_no = 0
        while True:
            with signals.interrupts_pass_through():
                exc, round_no = _search(machine, rounds, seed, ctx, ctx.shrink_s, round_no)
            if exc is None:
                break
            out.vocab = ctx.vocab  # the round's: an export from a resume round holds its timer and bounds
            out.hypothesis_shrunk_actions = len(actions_of(ctx.failures[-1].steps))
            _step_shrink(ctx, options, deadline=step_pass_deadline(ctx.shrink_started, time.monotonic(), shrink_s))
            _found(out, ctx, exc, options)
            if options.replay and out.kind == "failed":
                runner.setup_snapshots = None  # each replay sets up in full, as `harness run` does
                _export_and_replay(out, ctx, runner, options, exc)
                runner.setup_snapshots = search_snapshots
            if not _search_on(out, ctx, options):
                break
            round_no += 1
        return out
    finally:
        runner.setup_snapshots = previous_snapshots
        if own:
            runner.close()


#: the least budget left for the search to go on after a flaky finding (s): about three examples
SEARCH_ON_MIN_S = 10.0


def _search_on(out: FuzzOutcome, ctx: FuzzContext, options: FuzzOptions) -> bool:
    """After a flaky finding, the search goes on with the budget left: a race met once is evidence, not the bug,
    and the sequence that shows the bug every time may come next (retry-new-key at seed 1: flaky at 15 s, found
    and exported at 200 s in another run). The flaky finding is kept in ``out.flaky_findings``; ``out`` goes on
    describing it until a reproduced failure replaces it. Not in a parallel run: there the first finding has
    stopped the other workers already."""
    if out.kind != "flaky" or options.parallel_run is not None or time.monotonic() > ctx.deadline - SEARCH_ON_MIN_S:
        return False
    out.flaky_findings.append({
        "title": out.title, "scenario_path": str(out.scenario_path or ""), "time_to_failure_s": out.time_to_failure_s,
        "actions": len(out.actions), "failed_checks": list(out.failed_checks),
        "replays": [dict(r) for r in out.replay_history]})
    # the next failure is a finding of its own: shrunk (its own bound), replayed, timed from the run's start; the
    # machine knows a search with a failure from ``ctx.failures`` (the run's count keeps the flaky ones)
    ctx.failures.clear()
    ctx.stats.first_failure_s = None
    ctx.shrink_deadline = ctx.shrink_started = float("inf")
    ctx.progress()
    return True


@dataclass
class _Rounds:
    """What each round runs with: the vocabulary and the settings, a resume round's own (:mod:`.resume`) when the
    app has one. A resume round keeps its failing examples in a database of its own: its draws mean other steps."""

    vocab: FuzzVocabulary
    resumed: FuzzVocabulary | None
    hypothesis_settings: Any
    resume_settings: Any = field(init=False)

    def __post_init__(self) -> None:
        database = self.hypothesis_settings.database
        self.resume_settings = self.hypothesis_settings if database is None else settings(
            self.hypothesis_settings, database=DirectoryBasedExampleDatabase(str(Path(database.path) / "resume")))

    def begin(self, ctx: FuzzContext, round_no: int) -> Any:
        """Set round ``round_no``'s vocabulary on ``ctx``; returns its Hypothesis settings."""
        if self.resumed is not None and resume.is_resume_round(round_no):
            ctx.vocab = self.resumed
            return self.resume_settings
        ctx.vocab = self.vocab
        return self.hypothesis_settings


def _search(machine: Any, rounds: _Rounds, seed: int, ctx: FuzzContext, shrink_s: float,
            round_no: int = 0) -> tuple[BaseException | None, int]:
    """Hypothesis rounds from ``round_no`` until a failure (its exception; ``ctx.failures`` holds the runs) or the
    end of the budget with nothing found (None); with the round it ended in."""
    while True:
        machine._hypothesis_internal_use_seed = round_seed(seed, round_no)  # type: ignore[attr-defined]
        st = rounds.begin(ctx, round_no)
        try:
            with _shrink_bound(shrink_s):
                run_state_machine_as_test(machine, settings=st)
        except BudgetExhausted:
            return None, round_no
        except LabBroken as e:  # not a bug in the app: the run ends as a harness error, with the evidence
            raise _broken(e) from None
        except Unsatisfiable:  # every example of the round was discarded: each one a harness error
            raise LabError("no generated sequence could be carried out (harness errors, not findings): " + "; ".join(
                f"{err} (evidence: {folder})" for folder, err in ctx.harness_errors[-MAX_CONSECUTIVE_ERRORS:])) from None
        except FlakyStrategyDefinition as e:
            # The budget ran out while Hypothesis was replaying a choice sequence it had already run in
            # full: the run ends here, and Hypothesis reports the shorter replay as inconsistent data.
            if not ctx.failures and isinstance(e.__context__, BudgetExhausted):
                return None, round_no
            # Hypothesis replayed a choice sequence it had run in full and the harness could not carry it out this
            # time (the steady state not reached, say): a harness error, never Hypothesis's traceback. Too many
            # in a row end the run; one is discarded like any other, and the search goes on with the next round.
            if not ctx.failures and isinstance(e.__context__, LabBroken):
                raise _broken(e.__context__) from None
            if not ctx.failures and isinstance(e.__context__, UnsatisfiedAssumption) and ctx.consecutive_errors:
                round_no += 1
                continue
            if not ctx.failures:
                raise
            return e, round_no
        except Exception as e:  # noqa: BLE001 - the shrunk example's own exception, or Flaky after a cut-short shrink
            if not ctx.failures:
                raise
            return e, round_no
        round_no += 1  # a clean round: the next one, until the budget runs out


#: the part of the shrink bound Hypothesis's shrinker gets; the step pass (:mod:`harness.stateful.step_shrink`)
#: has the rest, what Hypothesis left unused, and at least the rest from when it starts (give-up-after-retries:
#: its examples run for half a minute, so Hypothesis's part ended a whole bound of 60 s late, and the step pass
#: got no run)
HYPOTHESIS_SHRINK_SHARE = 1 / 3


def step_pass_deadline(started: float, now: float, shrink_s: float) -> float:
    """When the step pass must end: the end of the bound (counted from the first failure, ``started``), and never
    less than its own share from ``now``: an example in flight (and Hypothesis's last replay of the failure) can
    outlast Hypothesis's part by a long example.

    >>> step_pass_deadline(0, 10, 60), step_pass_deadline(0, 50, 60)
    (60, 90.0)
    """
    return max(started + shrink_s, now + shrink_s * (1 - HYPOTHESIS_SHRINK_SHARE))


def _step_shrink(ctx: FuzzContext, options: FuzzOptions, *, deadline: float) -> None:
    """Shrink the last failing run by its steps until ``deadline``: each candidate runs as ``harness run`` would
    run its export (with the search's cheap reset), without the expectations its removals made stale
    (``step_shrink.without_stale_expectations``), and is kept when it fails the same check again. Kept runs
    are appended to ``ctx.failures`` (the smallest last), where the export's candidates are taken from."""
    target = ctx.failures[-1]
    if target.result.outcome != "failed" or time.monotonic() >= deadline:
        return
    check = primary_failure(target.result.verdicts).check
    requirements = [r for v in target.result.verdicts if not v.passed for r in v.requirement_ids]
    steps, groups = target.steps, step_shrink.units(target.steps)
    # the closing steps stay: a candidate that ended offline would wait out its final settle for nothing
    closing = [g for g, unit in enumerate(groups) if target.closing_from is not None and unit[0] >= target.closing_from]
    free = [g for g in range(len(groups)) if g not in closing]

    ran: dict[str, bool | None] = {}  # two subsets can leave the same steps (a closer goes with its opener)
    ctx.consecutive_errors = 0

    def fails(keep: list[int]) -> bool | None:
        candidate = step_shrink.without_stale_expectations(
            step_shrink.candidate_steps(steps, groups, [free[k] for k in keep] + closing), ctx.new_model())
        if not actions_of(candidate) or signals.interrupted() is not None or \
                ctx.consecutive_errors >= MAX_CONSECUTIVE_ERRORS:  # the lab broke: no more runs, the best stays
            return None
        same = repr([s.as_yaml() for s in candidate])
        if same not in ran:
            ran[same] = judge(candidate)
        return ran[same]

    def judge(candidate: list[Step]) -> bool | None:
        scenario = _scenario(candidate, options, ctx.vocab, title=f"shrinking: {check}", requirements=requirements)
        try:
            loaded_text(scenario, Path(f"{scenario.id}.yaml"))  # what the export must pass
        except (UserError, ValueError):
            return None
        ctx.stats.step_shrink_runs += 1
        try:
            result = ctx.runner.run(scenario)
        except UserError:
            return None
        if result.outcome == "error":  # not judged: neither the bug nor its absence; kept as evidence, counted
            ctx.count_error(result.folder, f"while shrinking: {result.error}")
            return None
        ctx.consecutive_errors = 0
        failed = [v for v in result.verdicts if not v.passed]
        if result.outcome == "failed" and check in {v.check for v in failed}:
            ctx.keep_failure(FailedRun(candidate, result, failure_class(check)(failed)))
            return True
        if not ctx.keep_passing:
            remove_folder(result.folder)
        return False

    try:
        step_shrink.ddmin(len(free), fails, deadline=deadline)
    finally:
        ctx.consecutive_errors = 0  # the pass's own count: a search that goes on counts from its own examples


def _broken(e: LabBroken) -> LabError:
    return LabError(f"{MAX_CONSECUTIVE_ERRORS} generated sequences in a row could not be carried out (a harness "
                    f"error, not a finding): {e}")


def _found(out: FuzzOutcome, ctx: FuzzContext, exc: BaseException, options: FuzzOptions) -> None:
    out.found = True
    out.time_to_failure_s = ctx.stats.first_failure_s
    out.first_failure_steps = len(ctx.failures[0].steps)
    out.first_failure_actions = len(actions_of(ctx.failures[0].steps))
    out.hypothesis_text = "\n".join([f"{type(exc).__name__}: {exc}", *getattr(exc, "__notes__", [])])
    _describe(out, ctx.failures[-1], exc)  # Hypothesis replays the shrunk example last


def _describe(out: FuzzOutcome, run: FailedRun, exc: BaseException) -> None:
    """``out`` states ``run``: its steps, its folder, its verdicts."""
    out.steps = run.steps
    out.result_folder = run.result.folder
    if run.result.outcome == "failed":
        out.kind = "failed"
        failed = [v for v in run.result.verdicts if not v.passed]
        first = primary_failure(run.result.verdicts)
        out.failed_checks = list(dict.fromkeys([first.check] + [v.check for v in failed]))
        out.requirement_ids = list(dict.fromkeys(r for v in [first, *failed] for r in v.requirement_ids))
        out.title = f"{first.check}: {first.title}"
    else:
        out.kind = "error"
        out.title = run.result.error or f"{type(exc).__name__}: {exc}"


#: replays an export must fail the same way, each one, to be the export
REPLAYS = 3
#: failing sequences tried for the export, at most
CANDIDATES = 3


def replay_candidates(failures: list[FailedRun]) -> list[FailedRun]:
    """The failing runs to export, best first: the fewest actions first (what a person reads and reruns), the
    latest among equals (the shrunk one is last). Shrinking minimises Hypothesis's choices, not the steps: the
    offline spell is the simplest rule and the one with the most steps, so a shrunk sequence can be longer
    than a failure met on the way. Only runs that failed like the shrunk one (its exception class, one per
    failing check), distinct step lists (compared as their YAML), at most ``CANDIDATES``."""
    shrunk = failures[-1]
    latest: dict[str, tuple[int, FailedRun]] = {}
    for i, run in enumerate(failures):
        if type(run.error) is type(shrunk.error):
            latest[repr([s.as_yaml() for s in run.steps])] = (i, run)
    ranked = sorted(latest.values(), key=lambda p: (len(actions_of(p[1].steps)), -p[0]))
    return [run for _, run in ranked[:CANDIDATES]]


def _export_and_replay(out: FuzzOutcome, ctx: FuzzContext, runner: Any, options: FuzzOptions,
                       exc: BaseException) -> None:
    """Export the first candidate that fails the same way on every one of ``REPLAYS`` replays. When none does,
    the finding is flaky: ``out.kind`` says so, and the shortest candidate goes to the run folder's ``flaky/``
    (with every replay's folder in ``out.replay_history``), never to the regressions as a bug."""
    best: tuple[FailedRun, Path, str | None, list[str]] | None = None
    for run in replay_candidates(ctx.failures):
        _describe(out, run, exc)
        path, scenario = _export(out, options)
        for _ in range(REPLAYS):
            result = runner.run(scenario)
            out.replay_outcome = result.outcome
            out.replay_failed = list(dict.fromkeys(v.check for v in result.verdicts if not v.passed))
            out.replays += 1
            out.replay_history.append({"scenario": path.name, "outcome": result.outcome,
                                       "failed": out.replay_failed, "folder": str(result.folder)})
            if not out.replay_matches:
                break
        if out.replay_matches:
            if best is not None:
                best[1].unlink(missing_ok=True)
            return
        if best is None:
            best = (run, path, out.replay_outcome, out.replay_failed)
        else:
            path.unlink(missing_ok=True)
    assert best is not None  # there is always one candidate
    run, path, outcome, failed = best
    _describe(out, run, exc)
    # not reproduced: flaky, not a bug. The sequence is kept with the run's evidence, out of the regressions
    out.kind = "flaky"
    flaky = runner.run_dir / "flaky" / path.name
    flaky.parent.mkdir(parents=True, exist_ok=True)
    path.replace(flaky)
    out.scenario_path, out.scenario_id = flaky, flaky.stem
    out.replay_outcome, out.replay_failed = outcome, failed


def _scenario(steps: list[Step], options: FuzzOptions, vocab: FuzzVocabulary | None, *, title: str,
              requirements: list[str]) -> Any:
    """The scenario that replays ``steps`` as ``harness run`` would: the app's fuzz setup, a final settle."""
    return scenario_from_steps(steps, bugs=options.bugs, requirements=requirements, checks=options.checks,
                               title=title[:200], setup=vocab.setup if vocab is not None else None,
                               bounds=vocab.bounds if vocab is not None else None,
                               final_wait_s=30 if vocab is None or vocab.pending else 0)


def _export(out: FuzzOutcome, options: FuzzOptions) -> tuple[Path, Any]:
    """Write the scenario ``out`` describes; returns its path and the scenario (what a replay runs)."""
    scenario = _scenario(out.steps, options, getattr(out, "vocab", None), title=f"Found by harness fuzz: {out.title}",
                         requirements=out.requirement_ids)
    out.scenario_id = scenario.id
    directory = options.export_dir or paths.SCENARIOS / "regressions"
    out.scenario_path = directory / f"{scenario.id}.yaml"  # the replay command printed in the file names it
    out.scenario_path = export_scenario(scenario, seed=out.seed, directory=directory,
                                        replay=out.replay_command(options.device, options.bugs))
    return out.scenario_path, scenario


__all__ = ["FuzzOptions", "FuzzOutcome", "actions_of", "background_policies", "fuzz", "start_runner"]
