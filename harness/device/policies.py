"""Background and battery policies as data, and the runner that applies them.

R20 and R21 say the OS decides whether an app in the background may sync:
stock Doze defers work to maintenance windows, OEM "battery savers" put apps
to sleep or kill them, iOS runs background fetch only with Background App
Refresh on. Each policy here is one frozen value that says

* what the harness expects of background sync under it (``expect``), and
* how each backend expresses it, as a :class:`Plan` of device operations:
  on the reference device lifecycle controls (freeze, unfreeze, kill), on
  Android adb shell commands (facts and mapping: REFERENCE-DATA.md,
  "Android background and battery controls"), on iOS the BAR debug hook.

:class:`PolicyRunner` applies a plan while the app is in the background on
its own monotonic-clock thread and records every step as a ``device``
event named ``policy``.

>>> get_policy("xiaomi_killer").plan("reference").timed[0].op.verb
'kill'
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Literal, Protocol

from harness.errors import SpecError
from harness.timeline import Timeline

Backend = Literal["reference", "android", "ios"]
BACKENDS: tuple[str, ...] = ("reference", "android", "ios")

#: What a policy lets background sync do (the oracle for R20/R21):
#: ``runs`` syncs while in the background; ``windows`` syncs only during
#: maintenance/fetch windows; ``none_until_foreground`` waits until the user
#: opens the app again; ``none_until_relaunch`` the app is killed and
#: nothing runs until the user starts it (cold start).
Expect = Literal["runs", "windows", "none_until_foreground", "none_until_relaunch"]


@dataclass(frozen=True)
class Op:
    """One device operation of a plan: ``verb`` plus arguments.

    Verbs: ``freeze``, ``unfreeze``, ``kill`` (every backend); ``shell``
    (Android: ``args[0]`` is an adb shell command, ``{package}`` filled in);
    ``bar_fetch`` (iOS: run the app's background-fetch debug hook).
    """

    verb: str
    args: tuple[str, ...] = ()

    def render(self, package: str) -> "Op":
        return Op(self.verb, tuple(a.format(package=package) for a in self.args))

    def __str__(self) -> str:
        return " ".join((self.verb, *self.args))


@dataclass(frozen=True)
class Timed:
    """Run ``op`` once, ``at_s`` seconds after the app went to the background."""

    at_s: float
    op: Op


#: the longest timing a policy parameter may set (nan, an infinity or a day would never come within a scenario)
MAX_POLICY_S = 3600.0


@dataclass(frozen=True)
class Periodic:
    """From ``start_s`` on, every ``every_s``: run ``on`` ops, wait ``for_s``, run ``off`` ops."""

    start_s: float
    every_s: float
    for_s: float
    on: tuple[Op, ...]
    off: tuple[Op, ...] = ()


@dataclass(frozen=True)
class Plan:
    """How one backend expresses a policy: enter, timed, periodic, exit ops."""

    enter: tuple[Op, ...] = ()
    timed: tuple[Timed, ...] = ()
    periodic: Periodic | None = None
    exit: tuple[Op, ...] = ()


def _sh(cmd: str) -> Op:
    return Op("shell", (cmd,))


FREEZE, UNFREEZE, KILL = Op("freeze"), Op("unfreeze"), Op("kill")


@dataclass(frozen=True)
class Policy:
    """A background policy; ``params`` are the timings (seconds) a profile may override."""

    name: str
    title: str
    expect: Expect
    requirement_ids: tuple[str, ...]
    params: dict[str, float] = field(default_factory=dict)
    builders: dict[str, Callable[[dict[str, float]], Plan]] = field(default_factory=dict, compare=False, repr=False)

    def with_params(self, overrides: dict[str, float] | None) -> "Policy":
        """A copy with some timings changed; unknown names raise SpecError."""
        if not overrides:
            return self
        for k, v in overrides.items():
            if k not in self.params:
                raise SpecError(f"policy_params.{k}", k, f"one of {', '.join(sorted(self.params)) or '(none)'} for policy {self.name}")
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= MAX_POLICY_S:
                raise SpecError(f"policy_params.{k}", v, f"a number of seconds from 0 to {MAX_POLICY_S:.0f}",
                                fix="a policy timing is seconds after the app goes to the background")
            if k.endswith("_every_s") and v <= 0:
                raise SpecError(f"policy_params.{k}", v, "a period of more than 0 seconds",
                                fix="a window every 0 s would open on every tick of the policy's loop")
        return replace(self, params={**self.params, **{k: float(v) for k, v in overrides.items()}})

    def backends(self) -> tuple[str, ...]:
        """The backends that can express this policy."""
        return tuple(b for b in BACKENDS if b in self.builders)

    def plan(self, backend: str) -> Plan:
        """The plan for ``backend``; SpecError if the backend cannot express it."""
        if backend not in self.builders:
            raise SpecError("policy", self.name, f"a policy that {backend} can express: {', '.join(n for n, p in POLICIES.items() if backend in p.builders)}")
        return self.builders[backend](self.params)


# --- the catalogue -----------------------------------------------------------

def _unrestricted() -> Policy:
    return Policy(
        "unrestricted", "No restrictions (battery optimisation off)", "runs", ("R20",), {},
        {
            "reference": lambda p: Plan(),
            "android": lambda p: Plan(
                enter=(
                    _sh("dumpsys deviceidle whitelist +{package}"),
                    _sh("cmd appops set {package} RUN_ANY_IN_BACKGROUND allow"),
                    _sh("am set-standby-bucket {package} active"),
                ),
                exit=(_sh("dumpsys deviceidle whitelist -{package}"),),
            ),
        },
    )


def _doze() -> Policy:
    return Policy(
        "doze", "Stock Doze: idle, with maintenance windows", "windows", ("R20",),
        {"idle_after_s": 1.0, "window_every_s": 6.0, "window_for_s": 2.0},
        {
            "reference": lambda p: Plan(
                timed=(Timed(p["idle_after_s"], FREEZE),),
                periodic=Periodic(p["idle_after_s"] + p["window_every_s"], p["window_every_s"], p["window_for_s"], (UNFREEZE,), (FREEZE,)),
                exit=(UNFREEZE,),
            ),
            "android": lambda p: Plan(
                enter=(_sh("dumpsys battery unplug"), _sh("dumpsys deviceidle enable")),
                timed=(Timed(p["idle_after_s"], _sh("dumpsys deviceidle force-idle")),),
                periodic=Periodic(
                    p["idle_after_s"] + p["window_every_s"], p["window_every_s"], p["window_for_s"],
                    (_sh("dumpsys deviceidle unforce"),), (_sh("dumpsys deviceidle force-idle"),),
                ),
                exit=(_sh("dumpsys deviceidle unforce"), _sh("dumpsys battery reset")),
            ),
        },
    )


def _samsung() -> Policy:
    return Policy(
        "samsung_sleeping", "Samsung-like sleeping apps", "none_until_foreground", ("R20",),
        {"sleep_after_s": 1.0},
        {
            "reference": lambda p: Plan(timed=(Timed(p["sleep_after_s"], FREEZE),), exit=(UNFREEZE,)),
            "android": lambda p: Plan(
                enter=(_sh("dumpsys battery unplug"),),
                timed=(
                    Timed(p["sleep_after_s"], _sh("am set-standby-bucket {package} restricted")),
                    Timed(p["sleep_after_s"], _sh("cmd appops set {package} RUN_ANY_IN_BACKGROUND ignore")),
                ),
                exit=(
                    _sh("cmd appops set {package} RUN_ANY_IN_BACKGROUND allow"),
                    _sh("am set-standby-bucket {package} active"),
                    _sh("dumpsys battery reset"),
                ),
            ),
        },
    )


def _xiaomi() -> Policy:
    return Policy(
        "xiaomi_killer", "Xiaomi-like killer: killed after N s in background, no auto-start", "none_until_relaunch", ("R20",),
        {"kill_after_s": 3.0},
        {
            "reference": lambda p: Plan(timed=(Timed(p["kill_after_s"], KILL),)),
            "android": lambda p: Plan(timed=(Timed(p["kill_after_s"], _sh("am force-stop {package}")),)),
        },
    )


def _huawei() -> Policy:
    return Policy(
        "huawei", "Huawei-like: idled at once, killed after N s", "none_until_relaunch", ("R20",),
        {"idle_after_s": 0.5, "kill_after_s": 4.0},
        {
            "reference": lambda p: Plan(timed=(Timed(p["idle_after_s"], FREEZE), Timed(p["kill_after_s"], KILL))),
            "android": lambda p: Plan(
                enter=(_sh("dumpsys battery unplug"), _sh("cmd appops set {package} RUN_ANY_IN_BACKGROUND ignore")),
                timed=(
                    Timed(p["idle_after_s"], _sh("dumpsys deviceidle force-idle")),
                    Timed(p["idle_after_s"], _sh("am make-uid-idle {package}")),
                    Timed(p["kill_after_s"], _sh("am kill {package}")),
                ),
                exit=(
                    _sh("dumpsys deviceidle unforce"),
                    _sh("cmd appops set {package} RUN_ANY_IN_BACKGROUND allow"),
                    _sh("dumpsys battery reset"),
                ),
            ),
        },
    )


def _bar_off() -> Policy:
    return Policy(
        "ios_bar_off", "iOS, Background App Refresh off", "none_until_foreground", ("R21",),
        {"suspend_after_s": 0.5},
        {
            "reference": lambda p: Plan(timed=(Timed(p["suspend_after_s"], FREEZE),), exit=(UNFREEZE,)),
            "ios": lambda p: Plan(),
        },
    )


def _bar_on() -> Policy:
    return Policy(
        "ios_bar_on", "iOS, Background App Refresh on (periodic fetch windows)", "windows", ("R21",),
        {"suspend_after_s": 0.5, "fetch_every_s": 5.0, "fetch_for_s": 2.0},
        {
            "reference": lambda p: Plan(
                timed=(Timed(p["suspend_after_s"], FREEZE),),
                periodic=Periodic(p["suspend_after_s"] + p["fetch_every_s"], p["fetch_every_s"], p["fetch_for_s"], (UNFREEZE,), (FREEZE,)),
                exit=(UNFREEZE,),
            ),
            "ios": lambda p: Plan(periodic=Periodic(p["fetch_every_s"], p["fetch_every_s"], 0.0, (Op("bar_fetch"),))),
        },
    )


POLICIES: dict[str, Policy] = {
    p.name: p for p in (_unrestricted(), _doze(), _samsung(), _xiaomi(), _huawei(), _bar_off(), _bar_on())
}


def get_policy(name: str) -> Policy:
    """The policy called ``name``; SpecError listing the known names otherwise."""
    try:
        return POLICIES[name]
    except KeyError:
        raise SpecError("policy", name, f"one of {', '.join(sorted(POLICIES))}") from None


# --- running a plan ------------------------------------------------------------

class PolicyTarget(Protocol):
    """What the runner needs from a device: its name and one operation hook."""

    name: str

    def run_policy_op(self, op: Op) -> None: ...


class PolicyRunner:
    """Apply a policy's plan to a backgrounded app on a monotonic-clock thread.

    >>> # runner = PolicyRunner(device, get_policy("doze"), "reference", timeline=tl)
    >>> # device.background(); runner.start(); ...; runner.stop()

    ``start`` runs the enter ops at once, then timed and periodic ops at
    their offsets from the start; ``stop`` ends the thread and runs the exit
    ops (unless the app was killed, which ends the plan: no auto-start).
    """

    def __init__(
        self,
        device: PolicyTarget,
        policy: Policy,
        backend: str,
        *,
        timeline: Timeline | None = None,
        package: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.device = device
        self.policy = policy
        self.backend = backend
        self.plan = policy.plan(backend)
        self.timeline = timeline
        self.package = package
        self.clock = clock
        self.killed = False
        self.errors: list[str] = []
        self.ops_run: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = 0.0

    def _run(self, op: Op, step: str) -> None:
        if self.killed:
            return
        op = op.render(self.package)
        t = self.clock()
        try:
            self.device.run_policy_op(op)
        except Exception as e:  # recorded, never aborts the run
            self.errors.append(f"{op}: {e}")
            self._record(step, op, error=str(e))
            return
        self.ops_run.append((t - self._t0, str(op)))
        if op.verb == "kill" or op.args[:1] and ("force-stop" in op.args[0] or op.args[0].startswith("am kill")):
            self.killed = True
        self._record(step, op)

    def _record(self, step: str, op: Op, error: str | None = None) -> None:
        if self.timeline is None:
            return
        data: dict[str, object] = {
            "policy": self.policy.name, "step": step, "op": str(op), "backend": self.backend,
            "offset_s": round(self.clock() - self._t0, 3), "expect": self.policy.expect,
        }
        if error:
            data["error"] = error
        self.timeline.append("device", "policy", layer="device", data=data)

    def _schedule(self) -> list[tuple[float, str, Op]]:
        items = [(t.at_s, "timed", t.op) for t in self.plan.timed]
        return sorted(items, key=lambda x: x[0])

    def _loop(self) -> None:
        pending = self._schedule()
        per = self.plan.periodic
        next_on = per.start_s if per else None
        off_at: float | None = None
        while not self._stop.is_set() and not self.killed:
            now = self.clock() - self._t0
            due = [x for x in pending if x[0] <= now]
            for item in due:
                pending.remove(item)
                self._run(item[2], item[1])
            if per is not None and next_on is not None and now >= next_on and not self.killed:
                for op in per.on:
                    self._run(op, "window_open")
                off_at = now + per.for_s if per.off else None
                next_on += per.every_s
            if off_at is not None and now >= off_at and per is not None:
                for op in per.off:
                    self._run(op, "window_close")
                off_at = None
            candidates = [x[0] for x in pending] + [v for v in (next_on, off_at) if v is not None]
            wait = (min(candidates) - (self.clock() - self._t0)) if candidates else 0.5
            self._stop.wait(max(0.005, min(wait, 0.5)))

    def start(self) -> "PolicyRunner":
        self._t0 = self.clock()
        if self.timeline is not None:
            self.timeline.append("device", "policy", layer="device", data={
                "policy": self.policy.name, "step": "start", "backend": self.backend,
                "params": dict(self.policy.params), "expect": self.policy.expect,
            })
        for op in self.plan.enter:
            self._run(op, "enter")
        self._thread = threading.Thread(target=self._loop, name=f"policy-{self.policy.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the plan; run exit ops unless the app was killed. Safe to call twice."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=10)
        self._thread = None
        if not self.killed:
            for op in self.plan.exit:
                self._run(op, "exit")
        if self.timeline is not None:
            self.timeline.append("device", "policy", layer="device", data={
                "policy": self.policy.name, "step": "stop", "backend": self.backend, "killed": self.killed,
            })

    def __enter__(self) -> "PolicyRunner":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = [
    "BACKENDS", "Expect", "Op", "POLICIES", "Periodic", "Plan", "Policy", "PolicyRunner", "PolicyTarget", "Timed", "get_policy",
]
