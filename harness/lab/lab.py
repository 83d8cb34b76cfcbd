"""The Lab: one object that starts, wires, owns and stops every process of the chain.

    device ──proxy──▶ toxiproxy "link" ──▶ mitmdump + harness addon ──▶ backend

Start order: backend (refapp child process, or an external URL), mitmdump
(regular proxy with :mod:`harness.net.mitm_addon`, ledger in the run
folder), toxiproxy-server and its "link" proxy (upstream = mitmdump),
Appium when asked. Each part listens on a free loopback port, has a health
check with a timeout and a log file in the run folder; a part that fails
raises :class:`~harness.errors.PartFailed` naming it and its log, after the
parts already started are stopped. :meth:`Lab.stop` runs in reverse order,
is idempotent, and also runs on Ctrl-C, SIGTERM/SIGHUP (see
:mod:`harness.lab.signals`) and at interpreter exit.

Usage::

    with Lab(LabConfig(run_dir=Path("reports/r1")), timeline=tl) as lab:
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
from harness.lab.backend import AdminClient, check_external, start_refapp
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
    """What to start. ``backend`` is ``"refapp"`` or an ``http(s)://`` URL of a running backend."""

    run_dir: Path
    backend: str = "refapp"
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
        if self.backend != "refapp":
            u = urlsplit(self.backend)
            if u.scheme not in ("http", "https") or not u.hostname:
                raise SpecError("backend", self.backend, '"refapp" or a URL like http://127.0.0.1:8000')
            if self.bugs or self.token_ttl_s is not None:
                raise SpecError("bugs", self.bugs, "no bugs/token_ttl_s with an external backend (refapp only)")
        if self.token_ttl_s is not None and not (isinstance(self.token_ttl_s, (int, float)) and self.token_ttl_s > 0):
            raise SpecError("token_ttl_s", self.token_ttl_s, "a number of seconds > 0")
        if not (isinstance(self.start_timeout_s, (int, float)) and self.start_timeout_s > 0):
            raise SpecError("start_timeout_s", self.start_timeout_s, "a number of seconds > 0")


@dataclass(frozen=True)
class Endpoints:
    """Where everything listens. The device's HTTP proxy is ``proxy_host:proxy_port`` (the link)."""

    backend_url: str
    app_url: str
    admin_url: str | None
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
        self.admin: AdminClient | None = None
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
        if cfg.backend == "refapp":
            proc, backend_url = start_refapp(self.run_dir, bugs=cfg.bugs, token_ttl_s=cfg.token_ttl_s,
                                             timeout_s=timeout)
            self._procs.append(proc)
            admin_url: str | None = backend_url + "/_admin"
            self.admin = AdminClient(backend_url)
        else:
            check_external(cfg.backend, timeout_s=min(timeout, 10.0))
            backend_url, admin_url = cfg.backend.rstrip("/"), None
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
        self._net = NetControl(link, self._http, timeline=self.timeline)
        self._endpoints = Endpoints(
            backend_url=backend_url, app_url=backend_url + "/", admin_url=admin_url,
            proxy_host=proxy_host, proxy_port=proxy_port, proxy_url=f"http://{proxy_host}:{proxy_port}",
            toxiproxy_api=link.api_url, mitm_url=mitm_url, appium_url=appium_url,
            ca_cert=str(confdir / "mitmproxy-ca-cert.pem"), run_dir=str(self.run_dir),
            ledger=str(self.ledger_path), pids={p.name: p.pid for p in self._procs if p.pid is not None},
        )

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
        for client in (self._http, self.admin):
            if client is not None:
                client.close()
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
