"""The harness side of the mitmproxy addon: rules, hold/release, status.

The addon answers requests to the reserved host ``harness.control`` that
reach mitmdump as a proxy, so this client is plain httpx with mitmdump's
address as its proxy. It goes straight to mitmdump, not through the link, so
it keeps working while the link is down.

Usage::

    ctl = HttpControl("http://127.0.0.1:8081")
    rid = ctl.add_rule(HttpStatus(status=503, path="/api/*", first_n=2))
    ctl.release()          # forward every held request
    ctl.remove_rule(rid)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from harness.errors import LabError, SpecError
from harness.net.conditions import HttpCondition

CONTROL_URL = "http://harness.control"


@dataclass(frozen=True)
class HeldFlow:
    """A request parked by a ``hold`` rule."""

    flow: str
    rule: str
    method: str
    path: str
    held_s: float


@dataclass(frozen=True)
class RuleState:
    """A rule in force and how often it matched and fired."""

    id: str
    kind: str
    params: dict[str, Any]
    matched: int
    fired: int
    describe: str


@dataclass(frozen=True)
class HttpState:
    """Everything the addon has in force."""

    rules: tuple[RuleState, ...]
    held: tuple[HeldFlow, ...]
    ledger: str
    requests: int


class HttpControl:
    """Client of the addon's control API through mitmdump at ``mitm_url``."""

    def __init__(self, mitm_url: str, *, timeout_s: float = 10.0) -> None:
        self.mitm_url = mitm_url
        self._client = httpx.Client(proxy=mitm_url, trust_env=False, timeout=timeout_s)

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        try:
            r = self._client.request(method, CONTROL_URL + path, json=json)
        except httpx.HTTPError as e:
            raise LabError(f"mitmproxy control at {self.mitm_url} is unreachable: {e}") from e
        data = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
        if r.status_code == 400 and "field" in data:
            raise SpecError(data["field"], None, data.get("allowed", ""), fix=data.get("error"))
        if r.status_code >= 400:
            raise LabError(f"mitmproxy control {method} {path}: {r.status_code} {data.get('error', r.text)}")
        return data

    def add_rule(self, cond: HttpCondition, *, rule_id: str | None = None) -> str:
        """Put ``cond`` in force; returns the rule id."""
        body = cond.to_rule()
        if rule_id:
            body["id"] = rule_id
        return str(self._call("POST", "/rules", body)["id"])

    def remove_rule(self, rule_id: str) -> int:
        """Remove a rule (held flows of a hold rule are forwarded); returns how many were released."""
        return int(self._call("DELETE", f"/rules/{rule_id}")["released"])

    def clear(self) -> None:
        """Remove every rule and forward every held request."""
        self._call("DELETE", "/rules")

    def release(self, rule_id: str | None = None, *, kill: bool = False) -> int:
        """Forward (or kill) held requests, all or one rule's; returns how many."""
        return int(self._call("POST", "/release", {"rule": rule_id, "kill": kill})["released"])

    def ping(self) -> bool:
        try:
            self._call("GET", "/status")
            return True
        except LabError:
            return False

    def state(self) -> HttpState:
        d = self._call("GET", "/status")
        return HttpState(
            rules=tuple(RuleState(r["id"], r["kind"], r["params"], r["matched"], r["fired"], r["describe"])
                        for r in d["rules"]),
            held=tuple(HeldFlow(h["flow"], h["rule"], h["method"], h["path"], h["held_s"]) for h in d["held"]),
            ledger=str(d["ledger"]),
            requests=int(d["requests"]),
        )


__all__ = ["CONTROL_URL", "HeldFlow", "HttpControl", "HttpState", "RuleState"]
