"""The Lab: one object that starts, wires, owns and stops every process of the chain.

    device ──proxy──▶ toxiproxy "link" ──▶ mitmdump + harness addon ──▶ backend

Start order: backend (the app's own server started from its profile's
``backend.start``, or an external URL), mitmdump
(regular proxy with :mod:`harness.net.mitm_addon`, ledger in the run
folder), toxiproxy-server and its "link" proxy (upstream = mitmdump),
Appium when asked. Each part listens on a free loopback port, has a health
check with a timeout and a log file in the run folder; a part that fails
raises :class:`~harness.errors.PartFailed` naming it and its log, after the
parts already started are stopped. :meth:`Lab.stop` runs in reverse order,
is idempotent, and also runs on Ctrl-C, SIGTERM/SIGHUP (see
:mod:`harness.lab.signals`) and at interpreter exit.

Usage::

    with Lab(LabConfig(run_dir=Path("reports/r1"), app=load_app_profile(NAME)), timeline=tl) as lab:
        h = lab.net.apply(Down())
        lab.net.clear(h)
        print(lab.endpoints.proxy_url, lab.ledger())
"""

from __future__ import annotations

import json
import os
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

from harness import paths
from harness.errors import PartFailed, SpecError
from harness.lab import signals
from harness.lab.appium import start_appium
from harness.lab.backend import check_external, start_backend
from harness.lab.hooks import BackendHooks
from harness.lab.ports import LOOPBACK, free_port
from harness.lab.process import ManagedProcess
from harness.net.control import NetControl
from harness.net.http import HttpControl
from harness.net.ledger import LedgerEntry, read_ledger
from harness.net.link import Link
from harness.timeline import Timeline

ADDON = Path(__file__).resolve().parent.parent / "net" / "mitm_addon.py"
DEFAULT_CONFDIR = Path.home() / ".mitmproxy"


@dataclass(frozen=True)
class LabConfig:
    """What to start. ``app`` is the app profile (its backend is started from ``backend.start``); ``backend``
    an ``http(s)://`` URL of a backend that already runs instead. ``bugs``/``token_ttl_s`` go to the app's
    ``configure`` hook (an app with a bug catalogue)."""

    run_dir: Path
    app: Any = None
    backend: str | None = None
    bugs: tuple[str, ...] = ()
    token_ttl_s: float | None = None
    appium: bool = False
    mitm_confdir: Path | None = None
    seed: int = 0
    start_timeout_s: float = 30.0
    listen_host: str = LOOPBACK  # the link's listen address; 0.0.0.0 lets a phone on the LAN use the lab

    def __post_init__(self) -> None:
        object.__setattr__(self, "run_dir", Path(self.run_dir))
        object.__setattr__(self, "bugs", tuple(self.bugs))
        if self.app is None:
            from harness.app.profile import load_app_profile
            from harness.cli.options import DEFAULT_APP

            object.__setattr__(self, "app", load_app_profile(DEFAULT_APP))
        if self.backend is not None:
            u = urlsplit(self.backend)
            if u.scheme not in ("http", "https") or not u.hostname:
                raise SpecError("backend", self.backend, "a URL like http://127.0.0.1:8000 (a backend that runs)")
        elif self.app.backend.start is None:
            raise SpecError("backend", None, f"a backend for app {self.app.name}",
                            fix="pass --backend URL (a server that already runs), or add backend.start to its profile")
        if (self.bugs or self.token_ttl_s is not None) and not (self.app.hooks.configure and self.backend is None):
            raise SpecError("bugs", ",".join(self.bugs) or self.token_ttl_s,
                            f"no bugs/token lifetime: app {self.app.name} has no configure hook (a bug catalogue)"
                            + (" or runs on an external backend" if self.backend else ""),
                            fix="drop --bugs, or use an app whose profile has hooks.configure")
        if self.token_ttl_s is not None and not (isinstance(self.token_ttl_s, (int, float)) and self.token_ttl_s > 0):
            raise SpecError("token_ttl_s", self.token_ttl_s, "a number of seconds > 0")
        if not (isinstance(self.start_timeout_s, (int, float)) and self.start_timeout_s > 0):
            raise SpecError("start_timeout_s", self.start_timeout_s, "a number of seconds > 0")


@dataclass(frozen=True)
class Endpoints:
    """Where everything listens. The device's HTTP proxy is ``proxy_host:proxy_port`` (the link)."""

    backend_url: str
    app_url: str
    app: str
    proxy_host: str
    proxy_port: int
    proxy_url: str
    toxiproxy_api: str
    mitm_url: str
    appium_url: str | None
    ca_cert: str
    run_dir: str
    ledger: str
    pids: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Endpoints":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


def allowed_hosts(backend_url: str) -> str:
    """Hosts mitmdump may forward to: loopback, the backend's host, and HARNESS_ALLOW_HOSTS.

    Everything else (a browser's update checks, an app's analytics) is answered
    403 by the addon without any connection leaving the lab.
    """
    hosts = ["127.0.0.1", "localhost", "::1"]
    backend_host = urllib.parse.urlsplit(backend_url).hostname
    if backend_host:
        hosts.append(backend_host)
    hosts += [h.strip() for h in os.environ.get("HARNESS_ALLOW_HOSTS", "").split(",") if h.strip()]
    return ",".join(dict.fromkeys(hosts))


class Lab:
    """Owns the lab's processes; see the module docstring."""

    def __init__(self, config: LabConfig, *, timeline: Timeline | None = None) -> None:
        self.config = config
        self.run_dir = config.run_dir
        self.timeline = timeline if timeline is not None else Timeline(self.run_dir / "timeline.jsonl")
        self._procs: list[ManagedProcess] = []
        self._endpoints: Endpoints | None = None
        self._net: NetControl | None = None
        self._http: HttpControl | None = None
        self.hooks: BackendHooks | None = None
        #: the app plugin's own backend client (e.g. the reference app's admin API), for its own steps
        self.admin: Any = None
        self._stopped = False

    # ----------------------------------------------------------------- properties

    @property
    def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            raise RuntimeError("the lab is not started; call start() or use `with Lab(...)`")
        return self._endpoints

    @property
    def net(self) -> NetControl:
        if self._net is None:
            raise RuntimeError("the lab is not started; call start() or use `with Lab(...)`")
        return self._net

    @property
    def ledger_path(self) -> Path:
        return self.run_dir / "ledger.jsonl"

    def ledger(self, *, since_seq: int = 0) -> list[LedgerEntry]:
        """The requests that crossed the HTTP layer so far, in arrival order."""
        return read_ledger(self.ledger_path, since_seq=since_seq)

    def set_timeline(self, timeline: Timeline) -> None:
        """Send condition events to another timeline (e.g. per scenario)."""
        self.timeline = timeline
        if self._net is not None:
            self._net.timeline = timeline

    def processes(self) -> list[ManagedProcess]:
        return list(self._procs)

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> "Lab":
        """Start every part in order; on failure stop what started and raise PartFailed."""
        signals.install()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._stopped = False
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.timeline.append("log", "lab.start", data=self.endpoints.to_json())
        return self

    def _start(self) -> None:
        cfg = self.config
        timeout = cfg.start_timeout_s
        # 1. backend
        app = cfg.app
        if cfg.backend is None:
            proc, backend_url = start_backend(app.backend.start, self.run_dir, app_dir=app.folder, name=app.name,
                                              timeout_s=max(timeout, app.backend.start.timeout_s))
            self._procs.append(proc)
        else:
            check_external(cfg.backend, timeout_s=min(timeout, 10.0))
            backend_url = cfg.backend.rstrip("/")
        self.hooks = BackendHooks(app, backend_url, run_dir=self.run_dir)
        self.admin = self.hooks.plugin
        if cfg.bugs or cfg.token_ttl_s is not None:
            self.hooks.configure(bugs=cfg.bugs, token_ttl_s=cfg.token_ttl_s)
        # 2. mitmdump with the addon
        mitmdump = paths.mitmdump()
        if mitmdump is None:
            raise PartFailed("mitmproxy", "mitmdump not found", fix="install the project (pip install -e .)")
        confdir = cfg.mitm_confdir or DEFAULT_CONFDIR
        mitm_port = free_port()
        mitm = ManagedProcess("mitmproxy", [
            mitmdump, "--mode", "regular", "--listen-host", LOOPBACK, "--listen-port", str(mitm_port),
            "-s", str(ADDON), "--set", f"confdir={confdir}", "--set", f"harness_ledger={self.ledger_path}",
            "--set", f"harness_seed={cfg.seed}", "--set", "flow_detail=0", "--set", "termlog_verbosity=warn",
            "--set", "connection_strategy=lazy", "--set", f"harness_allow_hosts={allowed_hosts(backend_url)}",
            "--set", f"harness_identity={json.dumps(app.identity.model_dump(exclude_none=True, exclude={'writes'}))}",
        ], log_path=self.run_dir / "mitmproxy.log")
        self._procs.append(mitm.start())
        mitm_url = f"http://{LOOPBACK}:{mitm_port}"
        self._http = HttpControl(mitm_url)
        mitm.wait_ready(self._http.ping, timeout_s=timeout)
        # 3. toxiproxy-server and the link
        exe = paths.toxiproxy_server()
        if exe is None:
            raise PartFailed("toxiproxy", "toxiproxy-server not found",
                             fix="run setup (go install github.com/Shopify/toxiproxy/v2/cmd/server) or set TOXIPROXY_SERVER")
        api_port = free_port()
        tox = ManagedProcess("toxiproxy", [exe, "-host", LOOPBACK, "-port", str(api_port)],
                             log_path=self.run_dir / "toxiproxy.log")
        self._procs.append(tox.start())
        link = Link(LOOPBACK, api_port)
        tox.wait_ready(link.version, timeout_s=timeout)
        try:
            proxy_host, proxy_port = link.create(upstream=f"{LOOPBACK}:{mitm_port}", listen=f"{cfg.listen_host}:0")
        except Exception as e:
            raise PartFailed("toxiproxy", f"cannot create the link proxy: {e}", log=tox.log_path) from e
        # 4. Appium
        appium_url: str | None = None
        if cfg.appium:
            proc, appium_url = start_appium(self.run_dir, timeout_s=max(timeout, 60.0))
            self._procs.append(proc)
        self._tox, self._link, self._link_upstream = tox, link, f"{LOOPBACK}:{mitm_port}"
        self._link_listen = f"{proxy_host}:{proxy_port}"
        self._net = NetControl(link, self._http, timeline=self.timeline, restart_link=self._restart_link)
        self._endpoints = Endpoints(
            backend_url=backend_url, app_url=backend_url + app.backend.app_path, app=app.name,
            proxy_host=proxy_host, proxy_port=proxy_port, proxy_url=f"http://{proxy_host}:{proxy_port}",
            toxiproxy_api=link.api_url, mitm_url=mitm_url, appium_url=appium_url,
            ca_cert=str(confdir / "mitmproxy-ca-cert.pem"), run_dir=str(self.run_dir),
            ledger=str(self.ledger_path), pids={p.name: p.pid for p in self._procs if p.pid is not None},
        )

    def _restart_link(self) -> Link:
        """A fresh toxiproxy-server on the same API port with the link proxy on the same listen port, for a
        server whose control API is wedged (harness.net.link.LinkWedged): the device keeps its proxy setting."""
        old = self._tox
        old.stop()
        tox = ManagedProcess(old.name, list(old.argv), log_path=old.log_path)
        self._procs[self._procs.index(old)] = tox.start()
        self._tox = tox
        tox.wait_ready(self._link.version, timeout_s=self.config.start_timeout_s)  # same API port: the same Link
        self._link.create(upstream=self._link_upstream, listen=self._link_listen)
        return self._link

    def stop(self) -> None:
        """Stop every part in reverse order (clean link first); idempotent, never raises."""
        if self._stopped:
            return
        self._stopped = True
        errors: list[str] = []
        if self._net is not None:
            try:
                self._net.link.reset()
            except Exception as e:  # the server may already be gone
                errors.append(f"link reset: {e}")
        for proc in reversed(self._procs):
            try:
                proc.stop()
            except Exception as e:
                errors.append(f"{proc.name}: {e}")
        for client in (self._http, self.hooks):
            if client is not None:
                try:
                    client.close()
                except Exception as e:
                    errors.append(f"close: {e}")
        try:
            self.timeline.append("log", "lab.stop", data={"errors": errors})
        except Exception:
            pass
        self._procs.clear()

    def __enter__(self) -> "Lab":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def write_endpoints(endpoints: Endpoints, path: Path, **extra: Any) -> None:
    """Write the endpoints (plus ``extra``) atomically as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({**endpoints.to_json(), **extra}, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


__all__ = ["ADDON", "Endpoints", "Lab", "LabConfig", "write_endpoints"]
