"""Run one scenario through the lab on a device and judge it.

Per scenario: steady state (network clean, backend reset and seeded, app
reinstalled with the scenario's timers, screens loaded while online), the
steps, then the rollback that always runs (schedules cancelled, network
reset, airplane off, app in the foreground), quiescence (nothing pending in
the app and no request for ``quiescence_s``, bounded), the final snapshots
(what the app shows; the backend's admin snapshot when there is one), the
checks, and result.json. Everything that happened is on the scenario's
timeline as it happens.

The lab and the device are started once per run (:meth:`ScenarioRunner.start`)
and shared by every scenario of the run.
"""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path
from typing import Any, Sequence

from harness.checks import CheckContext, measure, run_checks
from harness.errors import HarnessFault, LabError, SpecError, UserError
from harness.scenario.ledger_feed import LedgerFeed
from harness.scenario.model import Scenario, scaled_ms
from harness.scenario.result import ScenarioResult
from harness.timeline import Timeline


def launch_params(scenario: Scenario, launch_query: str = "", time_parameters: Sequence[str] = ()) -> dict[str, str]:
    """The app's launch parameters: its profile's ``launch_query`` (the app's own names and values), with the
    timers the scenario sets itself (``setup.app``) on top. Only those it sets: the model's defaults are no
    app's settings, and an app that is not the one they were written for would run on foreign values. Then the
    ``time_parameters`` (milliseconds) multiplied by the scenario's ``setup.time_scale`` (:func:`_scaled_param`)."""
    params = dict(urllib.parse.parse_qsl(launch_query, keep_blank_values=True))
    for name, value in scenario.setup.app.model_dump(exclude_unset=True).items():
        params[name] = str(int(value)) if isinstance(value, bool) else str(value)
    factor = scenario.setup.time_scale
    if factor != 1:
        if not time_parameters:
            raise SpecError("setup.time_scale", factor, "1 for this app", fix=(
                "the app profile names no time_parameters (the launch parameters that are its timers, in ms), "
                "so the harness cannot run its clock faster; name them in its parameters or drop time_scale"))
        for name in time_parameters:
            if name in params:
                params[name] = _scaled_param(name, params[name], factor)
    return params


def _scaled_param(name: str, value: str, factor: float) -> str:
    """A launch parameter in milliseconds at the clock ``factor`` (:func:`harness.scenario.model.scaled_ms`)."""
    try:
        ms = float(value)
    except ValueError:
        raise SpecError(f"launch parameter {name}", value, "a number of milliseconds (it is a time_parameter)",
                        fix="give it a number in the profile's launch_query or remove it from time_parameters") \
            from None
    return str(scaled_ms(ms, factor))


def app_url(base: str, scenario: Scenario, launch_query: str = "", time_parameters: Sequence[str] = ()) -> str:
    """The app's launch URL: its launch parameters (:func:`launch_params`) as the query."""
    params = launch_params(scenario, launch_query, time_parameters)
    return base.split("?", 1)[0] + ("?" + urllib.parse.urlencode(params) if params else "")


def request_timeout_s(scenario: Scenario, app_profile: Any) -> float:
    """The app's own request timeout in this scenario: the scenario's ``request_timeout_ms`` where it sets it,
    else the app profile's ``timeouts.request_s``, else the scenario model's default; times the scenario's
    ``setup.time_scale`` (the app runs its timers that much faster)."""
    factor = scenario.setup.time_scale
    if "request_timeout_ms" in scenario.setup.app.model_fields_set:
        return scenario.setup.app.request_timeout_ms / 1000 * factor
    params = getattr(app_profile, "parameters", None)
    request_s = getattr(getattr(params, "timeouts", None), "request_s", None)
    return (float(request_s) if request_s else scenario.setup.app.request_timeout_ms / 1000) * factor


class ScenarioRunner:
    """Owns the lab, the device and the app model for a run; runs scenarios one after another."""

    def __init__(self, *, lab: Any, device: Any, profile: Any, app_profile: Any, run_dir: Path, bugs: tuple[str, ...],
                 seed: int) -> None:
        self.lab = lab
        self.device = device
        self.profile = profile
        self.app_profile = app_profile
        self.run_dir = run_dir
        self.bugs = bugs
        self.seed = seed
        #: set up once and restore before each scenario (a fuzz run: harness.scenario.setup_snapshot); None: never
        self.setup_snapshots: Any = None

    @classmethod
    def start(cls, *, run_dir: Path, device: str, app: str, bugs: tuple[str, ...], seed: int,
              backend: str | None = None) -> "ScenarioRunner":
        """Validate the device and app profiles, then start the lab and build the device (not launched)."""
        from harness.app.profile import load_app_profile
        from harness.device.factory import build_device, device_endpoints
        from harness.device.profiles import can_run_here, find_profile
        from harness.lab import Lab, LabConfig

        profile = find_profile(device)
        app_profile = load_app_profile(app)
        ok, why = can_run_here(profile)
        if not ok:
            raise LabError(f"device {profile.name} cannot run here: {why}")
        needs_appium = profile.backend in ("chromium", "android", "ios") and not profile.appium_url
        lab = Lab(LabConfig(run_dir=run_dir / "lab", app=app_profile, backend=backend, bugs=bugs, appium=needs_appium,
                            seed=seed))
        lab.start()
        try:
            dev = build_device(profile, endpoints=device_endpoints(lab.endpoints), run_dir=run_dir / "device",
                               timeline=lab.timeline)
        except BaseException:
            lab.stop()
            raise
        return cls(lab=lab, device=dev, profile=profile, app_profile=app_profile, run_dir=run_dir, bugs=bugs,
                   seed=seed)

    def close(self) -> None:
        """Stop the device, then the lab; never raises."""
        try:
            self.device.quit()
        except Exception:
            pass
        self.lab.stop()

    # ---------------------------------------------------------------------------------------------

    def run(self, scenario: Scenario) -> ScenarioResult:
        """Run a whole scenario; an error in the lab or the app becomes an ``error`` result, never a hang."""
        from harness.scenario.sequence import ScenarioRun

        na = self.not_applicable(scenario)
        if na is not None:
            return na
        run = ScenarioRun(self, scenario)
        run.begin_or_error()
        if run.result.outcome == "error":
            return run.result
        from harness.app.base import ScreenTimeout

        for step in scenario.steps:
            try:
                run.step(step)
            except UserError as e:
                run.error(e)
                raise
            except ScreenTimeout as e:  # judged when the app had a reason to fail; else a harness error
                try:
                    run.step_failed(step, e)
                except HarnessFault as fault:
                    return run.error(fault)
                break
            except Exception as e:  # the lab broke mid-scenario: an error, with evidence
                return run.error(e)
        return run.finish()

    def not_applicable(self, scenario: Scenario) -> ScenarioResult | None:
        """A ``not_applicable`` result (written, with the reason) when the scenario needs what the app lacks."""
        from harness.scenario.applicability import applicability

        a = applicability(scenario, self.app_profile)
        if a.applicable:
            return None
        result = ScenarioResult(id=scenario.id, title=scenario.title, requirements=scenario.requirements,
                                tags=scenario.tags, folder=self.run_dir / "scenarios" / scenario.id,
                                outcome="not_applicable", skip_reason=a.reason, device=self.profile.name,
                                bugs=self.bugs, seed=self.seed, app=self.app_profile.name)
        result.write()
        return result

    def attach(self, tl: Timeline, folder: Path) -> None:
        """Send the lab's and the device's events (and screenshots) to this scenario's timeline and folder."""
        self.lab.set_timeline(tl)
        self.device.timeline = tl
        if hasattr(self.device, "run_dir"):
            self.device.run_dir = folder

    def steady_state(self, scenario: Scenario, ex: Any, tl: Timeline) -> None:
        """Clean network, fresh backend data (the app's reset, configure and seed hooks, where it has them), a
        freshly installed app, the setup screens loaded online."""
        phases: dict[str, float] = {}
        t = time.monotonic()

        def phase(name: str) -> None:  # where a reset's time goes (benchmarks/fuzz_throughput.py reads it)
            nonlocal t
            now = time.monotonic()
            phases[name] = round(now - t, 3)
            t = now

        hooks = self.lab.hooks
        params = self.app_profile.parameters
        url = app_url(self.lab.endpoints.app_url, scenario, params.launch_query, params.time_parameters)
        snaps = self.setup_snapshots
        key = snaps.key(scenario, url, self.bugs) if snaps is not None else None
        restoring = key is not None and snaps is not None and key in snaps.saved and \
            self.device.state.value == "foreground"
        stop = getattr(self.device, "stop_app", None)
        if callable(stop):  # the last example's app stops before the backend is reset under it
            stop(params.setup_snapshot_page if restoring else None)
        self.lab.net.reset()
        phase("network")
        if restoring and key is not None and snaps is not None:
            if hooks.has("configure"):
                hooks.configure(bugs=list(self.bugs), token_ttl_s=scenario.setup.token_ttl_s or 900)
            self.device.app_url = url
            if snaps.restore(key, self, ex, tl, self.app_profile.parameters.setup_snapshot_page or "/"):
                phase("restore")
                tl.append("log", "setup.done", data={"loads": len(scenario.setup.load), "phases_s": phases,
                                                     "restored": True})
                return
        hooks.reset()
        if hooks.has("configure"):
            hooks.configure(bugs=list(self.bugs), token_ttl_s=scenario.setup.token_ttl_s or 900)
        hooks.seed(scenario.setup.seed.model_dump())
        phase("backend")
        self.device.app_url = url
        ex.fresh_install()
        phase("install")
        first_seq = len(tl.events)
        for item in scenario.setup.load:
            self._setup_load(ex, item, tl)
        installed = getattr(self.device, "wait_installed", None)
        if callable(installed):  # a web app's service worker active: what "loaded online once" means offline
            installed()
        phase("loads")
        if key is not None and snaps is not None:
            ex._wait_quiet(5.0, 0.5)  # nothing in flight: the server and the app's storage are saved at one moment
            snaps.save(key, self, ex, tl, first_seq)
            phase("save")
        tl.append("log", "setup.done", data={"loads": len(scenario.setup.load), "phases_s": phases})

    @staticmethod
    def _setup_load(ex: Any, item: Any, tl: Timeline) -> None:
        """One setup load, on a clean network: a screen slower than its bound here is the machine's load (a
        cold app on two busy cores), not the app's failure, so it is tried once more before the scenario ends
        as a harness error."""
        from harness.app.base import ScreenTimeout

        try:
            ex.load(item)
        except ScreenTimeout as e:
            tl.append("log", "setup.load.retry", data={"load": str(item), "error": str(e)})
            ex.load(item)

    def judge(self, scenario: Scenario, tl: Timeline, result: ScenarioResult, inline: list[Any], ex: Any) -> None:
        from harness.scenario.applicability import applicability, applicable_checks

        ctx = context_for(scenario, self.app_profile, ex.policy_expect)
        events = tl.events
        a = applicability(scenario, self.app_profile)
        for check_name, why in a.checks_not_applicable.items():
            tl.append("log", "check.not_applicable", data={"check": check_name, "why": why})
            result.not_applicable_checks[check_name] = why
        verdicts = run_checks(events, context=ctx, names=applicable_checks(scenario, self.app_profile, a)) + inline
        for v in verdicts:
            tl.append("check", v.check, data=v.event_data())
        metrics = measure(events, ctx)
        for name, value in metrics.items():
            tl.append("metric", name, data={"value": value, "unit": "s"})
        result.verdicts = verdicts
        result.metrics = {k: round(v, 3) for k, v in metrics.items()}
        result.outcome = "failed" if any(not v.passed for v in verdicts) else "passed"
        if result.outcome == "failed":
            ex.screenshot("failed")

    def write_har(self, folder: Path, feed: LedgerFeed) -> None:
        try:
            from harness.net.har import write_har
        except ImportError:
            return
        try:
            write_har(feed.entries, folder / "ledger.har")
        except Exception as e:  # a broken exporter never hides the verdicts
            (folder / "ledger.har.error").write_text(str(e))


def context_for(scenario: Scenario, app_profile: Any, policy_expect: str | None) -> CheckContext:
    """What the checks need from the scenario and the app profile (and the app plugin's own readings)."""
    from dataclasses import replace

    from harness.app.plugins import plugin_function
    from harness.checks import DEFAULT_GATED, DEFAULT_QUEUED

    b = scenario.expect.bounds
    queued, gated = set(DEFAULT_QUEUED), set(DEFAULT_GATED)
    params = getattr(app_profile, "parameters", None)
    order_scope = getattr(params, "order", "global") if params is not None else "global"
    sync = scenario.expect.sync_while_background
    background: Any = None
    if sync is not None:
        background = "allowed" if sync else "forbidden"
    elif policy_expect is not None:
        background = {"runs": "allowed", "none_until_foreground": "forbidden",
                      "none_until_relaunch": "forbidden"}.get(policy_expect)
    ctx = CheckContext(
        queued_features=frozenset(queued), gated_features=frozenset(gated), order_scope=order_scope,
        max_detect_s=b.detect_s, max_banner_clear_s=b.banner_clear_s, max_first_upload_s=b.first_upload_s,
        max_drain_s=b.drain_s, max_converge_s=b.converge_s, long_outage_s=b.long_outage_s,
        background_sync=background,
        background_sync_forced=sync is not None,
        expect_token_expiry=scenario.setup.token_ttl_s is not None,
        # the harness set the app's request timeout: no correct client sends an action again while
        # the first send is in flight and younger than that
        min_retry_gap_s=request_timeout_s(scenario, app_profile),
        # the app's own promises for every offline window (its profile's detect_s and resume_s)
        window_detect_s=getattr(params, "detect_s", 10.0), window_resume_s=getattr(params, "resume_s", 15.0),
    )
    extend = plugin_function(app_profile, "check_context") if hasattr(app_profile, "plugin") else None
    ctx = extend(app_profile, scenario, ctx) if extend is not None else ctx
    if getattr(app_profile, "collections", None):  # generic collections read back: one write makes one row
        ctx = replace(ctx, create_tables=ctx.create_tables | {"collections"})
    return ctx


__all__ = ["ScenarioRunner", "app_url", "context_for"]
