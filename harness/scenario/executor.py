"""Execute scenario steps against the lab, the device and the app model.

One :class:`StepExecutor` per scenario run. It keeps the harness's belief
about the network (which offline conditions are in force: the checks need
the truth, not the app's opinion), the markers given to labelled items, the
schedules and background policies running, and what it saw on screen (for
searches by a contact's name). Every effect is on the timeline: conditions
and schedules through the lab, device steps through the device, actions and
observations through the page objects; inline expectations become verdicts.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from harness.app import changes
from harness.app.base import ScreenTimeout
from harness.checks import Verdict
from harness.errors import Evidence, LabError
from harness.markers import new_marker
from harness.net.schedule import Scheduler
from harness.scenario import steps as S
from harness.scenario.conditions import condition_for, offline_condition, schedule_for
from harness.scenario.handlers import HANDLERS
from harness.scenario.model import LoadItem, Scenario, Step
from harness.timeline import Timeline

#: How long an app wiped in place may take to boot before the harness resets it the slow way.
IN_PLACE_BOOT_S = 10.0

POLL_S = 0.2
#: the screen is read (harness.app.watch) after every step, at every scheduled transition and this often in waits
WATCH_EVERY_S = 1.0
WATCH_TICK_S = 0.1
#: sequential requests a screen may need (token, record, its lists) when the link is slowed (slow_link_allowance_s)
SCREEN_ROUND_TRIPS = 4
# the step families that give a correct app a reason not to show a screen at once (see ``disturbed``)
DISTURBING = frozenset({"network", "schedule", "device", "server"})


@dataclass
class Item:
    """An item the scenario created and labelled: what kind, its marker, where it lives.

    ``kind`` is ``item`` for a generic collection's item (``collection``, ``parent``); an app plugin's own
    steps use their own kinds (the reference app's: note, opportunity, photo, sms, email) and fields.
    """

    kind: str
    marker: str
    collection: str | None = None
    parent: int | None = None
    where: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:  # a plugin's own fields (``item.contact``)
        where = self.__dict__.get("where") or {}
        if name in where:
            return where[name]
        raise AttributeError(name)


class StepExecutor:
    """Runs steps of one scenario; see the module docstring."""

    def __init__(self, *, lab: Any, device: Any, profile: Any, app_profile: Any, timeline: Timeline,
                 scenario: Scenario, rng: random.Random, folder: Path) -> None:
        from harness.app import App

        self.lab = lab
        self.device = device
        self.profile = profile
        self.timeline = timeline
        self.scenario = scenario
        self.rng = rng
        self.folder = folder
        from harness.app.plugins import load_plugin

        self.app_profile = app_profile
        self.plugin = load_plugin(app_profile)
        self.app = App(lambda: device.driver, app_profile, timeline=timeline, offline_belief=NetworkBelief(self))
        from harness.app.watch import Watcher

        self.watch = Watcher(app_profile, lambda: device.driver, timeline, device_state=lambda: device.state.value,
                             offline_belief=self.offline_belief)
        #: an action ``begin`` started and ``submit`` finishes: (step name, the function that finishes it)
        self.begun: tuple[str, Callable[[], Any]] | None = None
        self.items: dict[str, Item] = {}
        #: the ledger feed of the run (set by the scenario run), for waits on the app's traffic
        self.feed: Any = None
        #: collection -> parents whose list the scenario showed (what the final snapshot reads back)
        self.lists_seen: dict[str, set[int | None]] = {}
        self.unlabelled: list[Item] = []
        self.names: dict[int, str] = {}
        self.threads_loaded: set[int] = set()
        self.calendar_loaded = False
        # a step of the network, the device's life cycle or the server has run: from then on an app that
        # cannot show a screen may be breaking a requirement; before, nothing gave it a reason to fail
        self.disturbed = False
        self._offline_handles: list[Any] = []
        self._airplane = False
        self._handles: list[Any] = []
        self._schedules: list[Any] = []
        self._device_flaps: list[threading.Thread] = []
        self._policy: Any = None
        self.policy_expect: str | None = None
        self._shots = 0

    # -- the harness's belief about the network ---------------------------------------------------

    def slow_link_allowance_s(self) -> float:
        """How much longer a screen may take than the app profile's UI bound because the harness slowed every
        request (a latency toxic, a profile's latency, an HTTP delay in force): ``SCREEN_ROUND_TRIPS`` times the
        slowest per-request delay. A screen that needs a few sequential requests under a 2.5 s latency is slow,
        not hung: without this, a fuzz run on the bug-free app reported R26 for it."""
        delay_ms = 0.0
        for h in self.lab.net.handles():
            cond = h.condition
            per = float(getattr(cond, "delay_ms", 0) or 0)
            toxics = cond.toxics() if callable(getattr(cond, "toxics", None)) else ()
            for t in toxics:
                attrs = dict(t.attributes)
                if t.type == "latency":
                    per = max(per, float(attrs.get("latency", 0) + attrs.get("jitter", 0)))
            delay_ms = max(delay_ms, per)
        return SCREEN_ROUND_TRIPS * delay_ms / 1000

    def offline_belief(self) -> bool:
        if self._airplane or self._offline_handles:
            return True
        if any(h.condition.kind in ("down", "half_open", "refuse", "captive_portal", "timeout")
               for h in self.lab.net.handles()):
            return True
        return any(not s.done and _schedule_state(s) != "up" for s in self._schedules)

    # -- setup ------------------------------------------------------------------------------------

    def fresh_install(self) -> None:
        """The app installed afresh (storage cleared) and launched with the scenario's URL. A device with no
        session is launched first; one whose app was only stopped (a kill step, the stop before a reset) keeps
        its session: a launch would open a second one and start the old app with its old storage."""
        if self.device.state.value == "not_running" and not getattr(self.device, "session_open", False):
            self.device.launch()
        self.device.reinstall()
        if not callable(getattr(self.device, "reinstall_on_new_profile", None)):
            self.app.shell.wait_ready()
            return
        # The reference device wipes the app's storage in place (fast); an app reloaded while the browser is
        # still deleting its database can wait on it for good and never finish booting. Then the slow,
        # certain reset, once: a new session on an empty profile.
        try:
            self.app.shell.wait_ready(timeout_s=IN_PLACE_BOOT_S)
        except ScreenTimeout as e:
            self.timeline.append("log", "reinstall.retry", layer="device", data={"error": str(e)})
            self.device.reinstall_on_new_profile()
            self.app.shell.wait_ready()

    def load(self, item: str | LoadItem) -> None:
        """Load one setup target while online so that the app caches it (generic lists here, the rest by
        the app's plugin)."""
        if item == "items" or (isinstance(item, LoadItem) and item.items is not None):
            parent = item.items if isinstance(item, LoadItem) else None
            self.open_list(None, parent)
            others = item.model_dump(exclude_none=True, exclude={"items"}) if isinstance(item, LoadItem) else {}
            if not others:
                return
            item = LoadItem(**others)
        fn = getattr(self.plugin, "load", None)
        if fn is None:
            raise LabError(f"setup.load {item!r}: app {self.app_profile.name} has no plugin that loads it")
        fn(self, item)

    def open_list(self, collection: str | None, parent: int | None) -> Any:
        screen = self.app.collection(collection, parent)
        self.lists_seen.setdefault(screen.name, set()).add(parent)
        return screen.open()

    # -- steps ------------------------------------------------------------------------------------

    def run_step(self, step: Step) -> list[Verdict]:
        """Run one step and read the screen after it (the first step: before it too); returns inline verdicts."""
        if self.watch.reads == 0:
            self.watch.observe("start")
        verdicts = self._run_step(step)
        self.watch.observe("step", step=step.name, index=step.index)
        return verdicts

    def _run_step(self, step: Step) -> list[Verdict]:
        """Run one step; returns inline verdicts (expectations).

        A step with a registered handler (:mod:`harness.scenario.handlers`: the generic item steps, an app
        plugin's own steps) runs it; the lab's own vocabulary (network, schedules, device, waits,
        expectations) runs here by family."""
        family = S.STEPS[step.name].family
        if family in DISTURBING:
            self.disturbed = True
        fn = HANDLERS.get(step.name)
        if fn is not None:
            return fn(self, step.params) or []
        if family in ("action", "server"):
            raise LabError(f"step {step.name}: app {self.app_profile.name} has no handler for it (an app plugin "
                           "registers handlers for its own steps)")
        handler: Callable[[Any], list[Verdict] | None] = getattr(self, f"_{family}")
        return handler(step) or []

    def _network(self, step: Step) -> None:
        p = step.params
        if isinstance(p, S.Offline):
            if p.via == "airplane":
                self._airplane = True
                self.device.set_airplane(True)
            else:
                cond = offline_condition(p.via, self.app_profile)
                assert cond is not None
                self._offline_handles.append(self.lab.net.apply(cond))
        elif isinstance(p, S.Online):
            if self._airplane:
                self._airplane = False
                self.device.set_airplane(False)
            for h in self._offline_handles:
                self.lab.net.clear(h)
            self._offline_handles.clear()
        elif isinstance(p, S.ResetNetwork):
            self.lab.net.reset()
            self._offline_handles.clear()
            self._handles.clear()
        elif isinstance(p, S.Release):
            self.lab.net.end_holds()
            self._handles = [h for h in self._handles if h.condition.kind != "hold"]
            # held requests go on to the backend from now (the checks date what the server could know by it)
            self.timeline.append("condition", "release", layer="http", data={"action": "release"})
        else:
            self._handles.append(self.lab.net.apply(condition_for(step.name, p, seed=self.rng.randrange(2**31),
                                                                  app=self.app_profile)))

    def _schedule(self, step: Step) -> None:
        p = step.params
        if isinstance(p, S.WaitSchedule):
            self._join_schedules(p.timeout_s)
            return
        seed = self.rng.randrange(2**31)
        if getattr(p, "via", "link") == "airplane":
            running: Any = _DeviceSchedule(self, schedule_for(p, seed=seed)).start()
        else:
            running = Scheduler(self.lab.net, self.timeline).start(schedule_for(p, seed=seed))
        self._schedules.append(running)
        if not p.background:  # type: ignore[attr-defined]
            self._join_schedules(schedule_for(p, seed=seed).duration_s + 30)

    def _join_schedules(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        self._pass_time(timeout_s, until=lambda: all(s.done for s in self._schedules))
        for s in self._schedules:
            s.wait(max(0.0, deadline - time.monotonic()))
        self._schedules = [s for s in self._schedules if not s.done]

    def _device(self, step: Step) -> None:
        p = step.params
        if isinstance(p, S.Background):
            self._background(p.policy)
            if p.duration_s:
                time.sleep(p.duration_s)
                self._foreground()
        elif isinstance(p, S.Freeze):
            self.device.freeze()
            if p.duration_s:
                time.sleep(p.duration_s)
                self._foreground()
        elif isinstance(p, S.Foreground):
            self._foreground()
        elif isinstance(p, S.Policy):
            self._background(p.name)
            time.sleep(p.background_s)
            self._foreground()
        elif isinstance(p, S.Kill):
            self.device.kill()
        elif isinstance(p, S.Relaunch):
            self.device.relaunch()
            self.app.shell.wait_ready()
        elif isinstance(p, S.Reinstall):
            self.device.reinstall()
            self.app.shell.wait_ready()
            # its local storage is gone: nothing it loaded before is its to hold any more (the final read of
            # its local copy, with the radio off, asks only for what it loaded since)
            self.threads_loaded.clear()
            self.calendar_loaded = False

    def _background(self, policy_name: str | None) -> None:
        from harness.device.policies import PolicyRunner, get_policy
        from harness.device.profiles import policy_backend

        policy = get_policy(policy_name or self.profile.policy)
        self.policy_expect = policy.expect
        platform = "ios" if "R21" in policy.requirement_ids else "android"
        self.timeline.append("device", "policy", layer="device", data={
            "policy": policy.name, "step": "expect", "expect": policy.expect, "platform": platform,
            "background_sync": {"runs": "allowed", "none_until_foreground": "forbidden",
                                "none_until_relaunch": "forbidden"}.get(policy.expect, "windows")})
        self.device.background()
        self._policy = PolicyRunner(self.device, policy, policy_backend(self.profile), timeline=self.timeline,
                                    package=getattr(getattr(self.profile, "android", None), "package", "") or "").start()

    def _foreground(self) -> None:
        runner, self._policy = self._policy, None
        if runner is not None:
            runner.stop()
        state = self.device.state.value
        if state == "not_running":
            self.device.relaunch()
            self.app.shell.wait_ready()
        elif state == "frozen":
            self.device.unfreeze()
            self.device.foreground()
        else:
            self.device.foreground()

    def _wait(self, step: Step) -> None:
        self._pass_time(step.params.s)  # type: ignore[attr-defined]

    def _transitions(self) -> int:
        return sum(len(getattr(s, "records", None) or ()) for s in self._schedules)

    def _pass_time(self, s: float, until: Callable[[], bool] | None = None) -> None:
        """Let ``s`` seconds pass (fewer once ``until`` is true), reading the screen every ``WATCH_EVERY_S`` (times
        the scenario's ``setup.time_scale``) and at every scheduled transition (one device round trip each, inside the time, not added to it)."""
        end = time.monotonic() + s
        seen = self._transitions()
        # every second of the app's time: a scenario that runs the app's clock faster is read that much more often
        every = max(WATCH_TICK_S, WATCH_EVERY_S * self.scenario.setup.time_scale)
        next_read = time.monotonic() + every
        while True:
            now = time.monotonic()
            if now >= end or (until is not None and until()):
                return
            time.sleep(min(WATCH_TICK_S, end - now))
            n = self._transitions()
            if n != seen or time.monotonic() >= next_read:
                self.watch.observe("transition" if n != seen else "wait")
                seen, next_read = n, time.monotonic() + every

    # -- items ------------------------------------------------------------------------------------

    def new_item(self, label: str | None, kind: str, *, collection: str | None = None, parent: int | None = None,
                 **where: Any) -> str:
        """A fresh marker for an item the scenario is about to create, remembered under its label."""
        marker = new_marker(self.rng)
        item = Item(kind, marker, collection, parent, dict(where))
        if label:
            self.items[label] = item
        else:
            self.unlabelled.append(item)
        return marker

    # -- expectations ----------------------------------------------------------------------------

    def _expect(self, step: Step) -> list[Verdict]:
        p = step.params
        if isinstance(p, S.ExpectBanner):
            return [self._expect_banner(p.visible, p.within_s)]
        if isinstance(p, S.ExpectItem):
            return [self._expect_item(p.label, p.state, p.within_s)]
        if isinstance(p, S.WaitSynced):
            self._wait_synced(p.timeout_s)
        return []

    def _expect_banner(self, visible: bool, within_s: float) -> Verdict:
        """The banner in the wanted state at some moment within ``within_s`` (R1, R2).

        What counts is that the screen showed it: an app may flip back at once (a probe sent before the
        path broke answers after the app saw it break) and correct itself at its next probe; the state
        read once more afterwards is recorded beside it, so a report still shows the flicker.
        """
        t0 = time.monotonic()
        shell = self.app.shell
        when: list[float] = []

        def probe() -> bool | None:
            if bool(shell.visible("offline_banner")) != visible:
                return None
            when.append(time.monotonic())
            return True

        seen = bool(shell.poll(probe, within_s))
        took = time.monotonic() - t0
        if when:  # the moment it was seen, for the whole-timeline checks (the state read below may differ)
            self.timeline.append("observation", "banner", layer="app", t=when[0],
                                 data={"visible": visible, "seen_by": "expect_banner"})
        banner = shell.banner()  # recorded
        ev = self.timeline.events[-1]
        title = (f"offline banner {'shown' if visible else 'gone'} within {within_s:g}s" if seen else
                 f"offline banner still {'hidden' if visible else 'shown'} after {within_s:g}s")
        summary = f"banner visible={visible if seen else banner.visible} after {took:.1f}s"
        if seen and banner.visible != visible:
            summary += f", visible={banner.visible} again when read once more"
        return Verdict("expect_banner", ("R1", "R2") if visible else ("R2",), seen, title,
                       (Evidence(ev.seq, summary),))

    def _item_state(self, item: Item) -> str:
        """pending | synced | failed | absent, read without recording."""
        if item.kind == "item":
            return self.app.collection(item.collection, item.parent).state_of(item.marker)
        fn = getattr(self.plugin, "item_state", None)
        if fn is None:
            raise LabError(f"expect_item: app {self.app_profile.name} cannot read a {item.kind}'s state")
        return str(fn(self, item))

    def _item_requirement(self, item: Item) -> str:
        if item.kind == "item":
            return self.app_profile.collection(item.collection)[1].requirement
        reqs = getattr(self.plugin, "ITEM_REQUIREMENTS", {}) or {}
        return str(reqs.get(item.kind, "R9"))

    def _expect_item(self, label: str, state: str, within_s: float) -> Verdict:
        item = self.items[label]
        deadline = time.monotonic() + within_s
        seen = self._item_state(item)
        while seen != state and time.monotonic() < deadline:
            # until the screen changes, at most a poll interval (harness.app.changes)
            changes.pause(self.app.driver, min(POLL_S, max(0.0, deadline - time.monotonic())),
                          web=self.app_profile.platform == "web")
            seen = self._item_state(item)
        self.timeline.append("observation", "item_state", layer="app", data={
            "item": item.kind, "marker": item.marker, "state": seen, "label": label})
        ev = self.timeline.events[-1]
        ok = seen == state
        req = self._item_requirement(item)
        return Verdict("expect_item", (req,), ok,
                       f"{item.kind} {label} is {seen}" + ("" if ok else f", expected {state} within {within_s:g}s"),
                       (Evidence(ev.seq, f"{item.kind} {item.marker} state={seen}"),))

    def _wait_synced(self, timeout_s: float) -> bool:
        shell = self.app.shell
        if "pending_count" not in self.app_profile.capability_set and self.feed is not None:
            return self._wait_quiet(timeout_s)
        done = shell.poll(lambda: True if shell.pending_count() == 0 else None, timeout_s)
        shell.sync_status()  # recorded
        return bool(done)

    def _silent_for(self, feed: Any) -> float:
        """Seconds since the app's last request ended, its idle traffic (probes, long polls) left out;
        infinite when it has sent none."""
        feed.poll()
        last = feed.last_request_t(ignore_paths=tuple(self.app.profile.parameters.idle_paths))
        return float("inf") if last is None else time.monotonic() - last

    def _wait_quiet(self, timeout_s: float, quiet_s: float = 2.0) -> bool:
        """For an app that does not say what is pending: wait until its non-idle traffic has been quiet."""
        t0 = time.monotonic()
        deadline = t0 + timeout_s
        while time.monotonic() < deadline:
            silent = self._silent_for(self.feed)
            now = time.monotonic()
            if now - t0 >= quiet_s and silent >= quiet_s:
                self.timeline.append("log", "wait_synced.quiet", data={"waited_s": round(now - t0, 3)})
                return True
            time.sleep(POLL_S)
        return False

    # -- rollback, quiescence, snapshots -----------------------------------------------------------

    def rollback(self) -> None:
        """Always runs: schedules and policies stopped, every layer clean, radio on, app in the foreground."""
        for s in self._schedules:
            s.cancel()
        self._schedules.clear()
        errors: list[str] = []
        for undo in (self.lab.net.reset, lambda: self.device.set_airplane(False)):
            try:
                undo()
            except Exception as e:
                errors.append(str(e))
        self._airplane = False
        self._offline_handles.clear()
        try:
            if self._policy is not None or self.device.state.value != "foreground":
                self._foreground()
        except Exception as e:
            errors.append(f"foreground: {e}")
        if errors:
            self.timeline.append("log", "rollback.errors", data={"errors": errors})

    def settle(self, feed: Any) -> None:
        """Wait (bounded) for quiescence: no request for ``quiescence_s`` and nothing pending in the app, seen
        in every poll for ``min(quiescence_s, 1 s)``.

        The two periods run side by side. (The "nothing pending" second used to start only once the silence
        was complete, which added up to a second to every run: to every example, for the fuzzer.)
        """
        exp = self.scenario.expect
        deadline = time.monotonic() + exp.settle_timeout_s
        # a short quiet period is seen at its end, not a poll later (the fuzzer's 0.25 s took 0.4 s at 0.2 s polls)
        poll_s = min(POLL_S, max(0.05, exp.quiescence_s / 4))
        nothing_pending_since: float | None = None
        shell = self.app.shell
        while time.monotonic() < deadline:
            now = time.monotonic()
            if shell.pending_count() == 0:
                nothing_pending_since = nothing_pending_since or now
            else:
                nothing_pending_since = None
            idle = self._silent_for(feed) >= exp.quiescence_s
            if idle and nothing_pending_since is not None and \
                    now - nothing_pending_since >= min(exp.quiescence_s, 1.0):
                break
            time.sleep(poll_s)
        status = shell.sync_status()
        self.timeline.append("log", "quiescence", data={"reached": status.pending == 0, "pending": status.pending})

    def final_snapshots(self) -> None:
        """What the app shows now (every list the scenario touched; the plugin's own screens) and, when the
        app has a read-back hook, the backend's state."""
        snapshot: dict[str, Any] = {"collections": self._collections_shown()}
        fn = getattr(self.plugin, "snapshot", None)
        if fn is not None:
            snapshot.update(fn(self) or {})
        snapshot["pending"] = self.app.shell.sync_status().pending
        self.timeline.append("snapshot", "app", layer="app", data=snapshot)
        hooks = self.lab.hooks
        if hooks.has("read"):
            backend = hooks.read() or {}
            extra = getattr(self.plugin, "backend_snapshot", None)
            if extra is not None:
                backend.update(extra(self) or {})
            mutations = backend.pop("mutations", None)
            self.timeline.append("snapshot", "backend", layer="backend", data=backend)
            if mutations is not None:
                self.timeline.append("snapshot", "mutations", layer="backend", data={"items": mutations})
        else:
            self.timeline.append("log", "oracle.unavailable", data={
                "oracle": "backend read-back", "why": f"app {self.app_profile.name} has no read hook: the checks "
                "use the ledger and the screen only"})

    def _collections_shown(self) -> dict[str, list[str]]:
        """Each generic collection the scenario touched, read off its list now."""
        touched = dict(self.lists_seen)
        for item in list(self.items.values()) + self.unlabelled:
            if item.kind == "item":
                name = item.collection or self.app_profile.default_collection()
                if name:
                    touched.setdefault(name, set()).add(item.parent)
        out: dict[str, list[str]] = {}
        for name, parents in sorted(touched.items()):
            texts: list[str] = []
            for parent in sorted(parents, key=lambda p: -1 if p is None else p):
                texts += [i.text for i in self.app.collection(name, parent).open(record=False)]
            out[name] = texts
        return out

    def screenshot(self, label: str) -> None:
        try:
            self.device.screenshot(label)
        except Exception:
            pass

    def close(self) -> None:
        for s in self._schedules:
            s.cancel()
        if self._policy is not None:
            self._policy.stop()


class NetworkBelief:
    """What the page objects ask of the harness's belief about the network: offline now (call it), and how much
    longer a screen may take because the harness slowed the link (``ui_allowance_s``, used by ``Screen.wait``)."""

    def __init__(self, ex: StepExecutor) -> None:
        self.ex = ex

    def __call__(self) -> bool:
        return self.ex.offline_belief()

    def ui_allowance_s(self) -> float:
        return self.ex.slow_link_allowance_s()


def _schedule_state(running: Any) -> str:
    """The state a running schedule is in now (``up`` before its first transition)."""
    if isinstance(running, _DeviceSchedule):
        return running.state
    records = getattr(running, "records", None) or []
    return str(records[-1].state) if records else "up"


class _DeviceSchedule:
    """A flap or outage on the device's radio (airplane mode) following a network schedule's timing."""

    def __init__(self, ex: StepExecutor, schedule: Any) -> None:
        self.ex = ex
        self.schedule = schedule
        self.state = "up"
        self.records: list[str] = []  # the states it went through (the executor reads the screen at each)
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="device-schedule", daemon=True)

    def start(self) -> "_DeviceSchedule":
        self._thread.start()
        return self

    def _run(self) -> None:
        t0 = time.monotonic()
        for tr in self.schedule.transitions:
            target = t0 + tr.at_s
            if self._cancel.wait(max(0.0, target - time.monotonic())):
                break
            down = tr.state != "up"
            self.ex._airplane = down
            self.ex.device.set_airplane(down)
            self.state = tr.state
            self.records.append(tr.state)
            self.ex.timeline.append("schedule", "transition", layer="device", data={
                "schedule": self.schedule.name, "state": "down" if down else "up", "scheduled_t": target,
                "error_ms": round((time.monotonic() - target) * 1000, 3)})
        if self.state != "up":
            self.ex._airplane = False
            self.ex.device.set_airplane(False)
            self.state = "up"

    def cancel(self) -> None:
        self._cancel.set()
        self._thread.join(timeout=10)

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self, timeout_s: float | None = None) -> None:
        self._thread.join(timeout=timeout_s)


__all__ = ["Item", "StepExecutor"]
