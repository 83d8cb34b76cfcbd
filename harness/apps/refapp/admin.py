"""The reference app's admin API (``/_admin/*``, refapp/API.md) as the app's backend hooks.

Reached directly, never through the lab's chain, so conditions never hide
the oracle: reset, seed, run-time config (its bug catalogue, the token
lifetime), server-side activity, the applied-mutation log and the full
snapshot. The profile's python hooks (``reset``, ``seed``, ``read``,
``configure``) call the methods of the object :func:`hooks` returns.

Usage::

    admin = AdminClient("http://127.0.0.1:8123")
    admin.reset(); admin.seed(seed=1, contacts=20)
"""

from __future__ import annotations

from typing import Any, Sequence

import httpx

from harness.errors import LabError

#: the seed fields the reference backend knows (a scenario's seed spec may carry others for other apps)
SEED_FIELDS = ("seed", "contacts", "conversations", "messages_per_conversation", "appointments", "opportunities",
               "workflows")


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

    def save(self, *, name: str = "default") -> None:
        """The whole database copied under ``name`` (the fuzzer's known state)."""
        self._call("POST", "/save", {"name": name})

    def restore(self, *, name: str = "default") -> None:
        """The database put back exactly as saved under ``name``."""
        self._call("POST", "/restore", {"name": name})

    def seed(self, *, seed: int = 1, **counts: Any) -> dict[str, Any]:
        """Deterministic seed data (``contacts=120, conversations=20, ...``); returns the counts."""
        known = {k: v for k, v in counts.items() if k in SEED_FIELDS}
        return dict(self._call("POST", "/seed", {"seed": seed, **known}) or {})

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

    def configure(self, *, bugs: Sequence[str] = (), token_ttl_s: float | None = None) -> None:
        """The hooks' ``configure``: the run's bugs of the catalogue and the token lifetime."""
        self.config(bugs=list(bugs), token_ttl_s=token_ttl_s)

    def dashboard(self) -> dict[str, Any] | None:
        """The backend's own dashboard (through the app's API, as the demo user), for the convergence check."""
        try:
            with httpx.Client(base_url=self.base_url, trust_env=False, timeout=10) as c:
                tok = c.post("/api/auth/login", json={"username": "demo", "password": "demo"}).json()["access_token"]
                return dict(c.get("/api/dashboard", headers={"Authorization": f"Bearer {tok}"}).json())
        except Exception:
            return None

    def read(self) -> dict[str, Any]:
        """The hooks' ``read``: the snapshot's tables (notes are compared per contact through the plugin's
        grouped tables, so no generic ``collections`` here), the dashboard and the applied-mutation log."""
        snap = self.snapshot()
        snap["dashboard"] = self.dashboard()
        snap["mutations"] = self.mutations()
        return snap


def hooks(profile: Any, backend_url: str) -> AdminClient:
    """The object the profile's python hooks (reset, seed, read, configure) are called on."""
    return AdminClient(backend_url)


__all__ = ["AdminClient", "SEED_FIELDS", "hooks"]
