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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from harness.app.base import ScreenTimeout
from harness.checks import Verdict
from harness.errors import Evidence, LabError
from harness.markers import new_marker
from harness.net.schedule import Scheduler
from harness.scenario import steps as S
from harness.scenario.conditions import condition_for, offline_condition, schedule_for
from harness.scenario.model import LoadItem, Scenario, Step
from harness.timeline import Timeline

#: How long an app wiped in place may take to boot before the harness resets it the slow way.
IN_PLACE_BOOT_S = 10.0

POLL_S = 0.2


@dataclass
class Item:
    """An item the scenario created and labelled: what kind, its marker, where it lives."""

    kind: str  # note | opportunity | photo | sms | email
    marker: str
    contact: int | None = None
    opportunity: int | None = None


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
        self.app = App(lambda: device.driver, app_profile, timeline=timeline, offline_belief=self.offline_belief)
        self.items: dict[str, Item] = {}
        self.unlabelled: list[Item] = []
        self.names: dict[int, str] = {}
        self.threads_loaded: set[int] = set()
        self.calendar_loaded = False
        self._offline_handles: list[Any] = []
        self._airplane = False
        self._handles: list[Any] = []
        self._schedules: list[Any] = []
        self._device_flaps: list[threading.Thread] = []
        self._policy: Any = None
        self.policy_expect: str | None = None
        self._shots = 0

    # -- the harness's belief about the network ---------------------------------------------------

    def offline_belief(self) -> bool:
        if self._airplane or self._offline_handles:
            return True
        if any(h.condition.kind in ("down", "half_open", "refuse", "captive_portal", "timeout")
               for h in self.lab.net.handles()):
            return True
        return any(not s.done and _schedule_state(s) != "up" for s in self._schedules)

    # -- setup ------------------------------------------------------------------------------------

    def fresh_install(self) -> None:
        """The app installed afresh (storage cleared) and launched with the scenario's URL."""
        if self.device.state.value == "not_running":
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
        """Load one setup target while online so that the app caches it."""
        if item == "dashboard":
            self.app.dashboard.open()
        elif item == "contacts":
            self._remember_names(self.app.contacts.open())
        elif item == "calendar":
            self.app.calendar.open()
            self.calendar_loaded = True
        elif item == "conversations":
            self.app.conversations.list_ids()
        elif isinstance(item, LoadItem):
            if item.contact is not None:
                self._remember_view(self.app.contact.open(item.contact))
            if item.thread is not None:
                self.app.conversations.open_thread(item.thread)
                self.threads_loaded.add(item.thread)
            if item.opportunity is not None:
                self.app.opportunity.open(item.opportunity)
            if item.contacts_pages is not None:
                self._remember_names(self.app.contacts.scroll_to_end(max_pages=item.contacts_pages))

    def _remember_names(self, lst: Any) -> None:
        for row in getattr(lst, "rows", ()):
            if str(row.id).isdigit() and row.name:
                self.names[int(row.id)] = row.name

    def _remember_view(self, view: Any) -> None:
        if getattr(view, "available", False) and str(view.id).isdigit() and view.name:
            self.names[int(view.id)] = view.name

    # -- steps ------------------------------------------------------------------------------------

    def run_step(self, step: Step) -> list[Verdict]:
        """Run one step; returns inline verdicts (expectations)."""
        family = S.STEPS[step.name].family
        handler: Callable[[Any], list[Verdict] | None] = getattr(self, f"_{family}")
        return handler(step) or []

    def _network(self, step: Step) -> None:
        p = step.params
        if isinstance(p, S.Offline):
            if p.via == "airplane":
                self._airplane = True
                self.device.set_airplane(True)
            else:
                cond = offline_condition(p.via)
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
            self.lab.net.http.release()
        else:
            self._handles.append(self.lab.net.apply(condition_for(step.name, p, seed=self.rng.randrange(2**31))))

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

    def _server(self, step: Step) -> None:
        p = step.params
        assert isinstance(p, S.ServerActivity)
        admin = self.lab.admin
        if admin is None:
            raise LabError("server_activity needs the backend's admin API (the reference app); this lab has none")
        extra = {"conversation_id": p.conversation} if p.conversation is not None else {}
        created = admin.activity(p.kind, count=p.count, **extra)
        self.timeline.append("server", "activity", layer="backend", data={"kind": p.kind, "created": created})

    def _wait(self, step: Step) -> None:
        time.sleep(step.params.s)  # type: ignore[attr-defined]

    # -- user actions -------------------------------------------------------------------------------

    def _action(self, step: Step) -> None:
        p = step.params
        app = self.app
        if isinstance(p, S.OpenDashboard):
            app.dashboard.open()
        elif isinstance(p, S.OpenContacts):
            lst = app.contacts.open() if p.pages == 1 else app.contacts.scroll_to_end(max_pages=p.pages)
            self._remember_names(lst)
        elif isinstance(p, S.OpenContact):
            self._remember_view(app.contact.open(p.contact))
        elif isinstance(p, S.OpenThread):
            view = app.conversations.open_thread(p.conversation, earlier_pages=p.earlier_pages)
            if view.available:
                self.threads_loaded.add(p.conversation)
        elif isinstance(p, S.OpenCalendar):
            app.calendar.open()
            self.calendar_loaded = True
        elif isinstance(p, S.AddNote):
            m = self._new_item(p.label, "note", contact=p.contact)
            app.contact.add_note(p.contact, "Follow-up note", marker=m)
        elif isinstance(p, S.EditOpportunity):
            m = self._new_item(p.label, "opportunity", opportunity=p.opportunity)
            app.opportunity.edit(p.opportunity, stage=p.stage, value=p.value, marker=m)
        elif isinstance(p, S.UploadPhoto):
            m = self._new_item(p.label, "photo", contact=p.contact)
            app.contact.upload_photo(p.contact, self._photo(m, p.size_kb), marker=m)
        elif isinstance(p, S.SendSms):
            m = self._new_item(p.label, "sms", contact=p.contact)
            app.messaging.send_sms(p.contact, f"Running late {m}", marker=m)
        elif isinstance(p, S.SendEmail):
            m = self._new_item(p.label, "email", contact=p.contact)
            app.messaging.send_email(p.contact, f"Proposal {m}", f"Please find the proposal {m}", marker=m)
        elif isinstance(p, S.Call):
            app.messaging.call(p.contact)
        elif isinstance(p, S.Pay):
            app.online_only.pay(p.contact, p.amount_cents, p.kind)
        elif isinstance(p, S.RunWorkflow):
            app.online_only.run_workflow(p.workflow, p.contact)
        elif isinstance(p, S.Search):
            app.search.search(self._query(p))

    def _new_item(self, label: str | None, kind: str, **where: Any) -> str:
        marker = new_marker(self.rng)
        item = Item(kind, marker, **where)
        if label:
            self.items[label] = item
        else:
            self.unlabelled.append(item)
        return marker

    def _photo(self, marker: str, size_kb: int) -> Path:
        """A JPEG-looking file of ``size_kb`` whose name carries the marker."""
        path = self.folder / "uploads" / f"photo-{marker}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = bytes([0xFF, 0xD8, 0xFF, 0xE0]) + bytes(self.rng.getrandbits(8) for _ in range(size_kb * 1024 - 6))
        path.write_bytes(body + bytes([0xFF, 0xD9]))
        return path

    def _query(self, p: S.Search) -> str:
        if p.q:
            return p.q
        assert p.contact is not None
        name = self.names.get(p.contact)
        if name is None:  # the harness never saw it on screen; ask the backend when it can
            admin = self.lab.admin
            rows = admin.snapshot().get("contacts", []) if admin is not None else []
            name = next((r.get("name") for r in rows if str(r.get("id")) == str(p.contact)), None)
        if not name:
            raise LabError(f"search: contact {p.contact}'s name was never shown and the backend has no admin API")
        return name.split()[-1]

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
        seen = bool(shell.poll(lambda: True if bool(shell.visible("offline_banner")) == visible else None,
                               within_s))
        took = time.monotonic() - t0
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
        app = self.app
        if item.kind in ("note", "photo"):
            if app.contact.current_id() != str(item.contact):
                app.contact.open(item.contact)
            found = (app.contact.note(item.marker, record=False) if item.kind == "note" else
                     next((f for f in app.contact.files() if item.marker in f.text), None))
            return "absent" if found is None else (found.state or "synced")
        if item.kind == "opportunity":
            view = app.opportunity.open(item.opportunity)
            return "pending" if view.pending else ("synced" if item.marker in view.name else "absent")
        entries = app.outbox.read()
        found = next((e for e in entries if item.marker in e.text), None)
        return found.state if found is not None else "synced"

    def _expect_item(self, label: str, state: str, within_s: float) -> Verdict:
        item = self.items[label]
        deadline = time.monotonic() + within_s
        seen = self._item_state(item)
        while seen != state and time.monotonic() < deadline:
            time.sleep(POLL_S)
            seen = self._item_state(item)
        self.timeline.append("observation", "item_state", layer="app", data={
            "item": item.kind, "marker": item.marker, "state": seen, "label": label})
        ev = self.timeline.events[-1]
        ok = seen == state
        req = {"note": "R9", "opportunity": "R14", "photo": "R15", "sms": "R10", "email": "R10"}[item.kind]
        return Verdict("expect_item", (req,), ok,
                       f"{item.kind} {label} is {seen}" + ("" if ok else f", expected {state} within {within_s:g}s"),
                       (Evidence(ev.seq, f"{item.kind} {item.marker} state={seen}"),))

    def _wait_synced(self, timeout_s: float) -> bool:
        shell = self.app.shell
        done = shell.poll(lambda: True if shell.pending_count() == 0 else None, timeout_s)
        shell.sync_status()  # recorded
        return bool(done)

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
        nothing_pending_since: float | None = None
        shell = self.app.shell
        idle_paths = tuple(self.app.profile.parameters.idle_paths)
        while time.monotonic() < deadline:
            now = time.monotonic()
            if shell.pending_count() == 0:
                nothing_pending_since = nothing_pending_since or now
            else:
                nothing_pending_since = None
            feed.poll()
            last = feed.last_request_t(ignore_paths=idle_paths)
            idle = last is None or now - last >= exp.quiescence_s
            if idle and nothing_pending_since is not None and \
                    now - nothing_pending_since >= min(exp.quiescence_s, 1.0):
                break
            time.sleep(POLL_S)
        status = shell.sync_status()
        self.timeline.append("log", "quiescence", data={"reached": status.pending == 0, "pending": status.pending})

    def final_snapshots(self) -> None:
        """What the app shows now (every touched record) and, when there is one, the backend's state."""
        app = self.app
        notes: dict[str, list[str]] = {}
        opps: dict[str, dict[str, str]] = {}
        items = list(self.items.values()) + self.unlabelled
        for cid in sorted({i.contact for i in items if i.kind == "note" and i.contact is not None}):
            view = app.contact.open(cid)
            notes[str(cid)] = [n.text for n in view.notes]
        for oid in sorted({i.opportunity for i in items if i.kind == "opportunity" and i.opportunity is not None}):
            v = app.opportunity.open(oid)
            opps[str(oid)] = {"name": v.name, "stage": v.stage, "value": v.value}
        dash = app.dashboard.open()
        status = app.shell.sync_status()
        snapshot = {"notes": notes, "opportunities": opps, "pending": status.pending,
                    "dashboard": {"widgets": {k.replace("-", "_"): v for k, v in dash.widgets.items()},
                                  "conversation_counts": {"unread": dash.unread, "total": dash.total}}}
        snapshot.update(self._local_state())
        self.timeline.append("snapshot", "app", layer="app", data=snapshot)
        admin = self.lab.admin
        if admin is not None:
            backend = admin.snapshot()
            backend["dashboard"] = _backend_dashboard(self.lab.endpoints.backend_url)
            self.timeline.append("snapshot", "backend", layer="backend", data=backend)
            self.timeline.append("snapshot", "mutations", layer="backend", data={"items": admin.mutations()})

    def _local_state(self) -> dict[str, Any]:
        """What the app holds locally after the sync: the threads and calendar it had loaded, read with
        the radio off, so a skipped delta download (R18) cannot hide behind a fresh online fetch.

        Only when the scenario made server-side changes; the phase is marked on the timeline
        (``snapshot.local``) and the checks judge only what came before it.
        """
        from harness.checks.registry import SNAPSHOT_PHASE

        if not any(e.kind == "server" for e in self.timeline.events):
            return {}
        if not (self.threads_loaded or self.calendar_loaded):
            return {}
        self.timeline.append("run", SNAPSHOT_PHASE, data={"threads": sorted(self.threads_loaded),
                                                          "calendar": self.calendar_loaded})
        out: dict[str, Any] = {"ids": {}}
        self._airplane = True
        self.device.set_airplane(True)
        try:
            if self.threads_loaded:
                out["threads"] = sorted(self.threads_loaded)
                out["ids"]["messages"] = [m.id for cid in out["threads"]
                                          for m in self.app.conversations.open_thread(cid).messages]
            if self.calendar_loaded:
                cal = self.app.calendar.open()
                out["calendar_days"] = [d.date for d in cal.days]
                out["ids"]["appointments"] = [a for d in cal.days for a in d.appointment_ids]
        finally:
            self._airplane = False
            self.device.set_airplane(False)
            self.timeline.append("run", SNAPSHOT_PHASE + ".end")
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


def _schedule_state(running: Any) -> str:
    """The state a running schedule is in now (``up`` before its first transition)."""
    if isinstance(running, _DeviceSchedule):
        return running.state
    records = getattr(running, "records", None) or []
    return str(records[-1].state) if records else "up"


def _backend_dashboard(backend_url: str) -> dict[str, Any] | None:
    """The backend's own dashboard (a direct call, not through the lab), for the convergence check."""
    import httpx

    try:
        with httpx.Client(base_url=backend_url, trust_env=False, timeout=10) as c:
            tok = c.post("/api/auth/login", json={"username": "demo", "password": "demo"}).json()["access_token"]
            return c.get("/api/dashboard", headers={"Authorization": f"Bearer {tok}"}).json()
    except Exception:
        return None


class _DeviceSchedule:
    """A flap or outage on the device's radio (airplane mode) following a network schedule's timing."""

    def __init__(self, ex: StepExecutor, schedule: Any) -> None:
        self.ex = ex
        self.schedule = schedule
        self.state = "up"
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
