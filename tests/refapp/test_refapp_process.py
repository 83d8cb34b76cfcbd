"""The real `python -m refapp` process: startup line, HTTP, admin, shutdown, CLI errors."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from refapp.__main__ import _bind

READY = re.compile(r"^refapp listening on (http://127\.0\.0\.1:(\d+)/)$")


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "refapp", "--port", "0", "--db", str(tmp_path / "crm.db"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().rstrip("\n")  # blocks until the server announces itself (or dies)
    match = READY.match(line)
    if match is None:
        proc.kill()
        pytest.fail(f"no ready line, got {line!r}; stderr: {proc.stderr.read() if proc.stderr else ''}")
    return proc, match.group(1)


def _stop(proc: subprocess.Popen[str]) -> bool:
    """SIGTERM; True if it shut down in time (uvicorn re-raises the signal after a graceful shutdown)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=10) in (0, -signal.SIGTERM)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    proc, url = _start(tmp_path, "--admin", "--token-ttl-s", "30")
    try:
        yield url
    finally:
        assert _stop(proc)


pytestmark = pytest.mark.processes


def test_real_process_serves_the_api_and_admin(server: str) -> None:
    with httpx.Client(base_url=server, trust_env=False, timeout=10) as c:
        assert c.get("/api/health").json()["ok"] is True
        assert c.post("/_admin/seed", json={"seed": 3, "contacts": 10, "conversations": 2}).json()["contacts"] == 10
        tokens = c.post("/api/auth/login", json={"username": "demo", "password": "demo"}).json()
        assert tokens["expires_in"] == 30
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert c.get("/api/contacts", headers=auth).json()["total"] == 10
        key = str(uuid.uuid4())

        def post(_: int) -> httpx.Response:
            with httpx.Client(base_url=server, trust_env=False, timeout=10) as own:
                return own.post("/api/contacts/2/notes", json={"text": "hx00000race"},
                                headers={**auth, "Idempotency-Key": key})

        with ThreadPoolExecutor(max_workers=6) as pool:
            responses = list(pool.map(post, range(6)))
        assert {r.status_code for r in responses} == {201} and len({r.content for r in responses}) == 1
        assert [m["key"] for m in c.get("/_admin/mutations").json()["items"]] == [key]
        assert c.get("/openapi.json").json()["openapi"].startswith("3.")


def test_data_survives_a_restart(tmp_path: Path) -> None:
    proc, url = _start(tmp_path, "--admin")
    with httpx.Client(base_url=url, trust_env=False, timeout=10) as c:
        c.post("/_admin/activity", json={"kind": "contact", "name": "Persisted hx000persist"})
    assert _stop(proc)
    proc, url = _start(tmp_path)  # no --admin this time
    try:
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as c:
            tok = c.post("/api/auth/login", json={"username": "demo", "password": "demo"}).json()["access_token"]
            found = c.get("/api/search", params={"q": "hx000persist"}, headers={"Authorization": f"Bearer {tok}"})
            assert [i["type"] for i in found.json()["items"]] == ["contact"]
            assert c.post("/_admin/reset").json()["error"] == "admin_disabled"
    finally:
        assert _stop(proc)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "refapp", *args], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


@pytest.mark.parametrize("args,code,message", [
    (("--port", "0", "--db", "x.db", "--bugs", "outbox-lifo,nope"), 2, "unknown bug name(s) 'nope'; known names: "),
    (("--port", "70000", "--db", "x.db"), 2, "out of range; use 0..65535"),
    (("--port", "http", "--db", "x.db"), 2, "is not a port number"),
    (("--port", "0", "--db", "x.db", "--token-ttl-s", "-1"), 2, "out of range"),
    (("--port", "0"), 2, "--port and --db are required"),
    (("--port", "0", "--db", "/no/such/folder/x.db"), 2, "does not exist"),
])
def test_cli_errors(args: tuple[str, ...], code: int, message: str) -> None:
    result = _run(*args)
    assert result.returncode == code and message in result.stderr and result.stdout == ""


def test_list_bugs_prints_the_catalogue() -> None:
    result = _run("--list-bugs")
    lines = result.stdout.strip().splitlines()
    from refapp.bugs import BUGS

    assert result.returncode == 0 and len(lines) == len(BUGS) >= 20  # the catalogue, one line per bug
    assert lines[0].split()[:3] == ["outbox-lifo", "client", "R5"]


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("--port", str(port), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_a_served_connection_sends_small_writes_at_once() -> None:
    """The hand-bound socket names TCP as its protocol, so asyncio turns Nagle's algorithm off on each connection
    it accepts. Left 0, it did not, and every response after the first on a kept-alive connection (headers and body
    are two writes) waited 40 ms for the client's delayed ACK: 44 ms a request instead of 2 through the lab."""
    sock = _bind("127.0.0.1", 0)

    async def nodelay_of_an_accepted_connection() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.set_result(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=sock)
        _, client = await asyncio.open_connection(*sock.getsockname()[:2])
        try:
            return await asyncio.wait_for(seen, 5)
        finally:
            client.close()
            server.close()

    assert asyncio.run(nodelay_of_an_accepted_connection()) != 0
