"""The Hypothesis state machine: rules for every user action, condition, schedule, device step and server activity.

Each Hypothesis example is one generated sequence on the shared runner: the
steady state (backend reset and seeded, a freshly installed app, the setup
screens loaded), then one real step per rule, then reconnection,
``wait_synced``, the rollback, quiescence, the final snapshots and every
check (:class:`harness.scenario.sequence.ScenarioRun`). The reference model
(:class:`harness.stateful.model.RefModel`) gives the preconditions (only
online rules when offline makes no sense, offline writes only on cached
records) and the cheap invariants, which are added as expectation steps
right after the step they follow, so an exported scenario checks them too:

* after a drop: the offline banner shows (R1, R2);
* after a reconnection: the banner goes (R2);
* after an offline write, a kill or a relaunch: the item shows as pending (R9, R27);
* on demand (``check_item``): a labelled item is pending while it cannot
  have synced, synced once it can (R9, R14, R15).

A failed verdict raises :class:`SequenceFailed` (an AssertionError; one
subclass per failing check so Hypothesis shrinks towards the same bug).

Rules are grouped (the offline spell, a drop, a reconnection, a network
fault, a write, a read, an online-only feature, a device step, server
activity, a look at an item, time passing) so that each group, not each
step name, gets an equal share of the draws. The offline spell is the
requirements' own story in one rule (see :meth:`SyncMachine.a_spell_offline`):
most bugs in offline sync need a drop, work done offline and a reconnection
under some condition, in that order, and uniform single steps reach that
order rarely within a few examples; the single-step rules remain for every
other interleaving.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar, NoReturn

from hypothesis import reject
from hypothesis.errors import UnsatisfiedAssumption
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, multiple, precondition, rule

from harness.app.base import ScreenTimeout
from harness.checks import Verdict
from harness.errors import HarnessFault, UserError
from harness.lab import signals
from harness.scenario.model import Step
from harness.scenario.result import ScenarioResult
from harness.scenario.steps import parse_step
from harness.stateful import resume
from harness.stateful import strategies as S
from harness.stateful.exporter import fuzz_scenario
from harness.stateful.timescale import scale_step
from harness.scenario.sequence import ScenarioRun
from harness.stateful.model import RefModel
from harness.stateful.vocab import FuzzVocabulary

BANNER_WITHIN_S = 10.0
ITEM_WITHIN_S = 5.0
SYNC_WITHIN_S = 20.0
FINAL_WAIT_S = 20.0
#: what a user does inside an offline spell; writes listed three times (the queue is what most requirements are about),
#: ``reopen`` opens again the screen opened before the drop
SPELL_ACTIONS = ("write", "reopen", "write", "read", "write", "online_only", "kill", "background", "server_activity",
                 "wait")
#: how the path comes back at the end of a spell (R4 Wi-Fi/cellular back or a switch, R20/R21 while in the
#: background, R22 a lost response (listed twice: exactly-once is the core promise), R23 a slow or flapping
#: link); the plainest first (shrinking goes there)
RECONNECTIONS = ("plain", "lost_response", "slow_link", "flapping", "switch_network", "lost_response",
                 "server_errors", "in_background")


#: examples in a row that could not be carried out before the run stops: the lab or the device is broken
MAX_CONSECUTIVE_ERRORS = 3


class LabBroken(BaseException):
    """``MAX_CONSECUTIVE_ERRORS`` examples in a row could not be carried out (ends the Hypothesis run, never
    shrunk: a broken lab is not a bug in the app). Carries (folder, error) of each."""

    def __init__(self, errors: list[tuple[Path | None, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e} (evidence: {f})" for f, e in errors))


class BudgetExhausted(BaseException):
    """The time budget ran out before a failure was found (ends the Hypothesis run, never shrunk)."""


class SequenceFailed(AssertionError):
    """A generated sequence broke a requirement; the message names the checks, requirements and evidence."""

    check = ""

    def __init__(self, verdicts: list[Verdict]) -> None:
        self.verdicts = verdicts
        lines = [f"{v.check} ({', '.join(v.requirement_ids)}): {v.title}" for v in verdicts]
        super().__init__("; ".join(lines))


_FAILURE_CLASSES: dict[str, type[SequenceFailed]] = {}


def failure_class(check: str) -> type[SequenceFailed]:
    """One SequenceFailed subclass per check name, so that shrinking keeps to the same failure."""
    if check not in _FAILURE_CLASSES:
        name = "".join(p.title() for p in check.split("_")) + "Failed"
        _FAILURE_CLASSES[check] = type(name, (SequenceFailed,), {"check": check, "__module__": __name__})
    return _FAILURE_CLASSES[check]


def primary_failure(verdicts: list[Verdict]) -> Verdict:
    """The failed verdict that names the run: an inline expectation first (it fired first), else the first check."""
    failed = [v for v in verdicts if not v.passed]
    inline = [v for v in failed if v.check.startswith("expect_")]
    return (inline or failed)[0]


@dataclass
class FuzzStats:
    """Counters for the progress display and the benchmark."""

    t0: float = field(default_factory=time.monotonic)
    examples: int = 0
    steps: int = 0
    failures: int = 0
    errors: int = 0
    reset_s: float = 0.0
    steps_s: float = 0.0
    finish_s: float = 0.0
    first_failure_s: float | None = None
    step_times: list[float] = field(default_factory=list)  # each step's wall time (benchmarks read them)
    #: a failure met after another worker of a parallel run had claimed its finding (not shrunk here)
    left_to_other_worker: str = ""
    reset_times: list[float] = field(default_factory=list)  # each example's steady-state time
    step_shrink_runs: int = 0  # candidates the step pass ran (harness.stateful.step_shrink)
    resume_examples: int = 0  # examples of resume rounds (harness.stateful.resume)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.t0


@dataclass
class FailedRun:
    """One failing example: its steps (with the closing ones), result and the exception raised."""

    steps: list[Step]
    result: ScenarioResult
    error: BaseException
    #: where the closing steps begin (the reconnection and the settle every sequence ends with; None: not known)
    closing_from: int | None = None


@dataclass
class FuzzContext:
    """What every example of one fuzz run shares: the runner, the clock, the counters, the failures."""

    runner: Any
    opportunity_owner: dict[int, int]
    deadline: float
    shrink_s: float = 180.0  # Hypothesis's part of the shrink bound (the step pass has the rest: fuzz.py)
    shrink_deadline: float = float("inf")
    shrink_started: float = float("inf")  # when the first failure was met (monotonic)
    stats: FuzzStats = field(default_factory=FuzzStats)
    failures: list[FailedRun] = field(default_factory=list)
    on_progress: Callable[[FuzzStats], None] | None = None
    keep_passing: bool = False
    checks: tuple[str, ...] | None = None
    policies: tuple[str, ...] = ()  # background policies the device can express (drawn for R20/R21)
    lost_response_holds_ms: tuple[int, ...] = (0,)  # how long a lost response is withheld (drawn for R22)
    #: the delays a slowed link adds while a write is on screen: below the app's request timeout (fuzz.slow_link_delays)
    slow_link_delays_ms: tuple[int, ...] = (750, 1500)
    #: what a sequence may do on this app (harness.stateful.vocab); None: the generic vocabulary of nothing
    vocab: FuzzVocabulary = field(default_factory=lambda: FuzzVocabulary(reads=(), writes=()))
    max_examples: int | None = None  # stop after this many examples (besides the time budget)
    time_scale: float = 1.0  # every drawn duration times this; the app's clock too (harness.stateful.timescale)
    #: another worker of a parallel run found a failure: stop searching (see harness.stateful.parallel)
    stop_requested: Callable[[], bool] | None = None
    #: this run found its first failure (a parallel run's worker claims the find)
    on_first_failure: Callable[[], bool] | None = None  # False: another worker had claimed one first
    #: examples that could not be carried out: (their folder, the error), and how many of the last in a row
    harness_errors: list[tuple[Path | None, str]] = field(default_factory=list)
    consecutive_errors: int = 0

    def new_model(self) -> RefModel:
        """The requirements' model at a sequence's start (after the setup's loads)."""
        return RefModel(contacts=S.CONTACTS, opportunity_owner=dict(self.opportunity_owner),
                        cached_contacts=set(S.SETUP_CONTACTS), loaded_threads=set(S.SETUP_THREADS))

    def count_error(self, folder: Path | None, message: str) -> int:
        """One run the harness could not carry out, kept with its folder (evidence, never a verdict); returns how
        many came in a row."""
        self.stats.errors += 1
        self.consecutive_errors += 1
        self.harness_errors.append((folder, message))
        self.progress()
        return self.consecutive_errors

    def keep_failure(self, run: FailedRun) -> None:
        """Add a failing run (the latest is the smallest so far); the evidence of the one before goes, unless
        passing runs are kept too."""
        previous = self.failures[-1].result.folder if self.failures else None
        self.failures.append(run)
        if previous is not None and previous != run.result.folder and not self.keep_passing:
            remove_folder(previous)

    def progress(self) -> None:
        if self.on_progress is not None:
            try:
                self.on_progress(self.stats)
            except Exception:  # a broken display never stops the search
                pass


class SyncMachine(RuleBasedStateMachine):
    """Generated offline-sync sequences on a real app; subclass with ``ctx`` set (see :func:`machine_for`)."""

    ctx: ClassVar[FuzzContext]
    items = Bundle("items")

    def __init__(self) -> None:
        super().__init__()
        _keep_spells_enabled(self)
        ctx = self.ctx
        if not ctx.failures and (time.monotonic() > ctx.deadline or (
                ctx.max_examples is not None and ctx.stats.examples >= ctx.max_examples) or (
                ctx.stop_requested is not None and ctx.stop_requested())):
            raise BudgetExhausted()
        if ctx.failures and time.monotonic() > ctx.shrink_deadline:
            reject()  # shrinking is over budget: skip the rest cheaply; the best failure so far is kept
        ctx.stats.examples += 1
        self.vocab = ctx.vocab
        ctx.stats.resume_examples += self.vocab.resume
        self.model = ctx.new_model()
        scenario = fuzz_scenario(f"fuzz-{ctx.stats.examples:05d}", bugs=ctx.runner.bugs, checks=ctx.checks,
                                 setup=ctx.vocab.setup, bounds=ctx.vocab.bounds)
        try:
            self.live = ScenarioRun(ctx.runner, scenario).begin()
        except UserError:
            raise
        except Exception as e:  # the steady state could not be reached: a harness error, the example discarded
            self._count_error(ctx.runner.run_dir / "scenarios" / scenario.id, e)
            reject()
        self._raised: BaseException | None = None
        self.deleted: set[str] = set()  # labels of items the sequence deleted (generic apps)
        #: an edit's label -> the label that made its record (generic apps: one item under its successive titles)
        self.record_of: dict[str, str] = {}
        self.replaced: set[str] = set()  # labels a later edit of the same item replaced (no longer on screen)
        self._errored = False
        self._stopped = False  # a step's screen never came: no closing steps (see ``_do``)
        self._closing_from: int | None = None  # where the closing steps begin (``teardown``)
        self.slow_link = False  # a latency condition is in force (a ``reset_network`` clears it)
        self.backgrounded = False  # the app was sent to the background and not brought back yet
        ctx.stats.reset_s += self.live.reset_s
        ctx.stats.reset_times.append(self.live.reset_s)
        ctx.progress()

    # -- running steps ------------------------------------------------------------------------

    def _do(self, name: str, params: Any = None) -> None:
        step = Step(name, parse_step(name, scale_step(name, params, self.ctx.time_scale)))
        self.ctx.stats.steps += 1
        t0 = time.monotonic()
        try:
            verdicts = self.live.step(step)
        except ScreenTimeout as e:
            # the app did not show what the step needed: a failed verdict (R26) and the end of the sequence,
            # judged as it stands, as ``harness run`` judges the exported file (ScenarioRunner.run)
            self._stopped = True
            try:
                verdicts = [self.live.step_failed(self.live.steps[-1] if self.live.steps else step, e)]
            except HarnessFault as fault:  # nothing gave the app a reason to fail: a harness error, not a bug
                self._harness_error(fault)
        except UserError:
            raise
        except Exception as e:  # the lab or the device broke: a harness error, not a bug
            self._harness_error(e)
        finally:
            self.ctx.stats.step_times.append(time.monotonic() - t0)
            self.ctx.progress()
        self.model.apply(name, step.params.model_dump(by_alias=True))
        if name in ("background", "foreground", "relaunch"):  # a timed background comes back by itself
            self.backgrounded = name == "background" and getattr(step.params, "duration_s", None) is None
        bad = [v for v in verdicts if not v.passed]
        if bad:
            exc = failure_class(bad[0].check)(bad)
            self._raised = exc
            raise exc

    def _shown(self, label: str) -> bool:
        """The item ``label`` is still on screen under that label: not deleted, not renamed by a later edit."""
        return label not in self.deleted and label not in self.replaced

    def _expect_pending(self) -> None:
        pending = [q for q in self.model.pending() if self._shown(q.label)]
        if pending and self.vocab.item_state:
            self._do("expect_item", {"as": pending[0].label, "state": "pending", "within_s": ITEM_WITHIN_S})

    # -- the offline spell: the shape the requirements describe ---------------------------------

    @precondition(lambda self: self.model.online)
    @rule(data=st.data())
    def a_spell_offline(self, data: st.DataObject) -> None:
        """One offline spell as the requirements tell it, start to end, as a single rule.

        A screen opened online (R3, R6-R8) or an online-only feature's form
        opened and filled (its own screen left open offline, then submitted:
        R10-R16, R26), a drop of any kind (R1, R2), that screen opened again
        in half such spells, one to three things a user
        does offline (queued writes, cached reads, gated features, a kill, the
        background, the server moving on, time passing: R5-R17, R19, R27), a
        reconnection under a drawn condition (plain, a slow link, flapping, a
        network switch, a lost response, server errors, or while the app is in
        the background: R4, R20-R23), writes while the queue drains (R23), then
        a look at the last item queued (R9, R14, R15).
        Every draw shrinks towards the plainest spell (no screen, a link drop,
        one write, a plain reconnection), so a shrunk failure reads as a
        requirement. The name sorts first among the rules without a bundle
        target, so Hypothesis's simplest choice, where it starts and where it
        shrinks to, is this rule: a plain spell.
        """
        # a screen opened, or an online-only feature's form opened and filled (listed last: shrinking goes to None)
        begun = tuple(f"begin {a}" for a in self.vocab.splittable if a in self.vocab.online_only)
        before = data.draw(st.sampled_from([None, *self.vocab.reads, *dict.fromkeys(begun)]),
                           label="opened before the drop")
        if before is not None and before.startswith("begin "):
            last_read = None
            contact = data.draw(st.sampled_from(self.model.usable_contacts()), label="contact")
            self._do("begin", {before.split()[1]: {"contact": contact}})
        else:
            last_read = self._read(before, data) if before else None
        via = self._draw_drop(data, back_by_foreground=True)
        self._drop(via)
        if before is not None and before.startswith("begin "):
            # the feature's own screen stays open offline, read every second (R10-R16, R26), then its last tap
            self._do("wait", data.draw(S.wait_s(), label="form open offline"))
            self._do("submit")
        elif last_read is not None and data.draw(st.booleans(), label="reopened offline at once"):
            self._do(*last_read)  # what was just loaded must still show (R3, R6-R8): half the spells that read
        labels = []
        for _ in range(data.draw(st.integers(1, 3), label="offline actions")):
            kind = self.vocab.spell_action(data.draw(st.sampled_from(SPELL_ACTIONS), label="offline action"))
            if kind == "write":
                labels += self._write_any(data)
            elif kind == "reopen" and last_read is not None:
                self._do(*last_read)
            elif kind in ("read", "reopen") and self.vocab.reads:
                self._read(data.draw(st.sampled_from(self.vocab.reads), label="read"), data)
            elif kind == "online_only":
                self._online_only(data)
            elif kind in ("kill", "background"):
                self._device(kind, data)
            elif kind == "server_activity":
                self._server_activity(data)
            else:
                self._do("wait", data.draw(S.spell_wait_s(), label="wait"))
        ways = resume.reconnections(via, self.vocab.lifecycle) if self.vocab.resume else RECONNECTIONS
        how = data.draw(st.sampled_from(ways), label="reconnection")
        if how == "in_background" and not self.vocab.lifecycle:
            how = "plain"
        self._reconnect_under(how, data)
        # over a slow link the queue drains for seconds: a user keeps working meanwhile (R23's case)
        least = 1 if how == "slow_link" else 0
        for _ in range(data.draw(st.integers(least, least + 1), label="writes while draining")):
            labels += self._write_any(data)
        self._expect_last_synced(labels)
        if self.slow_link:
            self._do("reset_network")
            self.slow_link = False

    def _draw_drop(self, data: st.DataObject, *, back_by_foreground: bool = False) -> str:
        """How the path drops. In a resume round a drop must have a trigger to come back by: airplane mode (the
        OS says when it is back), or any drop when the caller brings the path back while the app is in the
        background (``back_by_foreground``, an app with a life cycle)."""
        if self.vocab.resume and not (back_by_foreground and self.vocab.lifecycle):
            return "airplane"
        return data.draw(S.drop_via(), label="drop")

    def _drop(self, via: str) -> None:
        if via in ("half_open", "captive_portal"):
            self._do(via)
        else:
            self._do("offline", via)
        if self.vocab.banner:
            self._do("expect_banner", {"visible": True, "within_s": BANNER_WITHIN_S})

    def _reconnect_under(self, how: str, data: st.DataObject) -> None:
        """Bring the path back the way ``how`` says (see ``RECONNECTIONS``), then the banner must go (R2)."""
        if how == "slow_link":
            self._do("condition", data.draw(S.latency_params(), label="slow link"))
            self.slow_link = True
        elif how == "lost_response":
            self._do("drop_response", data.draw(S.drop_response_params(self.ctx.lost_response_holds_ms),
                                                label="lost response"))
        elif how == "server_errors":
            self._do("http_status", data.draw(S.http_status_params(), label="server errors"))
        elif how == "in_background":
            policy = data.draw(st.sampled_from([None, *self.ctx.policies]), label="policy")
            self._do("background", {"policy": policy} if policy else None)
        for name in self._reconnect_steps():
            self._do(name)
        if how == "in_background":
            self._do("wait", data.draw(S.wait_s(), label="in background"))
            self._do("foreground")
        elif how == "flapping":
            self._do("flap", data.draw(S.flap_params(), label="flap"))
        elif how == "switch_network":
            self._do("switch_network", data.draw(S.switch_params(), label="switch"))
        if self.vocab.banner:
            self._do("expect_banner", {"visible": False, "within_s": BANNER_WITHIN_S})

    # -- connectivity, one step at a time ---------------------------------------------------------

    @precondition(lambda self: self.model.online)
    @rule(data=st.data())
    def go_offline(self, data: st.DataObject) -> None:
        self._drop(self._draw_drop(data))

    @precondition(lambda self: not self.model.online)
    @rule()
    def go_online(self) -> None:
        for name in self._reconnect_steps():
            self._do(name)
        if self.vocab.banner:
            self._do("expect_banner", {"visible": False, "within_s": BANNER_WITHIN_S})

    def _reconnect_steps(self) -> list[str]:
        causes = self.model.offline_via()
        out = []
        if causes & {"airplane", "link", "backend"}:
            out.append("online")
        if causes & {"half_open", "captive_portal"}:
            out.append("reset_network")
        return out

    @precondition(lambda self: self.model.online)
    @rule(kind=st.sampled_from(["drop_response", "http_status", "flap", "outage", "switch_network", "slow_link"]),
          data=st.data())
    def network_fault(self, kind: str, data: st.DataObject) -> None:
        """A fault while online: a lost response, server errors, a flap, a short outage, a switch, a slow link (in
        a resume round, one that can leave the app offline with no trigger to come back is server errors)."""
        if self.vocab.resume and kind not in resume.KEPT_FAULTS:
            kind = "http_status"
        if kind == "slow_link":
            if self.slow_link:
                self._do("reset_network")
            else:
                self._do("condition", data.draw(S.latency_params(), label="slow link"))
            self.slow_link = not self.slow_link
            return
        strat = {"drop_response": lambda: S.drop_response_params(self.ctx.lost_response_holds_ms),
                 "http_status": S.http_status_params, "flap": S.flap_params, "outage": S.outage_params,
                 "switch_network": S.switch_params}[kind]()
        self._do(kind, data.draw(strat, label=kind))

    # -- moments made on purpose for the whole-timeline oracles --------------------------------------

    @precondition(lambda self: self.model.online and bool(self.model.usable_contacts()))
    @rule(data=st.data())
    def drop_mid_action(self, data: st.DataObject) -> None:
        """An action begun online (a feature's form open and filled, the first of a two-tap action, an item
        typed) and finished after a drop: the screen is read while it stays open offline (R10-R17 and R26 on
        the feature's own screen, R9 for the item added offline, R3), then the path comes back."""
        if not self.vocab.splittable:
            return
        kind = data.draw(st.sampled_from(self.vocab.splittable), label="begun")
        label: str | None = None
        if kind in self.vocab.online_only or self.vocab.records is not None:
            if kind == "edit_opportunity":
                if not self.model.usable_opportunities():
                    return
                params = data.draw(S.opportunity_edit(data.draw(st.sampled_from(self.model.usable_opportunities()),
                                                                label="opportunity")), label="edit")
            else:
                params = {"contact": data.draw(st.sampled_from(self.model.usable_contacts()), label="contact")}
        else:
            params = {}
        if kind not in self.vocab.online_only:
            label = self.model.next_label(kind)
            params["as"] = label
        self._do("begin", {kind: params})
        self._drop(self._draw_drop(data))
        self._do("wait", data.draw(S.wait_s(), label="open offline"))
        self._do("submit")
        if label is not None and self.vocab.item_state:
            self._do("expect_item", {"as": label, "state": "pending", "within_s": ITEM_WITHIN_S})
        for name in self._reconnect_steps():
            self._do(name)
        if self.vocab.banner:
            self._do("expect_banner", {"visible": False, "within_s": BANNER_WITHIN_S})

    @precondition(lambda self: self.model.online and not self.slow_link)
    @rule(how=st.sampled_from(["hold", "latency"]), data=st.data())
    def slow_write_on_screen(self, how: str, data: st.DataObject) -> None:
        """A write whose answer is held at the proxy or slowed on the link while its item is on screen: the
        screen is read until it is answered (R9, R14, R15: synced only once the server has it)."""
        if how == "hold":
            self._do("hold", {"writes": True})
        else:
            self._do("condition", {"type": "latency", "latency_ms": data.draw(
                st.sampled_from(self.ctx.slow_link_delays_ms), label="latency")})
        labels = self._write_any(data)
        self._do("wait", data.draw(S.wait_s(), label="answer withheld"))
        if how == "hold":
            self._do("release")
        self._do("reset_network")
        self._expect_last_synced(labels)

    def _expect_last_synced(self, labels: list[str]) -> None:
        """The last item written, synced once the connection is back (R9, R14, R15); an item a later write of the
        same group deleted is gone, not synced (todo-pouch at seed 1: "i1 is absent, expected synced")."""
        live = [label for label in labels if self._shown(label)]
        if live:
            self._do("expect_item", {"as": live[-1], "state": "synced", "within_s": SYNC_WITHIN_S})

    # -- writes (queued offline) -----------------------------------------------------------------

    @precondition(lambda self: bool(self.model.usable_contacts()))
    @rule(target=items, data=st.data())
    def write(self, data: st.DataObject) -> Any:
        return multiple(*self._write_any(data))

    def _write_any(self, data: st.DataObject) -> list[str]:
        """One queued write of a drawn kind on a record the app can open now (none if there is none)."""
        if self.vocab.records is None:
            return self._write_item(data)
        kinds = [k for k in self.vocab.writes if k != "edit_opportunity" or self.model.usable_opportunities()]
        if not self.model.usable_contacts():
            return []
        kind = data.draw(st.sampled_from(kinds), label="write")
        if kind == "edit_opportunity":
            opp = data.draw(st.sampled_from(self.model.usable_opportunities()), label="opportunity")
            return [self._write(kind, data.draw(S.opportunity_edit(opp), label="edit"))]
        contact = data.draw(st.sampled_from(self.model.usable_contacts()), label="contact")
        params: dict[str, Any] = {"contact": contact}
        if kind == "upload_photo":
            params["size_kb"] = data.draw(S.photo_size_kb(), label="size_kb")
        return [self._write(kind, params)]

    def _write_item(self, data: st.DataObject) -> list[str]:
        """A generic app's write: add an item, or edit or delete one the sequence added (when it can)."""
        if not self.vocab.writes:
            return []
        kind = data.draw(st.sampled_from(self.vocab.writes), label="write")
        live = [q.label for q in self.model.items if self._shown(q.label)]
        if kind != "add_item" and live:
            target = data.draw(st.sampled_from(live), label="item")
            record = self.record_of.get(target, target)
            if kind == "delete_item":
                self._do("delete_item", {"of": target})
                # the item goes under every title it had (todo-pouch at seed 3: "i2 is absent, expected synced"
                # after i1 was edited to i2 and then deleted)
                self.deleted |= {q.label for q in self.model.items if self.record_of.get(q.label, q.label) == record}
                return []
            new = self._write("edit_item", {"of": target})
            self.record_of[new] = record
            self.replaced.add(target)
            return [new]
        return [self._write("add_item", {})]

    def _write(self, name: str, params: dict[str, Any]) -> str:
        label = self.model.next_label(name)
        offline = not self.model.online
        self._do(name, {**params, "as": label})
        if offline and self.vocab.item_state:
            self._do("expect_item", {"as": label, "state": "pending", "within_s": ITEM_WITHIN_S})
        return label

    @rule(label=items)
    def check_item(self, label: str) -> None:
        if not self._shown(label):
            return
        state = self.model.expected_item_state(label)
        if state == "pending" and not self.vocab.item_state:
            return
        if state is not None:
            within = ITEM_WITHIN_S if state == "pending" else SYNC_WITHIN_S
            self._do("expect_item", {"as": label, "state": state, "within_s": within})

    # -- reads and online-only features -----------------------------------------------------------

    @rule(data=st.data())
    def read(self, data: st.DataObject) -> None:
        if self.vocab.reads:
            self._read(data.draw(st.sampled_from(self.vocab.reads), label="kind"), data)

    def _read(self, kind: str, data: st.DataObject) -> tuple[str, Any]:
        """Open a screen; returns the step (name, params) so that a spell can reopen the same screen."""
        params: Any = None
        if kind in ("open_contact", "search"):
            contact = data.draw(st.sampled_from(S.CONTACTS), label="contact")
            params = contact if kind == "open_contact" else {"contact": contact}
        elif kind == "open_thread":
            params = data.draw(S.thread_params(), label="thread")
        self._do(kind, params)
        return kind, params

    @precondition(lambda self: bool(self.model.usable_contacts()))
    @rule(data=st.data())
    def online_only(self, data: st.DataObject) -> None:
        self._online_only(data)

    def _online_only(self, data: st.DataObject) -> None:
        if not self.vocab.online_only:
            return
        kind = data.draw(st.sampled_from(list(self.vocab.online_only)), label="online-only feature")
        contact = data.draw(st.sampled_from(self.model.usable_contacts()), label="contact")
        self._do(kind, {"contact": contact})

    # -- device and server ----------------------------------------------------------------------

    @rule(kind=st.sampled_from(["kill", "background"]), data=st.data())
    def device(self, kind: str, data: st.DataObject) -> None:
        if self.vocab.lifecycle:
            self._device(kind, data)

    def _device(self, kind: str, data: st.DataObject) -> None:
        if kind == "kill":
            self._do("kill")
            self._do("relaunch")
        else:
            self._do("background", data.draw(S.background_params(), label="background"))
        self._expect_pending()

    @rule(data=st.data())
    def server_activity(self, data: st.DataObject) -> None:
        self._server_activity(data)

    def _server_activity(self, data: st.DataObject) -> None:
        """New messages go to the threads the app has loaded, when it has any (R18, R25: they must show)."""
        if self.vocab.server is None:
            return
        if self.vocab.server == "server_change":
            self._do("server_change", {"count": data.draw(st.integers(1, 2), label="count")})
            return
        threads = tuple(sorted(self.model.loaded_threads)) or S.CONVERSATIONS
        self._do("server_activity", data.draw(S.server_activity_params(threads), label="activity"))

    @precondition(lambda self: not self.model.online)
    @rule(s=S.wait_s())
    def wait(self, s: float) -> None:
        self._do("wait", s)

    # -- the end of a sequence ------------------------------------------------------------------

    def teardown(self) -> None:
        ctx, live, original = self.ctx, self.live, self._raised
        if signals.interrupted() is not None:
            return  # Ctrl-C or SIGTERM: no closing steps; the runner and the lab unwind
        if self._errored:
            assert original is not None
            self._count_error(live.error(original).folder, original)
            return
        self._closing_from = len(live.steps)
        try:
            if not self._stopped:
                self._close_offline()
                if self.vocab.pending:
                    self._do("wait_synced", FINAL_WAIT_S)
                else:
                    self._do("wait", FINAL_WAIT_S / 4)
        except SequenceFailed:
            pass  # an inline failure while closing: judged below with the rest
        except UnsatisfiedAssumption:  # a closing step met a harness error (``_harness_error``)
            assert self._raised is not None
            self._count_error(live.error(self._raised).folder, self._raised)
            raise
        result = live.finish()
        ctx.consecutive_errors = 0
        ctx.stats.steps_s += live.steps_s
        ctx.stats.finish_s += live.finish_s
        if result.outcome == "passed":
            if not ctx.keep_passing:
                remove_folder(live.folder)
            ctx.progress()
            return
        if result.outcome == "error":
            exc: BaseException = RuntimeError(f"generated sequence could not finish: {result.error}")
        else:
            first = primary_failure(result.verdicts)
            exc = original if isinstance(original, SequenceFailed) else failure_class(first.check)(
                [v for v in result.verdicts if not v.passed])
        self._record(result, exc)
        if original is None:
            raise exc

    def _close_offline(self) -> None:
        """Bring the path and the app back for the closing settle. A sequence ends offline or in the background
        only when Hypothesis cut it short in the middle of a spell (its choices ran out): the app is brought
        to the foreground (a frozen app syncs nothing), and in a resume round a way back other than airplane
        mode's needs its trigger too, the return to the foreground, or a correct app would wait out its held
        probe."""
        steps = self._reconnect_steps()
        trigger = bool(steps) and self.vocab.resume and self.vocab.lifecycle and not self.backgrounded and \
            bool(self.model.offline_via() - {"airplane"})
        if trigger:
            self._do("background")
        for name in steps:
            self._do(name)
        if self.backgrounded:
            self._do("foreground")

    def _harness_error(self, exc: BaseException) -> NoReturn:
        """The lab or the device broke mid-example: no verdict on the app. The example is discarded
        (Hypothesis's ``reject``: never shrunk or exported as a bug); ``teardown`` keeps its evidence."""
        self._raised, self._errored = exc, True
        reject()

    def _count_error(self, folder: Path | None, exc: BaseException) -> None:
        """One example that could not be carried out, kept with its folder; too many in a row end the run."""
        ctx = self.ctx
        if ctx.count_error(folder, f"{type(exc).__name__}: {exc}") >= MAX_CONSECUTIVE_ERRORS:
            raise LabBroken(ctx.harness_errors[-MAX_CONSECUTIVE_ERRORS:])

    def _record(self, result: ScenarioResult, exc: BaseException) -> None:
        ctx = self.ctx
        ctx.stats.failures += 1
        if ctx.stats.first_failure_s is None:
            ctx.stats.first_failure_s = ctx.stats.elapsed_s
            ctx.shrink_started = time.monotonic()
            ctx.shrink_deadline = ctx.shrink_started + ctx.shrink_s
            if ctx.on_first_failure is not None and not ctx.on_first_failure():
                # another worker of a parallel run claimed a finding first: it shrinks and exports; this one
                # stops here, its failure named in its outcome, not shrunk a second time
                ctx.stats.left_to_other_worker = f"{type(exc).__name__}: {exc}"[:500]
                ctx.stats.failures -= 1
                raise BudgetExhausted()
        ctx.keep_failure(FailedRun(list(self.live.steps), result, exc, self._closing_from))
        ctx.progress()


#: the rule swarm testing never switches off
SPELL_RULE = SyncMachine.a_spell_offline.__name__


class _SpellsAlwaysOn:
    """Hypothesis's swarm flags for one example, except that the offline spell is never switched off."""

    def __init__(self, flags: Any) -> None:
        self._flags = flags

    def is_enabled(self, name: str) -> bool:
        return name == SPELL_RULE or self._flags.is_enabled(name)


def _keep_spells_enabled(machine: RuleBasedStateMachine) -> None:
    """Keep swarm testing for the single-step rules, never for the spell.

    Hypothesis switches a random subset of rules off for each example ("swarm testing": about half on
    average, sometimes all but one), which diversifies cheap examples. Here an example costs seconds and
    nearly every offline-sync bug needs a spell, so an example without one is mostly wasted: before this,
    most early examples were a single rule kind repeated (four writes online, four network faults). This
    reaches into Hypothesis's rule strategy (``enabled_rules_strategy``); if a later Hypothesis renames it,
    plain swarm testing stays, which is slower to find bugs but still correct.
    """
    strategy = getattr(machine, "_rules_strategy", None)
    flags = getattr(strategy, "enabled_rules_strategy", None)
    if flags is not None:  # the rule strategy is the machine's own: this runs once for it, in __init__
        strategy.enabled_rules_strategy = flags.map(_SpellsAlwaysOn)  # type: ignore[union-attr]


def remove_folder(folder: Any) -> None:
    """Remove an example's evidence folder (a passing one, or a failure a smaller one replaced)."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def machine_for(ctx: FuzzContext) -> type[SyncMachine]:
    """A SyncMachine subclass bound to ``ctx`` (Hypothesis instantiates it once per example)."""
    return type("SyncMachine", (SyncMachine,), {"ctx": ctx, "__module__": __name__})


__all__ = ["MAX_CONSECUTIVE_ERRORS", "BudgetExhausted", "FailedRun", "LabBroken", "FuzzContext", "FuzzStats", "SequenceFailed", "SyncMachine",
           "failure_class", "machine_for", "primary_failure", "remove_folder"]
