"""The harness's mitmproxy addon: HTTP faults per endpoint, hold/release, and the ledger.

Loaded by ``mitmdump -s harness/net/mitm_addon.py`` (see :mod:`harness.lab.lab`).

* Rules: HTTP-layer conditions (:mod:`harness.net.conditions`, rebuilt and
  revalidated here from their JSON) matched per method, path and optionally
  a header the request carries. A rule fires
  always, at a seeded rate, or for the first N matches. ``http_delay`` rules
  add up and sleep asynchronously (other flows keep moving); the first
  firing terminal rule decides: ``http_status`` and ``captive_portal`` answer
  without forwarding, ``refuse`` kills the flow before forwarding,
  ``drop_response`` forwards (the backend commits) and kills the flow in the
  ``response`` hook, so the client's connection closes with no response
  (mitmproxy sends nothing for a flow killed there: NO_RESPONSE), ``hold``
  intercepts the flow until it is released (forwarded) or killed.
* Control: requests to the reserved host ``harness.control`` are answered
  here and never forwarded (``GET /status``, ``POST /rules``, ``DELETE
  /rules[/ID]``, ``POST /release``, ``POST /reset``, ``GET /ledger``), so the
  harness needs no second server: :mod:`harness.net.http` is the client.
* Ledger: one JSON line per request, appended to the ``harness_ledger`` file
  when the request finishes, carrying ``seq`` (arrival order), ``t_start``
  and ``t_end`` as ``time.monotonic()`` (the harness's clock), the status or
  the injected fault, the write identity (the app profile's: a header, or ids
  in the body), the request body's size, sha256
  and markers; credentials redacted (:mod:`harness.redact`).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import random
import time
from typing import Any, TextIO

from mitmproxy import ctx, exceptions, http

from harness.errors import SpecError
from harness.markers import find_markers
from harness.net.conditions import HttpCondition, make_condition
from harness.net.identity import WriteIdentity, parse_identity, write_keys
from harness.redact import redact_headers, redact_text

CONTROL_HOST = "harness.control"
TERMINAL = ("http_status", "captive_portal", "refuse", "drop_response", "hold")
LOG = logging.getLogger(__name__)

CAPTIVE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Wi-Fi login</title></head>
<body data-captive-portal="1"><h1>Welcome to Guest Wi-Fi</h1>
<p>Sign in to access the internet.</p>
<form method="post" action="/login"><label>Room number <input name="room"></label>
<button type="submit">Connect</button></form></body></html>
"""


class _Rule:
    # A plain class: mitmproxy loads this file outside sys.modules, where @dataclass cannot
    # resolve string annotations.
    def __init__(self, rule_id: str, cond: HttpCondition, rng: random.Random) -> None:
        self.id = rule_id
        self.cond = cond
        self.rng = rng
        self.matched = 0
        self.fired = 0

    def decide(self, method: str, path: str, headers: Any) -> bool:
        if not self.cond.matches(method, path, headers):
            return False
        self.matched += 1
        if self.cond.first_n is not None:
            fire = self.matched <= self.cond.first_n
        elif self.cond.rate is not None:
            fire = self.rng.random() < self.cond.rate
        else:
            fire = True
        self.fired += int(fire)
        return fire

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.cond.kind, "params": self.cond.params(),
                "matched": self.matched, "fired": self.fired, "describe": self.cond.describe()}


class HarnessAddon:
    """See the module docstring."""

    def __init__(self) -> None:
        self.allow_hosts: set[str] = {"127.0.0.1", "localhost", "::1"}
        self.rules: dict[str, _Rule] = {}
        self.held: dict[str, tuple[http.HTTPFlow, str, float]] = {}
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._ledger: TextIO | None = None
        self.ledger_path = ""
        self.requests = 0
        self.identity = WriteIdentity()

    # ------------------------------------------------------------------ options

    def load(self, loader: Any) -> None:
        loader.add_option("harness_ledger", str, "", "Append one JSON line per request to this file (the ledger).")
        loader.add_option("harness_seed", int, 0, "Added to every rule's seed: one knob to vary rate-based faults.")
        loader.add_option("harness_allow_hosts", str, "127.0.0.1,localhost,::1",
                          "Comma-separated hosts the lab may forward to; any other host is answered 403 here and "
                          "never contacted (the device's own background traffic must not leave the lab).")
        loader.add_option("harness_identity", str, "{}",
                          "The app's write identity as JSON ({\"header\": NAME} or {\"json_path\": P, "
                          "\"revision_path\": R}; {} = the harness's markers only): the ledger's key per write.")

    def configure(self, updated: set[str]) -> None:
        if "harness_identity" in updated:
            try:
                spec = json.loads(ctx.options.harness_identity or "{}")
                if not isinstance(spec, dict):
                    raise ValueError("not a JSON object")
            except ValueError as e:
                raise exceptions.OptionsError(f"Cannot parse harness_identity {ctx.options.harness_identity!r}: "
                                              f"{e}") from e
            self.identity = parse_identity(spec)
        if "harness_allow_hosts" in updated:
            self.allow_hosts = {h.strip().lower().strip("[]") for h in ctx.options.harness_allow_hosts.split(",")
                                if h.strip()}
        if "harness_ledger" in updated:
            if self._ledger is not None:
                self._ledger.close()
                self._ledger = None
            self.ledger_path = ctx.options.harness_ledger
            if self.ledger_path:
                try:
                    self._ledger = open(self.ledger_path, "a", encoding="utf-8")
                except OSError as e:
                    raise exceptions.OptionsError(f"Cannot open harness_ledger {self.ledger_path!r}: {e}") from e

    def done(self) -> None:
        for fid in list(self.held):
            flow, rule_id, _ = self.held.pop(fid)
            self._write(flow, fault="hold", rule=rule_id, error="proxy shut down while held")
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    # ------------------------------------------------------------------ hooks

    def _blocked(self, host: str) -> bool:
        return bool(self.allow_hosts) and host.lower().strip("[]") not in self.allow_hosts

    def http_connect(self, flow: http.HTTPFlow) -> None:
        """A CONNECT to a host outside the lab is refused before any upstream connection."""
        if self._blocked(flow.request.host):
            flow.response = http.Response.make(403, b"blocked by the harness lab", {"X-Harness-Fault": "blocked_host"})

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.request.host == CONTROL_HOST:
            return
        if self._blocked(flow.request.host):
            flow.response = http.Response.make(403, b"blocked by the harness lab", {"X-Harness-Fault": "blocked_host"})
            return
        flow.metadata["harness_seq"] = next(self._seq)
        flow.metadata["harness_t_start"] = time.monotonic()
        flow.metadata["harness_wall_start"] = time.time()
        self.requests += 1

    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.response or flow.error or not flow.live:
            return
        if flow.request.host == CONTROL_HOST:
            flow.response = self._control(flow)
            return
        method, path, headers = flow.request.method, flow.request.path, flow.request.headers
        delay_ms = 0
        terminal: _Rule | None = None
        delay_rules: list[str] = []
        for rule in list(self.rules.values()):
            if rule.cond.kind == "http_delay":
                if rule.decide(method, path, headers):
                    delay_ms += int(getattr(rule.cond, "delay_ms"))
                    delay_rules.append(rule.id)
            elif terminal is None and rule.decide(method, path, headers):
                terminal = rule
        if delay_rules:
            flow.metadata["harness_delay"] = (delay_ms, delay_rules)
            await asyncio.sleep(delay_ms / 1000)
            if not flow.live or flow.error:
                return
        if terminal is None:
            flow.metadata["harness_forwarded"] = True  # passed on to the backend as it came
            return
        kind = terminal.cond.kind
        flow.metadata["harness_fault"] = (kind, terminal.id)
        flow.metadata["harness_hold_ms"] = int(getattr(terminal.cond, "hold_ms", 0) or 0)
        if kind == "http_status":
            status = int(getattr(terminal.cond, "status"))
            body = getattr(terminal.cond, "body") or json.dumps({"error": "injected", "status": status})
            ctype = "application/json" if body.lstrip().startswith(("{", "[")) else "text/plain"
            flow.response = http.Response.make(status, body, {"Content-Type": ctype, "X-Harness-Fault": kind})
        elif kind == "captive_portal":
            flow.response = http.Response.make(200, CAPTIVE_PAGE, {"Content-Type": "text/html; charset=utf-8",
                                                                   "Cache-Control": "no-store"})
        elif kind == "refuse":
            flow.kill()
        elif kind == "hold":
            flow.intercept()
            self.held[flow.id] = (flow, terminal.id, time.monotonic())
        else:  # drop_response: forwarded now, killed in response()
            flow.metadata["harness_forwarded"] = True

    async def response(self, flow: http.HTTPFlow) -> None:
        if flow.request.host == CONTROL_HOST or "harness_seq" not in flow.metadata:
            return
        fault = flow.metadata.get("harness_fault")
        if fault and fault[0] == "drop_response":
            self._write(flow, fault="drop_response", rule=fault[1])
            hold_ms = int(flow.metadata.get("harness_hold_ms", 0))
            if hold_ms:
                await asyncio.sleep(hold_ms / 1000)  # the client waits, then the connection dies
            if flow.live:
                flow.kill()
            return
        self._write(flow, fault=fault[0] if fault else None, rule=fault[1] if fault else None)

    def error(self, flow: http.HTTPFlow) -> None:
        if flow.request.host == CONTROL_HOST or "harness_seq" not in flow.metadata:
            return
        self.held.pop(flow.id, None)
        fault = flow.metadata.get("harness_fault")
        msg = flow.error.msg if flow.error else None
        if fault:
            self._write(flow, fault=fault[0], rule=fault[1], error=msg)
        else:
            self._write(flow, fault="upstream_error" if flow.server_conn.error or not flow.response
                        else "client_error", error=msg)

    # ------------------------------------------------------------------ ledger

    def _write(self, flow: http.HTTPFlow, *, fault: str | None, rule: str | None = None,
               error: str | None = None) -> None:
        if flow.metadata.get("harness_logged"):
            return
        flow.metadata["harness_logged"] = True
        req = flow.request
        raw = req.raw_content or b""
        try:
            text = req.get_text(strict=False) or ""
        except ValueError:
            text = raw.decode("utf-8", "replace")
        resp = flow.response
        delay = flow.metadata.get("harness_delay")
        keys, marker_keys = write_keys(self.identity, req.headers, raw)
        entry: dict[str, Any] = {
            "seq": flow.metadata["harness_seq"],
            "t_start": flow.metadata["harness_t_start"],
            "t_end": time.monotonic(),
            "wall_start": flow.metadata.get("harness_wall_start"),
            "method": req.method,
            "scheme": req.scheme,
            "host": req.pretty_host,
            "port": req.port,
            "path": redact_text(req.path),
            "http_version": req.http_version,
            "status": resp.status_code if resp is not None else None,
            # passed on to the backend: without a status, the app's side broke while the backend had it, and
            # only a read-back can say whether it was applied
            "forwarded": bool(flow.metadata.get("harness_forwarded")),
            "fault": fault,
            "rule": rule,
            "delay_ms": delay[0] if delay else 0,
            "error": error,
            "key": ",".join(keys) or None,
            "keys": keys,
            "marker_keys": marker_keys,
            "req_size": len(raw),
            "req_sha256": hashlib.sha256(raw).hexdigest(),
            "markers": find_markers(text),
            "req_headers": redact_headers(dict(req.headers.items())),
            "req_text": redact_text(text[:4096]) if text else "",
            "resp_size": len(resp.raw_content or b"") if resp is not None else None,
            "resp_headers": redact_headers(dict(resp.headers.items())) if resp is not None else {},
            "resp_type": resp.headers.get("Content-Type", "") if resp is not None else "",
        }
        if self._ledger is not None:
            self._ledger.write(json.dumps(entry, sort_keys=True) + "\n")
            self._ledger.flush()

    # ------------------------------------------------------------------ control API

    def _control(self, flow: http.HTTPFlow) -> http.Response:
        req = flow.request
        route = req.path.split("?", 1)[0].rstrip("/") or "/"
        try:
            body = json.loads(req.get_text() or "{}") if req.raw_content else {}
        except ValueError:
            return _json(400, {"error": "body is not JSON"})
        m = req.method
        if m == "GET" and route == "/status":
            return _json(200, self.status())
        if m == "POST" and route == "/rules":
            try:
                cond = make_condition(str(body.get("kind", "")), body.get("params") or {})
            except SpecError as e:
                return _json(400, {"error": str(e), "field": e.field, "allowed": e.allowed})
            if not isinstance(cond, HttpCondition):
                return _json(400, {"error": f"{cond.kind} is a {cond.layer}-layer condition, not an HTTP rule"})
            rid = str(body.get("id") or f"r{next(self._ids)}")
            if rid in self.rules:
                return _json(409, {"error": f"rule {rid} exists"})
            self.rules[rid] = _Rule(rid, cond, random.Random(cond.seed + ctx.options.harness_seed))
            return _json(201, {"id": rid, "rule": self.rules[rid].to_json()})
        if m == "DELETE" and route == "/rules":
            ids = list(self.rules)
            self.rules.clear()
            released = self.release(None, kill=False)
            return _json(200, {"removed": ids, "released": released})
        if m == "DELETE" and route.startswith("/rules/"):
            rid = route.split("/", 2)[2]
            rule = self.rules.pop(rid, None)
            released = self.release(rid, kill=False) if rule is not None else 0
            return _json(200, {"removed": [rid] if rule else [], "released": released})
        if m == "POST" and route == "/release":
            n = self.release(body.get("rule"), kill=bool(body.get("kill", False)))
            return _json(200, {"released": n})
        if m == "POST" and route == "/reset":
            ids = list(self.rules)
            self.rules.clear()
            return _json(200, {"removed": ids, "released": self.release(None, kill=False)})
        if m == "GET" and route == "/ledger":
            return _json(200, {"path": self.ledger_path})
        return _json(404, {"error": f"no control route {m} {route}",
                           "routes": ["GET /status", "POST /rules", "DELETE /rules", "DELETE /rules/ID",
                                      "POST /release", "POST /reset", "GET /ledger"]})

    def release(self, rule_id: str | None, *, kill: bool) -> int:
        """Resume (forward) or kill held flows, all or those of one rule; returns how many."""
        n = 0
        for fid, (flow, rid, _) in list(self.held.items()):
            if rule_id is not None and rid != rule_id:
                continue
            del self.held[fid]
            flow.resume()
            if kill and flow.killable:
                flow.kill()
            else:
                flow.metadata["harness_forwarded"] = True
            n += 1
        return n

    def status(self) -> dict[str, Any]:
        now = time.monotonic()
        return {
            "rules": [r.to_json() for r in self.rules.values()],
            "held": [{"flow": fid, "rule": rid, "method": f.request.method, "path": redact_text(f.request.path),
                      "held_s": round(now - since, 3)} for fid, (f, rid, since) in self.held.items()],
            "ledger": self.ledger_path,
            "requests": self.requests,
            "t": now,
        }


def _json(status: int, obj: Any) -> http.Response:
    return http.Response.make(status, json.dumps(obj), {"Content-Type": "application/json"})


addons = [HarnessAddon()]
