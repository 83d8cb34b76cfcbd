"""Measure the network layer; prints one JSON object.

* ``transition_latency_ms``: from ``lab.net.apply()`` returning to a client
  observing the condition (``down``: a new connection refused;
  ``reset_peer``: a request on a new connection reset), p50/p99.
* ``flap_error_ms``: actual minus scheduled time of >= 500 flap transitions.
* ``chain_overhead_ms``: per-request latency through link + HTTP layer minus
  direct, 1 KiB POST bodies, keep-alive, sequential; p50/p99.
* ``chain_rps`` / ``direct_rps``: requests/s with 8 client threads for 3 s.
* Where the throughput goes: ``mitm_rps`` (the lab's mitmdump with the addon,
  addressed directly, no link) and ``mitm_plain_rps`` (a mitmdump with the
  same options and no addon): the ceiling a Python proxy sets on 2 shared
  cores, and the addon's share of it.

Loopback only, bounded (well under 2 minutes). Usage:
``.venv/bin/python benchmarks/network.py``.
"""

from __future__ import annotations

import json
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.lab import Lab, LabConfig  # noqa: E402
from harness import paths  # noqa: E402
from harness.lab.ports import free_port  # noqa: E402
from harness.lab.process import ManagedProcess  # noqa: E402
from harness.net.conditions import Down, ResetPeer  # noqa: E402
from harness.net.schedule import Scheduler, flap  # noqa: E402

BODY = b"x" * 1024


def pct(xs: list[float]) -> dict[str, float]:
    s = sorted(xs)
    return {"p50": round(statistics.median(s), 3), "p99": round(s[min(len(s) - 1, int(len(s) * 0.99))], 3),
            "n": len(s)}


def observe_down(host: str, port: int) -> float:
    t0 = time.monotonic()
    while True:
        try:
            socket.create_connection((host, port), timeout=1).close()
        except ConnectionRefusedError:
            return (time.monotonic() - t0) * 1000


def observe_reset(lab: Lab) -> float:
    ep = lab.endpoints
    t0 = time.monotonic()
    while True:
        try:
            with socket.create_connection((ep.proxy_host, ep.proxy_port), timeout=1) as s:
                s.sendall(f"GET {ep.backend_url}/health HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                if not s.recv(1024):
                    return (time.monotonic() - t0) * 1000
        except OSError:
            return (time.monotonic() - t0) * 1000


def latencies(client: httpx.Client, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.post(url, content=BODY)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    return out


def rps(make_client: "callable[[], httpx.Client]", url: str, seconds: float = 3.0, threads: int = 8) -> float:  # type: ignore[valid-type]
    stop = time.monotonic() + seconds
    counts = [0] * threads

    def work(i: int) -> None:
        with make_client() as c:
            while time.monotonic() < stop:
                c.post(url, content=BODY)
                counts[i] += 1

    ths = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    t0 = time.monotonic()
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    return round(sum(counts) / (time.monotonic() - t0), 1)


def plain_mitmdump_rps(run: Path, url: str) -> float:
    """Requests/s through a mitmdump started with the lab's options but without the harness addon."""
    port = free_port()
    mitm = ManagedProcess("mitmdump-plain", [str(paths.mitmdump()), "--mode", "regular", "--listen-host", "127.0.0.1",
                                             "--listen-port", str(port), "--set", "flow_detail=0", "--set",
                                             "termlog_verbosity=warn", "--set", "connection_strategy=lazy"],
                          log_path=run / "mitmdump-plain.log").start()
    try:
        mitm.wait_ready(lambda: can_connect("127.0.0.1", port), timeout_s=30)
        return rps(lambda: httpx.Client(proxy=f"http://127.0.0.1:{port}", trust_env=False, timeout=10), url)
    finally:
        mitm.stop()


def can_connect(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        run = Path(d)
        up = ManagedProcess("upstream", [sys.executable, str(ROOT / "tests" / "net" / "upstream.py")],
                            log_path=run / "upstream.log").start()
        try:
            url = up.wait_ready(lambda: (m := re.search(r"listening on (http://\S+?)/", up.log_text()))
                                and m.group(1), timeout_s=15)
            with Lab(LabConfig(run_dir=run, backend=str(url))) as lab:
                ep = lab.endpoints
                trans: list[float] = []
                for _ in range(100):
                    h = lab.net.apply(Down())
                    trans.append(observe_down(ep.proxy_host, ep.proxy_port))
                    lab.net.clear(h)
                    h = lab.net.apply(ResetPeer())
                    trans.append(observe_reset(lab))
                    lab.net.clear(h)
                records = Scheduler(lab.net).run(flap(up_s=0.01, down_s=0.01, cycles=260))
                flap_err = [r.error_ms for r in records]
                echo = f"{url}/echo"

                def chain() -> httpx.Client:
                    return httpx.Client(proxy=ep.proxy_url, trust_env=False, timeout=10)

                def direct() -> httpx.Client:
                    return httpx.Client(trust_env=False, timeout=10)

                with chain() as c, direct() as dc:
                    latencies(c, echo, 30), latencies(dc, echo, 30)  # warm up
                    ch, di = latencies(c, echo, 400), latencies(dc, echo, 400)
                overhead = {"p50": round(statistics.median(ch) - statistics.median(di), 3),
                            "p99": round(pct(ch)["p99"] - pct(di)["p99"], 3),
                            "chain_p50": round(statistics.median(ch), 3), "direct_p50": round(statistics.median(di), 3)}
                chain_rps = rps(chain, echo)
                direct_rps = rps(direct, echo)
                mitm_rps = rps(lambda: httpx.Client(proxy=ep.mitm_url, trust_env=False, timeout=10), echo)
            mitm_plain_rps = plain_mitmdump_rps(run, echo)
        finally:
            up.stop()
    print(json.dumps({
        "transition_latency_ms": pct(trans),
        "flap_error_ms": pct(flap_err),
        "chain_overhead_ms": overhead,
        "chain_rps": chain_rps,
        "direct_rps": direct_rps,
        "chain_vs_direct": round(chain_rps / direct_rps, 3) if direct_rps else None,
        "mitm_rps": mitm_rps,
        "mitm_plain_rps": mitm_plain_rps,
        "mitm_plain_vs_direct": round(mitm_plain_rps / direct_rps, 3) if direct_rps else None,
    }))


if __name__ == "__main__":
    main()
