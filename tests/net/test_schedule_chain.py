"""Schedules and profiles against the real chain: transitions observed by a client, timeline records."""

from __future__ import annotations

import re
import socket
import time

import httpx
import pytest

from harness.lab import Lab
from harness.net.har import to_har
from harness.net.ledger import request_events
from harness.net.profiles import PROFILES, ProfileCondition
from harness.net.schedule import RunningSchedule, Scheduler, flap, outage, sequence, switch_network
from harness.timeline import Timeline

pytestmark = pytest.mark.processes


def probe(lab: Lab, timeout_s: float = 2.0) -> str:
    try:
        with httpx.Client(proxy=lab.endpoints.proxy_url, trust_env=False, timeout=timeout_s) as c:
            return str(c.get(lab.endpoints.backend_url + "/health").status_code)
    except httpx.ConnectError:
        return "refused"
    except httpx.HTTPError as e:
        return type(e).__name__


def applied(running: RunningSchedule, n: int, timeout_s: float = 10.0) -> None:
    """Wait until the schedule has applied its ``n``-th transition. A client probes after that, not after a fixed
    sleep: on a loaded machine applying a condition (a Toxiproxy API call) can take longer than a short sleep,
    and the probe then saw the state before it (a flaky test, seen at load 10 on two cores)."""
    deadline = time.monotonic() + timeout_s
    while len(running.records) < n:
        assert time.monotonic() < deadline, f"transition {n} not applied within {timeout_s}s"
        time.sleep(0.01)


def test_flap_transitions_are_observed_and_recorded(net: Lab) -> None:
    tl = Timeline()
    running = Scheduler(net.net, tl).start(flap(up_s=1.5, down_s=1.5, cycles=2))
    seen = []
    for n in range(1, 5):  # right after each transition, well inside its 1.5 s phase
        applied(running, n)
        seen.append(probe(net, 0.5))
    records = running.wait(10)
    assert seen == ["refused", "200", "refused", "200"]
    assert [r.state for r in records] == ["down", "up", "down", "up"]
    assert all(0 <= r.error_ms < 1000 for r in records)  # sane; benchmarks/network.py measures the real figure
    evs = [e for e in tl.events if e.kind == "schedule"]
    assert len(evs) == 4 and all({"scheduled_t", "error_ms", "state"} <= e.data.keys() for e in evs)
    assert evs[0].t >= evs[0].data["scheduled_t"]
    assert net.net.status().lines() == ["clean: link up, no toxics, no HTTP rules"]


def test_outage_then_clean(net: Lab) -> None:
    running = Scheduler(net.net).start(outage(duration_s=2.0))
    applied(running, 1)
    assert probe(net, 0.5) == "refused"
    running.wait(10)
    assert probe(net) == "200"


def _raw_get(sock: socket.socket, url: str) -> bytes:
    """One request on a raw keep-alive socket; the whole response, or b"" if the peer closed."""
    sock.sendall(f"GET {url}/health HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def test_switch_network_kills_open_connections_then_recovers(net: Lab) -> None:
    url = net.endpoints.backend_url
    with socket.create_connection((net.endpoints.proxy_host, net.endpoints.proxy_port), timeout=2) as kept:
        assert _raw_get(kept, url).startswith(b"HTTP/1.1 200")  # a keep-alive connection, open across the switch
        running = Scheduler(net.net).start(switch_network(blackout_s=2.0))
        applied(running, 2)  # the resets, then the blackout
        assert probe(net, 0.5) == "refused"  # blackout
        running.wait(10)
        try:
            answer = _raw_get(kept, url)
        except OSError:  # reset or broken pipe
            answer = b""
        assert answer == b""  # the old connection is dead
    assert probe(net) == "200"  # the new path is clean


def test_cancel_clears_what_the_schedule_applied(net: Lab) -> None:
    running = Scheduler(net.net).start(sequence(outage(duration_s=30), outage(duration_s=30)))
    time.sleep(0.2)
    assert not net.net.status().link.enabled
    running.cancel()
    running.wait(5)
    assert net.net.status().link.enabled


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_shapes_a_real_request(net: Lab, name: str) -> None:
    p = PROFILES[name]
    net.net.apply(ProfileCondition(name=name))
    toxics = net.net.status().link.toxics
    assert len(toxics) == len(ProfileCondition(name=name).toxics())
    if p.loss_pct >= 100:
        assert probe(net, 0.5) == "ReadTimeout"
        return
    # a lossy profile resets a share of connections (loss as TCP sees it): a reset is one of its
    # legitimate outcomes, so a few attempts are allowed before one must come through, delayed
    attempts = 6 if p.loss_pct > 0 else 1
    with httpx.Client(proxy=net.endpoints.proxy_url, trust_env=False, timeout=15) as c:
        for attempt in range(attempts):
            t = time.monotonic()
            try:
                r = c.get(net.endpoints.backend_url + "/health")
                break
            except httpx.TransportError:
                if attempt == attempts - 1:
                    raise
        elapsed_ms = (time.monotonic() - t) * 1000
    assert r.status_code == 200
    loss_jitter = 200 * min(1.0, p.loss_pct / 10)
    floor_ms = max(0.0, p.up_delay_ms - p.jitter_ms) + max(0.0, p.down_delay_ms - p.jitter_ms - loss_jitter)
    assert elapsed_ms >= floor_ms * 0.9


def test_ledger_feeds_timeline_and_har(net: Lab) -> None:
    probe(net)
    entries = net.ledger()
    tl = Timeline()
    tl.extend_sorted(request_events(entries))
    assert [e.name for e in tl.events][-1] == "GET /health"
    assert tl.events[-1].data["status"] == 200 and tl.events[-1].layer == "http"
    har = to_har(entries)
    assert har["log"]["version"] == "1.2" and len(har["log"]["entries"]) == len(entries)
    assert har["log"]["entries"][-1]["request"]["url"].endswith("/health")
