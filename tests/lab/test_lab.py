"""The lab's supervision: process groups, named failures, and cleanup on SIGINT/SIGTERM (checked from outside)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import psutil
import pytest

from harness.errors import PartFailed, SpecError
from harness.lab import Lab, LabConfig
from harness.lab.ports import can_connect
from harness.lab.process import ManagedProcess

HERE = Path(__file__).resolve().parent
UPSTREAM = HERE.parent / "net" / "upstream.py"


@pytest.mark.parametrize("kwargs, field", [
    ({"backend": "ftp://x"}, "backend"),
    ({"backend": "nonsense"}, "backend"),
    ({"backend": "http://127.0.0.1:1", "bugs": ("outbox-lifo",)}, "bugs"),
    ({"token_ttl_s": -1}, "token_ttl_s"),
    ({"start_timeout_s": 0}, "start_timeout_s"),
])
def test_bad_config_fails_before_anything_starts(tmp_path: Path, kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(SpecError) as ei:
        LabConfig(run_dir=tmp_path, **kwargs)  # type: ignore[arg-type]
    assert ei.value.field == field


@pytest.mark.processes
def test_stop_kills_the_whole_process_group(tmp_path: Path) -> None:
    p = ManagedProcess("sleeper", ["sh", "-c", "sleep 60 & sleep 60"], log_path=tmp_path / "s.log").start()
    time.sleep(0.2)
    group = [c.pid for c in psutil.Process(p.pid).children(recursive=True)] + [p.pid]  # type: ignore[arg-type]
    p.stop()
    p.stop()  # idempotent
    time.sleep(0.1)
    assert not [pid for pid in group if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]


@pytest.mark.processes
def test_early_exit_names_the_part_and_its_log(tmp_path: Path) -> None:
    p = ManagedProcess("broken", ["sh", "-c", "echo boom; exit 3"], log_path=tmp_path / "b.log").start()
    with pytest.raises(PartFailed) as ei:
        p.wait_ready(lambda: False, timeout_s=5)
    assert ei.value.part == "broken" and ei.value.log == str(tmp_path / "b.log")
    assert "code 3" in str(ei.value) and "boom" in str(ei.value)


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    d = tmp_path_factory.mktemp("up")
    p = ManagedProcess("upstream", [sys.executable, str(UPSTREAM)], log_path=d / "up.log").start()
    url = p.wait_ready(lambda: (m := re.search(r"listening on (http://\S+?)/", p.log_text())) and m.group(1),
                       timeout_s=15)
    yield str(url)
    p.stop()


@pytest.mark.processes
def test_failed_part_is_named_and_earlier_parts_are_stopped(tmp_path: Path, upstream: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOXIPROXY_SERVER", "/bin/false")
    lab = Lab(LabConfig(run_dir=tmp_path, backend=upstream, start_timeout_s=10))
    with pytest.raises(PartFailed) as ei:
        lab.start()
    assert ei.value.part == "toxiproxy" and ei.value.log == str(tmp_path / "toxiproxy.log")
    assert lab.processes() == []
    assert not any("mitmdump" in " ".join(p.info["cmdline"] or []) and str(tmp_path) in " ".join(p.info["cmdline"] or [])
                   for p in psutil.process_iter(["cmdline"]))


@pytest.mark.processes
def test_unreachable_external_backend(tmp_path: Path) -> None:
    from harness.lab.ports import free_port

    with pytest.raises(PartFailed, match="backend"):
        Lab(LabConfig(run_dir=tmp_path, backend=f"http://127.0.0.1:{free_port()}")).start()


@pytest.mark.processes
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_leaves_no_process_and_no_toxic(tmp_path: Path, upstream: str, sig: signal.Signals) -> None:
    # A shell starts background jobs with SIGINT ignored, and Python keeps an inherited "ignore": put the
    # child's SIGINT back to the default, as a terminal's foreground job has it, so Ctrl-C is what is tested
    # whoever launched pytest.
    child = subprocess.Popen([sys.executable, str(HERE / "lab_child.py"), str(tmp_path), upstream],
                             stdout=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = child.stdout.readline()  # type: ignore[union-attr]
        ep = json.loads(line)
        pids = list(ep["pids"].values())
        assert all(psutil.pid_exists(p) for p in pids)
        api = ep["toxiproxy_api"]
        import httpx

        assert httpx.get(api + "/proxies/link/toxics", trust_env=False).json()  # the latency toxic is in force
        child.send_signal(sig)
        assert child.wait(20) != 0 or sig == signal.SIGINT
    finally:
        if child.poll() is None:
            child.kill()
    time.sleep(0.2)
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
    assert alive == []
    host, port = api.rsplit("/", 1)[1].split(":")
    assert not can_connect(host, int(port)), "toxiproxy API still answers: toxics could be left behind"
    assert not can_connect(ep["proxy_host"], ep["proxy_port"])
    log = (tmp_path / "timeline.jsonl").read_text()
    assert '"lab.stop"' in log


def test_a_reused_run_folder_starts_the_backend_it_reports(tmp_path: Path) -> None:
    """A second lab in the same folder appends to the logs; it must read its own backend's address."""
    urls = []
    for _ in range(2):
        with Lab(LabConfig(run_dir=tmp_path)) as lab:
            lab.admin.reset()  # reaches this lab's backend, not the previous one's dead port
            urls.append(lab.endpoints.backend_url)
    assert urls[0] != urls[1]
    assert (tmp_path / "backend.log").read_text().count("refapp listening on") == 2
