"""Every condition, observed by a real client through the real chain (toxiproxy -> mitmdump -> upstream)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from typing import Callable

import httpx
import pytest

from harness.lab import Lab
from harness.net.conditions import (Bandwidth, CaptivePortal, Down, DropResponse, HalfOpen, Hold, HttpDelay,
                                    HttpStatus, Latency, LimitData, Refuse, ResetPeer, Slicer, SlowClose, Timeout)

pytestmark = pytest.mark.processes


def client(lab: Lab, timeout_s: float = 5.0) -> httpx.Client:
    return httpx.Client(proxy=lab.endpoints.proxy_url, trust_env=False, timeout=timeout_s)


def timed_get(lab: Lab, path: str, timeout_s: float = 5.0) -> tuple[float, httpx.Response]:
    with client(lab, timeout_s) as c:
        t = time.monotonic()
        r = c.get(lab.endpoints.backend_url + path)
        return time.monotonic() - t, r


def test_clean_path_and_ledger(net: Lab) -> None:
    with client(net) as c:
        key = str(uuid.uuid4())
        r = c.post(net.endpoints.backend_url + "/commit", content=b'{"text": "hx0000000abc"}',
                   headers={"Idempotency-Key": key, "Authorization": "Bearer secret-token"})
    assert r.status_code == 201
    e = [e for e in net.ledger() if e.key == key][0]
    assert (e.method, e.path, e.status, e.fault) == ("POST", "/commit", 201, None)
    assert e.markers == ("hx0000000abc",) and e.req_size == 24
    assert e.req_headers["Authorization"] == "[REDACTED]"
    assert 0 < e.t_start <= e.t_end <= time.monotonic()


def test_down_refuses_then_clear_restores(net: Lab) -> None:
    h = net.net.apply(Down())
    with pytest.raises(httpx.ConnectError):
        timed_get(net, "/health")
    assert not net.net.status().link.enabled
    net.net.clear(h)
    assert timed_get(net, "/health")[1].status_code == 200


def test_latency_slows_each_response(net: Lab) -> None:
    net.net.apply(Latency(latency_ms=300))
    elapsed, r = timed_get(net, "/health")
    assert r.status_code == 200 and elapsed >= 0.29


def test_bandwidth_caps_throughput(net: Lab) -> None:
    net.net.apply(Bandwidth(rate_kbps=320))  # 40 KB/s
    elapsed, r = timed_get(net, "/big?n=40000")
    assert len(r.content) == 40000 and elapsed >= 0.7


def test_half_open_stalls_forever(net: Lab) -> None:
    net.net.apply(HalfOpen())
    t = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        timed_get(net, "/health", timeout_s=1.0)
    assert time.monotonic() - t >= 0.95


def test_timeout_closes_after_the_delay(net: Lab) -> None:
    net.net.apply(Timeout(timeout_ms=300))
    t = time.monotonic()
    with pytest.raises(httpx.TransportError) as ei:
        timed_get(net, "/health", timeout_s=3.0)
    assert not isinstance(ei.value, httpx.TimeoutException)
    assert 0.25 <= time.monotonic() - t < 2.5


def test_reset_peer_resets(net: Lab) -> None:
    net.net.apply(ResetPeer())
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError)) as ei:
        timed_get(net, "/health")
    assert "reset" in repr(ei.value).lower() or "disconnected" in repr(ei.value).lower()


def test_limit_data_truncates(net: Lab) -> None:
    net.net.apply(LimitData(bytes=500))
    with pytest.raises(httpx.RemoteProtocolError):
        timed_get(net, "/big?n=5000")


def test_slicer_delivers_intact_but_slower(net: Lab) -> None:
    net.net.apply(Slicer(average_size=100, size_variation=50, delay_us=2000))
    elapsed, r = timed_get(net, "/big?n=10000")
    assert r.content == b"x" * 10000 and elapsed >= 0.1  # ~100 slices, 2 ms apart


def test_slow_close_delays_the_close(net: Lab) -> None:
    net.net.apply(SlowClose(delay_ms=600))
    host, port = net.endpoints.proxy_host, net.endpoints.proxy_port
    with socket.create_connection((host, port), timeout=5) as s:
        t = time.monotonic()
        s.sendall(f"GET {net.endpoints.backend_url}/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        elapsed = time.monotonic() - t
    assert data.startswith(b"HTTP/1.1 200") and elapsed >= 0.55


def test_toxicity_zero_never_applies(net: Lab) -> None:
    net.net.apply(ResetPeer(toxicity=0.0))
    assert timed_get(net, "/health")[1].status_code == 200


def test_http_status_first_n(net: Lab) -> None:
    net.net.apply(HttpStatus(status=503, path="/health", first_n=2))
    codes = [timed_get(net, "/health")[1].status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert [e.fault for e in net.ledger()[-3:]] == ["http_status", "http_status", None]


def test_http_status_rate_is_seeded(net: Lab) -> None:
    def run() -> list[int]:
        h = net.net.apply(HttpStatus(status=500, path="/echo", method="GET", rate=0.5, seed=7))
        with client(net) as c:
            out = [c.get(net.endpoints.backend_url + "/echo").status_code for _ in range(20)]
        net.net.clear(h)
        return out

    a, b = run(), run()
    assert a == b and 500 in a and 200 in a


def test_http_status_method_and_regex_match(net: Lab) -> None:
    net.net.apply(HttpStatus(status=409, method="POST", path=r"^/com+it$", match="regex"))
    with client(net) as c:
        assert c.get(net.endpoints.backend_url + "/echo").status_code == 200
        assert c.post(net.endpoints.backend_url + "/commit", content=b"x").status_code == 409


def test_http_delay_is_per_flow(net: Lab) -> None:
    net.net.apply(HttpDelay(delay_ms=800, path="/echo"))
    results: dict[str, float] = {}

    def slow() -> None:
        results["slow"] = timed_get(net, "/echo")[0]

    th = threading.Thread(target=slow)
    th.start()
    time.sleep(0.1)
    results["fast"] = timed_get(net, "/health")[0]
    th.join()
    assert results["slow"] >= 0.79 and results["fast"] < 0.5


def test_drop_response_commits_but_client_sees_the_connection_die(net: Lab, commits: Callable[[], list[str]]) -> None:
    net.net.apply(DropResponse(path="/commit"))
    key = str(uuid.uuid4())
    with client(net) as c, pytest.raises(httpx.RemoteProtocolError):
        c.post(net.endpoints.backend_url + "/commit", content=b"lost", headers={"Idempotency-Key": key})
    assert key in commits()  # the backend applied it
    e = [e for e in net.ledger() if e.key == key][0]
    assert (e.fault, e.status) == ("drop_response", 201)


def test_a_request_the_client_gave_up_on_while_the_backend_had_it_is_marked_forwarded(
        net: Lab, commits: Callable[[], list[str]]) -> None:
    """No status in the ledger (the app's side went away first), yet applied: ``forwarded`` says the backend had
    it, so the checks may ask the read-back (harness.checks.view.applied_requests)."""
    key = str(uuid.uuid4())
    with client(net, timeout_s=0.5) as c, pytest.raises(httpx.TimeoutException):
        c.post(net.endpoints.backend_url + "/commit?delay_ms=1500", content=b"cut", headers={"Idempotency-Key": key})
    deadline = time.monotonic() + 5
    while not [e for e in net.ledger() if e.key == key] and time.monotonic() < deadline:
        time.sleep(0.05)
    [e] = [e for e in net.ledger() if e.key == key]
    assert key in commits() and e.status is None and e.forwarded
    assert e.event_data()["forwarded"] is True
    refused = str(uuid.uuid4())
    net.net.apply(Refuse(path="/commit"))
    with client(net) as c, pytest.raises(httpx.HTTPError):
        c.post(net.endpoints.backend_url + "/commit", content=b"no", headers={"Idempotency-Key": refused})
    [r] = [e for e in net.ledger() if e.key == refused]
    assert refused not in commits() and not r.forwarded


def test_drop_response_with_a_header_loses_only_requests_carrying_it(net: Lab, commits: Callable[[], list[str]]) -> None:
    net.net.apply(DropResponse(path="/commit", header="Idempotency-Key"))
    with client(net) as c:
        assert c.post(net.endpoints.backend_url + "/commit", content=b"no key").status_code == 201
        key = str(uuid.uuid4())
        with pytest.raises(httpx.RemoteProtocolError):
            c.post(net.endpoints.backend_url + "/commit", content=b"keyed", headers={"idempotency-key": key})
    assert key in commits()
    assert [e.fault for e in net.ledger() if e.key == key] == ["drop_response"]


def test_refuse_never_reaches_the_backend(net: Lab, commits: Callable[[], list[str]]) -> None:
    net.net.apply(Refuse(method="POST"))
    key = str(uuid.uuid4())
    with client(net) as c, pytest.raises(httpx.RemoteProtocolError):
        c.post(net.endpoints.backend_url + "/commit", content=b"x", headers={"Idempotency-Key": key})
    assert key not in commits()
    assert [e.fault for e in net.ledger() if e.key == key] == ["refuse"]


def test_captive_portal_answers_a_login_page(net: Lab) -> None:
    net.net.apply(CaptivePortal(path="/echo"))
    _, r = timed_get(net, "/echo")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and "Wi-Fi" in r.text


@pytest.mark.parametrize("kill", [False, True])
def test_hold_then_release_or_kill(net: Lab, commits: Callable[[], list[str]], kill: bool) -> None:
    h = net.net.apply(Hold(path="/commit"))
    key = str(uuid.uuid4())
    out: dict[str, object] = {}

    def post() -> None:
        try:
            with client(net, 10) as c:
                out["status"] = c.post(net.endpoints.backend_url + "/commit", content=b"held",
                                       headers={"Idempotency-Key": key}).status_code
        except httpx.HTTPError as e:
            out["error"] = e

    th = threading.Thread(target=post)
    th.start()
    deadline = time.monotonic() + 5
    while not net.net.status().http.held and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(net.net.status().http.held) == 1
    time.sleep(0.2)
    assert key not in commits() and th.is_alive()
    assert net.net.http.release(h.rule, kill=kill) == 1
    th.join(5)
    if kill:
        assert isinstance(out.get("error"), httpx.RemoteProtocolError) and key not in commits()
    else:
        assert out.get("status") == 201 and key in commits()


def test_reset_clears_every_layer(net: Lab) -> None:
    net.net.apply(Down())
    net.net.apply(Latency(latency_ms=10))
    net.net.apply(HttpStatus(status=500))
    net.net.reset()
    st = net.net.status()
    assert st.link.enabled and not st.link.toxics and not st.http.rules
    assert st.lines() == ["clean: link up, no toxics, no HTTP rules"]
    assert timed_get(net, "/health")[1].status_code == 200


def test_conditions_are_on_the_timeline(net: Lab) -> None:
    h = net.net.apply(Latency(latency_ms=5))
    net.net.clear(h)
    evs = [e for e in net.timeline.events if e.kind == "condition" and e.data.get("handle") == h.id]
    assert [(e.name, e.layer, e.data["action"]) for e in evs] == [("latency", "link", "apply"), ("latency", "link", "clear")]


def test_drop_response_with_hold_looks_like_a_timeout_to_the_client(net: Lab, commits: Callable[[], list[str]]) -> None:
    """The backend commits; the client waits past its own timeout: the loss it sees is a timeout."""
    net.net.apply(DropResponse(method="POST", path="/commit", first_n=1, hold_ms=1500))
    key = "hold-" + uuid.uuid4().hex[:8]
    with httpx.Client(proxy=net.endpoints.proxy_url, trust_env=False, timeout=0.8) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.post(net.endpoints.backend_url + "/commit", content=b"lost", headers={"Idempotency-Key": key})
    assert key in commits()  # it was applied all the same


def test_end_holds_forwards_the_held_request_and_holds_no_later_one(net: Lab, commits: Callable[[], list[str]]) -> None:
    """The ``release`` step: the held write goes on, and its retry (any later request) is not held again
    (releasing alone left the rule in force: a released write's retry hung until the scenario's end)."""
    net.net.apply(Hold(path="/commit"))
    first, out = str(uuid.uuid4()), {}

    def post(key: str) -> int:
        with client(net, 10) as c:
            return c.post(net.endpoints.backend_url + "/commit", content=b"held",
                          headers={"Idempotency-Key": key}).status_code

    th = threading.Thread(target=lambda: out.setdefault("status", post(first)))
    th.start()
    deadline = time.monotonic() + 5
    while not net.net.status().http.held and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(net.net.status().http.held) == 1
    net.net.end_holds()
    th.join(5)
    assert out.get("status") == 201 and first in commits()
    later = str(uuid.uuid4())
    assert post(later) == 201 and later in commits()
    assert not net.net.status().http.held and not [h for h in net.net.handles() if h.condition.kind == "hold"]
