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
Rules are grouped (reads, online-only features, HTTP faults, schedules,
device steps) so that each group, not each step name, gets an equal share
of the draws: writes and connectivity changes stay frequent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, precondition, rule

from harness.checks import Verdict
from harness.scenario.model import Step
from harness.scenario.result import ScenarioResult
from harness.scenario.steps import parse_step
from harness.stateful import strategies as S
from harness.stateful.exporter import fuzz_scenario
from harness.scenario.sequence import ScenarioRun
from harness.stateful.model import RefModel

BANNER_WITHIN_S = 10.0
ITEM_WITHIN_S = 5.0
SYNC_WITHIN_S = 20.0
FINAL_WAIT_S = 20.0


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

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.t0


@dataclass
class FailedRun:
    """One failing example: its steps (with the closing ones), result and the exception raised."""

    steps: list[Step]
    result: ScenarioResult
    error: BaseException


@dataclass
class FuzzContext:
    """What every example of one fuzz run shares: the runner, the clock, the counters, the failures."""

    runner: Any
    opportunity_owner: dict[int, int]
    deadline: float
    shrink_s: float = 180.0
    shrink_deadline: float = float("inf")
    stats: FuzzStats = field(default_factory=FuzzStats)
    failures: list[FailedRun] = field(default_factory=list)
    on_progress: Callable[[FuzzStats], None] | None = None
    keep_passing: bool = False
    checks: tuple[str, ...] | None = None

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
        ctx = self.ctx
        if ctx.stats.failures == 0 and time.monotonic() > ctx.deadline:
            raise BudgetExhausted()
        if ctx.stats.failures and time.monotonic() > ctx.shrink_deadline:
            reject()  # shrinking is over budget: skip the rest cheaply; the best failure so far is kept
        ctx.stats.examples += 1
        self.model = RefModel(contacts=S.CONTACTS, opportunity_owner=dict(ctx.opportunity_owner),
                              cached_contacts=set(S.SETUP_CONTACTS))
        scenario = fuzz_scenario(f"fuzz-{ctx.stats.examples:05d}", bugs=ctx.runner.bugs, checks=ctx.checks)
        self.live = ScenarioRun(ctx.runner, scenario).begin()
        self._raised: BaseException | None = None
        self._errored = False
        ctx.stats.reset_s += self.live.reset_s
        ctx.progress()

    # -- running steps ------------------------------------------------------------------------

    def _do(self, name: str, params: Any = None) -> None:
        step = Step(name, parse_step(name, params))
        self.ctx.stats.steps += 1
        try:
            verdicts = self.live.step(step)
        except Exception as e:
            self._raised, self._errored = e, True
            raise
        finally:
            self.ctx.progress()
        self.model.apply(name, step.params.model_dump(by_alias=True))
        bad = [v for v in verdicts if not v.passed]
        if bad:
            exc = failure_class(bad[0].check)(bad)
            self._raised = exc
            raise exc

    def _expect_pending(self) -> None:
        pending = self.model.pending()
        if pending:
            self._do("expect_item", {"as": pending[0].label, "state": "pending", "within_s": ITEM_WITHIN_S})

    # -- connectivity ----------------------------------------------------------------------------

    @precondition(lambda self: self.model.online)
    @rule(via=st.sampled_from(["airplane", "link", "backend", "half_open", "captive_portal"]))
    def go_offline(self, via: str) -> None:
        if via in ("half_open", "captive_portal"):
            self._do(via)
        else:
            self._do("offline", via)
        self._do("expect_banner", {"visible": True, "within_s": BANNER_WITHIN_S})

    @precondition(lambda self: self.model.online)
    @rule()
    def drop_link(self) -> None:
        """The commonest drop (the link goes down) as a rule of its own: offline spells come twice as often."""
        self._do("offline", "link")
        self._do("expect_banner", {"visible": True, "within_s": BANNER_WITHIN_S})

    @precondition(lambda self: not self.model.online)
    @rule()
    def go_online(self) -> None:
        for name in self._reconnect_steps():
            self._do(name)
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
    @rule(kind=st.sampled_from(["drop_response", "http_status"]), data=st.data())
    def http_fault(self, kind: str, data: st.DataObject) -> None:
        strat = S.drop_response_params() if kind == "drop_response" else S.http_status_params()
        self._do(kind, data.draw(strat, label=kind))

    @precondition(lambda self: self.model.online)
    @rule(kind=st.sampled_from(["flap", "outage", "switch_network"]), data=st.data())
    def schedule(self, kind: str, data: st.DataObject) -> None:
        strat = {"flap": S.flap_params, "outage": S.outage_params, "switch_network": S.switch_params}[kind]()
        self._do(kind, data.draw(strat, label=kind))

    # -- writes (queued offline) -----------------------------------------------------------------

    @precondition(lambda self: bool(self.model.usable_contacts()))
    @rule(target=items, data=st.data())
    def add_note(self, data: st.DataObject) -> str:
        contact = data.draw(st.sampled_from(self.model.usable_contacts()), label="contact")
        return self._write("add_note", {"contact": contact})

    @precondition(lambda self: bool(self.model.usable_opportunities()))
    @rule(target=items, data=st.data())
    def edit_opportunity(self, data: st.DataObject) -> str:
        opp = data.draw(st.sampled_from(self.model.usable_opportunities()), label="opportunity")
        return self._write("edit_opportunity", data.draw(S.opportunity_edit(opp), label="edit"))

    @precondition(lambda self: bool(self.model.usable_contacts()))
    @rule(target=items, data=st.data(), size_kb=S.photo_size_kb())
    def upload_photo(self, data: st.DataObject, size_kb: int) -> str:
        contact = data.draw(st.sampled_from(self.model.usable_contacts()), label="contact")
        return self._write("upload_photo", {"contact": contact, "size_kb": size_kb})

    @precondition(lambda self: bool(self.model.usable_contacts()))
    @rule(target=items, kind=st.sampled_from(["send_sms", "send_email"]), data=st.data())
    def send_message(self, kind: str, data: st.DataObject) -> str:
        contact = data.draw(st.sampled_from(self.model.usable_contacts()), label="contact")
        return self._write(kind, {"contact": contact})

    def _write(self, name: str, params: dict[str, Any]) -> str:
        label = self.model.next_label(name)
        offline = not self.model.online
        self._do(name, {**params, "as": label})
        if offline:
            self._do("expect_item", {"as": label, "state": "pending", "within_s": ITEM_WITHIN_S})
        return label

    @rule(label=items)
    def check_item(self, label: str) -> None:
        state = self.model.expected_item_state(label)
        if state is not None:
            within = ITEM_WITHIN_S if state == "pending" else SYNC_WITHIN_S
            self._do("expect_item", {"as": label, "state": state, "within_s": within})

    # -- reads and online-only features -----------------------------------------------------------

    @rule(kind=st.sampled_from(["open_contact", "open_contacts", "open_thread", "open_calendar", "open_dashboard",
                                "search"]), data=st.data())
    def read(self, kind: str, data: st.DataObject) -> None:
        if kind in ("open_contact", "search"):
            contact = data.draw(st.sampled_from(S.CONTACTS), label="contact")
            self._do(kind, contact if kind == "open_contact" else {"contact": contact})
        elif kind == "open_thread":
            self._do(kind, data.draw(S.thread_params(), label="thread"))
        else:
            self._do(kind)

    @precondition(lambda self: bool(self.model.usable_contacts()))
    @rule(kind=st.sampled_from(["call", "pay", "run_workflow"]), data=st.data())
    def online_only(self, kind: str, data: st.DataObject) -> None:
        contact = data.draw(st.sampled_from(self.model.usable_contacts()), label="contact")
        self._do(kind, {"contact": contact})

    # -- device and server ----------------------------------------------------------------------

    @rule(kind=st.sampled_from(["kill", "background"]), data=st.data())
    def device(self, kind: str, data: st.DataObject) -> None:
        if kind == "kill":
            self._do("kill")
            self._do("relaunch")
        else:
            self._do("background", data.draw(S.background_params(), label="background"))
        self._expect_pending()

    @rule(data=st.data())
    def server_activity(self, data: st.DataObject) -> None:
        self._do("server_activity", data.draw(S.server_activity_params(), label="activity"))

    @precondition(lambda self: not self.model.online)
    @rule(s=S.wait_s())
    def wait(self, s: float) -> None:
        self._do("wait", s)

    # -- the end of a sequence ------------------------------------------------------------------

    def teardown(self) -> None:
        ctx, live, original = self.ctx, self.live, self._raised
        if self._errored:
            assert original is not None
            result = live.error(original)
            ctx.stats.errors += 1
            self._record(result, self._raised)
            return
        try:
            for name in self._reconnect_steps():
                self._do(name)
            self._do("wait_synced", FINAL_WAIT_S)
        except SequenceFailed:
            pass  # an inline failure while closing: judged below with the rest
        except Exception as e:
            result = live.error(e)
            ctx.stats.errors += 1
            self._record(result, e)
            if original is None:
                raise
            return
        result = live.finish()
        ctx.stats.steps_s += live.steps_s
        ctx.stats.finish_s += live.finish_s
        if result.outcome == "passed":
            if not ctx.keep_passing:
                _remove(live.folder)
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

    def _record(self, result: ScenarioResult, exc: BaseException) -> None:
        ctx = self.ctx
        ctx.stats.failures += 1
        if ctx.stats.first_failure_s is None:
            ctx.stats.first_failure_s = ctx.stats.elapsed_s
            ctx.shrink_deadline = time.monotonic() + ctx.shrink_s
        previous = ctx.failures[-1].result.folder if ctx.failures else None
        ctx.failures.append(FailedRun(list(self.live.steps), result, exc))
        if previous is not None and previous != result.folder and not ctx.keep_passing:
            _remove(previous)
        ctx.progress()


def _remove(folder: Any) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def machine_for(ctx: FuzzContext) -> type[SyncMachine]:
    """A SyncMachine subclass bound to ``ctx`` (Hypothesis instantiates it once per example)."""
    return type("SyncMachine", (SyncMachine,), {"ctx": ctx, "__module__": __name__})


__all__ = ["BudgetExhausted", "FailedRun", "FuzzContext", "FuzzStats", "SequenceFailed", "SyncMachine",
           "failure_class", "machine_for", "primary_failure"]
