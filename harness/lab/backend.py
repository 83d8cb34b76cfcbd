"""The backend behind the lab: the reference app as a child process, or an external URL.

The reference app (``python -m refapp``) is started with an OS-picked port
(``--port 0``) and announces itself with one line, ``refapp listening on
http://HOST:PORT/``, which is the readiness signal read from its log. An
external backend is only checked for reachability (it may need auth). The
reference app's admin API (``/_admin/*``, refapp/API.md) is reached directly,
never through the chain, so conditions never hide the oracle.

Usage::

    proc, url = start_refapp(run_dir, bugs=("outbox-lifo",))
    admin = AdminClient(url)
    admin.reset(); admin.seed(seed=1, contacts=20)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

import httpx

from harness.errors import LabError, PartFailed
from harness.lab.ports import can_connect
from harness.lab.process import ManagedProcess

READY_RE = re.compile(r"refapp listening on (https?://[^\s/]+)/?")


def refapp_argv(db: Path, *, bugs: Sequence[str] = (), token_ttl_s: float | None = None) -> list[str]:
    argv = [sys.executable, "-m", "refapp", "--port", "0", "--db", str(db), "--admin"]
    if bugs:
        argv += ["--bugs", ",".join(bugs)]
    if token_ttl_s is not None:
        argv += ["--token-ttl-s", f"{token_ttl_s:g}"]
    return argv


def start_refapp(run_dir: Path, *, bugs: Sequence[str] = (), token_ttl_s: float | None = None,
                 timeout_s: float = 30.0) -> tuple[ManagedProcess, str]:
    """Start the reference app; returns the process and its base URL (``http://127.0.0.1:P``)."""
    proc = ManagedProcess("backend (refapp)", refapp_argv(run_dir / "backend.db", bugs=bugs, token_ttl_s=token_ttl_s),
                          log_path=run_dir / "backend.log")
    proc.start()

    def ready() -> str | None:
        m = READY_RE.search(proc.log_text())
        return m.group(1) if m else None

    try:
        url = proc.wait_ready(ready, timeout_s=timeout_s)
    except PartFailed:
        proc.stop()
        raise
    return proc, url


def check_external(url: str, *, timeout_s: float = 10.0) -> None:
    """PartFailed unless something accepts TCP connections at the backend URL's host and port."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not can_connect(parts.hostname or "127.0.0.1", port, timeout_s=timeout_s):
        raise PartFailed("backend (external)", f"nothing accepts connections at {parts.hostname}:{port}",
                         fix=f"start the backend or pass a reachable URL instead of {url}")


class AdminClient:
    """The reference app's admin API (loopback only, direct, not through the chain)."""

    def __init__(self, base_url: str, *, timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url + "/_admin", trust_env=False, timeout=timeout_s)

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        try:
            r = self._client.request(method, path, json=json)
        except httpx.HTTPError as e:
            raise LabError(f"refapp admin {method} {path} failed: {e}") from e
        if r.status_code >= 400:
            raise LabError(f"refapp admin {method} {path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def reset(self) -> None:
        """Empty database, logs cleared, tokens revoked."""
        self._call("POST", "/reset")

    def seed(self, *, seed: int = 1, **counts: int) -> dict[str, Any]:
        """Deterministic seed data (``contacts=120, conversations=20, ...``); returns the counts."""
        return dict(self._call("POST", "/seed", {"seed": seed, **counts}) or {})

    def activity(self, kind: str, *, count: int = 1, **extra: Any) -> list[dict[str, Any]]:
        """Server-side changes (``message``, ``contact``, ``appointment_change``) while the app is offline."""
        return list((self._call("POST", "/activity", {"kind": kind, "count": count, **extra}) or {}).get("created", []))

    def mutations(self) -> list[dict[str, Any]]:
        """The applied-mutation log (seq, key, method, path, body_sha256, entity, entity_id, applied_at)."""
        return list((self._call("GET", "/mutations") or {}).get("items", []))

    def snapshot(self) -> dict[str, Any]:
        return dict(self._call("GET", "/snapshot") or {})

    def config(self, *, bugs: Sequence[str] | None = None, token_ttl_s: float | None = None) -> dict[str, Any]:
        """Read the run-time config, or change it when ``bugs``/``token_ttl_s`` are given."""
        body: dict[str, Any] = {}
        if bugs is not None:
            body["bugs"] = list(bugs)
        if token_ttl_s is not None:
            body["token_ttl_s"] = token_ttl_s
        return dict(self._call("POST", "/config", body) if body else self._call("GET", "/config") or {})


__all__ = ["AdminClient", "READY_RE", "check_external", "refapp_argv", "start_refapp"]
