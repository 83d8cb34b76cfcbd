"""The lab never lets a device's traffic leave the machine: only loopback and the backend are forwarded."""

from __future__ import annotations

import socket

import httpx
import pytest

from harness.lab import Lab
from harness.lab.lab import allowed_hosts

pytestmark = pytest.mark.processes


def test_allowed_hosts_are_loopback_and_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HARNESS_ALLOW_HOSTS", raising=False)
    assert allowed_hosts("http://127.0.0.1:8000").split(",") == ["127.0.0.1", "localhost", "::1"]
    assert allowed_hosts("https://api.example.test/v1").split(",")[-1] == "api.example.test"
    monkeypatch.setenv("HARNESS_ALLOW_HOSTS", "10.0.2.2, phone.lan")
    assert allowed_hosts("http://127.0.0.1:1").endswith("10.0.2.2,phone.lan")


def test_request_to_an_outside_host_is_answered_403_by_the_lab(net: Lab) -> None:
    with httpx.Client(proxy=net.endpoints.proxy_url, trust_env=False, timeout=10) as c:
        r = c.get("http://update.example.invalid/service/check")
    assert r.status_code == 403
    assert r.headers["X-Harness-Fault"] == "blocked_host"
    assert not any(e.host == "update.example.invalid" for e in net.ledger())


def test_connect_tunnel_to_an_outside_host_is_refused(net: Lab) -> None:
    with socket.create_connection((net.endpoints.proxy_host, net.endpoints.proxy_port), timeout=10) as s:
        s.sendall(b"CONNECT clients.example.invalid:443 HTTP/1.1\r\nHost: clients.example.invalid:443\r\n\r\n")
        head = s.recv(4096).decode("latin-1")
    assert head.split()[1] == "403", head


def test_the_backend_itself_still_passes(net: Lab, upstream: str) -> None:
    with httpx.Client(proxy=net.endpoints.proxy_url, trust_env=False, timeout=10) as c:
        r = c.get(upstream + "/echo")
    assert r.status_code < 500
