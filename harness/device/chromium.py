"""The reference device: Chromium driven through Appium 3's chromium driver.

A phone-sized Chromium (mobile emulation: 390x844, touch, a mobile user
agent) runs the web app like an installed app. Its traffic goes through the
lab's chain (``--proxy-server`` = the Toxiproxy link, loopback not
bypassed). The OS controls are CDP commands sent through Appium
(:mod:`harness.device.cdp`), each verified in tests/device/test_chromium.py:

============  ===============================================================
airplane      Network.emulateNetworkConditions offline (page and service
              workers; ``navigator.onLine`` false, ``offline`` event) plus
              the lab's optional ``radio`` hook
background    Browser.setWindowBounds minimized: ``visibilitychange`` hidden,
              timers keep running (throttled), as an app in the background
freeze        Page.setWebLifecycleState frozen: ``freeze`` event, no timers
kill          ``Page.crash``: the app's renderer process dies (no unload, no
              flush of its memory; its requests and a service worker in it
              die too), the browser and the session stay; ``kill_mode:
              sigkill`` SIGKILLs the whole browser and ends the session,
              ``close`` ends the session cleanly
relaunch      the app loaded in a new tab of the kept session (after a
              renderer kill), else a new session on the same
              ``--user-data-dir``: a cold start with IndexedDB, caches and the
              service worker kept
reinstall     a new session on a fresh, empty user-data-dir
============  ===============================================================

Usage::

    dev = ChromiumDevice(profile, endpoints=Endpoints(app_url=..., proxy=..., appium_url=...),
                         run_dir=run_dir, timeline=tl)
    dev.launch(); dev.set_airplane(True); dev.kill(); dev.relaunch(); dev.quit()
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
from urllib.parse import urlsplit
import signal
import threading
import time
from pathlib import Path
from typing import Any, Callable

from harness import paths
from harness.lab.ports import free_port
from harness.device.base import AppState, Control, Endpoints, NETWORK_TYPES, Unsupported, ms_since
from harness.device import chromedriver_route
from harness.device.cdp import Cdp, network_conditions
from harness.device.policies import Op
from harness.device.profiles import ChromiumProfile
from harness.errors import LabError, PartFailed, SpecError
from harness.timeline import Timeline

DriverFactory = Callable[[str, dict[str, Any]], Any]

_CONNECTION_TYPE = {"wifi": "wifi", "cellular": "cellular4g", "none": "none"}
#: the session's script timeout outside a page load (WebDriver's default)
SCRIPT_TIMEOUT_S = 30.0


_APP_STORAGE_JS = (Path(__file__).resolve().parent / "app_storage.js").read_text(encoding="utf-8")


_SW_READY_JS = """
const done = arguments[arguments.length - 1], timeout_s = arguments[0];
if (!('serviceWorker' in navigator)) { done('none'); return; }
navigator.serviceWorker.getRegistration().then((reg) => {
  if (!reg) { done('none'); return; }
  const timer = setTimeout(() => done('timeout'), timeout_s * 1000);
  navigator.serviceWorker.ready.then((r) => {
    // ready means a worker is active, which includes one still activating (its activate handler running)
    const w = r.active;
    const settled = () => !w || w.state === 'activated' || w.state === 'redundant';
    const finish = () => { clearTimeout(timer); done(w ? w.state : 'no active worker'); };
    if (settled()) { finish(); return; }
    w.addEventListener('statechange', () => { if (settled()) finish(); });
  });
}, (e) => done('error: ' + e));
"""


#: every storage type of an origin but its service worker registrations (Storage.clearDataForOrigin)
_ALL_BUT_WORKERS = ("appcache,cookies,file_systems,indexeddb,local_storage,shader_cache,websql,cache_storage,"
                    "interest_groups,shared_storage,storage_buckets")
#: the same but Cache Storage too (kept when its digest is the saved one)
_ALL_BUT_WORKERS_AND_CACHES = _ALL_BUT_WORKERS.replace(",cache_storage", "")


def reset_mode() -> str:
    """How a reinstall resets the app, read at each reset: ``HARNESS_RESET=profile`` forces the slow way (a new
    browser profile), to measure what the in-session wipe saves (benchmarks/fuzz_throughput.py); anything
    else uses the in-session wipe when it can."""
    return os.environ.get("HARNESS_RESET", "session")


def appium_driver(url: str, caps: dict[str, Any]) -> Any:
    """Open an Appium session (the default driver factory)."""
    from appium import webdriver
    from appium.options.common.base import AppiumOptions
    from appium.webdriver.client_config import AppiumClientConfig

    opts = AppiumOptions()
    opts.load_capabilities(caps)
    return webdriver.Remote(url, options=opts, client_config=AppiumClientConfig(url, timeout=120))


#: how long ending a session may take before its browser is killed instead
QUIT_TIMEOUT_S = 15.0
#: how long a renderer kill waits to see the app's renderer process gone
CRASH_TIMEOUT_S = 5.0
#: how long stopping the offline guard waits for the command it has in flight
GUARD_JOIN_S = 5.0


def bounded(call: Callable[[], Any], timeout_s: float) -> Any:
    """``call()`` (a WebDriver command), at most ``timeout_s``: else TimeoutError, the call's thread left to the
    client's own timeout. Why: with a navigation pending to a server that accepts and never answers, chromedriver
    held a script (and then the session's end) for minutes whatever the script timeout; the launch hung instead of
    failing (tests/device/test_chromium.py::test_a_launch_whose_page_never_loads_leaves_no_session_behind)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as e:  # handed to the caller
            box["error"] = e

    worker = threading.Thread(target=run, name="webdriver-call", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise TimeoutError(f"a WebDriver call took more than {timeout_s:g}s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def serial(method: Callable[..., Any]) -> Callable[..., Any]:
    """One life-cycle operation of the device at a time. Why: a background policy acts from its own thread (a
    kill or a freeze at its hour) while the scenario's steps act from theirs; a network change that met a
    renderer kill half done sent its command to the tab just closed ("no session with given id")."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lifecycle:
            return method(self, *args, **kwargs)

    return wrapper


def crash_target(user_data_dir: Path, target_id: str, timeout_s: float = CRASH_TIMEOUT_S) -> bool:
    """Send ``Page.crash`` to one tab over the browser's DevTools socket (the port chromedriver's browser wrote
    to ``DevToolsActivePort`` in its profile), without waiting for an answer that a crashing page never sends.
    True once the browser reports the tab crashed (``Inspector.targetCrashed``), False if it did not within
    ``timeout_s``. Why the browser's word and not a renderer process gone: Chromium keeps a spare renderer it
    may end at any time, so a process gone is not proof (a kill was taken for done before the tab crashed, under
    load), and the socket stays open until the crash is reported (closed at once, the detach could overtake the
    crash on its way to the renderer)."""
    import websocket

    port, path = (user_data_dir / "DevToolsActivePort").read_text(encoding="utf-8").split()[:2]
    deadline = time.monotonic() + timeout_s
    ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=timeout_s, suppress_origin=True,
                                     skip_utf8_validation=True)  # as DevToolsRoute: recv decodes in C

    def answer(msg_id: int) -> dict[str, Any]:
        while True:
            msg = json.loads(ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise LabError(f"cannot kill the app's tab: {msg['error']}")
                return msg.get("result") or {}

    try:
        ws.send(json.dumps({"id": 1, "method": "Target.attachToTarget", "params": {"targetId": target_id,
                                                                                     "flatten": True}}))
        session = answer(1)["sessionId"]
        ws.send(json.dumps({"id": 2, "sessionId": session, "method": "Inspector.enable"}))
        answer(2)
        ws.send(json.dumps({"id": 3, "sessionId": session, "method": "Page.crash"}))
        while (left := deadline - time.monotonic()) > 0:
            ws.settimeout(left)
            try:
                msg = json.loads(ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if msg.get("method") == "Inspector.targetCrashed" and msg.get("sessionId") == session:
                return True
        return False
    finally:
        ws.close()


class ChromiumDevice:
    """The reference device (see the module docstring for what each control does)."""

    supports = frozenset({
        Control.AIRPLANE, Control.NETWORK_TYPE, Control.BACKGROUND, Control.FREEZE, Control.KILL,
        Control.RELAUNCH, Control.REINSTALL, Control.SCREENSHOT, Control.CONSOLE_LOG, Control.BATTERY_POLICY,
    })
    policy_backend = "reference"

    def __init__(
        self,
        profile: ChromiumProfile,
        *,
        endpoints: Endpoints,
        run_dir: Path,
        timeline: Timeline | None = None,
        driver_factory: DriverFactory = appium_driver,
        radio: Callable[[bool], None] | None = None,
        app_url: str | None = None,
    ) -> None:
        self.profile = profile
        self.name = profile.name
        self.endpoints = endpoints
        self.run_dir = run_dir
        self.timeline = timeline or Timeline()
        self.driver_factory = driver_factory
        self.radio = radio
        self.app_url = app_url or endpoints.app_url
        self.user_data_dir = run_dir / "profile"
        #: how long a page may take to load (launch, relaunch, reinstall) before it is a lab error
        self.load_timeout_s = 30.0
        self._driver: Any = None
        #: the session kept across a renderer kill (``kill_mode: renderer``) until the relaunch
        self._parked: Any = None
        self._cdp: Cdp | None = None
        self._lifecycle = threading.RLock()  # see ``serial``
        self._state = AppState.NOT_RUNNING
        self._airplane = False
        self._network = "wifi"
        self._shots = 0
        self._guard: threading.Thread | None = None
        self._guard_stop = threading.Event()
        self.last_cold_start_ms: float | None = None

    # --- building a session ------------------------------------------------

    @property
    def appium_url(self) -> str:
        url = self.endpoints.appium_url or self.profile.appium_url
        if not url:
            raise SpecError("appium_url", None, "an Appium server URL from the lab or the profile",
                            fix="start the lab (it runs Appium) or set appium_url in the device profile")
        return url

    def capabilities(self) -> dict[str, Any]:
        """The exact W3C capabilities this device opens its session with."""
        c = self.profile.chromium
        binary = c.binary or paths.chromium()
        driver = c.chromedriver or paths.chromedriver()
        if not binary or not driver:
            raise PartFailed("chromium", "chromium or chromedriver not found", fix="run scripts/setup")
        args = [
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--no-default-browser-check", "--disable-quic",
            f"--user-data-dir={self.user_data_dir}",
        ]
        if c.headless:
            args.insert(0, "--headless=new")
        if self.endpoints.proxy:
            args += [f"--proxy-server=http://{self.endpoints.proxy}", "--proxy-bypass-list=<-loopback>"]
        args += list(c.extra_args)
        caps: dict[str, Any] = dict(self.profile.capabilities)
        caps.update({
            "appium:executable": driver,
            "appium:autodownloadEnabled": False,
            # Appium's chromium driver pkills every chromedriver on its port at session start
            # (``pkill -15 -f 'chromedriver.*--port=9515'``): a private port per session keeps
            # parallel devices (farm workers, other runs) from killing each other's sessions.
            "appium:chromedriverPort": caps.get("appium:chromedriverPort") or free_port(),
            "appium:newCommandTimeout": caps.get("appium:newCommandTimeout", 600),
            "goog:loggingPrefs": {"browser": "ALL"},
            # chromedriver waits for the load of whatever a relaunched browser is loading before it runs any
            # command, up to 30 s when the link is half-open (measured: a relaunch took 34 s, 4 s with
            # this); the device waits for its own navigations itself (``_navigate``)
            "pageLoadStrategy": caps.get("pageLoadStrategy", "none"),
            "goog:chromeOptions": {
                "binary": binary,
                "args": args,
                "mobileEmulation": {
                    "deviceMetrics": {
                        "width": c.viewport.width, "height": c.viewport.height,
                        "pixelRatio": c.viewport.pixel_ratio, "touch": c.viewport.touch,
                    },
                    "userAgent": c.user_agent,
                },
            },
        })
        return caps

    def _event(self, name: str, *, t: float | None = None, **data: Any) -> None:
        """Record a device step. A step that releases the app (radio on, unfreeze, foreground, a launch) passes
        ``t`` = when its call began: the app may act before the call returns (through a Grid, much
        before), and what it does then must not look as if done under the old state."""
        self.timeline.append("device", name, layer="device", t=t,
                             data={"device": self.name, "backend": "chromium", **data})

    def _open(self, name: str) -> None:
        self.user_data_dir.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        caps = self.capabilities()
        self._driver = self.driver_factory(self.appium_url, caps)
        try:
            direct = chromedriver_route.route(self._driver, appium_url=self.appium_url,
                                              port=caps.get("appium:chromedriverPort"), user_data_dir=self.user_data_dir)
        except BaseException:
            self._end_session()
            raise
        self._start_app(name, t0, user_data_dir=str(self.user_data_dir), direct_chromedriver=direct is not None)

    def _start_app(self, name: str, t0: float, *, normal_window: bool = False, **data: Any) -> None:
        """Load the app in the session's current tab (network emulation as the OS has it, before and after the
        page starts) and record the cold start. A session whose app never came is ended, not left behind: a
        device "not running" with a live session refused every later launch ("already running")."""
        try:
            self._cdp = Cdp(self._driver)
            if normal_window:
                self._window("normal")
            self._cdp.execute("Network.enable")
            if self._airplane or self._network == "none":
                self._apply_network()  # the OS setting outlives the app
            self._navigate(self.app_url)
            if self._airplane or self._network == "none":
                self._apply_network()  # the service worker may have started with the page
        except BaseException:
            self._end_session()
            raise
        self.last_cold_start_ms = ms_since(t0)
        self._state = AppState.FOREGROUND
        self._event(name, t=t0, cold_start_ms=self.last_cold_start_ms, session=str(self._driver.session_id),
                    offline=self._airplane, **data)

    def _navigate(self, url: str, timeout_s: float | None = None) -> None:
        """Load ``url`` and wait (``load_timeout_s``) until the new document has loaded (the session does not
        wait: see ``pageLoadStrategy``). The old document is marked first, so its own "complete" never counts."""
        timeout_s = self.load_timeout_s if timeout_s is None else timeout_s
        driver = self.driver
        with contextlib.suppress(Exception):  # a browser just started may have no page to mark yet
            driver.execute_script("window.__harnessLeft = true")
        driver.get(url)
        deadline = time.monotonic() + timeout_s
        # a script waits for a document while a navigation is pending, up to the session's script timeout
        # (SCRIPT_TIMEOUT_S): a page that never loads held the first check that long, whatever the bound
        driver.set_script_timeout(max(0.5, min(timeout_s, SCRIPT_TIMEOUT_S)))
        try:
            while time.monotonic() < deadline:
                try:
                    if bounded(lambda: driver.execute_script("return !window.__harnessLeft && document.readyState"),
                               max(0.5, deadline - time.monotonic())) == "complete":
                        return
                except Exception:  # the page is being replaced while the script runs (or held it): ask again
                    pass
                time.sleep(0.01)  # the check itself waits while a navigation is pending: a short pause suffices
        finally:
            with contextlib.suppress(Exception):
                driver.set_script_timeout(SCRIPT_TIMEOUT_S)
        raise LabError(f"{self.name}: {url} did not finish loading in {timeout_s}s")

    # --- Device protocol -------------------------------------------------------

    @property
    def state(self) -> AppState:
        return self._state

    @property
    def driver(self) -> Any:
        if self._driver is None:
            raise LabError(f"{self.name}: the app is not running (state {self._state.value}); relaunch it first")
        return self._driver

    @property
    def cdp(self) -> Cdp:
        if self._cdp is None:
            raise LabError(f"{self.name}: the app is not running")
        return self._cdp

    @property
    def offline(self) -> bool:
        return self._airplane or self._network == "none"

    @serial
    def launch(self) -> None:
        if self._driver is not None:
            raise LabError(f"{self.name}: already running")
        if self._parked is not None:  # after a renderer kill: the app starts in the session kept for it
            self._reopen_parked()
            return
        self._open("launch")

    def _apply_network(self) -> None:
        if self._driver is None:
            return
        cond = network_conditions(offline=self.offline, connection_type=_CONNECTION_TYPE[self._network])
        self.cdp.execute("Network.emulateNetworkConditions", cond)
        self.cdp.emulate_workers(cond)
        self._ensure_guard()

    def _ensure_guard(self) -> None:
        """While offline, re-apply emulation to service workers that (re)start."""
        if not self.offline or (self._guard is not None and self._guard.is_alive()):
            return
        self._guard_stop.clear()

        def loop() -> None:
            while not self._guard_stop.wait(0.5):
                if not self.offline or self._driver is None or self._state == AppState.FROZEN:
                    if not self.offline:
                        return
                    continue
                try:
                    self.cdp.emulate_workers(network_conditions(offline=True))
                except Exception:
                    continue

        self._guard = threading.Thread(target=loop, name=f"{self.name}-offline-guard", daemon=True)
        self._guard.start()

    def _stop_guard(self) -> None:
        """Stop the offline guard and wait for a call it has in flight (bounded): before the page is frozen,
        crashed or the session ends, no command of the guard may reach chromedriver. Why: a guard command sent
        while the app's tab crashed waited on that tab, and every command of the session queued behind it (a
        120 s read timeout after a renderer kill offline, reads-calendar-offline in a full run)."""
        self._guard_stop.set()
        guard = self._guard
        if guard is not None and guard is not threading.current_thread():
            guard.join(GUARD_JOIN_S)

    @serial
    def set_airplane(self, on: bool) -> None:
        t0 = time.monotonic()
        self._airplane = on
        if self.radio is not None:
            self.radio(not on)
        self._apply_network()
        self._event("airplane_on" if on else "airplane_off", t=None if on else t0,
                    navigator_online=self._online_flag())

    @serial
    def set_network(self, kind: str) -> None:
        if kind not in NETWORK_TYPES:
            raise SpecError("network", kind, f"one of {', '.join(NETWORK_TYPES)}")
        self._network = kind
        self._apply_network()
        self._event("network", kind=kind, navigator_online=self._online_flag())

    def _online_flag(self) -> bool | None:
        if self._driver is None or self._state == AppState.FROZEN:
            return None
        try:
            return bool(self.driver.execute_script("return navigator.onLine"))
        except Exception:
            return None

    def _window(self, state: str) -> None:
        self.cdp.execute("Browser.setWindowBounds", {"windowId": self.cdp.window_id(), "bounds": {"windowState": state}})

    def visibility(self) -> str:
        """``document.visibilityState`` as the app sees it."""
        return str(self.driver.execute_script("return document.visibilityState"))

    @serial
    def background(self) -> None:
        self._need_running("background")
        if self._state == AppState.FOREGROUND:
            self._window("minimized")
            self._state = AppState.BACKGROUND
        self._event("background", visibility="hidden")

    @serial
    def foreground(self) -> None:
        self._need_running("foreground")
        t0 = time.monotonic()
        if self._state == AppState.FROZEN:
            self.unfreeze()
        self._window("normal")
        if self.visibility() != "visible":  # after a freeze the page stays hidden until the window changes
            self._window("minimized")
            self._window("normal")
        self._state = AppState.FOREGROUND
        self._event("foreground", t=t0, visibility=self.visibility())

    @serial
    def freeze(self) -> None:
        self._need_running("freeze")
        self._stop_guard()  # a guard command on a frozen page is held until it thaws; unfreeze restarts it
        if self._state == AppState.FOREGROUND:
            self._window("minimized")
        self.cdp.execute("Page.setWebLifecycleState", {"state": "frozen"})
        self._state = AppState.FROZEN
        self._event("freeze")

    @serial
    def unfreeze(self) -> None:
        self._need_running("unfreeze")
        if self._state != AppState.FROZEN:
            return
        t0 = time.monotonic()
        self.cdp.execute("Page.setWebLifecycleState", {"state": "active"})
        self._state = AppState.BACKGROUND
        if self.offline:
            self._apply_network()
        self._event("unfreeze", t=t0)

    def _need_running(self, what: str) -> None:
        if self._driver is None:
            raise LabError(f"{self.name}: cannot {what}: the app is not running; relaunch it first")

    def browser_pids(self) -> list[int]:
        """PIDs of this device's Chromium browser process (found by its own user-data-dir)."""
        import psutil

        flag = f"--user-data-dir={self.user_data_dir}"
        out = []
        for p in psutil.process_iter(["pid", "cmdline"]):
            cmd = p.info.get("cmdline") or []
            if flag in cmd and not any(a.startswith("--type=") for a in cmd):
                out.append(int(p.info["pid"]))
        return out

    def _kill_browser(self) -> list[int]:
        """SIGKILL this device's browser process (no unload, no flush); returns the PIDs it was sent to."""
        pids = self.browser_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def renderer_pids(self) -> list[int]:
        """PIDs of the renderers of this device's browser that run web content (the app's page and workers),
        not the browser's own UI renderers."""
        import psutil

        out = []
        for browser in self.browser_pids():
            with contextlib.suppress(psutil.Error):
                for child in psutil.Process(browser).children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        cmd = child.cmdline()
                        if "--type=renderer" in cmd and not any(
                                a in ("--top-chrome-webui", "--extension-process") for a in cmd):
                            out.append(child.pid)
        return out

    @serial
    def kill(self, mode: str | None = None) -> None:
        """``mode`` (default: the profile's ``kill_mode``): ``sigkill`` the browser, ``renderer`` the app's
        processes only, ``close`` the session."""
        self._need_running("kill")
        self._stop_guard()  # before the tab or the browser dies (the relaunch's network emulation restarts it)
        self._save_console()
        # HARNESS_KILL_MODE: the benchmark's switch (benchmarks/fuzz_throughput.py, no_renderer_kill)
        mode = mode or os.environ.get("HARNESS_KILL_MODE") or self.profile.chromium.kill_mode
        if mode == "renderer" and self._state == AppState.FROZEN:
            # chromedriver waits on a frozen page before any command for it (two 120 s timeouts, measured):
            # the whole browser goes instead, which loses at least as much
            mode = "sigkill"
        if mode == "renderer":
            pids = self._kill_renderer()
            if pids:
                self._event("kill", mode=mode, pids=pids)
                return
            mode = "sigkill"  # the renderer's crash was not seen: the whole browser goes, which loses as much
        pids = self._kill_browser() if mode == "sigkill" else []
        self._end_session()
        self._event("kill", mode=mode if pids or mode == "close" else "close", pids=pids)

    def _kill_renderer(self) -> list[int]:
        """Crash the app's renderer process (CDP ``Page.crash``: no unload, no flush of the page's memory;
        in-flight requests and a service worker in that process die with it) and keep the browser and the
        session: a blank tab opened first stays (the browser would end with its last tab), the dead tab is
        closed, any service worker still running elsewhere is stopped, and the session is parked until
        ``relaunch``. What the browser already holds stays, as the OS's would on a phone: committed IndexedDB,
        localStorage already handed to the browser, the HTTP disk cache; the tab's sessionStorage goes with the
        tab, and session-only cookies are deleted (a browser restart would drop them). Returns the renderer
        PIDs that died; empty when the crash could not be confirmed (the caller kills the browser instead)."""
        drv, cdp = self.driver, self.cdp
        before = set(self.renderer_pids())
        dead = drv.current_window_handle  # chromedriver's window handles are the CDP target ids
        # a tab of its own, not chromedriver's new window (the page's window.open, which would share the
        # page's renderer and die with it)
        fresh = str(cdp.execute("Target.createTarget", {"url": "about:blank"})["targetId"])
        drv.switch_to.window(fresh)
        # the crash goes over the browser's own DevTools socket, not through chromedriver: chromedriver waits
        # for the dying tab's answer to Page.crash, which on a loaded machine never came (120 s, measured),
        # and it never answered an attach to its own tab
        crashed = crash_target(self.user_data_dir, dead)
        deadline = time.monotonic() + CRASH_TIMEOUT_S
        while crashed and not before - set(self.renderer_pids()) and time.monotonic() < deadline:
            time.sleep(0.02)
        died = sorted(before - set(self.renderer_pids()))
        if not crashed or not died:
            with contextlib.suppress(Exception):
                drv.switch_to.window(dead)
            return []
        with contextlib.suppress(Exception):
            cdp.execute("Target.closeTarget", {"targetId": dead})
        with contextlib.suppress(Exception):
            self._stop_workers()
        with contextlib.suppress(Exception):
            for c in cdp.execute("Network.getAllCookies").get("cookies", []):
                if c.get("session"):
                    cdp.execute("Network.deleteCookies", {"name": c["name"], "domain": c["domain"], "path": c["path"]})
        self._parked, self._driver, self._cdp = drv, None, None
        self._state = AppState.NOT_RUNNING
        return died

    def _end_session(self) -> None:
        self._stop_guard()
        drv, self._driver, self._cdp = self._driver or self._parked, None, None
        self._parked = None
        self._state = AppState.NOT_RUNNING
        if drv is not None:
            try:
                bounded(drv.quit, QUIT_TIMEOUT_S)
            except TimeoutError:  # chromedriver holds the session: the browser goes, and the session with it
                self._kill_browser()
                self._event("quit_timeout", after_s=QUIT_TIMEOUT_S)
            except Exception:
                pass  # the browser is gone already
        # wait for the profile lock to be released by a dying browser
        deadline = time.monotonic() + 10
        while self.browser_pids() and time.monotonic() < deadline:
            time.sleep(0.05)

    @serial
    def relaunch(self) -> None:
        if self._driver is not None:
            self.kill()
        if self._parked is not None:
            self._reopen_parked()
            return
        self._open("relaunch")

    def _reopen_parked(self) -> None:
        """The cold start after a renderer kill: the app loaded in the session's new tab (the window made normal
        first: killed in the background, it is still minimized)."""
        t0 = time.monotonic()
        self._driver, self._parked = self._parked, None
        self._start_app("relaunch", t0, normal_window=True, mode="new tab after renderer kill")

    @serial
    def stop_app(self, page: str | None = None) -> None:
        """The app's code stops (its page leaves for ``page``, a path of the app's origin where none of its code
        runs, else ``about:blank``; its service workers stop) and its storage stays, so that nothing it still
        had queued reaches a backend being reset. Why: the previous example's page, still syncing while the
        backend was reset, pushed its documents into the fresh backend before the reinstall wiped it
        (todo-pouch: a replay judged another run's writes as duplicates). The restore that follows starts on
        that page instead of loading it again. A frozen page runs no code and is left as it is; no session,
        nothing to stop."""
        if self._driver is None or self._state == AppState.FROZEN:
            return
        self._leave_for(self._origin() + page if page else "about:blank")
        with contextlib.suppress(Exception):
            self._stop_workers()

    def _leave_for(self, url: str) -> None:
        """Load ``url`` (a page where none of the app's code runs) unless the tab is on it already."""
        with contextlib.suppress(Exception):
            if self.driver.current_url == url:
                return
        self._navigate(url)

    def _stop_workers(self) -> None:
        """Every running service worker of the browser stopped (registrations kept: the next fetch starts
        one afresh, with none of its memory)."""
        self.cdp.execute("ServiceWorker.enable")
        self.cdp.execute("ServiceWorker.stopAllWorkers")
        self.cdp.execute("ServiceWorker.disable")

    @serial
    def reinstall(self) -> None:
        """Storage gone, app started afresh.

        With a healthy session in the foreground this wipes the app's origin in place over CDP (every
        storage type: IndexedDB, localStorage, Cache Storage, service workers, cookies) and loads the
        app again: the same result as a new browser profile, 1.5 s faster, which is what a fuzzer
        resetting between examples needs. Otherwise (no session, background, airplane) a new session
        on an empty profile.
        """
        if self._driver is not None and self._state == AppState.FOREGROUND and reset_mode() != "profile":
            try:
                self._wipe_in_session()
                return
            except Exception as e:  # fall back to the slow, certain way
                self._event("reinstall_fallback", error=f"{type(e).__name__}: {e}")
        self.reinstall_on_new_profile()

    @serial
    def reinstall_on_new_profile(self) -> None:
        """The slow, certain reinstall: the session ends, the profile folder goes, a new session starts."""
        if self._driver is not None or self._parked is not None:
            self._end_session()
        shutil.rmtree(self.user_data_dir, ignore_errors=True)
        self._open("reinstall")

    def _wipe_in_session(self) -> None:
        t0 = time.monotonic()
        self._wipe_origin()
        self._navigate(self.app_url)
        if self._airplane or self._network == "none":
            self._apply_network()
        self.last_cold_start_ms = ms_since(t0)
        self._event("reinstall", mode="storage wiped in session", cold_start_ms=self.last_cold_start_ms,
                    offline=self._airplane)

    def _origin(self) -> str:
        parts = urlsplit(self.app_url)
        return f"{parts.scheme}://{parts.netloc}"

    def _wipe_origin(self) -> None:
        """Every storage of the app's origin gone (IndexedDB, Web Storage, Cache Storage, service workers,
        cookies) and the HTTP cache, with no page of the app open."""
        self._leave_for("about:blank")  # the page and its timers are gone before its storage is
        self._clear_origin("all")

    def _clear_origin(self, storage_types: str) -> None:
        self.cdp.execute("Storage.clearDataForOrigin", {"origin": self._origin(), "storageTypes": storage_types})
        self.cdp.execute("Network.clearBrowserCache")

    def wait_installed(self, timeout_s: float = 15.0) -> str:
        """Wait until the app's service worker (if it registers one) is activated: the app is installed, so a
        relaunch offline can start from its cache. Returns the worker's state, ``none`` or ``timeout``; the
        steady state waits for it, since at load 10 an offline relaunch right after the setup once found the
        worker still caching the shell."""
        self._need_running("wait for the app's service worker")
        self.driver.set_script_timeout(timeout_s + 5)
        state = str(self.driver.execute_async_script(_SW_READY_JS, timeout_s))
        self._event("installed", service_worker=state)
        return state

    def save_app_storage(self) -> dict[str, Any]:
        """The app's web storage as it is now (IndexedDB, Web Storage, Cache Storage: app_storage.js), with what
        a restore may keep (the service worker registrations, a digest of Cache Storage)."""
        self._need_running("save the app's storage")
        return self._storage_script("save")["storage"]

    @serial
    def restore_app_storage(self, storage: dict[str, Any], blank_path: str) -> None:
        """A reinstall that lands on a known state: the origin's storage cleared, ``storage`` written back from
        ``blank_path`` (a page of the app's origin where none of the app's code runs), then the app launched on
        it. What a fuzzer restores before each example instead of replaying the setup screens.

        What is already as saved stays, the rest is cleared and rewritten. The app's service worker stays when
        its registrations are the saved ones, settled (active, nothing installing or waiting); it is stopped, so
        the next fetch starts it afresh with none of its memory, and the app launches from its cache with no
        install to wait for. Cache Storage stays when its digest is the saved one. Anything else (no worker,
        another script, an update pending) goes as in :meth:`reinstall` and the app installs its worker again;
        ``HARNESS_KEEP_INSTALLED=0`` makes it so always (benchmarks/fuzz_throughput.py)."""
        self._need_running("restore the app's storage")
        t0 = time.monotonic()
        blank = self._origin() + blank_path
        self._leave_for(blank)  # the app's page and its timers are gone before its storage is
        saved = storage.get("kept") or {}
        now = self._storage_script("probe")["kept"]
        workers = os.environ.get("HARNESS_KEEP_INSTALLED", "1") != "0" and bool(saved.get("workers")) \
            and all(w["settled"] for w in saved["workers"]) and now["workers"] == saved["workers"]
        caches = workers and now["caches"] == saved.get("caches")
        if workers:
            self._stop_workers()
            self._clear_origin(_ALL_BUT_WORKERS_AND_CACHES if caches else _ALL_BUT_WORKERS)
        else:
            self._wipe_origin()
            self._navigate(blank)
        counts = self._storage_script("restore", {**storage, "caches": None} if caches else storage)["counts"]
        self._navigate(self.app_url)
        if self._airplane or self._network == "none":
            self._apply_network()
        self.last_cold_start_ms = ms_since(t0)
        self._event("reinstall", mode="storage restored in session", cold_start_ms=self.last_cold_start_ms,
                    offline=self._airplane, restored=counts, service_worker="kept" if workers else "reinstalled",
                    cache_storage="kept" if caches else "rewritten")

    def _storage_script(self, mode: str, *args: Any) -> dict[str, Any]:
        self.driver.set_script_timeout(60)
        out = self.driver.execute_async_script(_APP_STORAGE_JS, mode, *args)
        if not isinstance(out, dict) or not out.get("ok"):
            raise LabError(f"{self.name}: {mode} of the app's storage failed in the page: "
                           f"{(out or {}).get('error') if isinstance(out, dict) else out!r}")
        return out

    def screenshot(self, label: str) -> Path:
        self._shots += 1
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label)[:60]
        path = self.run_dir / "screens" / f"{self._shots:03d}-{safe}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.get_screenshot_as_file(str(path))
        self.timeline.append("log", "screenshot", layer="device", data={"path": str(path), "label": label})
        return path

    def console_logs(self) -> list[dict[str, Any]]:
        if self._cdp is None or self._state == AppState.FROZEN:
            return []
        entries = self._cdp.browser_log()
        if entries:
            with (self.run_dir / "console.jsonl").open("a", encoding="utf-8") as fh:
                for e in entries:
                    fh.write(json.dumps(e, default=str) + "\n")
        return entries

    def _save_console(self) -> None:
        try:
            self.console_logs()
        except Exception:
            pass

    def run_policy_op(self, op: Op) -> None:
        """Policy hook: freeze / unfreeze / kill on the reference device."""
        if op.verb == "freeze":
            self.freeze()
        elif op.verb == "unfreeze":
            self.unfreeze()
        elif op.verb == "kill":
            self.kill()
        else:
            raise Unsupported(self.name, f"policy op {op}", "the reference device runs freeze, unfreeze and kill")

    @serial
    def quit(self) -> None:
        if self._driver is not None or self._parked is not None:
            self._save_console()
            self._end_session()
            self._event("quit")


__all__ = ["ChromiumDevice", "DriverFactory", "appium_driver"]
