"""A wedged Toxiproxy (its control API stops answering) is restarted by the lab, never run on half-cleared.

Toxiproxy can hang while removing a toxic whose link lost its client (its
issues #558 and #412; seen here: a relaunch under a slow-link profile, then
``POST /reset`` answered 503 after 25 s and the link kept its toxics while
the scenario went on). The wedge is made here by stopping the server process
(SIGSTOP): its API goes silent, as when wedged.
"""

from __future__ import annotations

import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from harness.lab import Lab
from harness.net.conditions import Latency
from harness.net.link import CLEAR_TIMEOUT_S, LinkWedged

pytestmark = pytest.mark.processes


def _through_link(lab: Lab, path: str = "/") -> int:
    """The status the upstream answered through the link (a 404 of a path it lacks is an answer too)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": lab.endpoints.proxy_url}))
    try:
        with opener.open(lab.endpoints.backend_url + path, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def _stopped_toxiproxy(lab: Lab) -> int:
    pid = next(p.pid for p in lab.processes() if p.name == "toxiproxy")
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    # a stop of a many-threaded process completes when each thread next runs: wait until every one is stopped
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not _all_threads_stopped(pid):
        time.sleep(0.02)
    assert _all_threads_stopped(pid), f"toxiproxy-server {pid} did not stop"
    return pid


def _all_threads_stopped(pid: int) -> bool:
    states = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        stat = (task / "stat").read_text()
        states.append(stat[stat.rindex(")") + 2])
    return bool(states) and all(st in "Tt" for st in states)


@pytest.fixture
def wedged(lab: Lab) -> Iterator[Lab]:
    lab.net.apply(Latency(latency_ms=200))
    pid = _stopped_toxiproxy(lab)
    yield lab
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        pass


def test_a_wedged_link_is_restarted_clean_on_the_same_port(wedged: Lab) -> None:
    lab = wedged
    port = lab.endpoints.proxy_port
    lab.net.reset()
    state = lab.net.status().link
    assert state.enabled and state.toxics == () and int(state.listen.rpartition(":")[2]) == port
    assert _through_link(lab) in (200, 404)
    [ev] = [e for e in lab.timeline.events if e.name == "link_restarted"]
    assert f"{CLEAR_TIMEOUT_S:g} s" in ev.data["why"]


def test_without_a_way_to_restart_a_wedged_link_is_a_harness_error(wedged: Lab) -> None:
    net = wedged.net
    restart, net.restart_link = net.restart_link, None
    try:
        with pytest.raises(LinkWedged, match="POST /reset got no answer"):
            net.reset()
    finally:
        net.restart_link = restart
        net.reset()  # leaves the module's lab clean (restarts the stopped server)
