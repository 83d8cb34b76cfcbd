"""Fixtures for refapp's backend tests: an in-process app on a temp SQLite file.

The app runs in-process through Starlette's TestClient (peer 127.0.0.1 so the
admin API answers); tests marked `processes` start the real `python -m refapp`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from starlette.testclient import TestClient  # noqa: E402

from refapp.server import ServerConfig, create_app  # noqa: E402

from refapp_helpers import SMALL, MakeClient, login  # noqa: E402


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    """Build a TestClient for a fresh app; keyword args go to ServerConfig (`peer` sets the client address)."""
    clients: list[TestClient] = []

    def make(peer: str = "127.0.0.1", **options: Any) -> TestClient:
        options.setdefault("admin", True)
        options.setdefault("db_path", str(tmp_path / f"crm{len(clients)}.db"))
        app = create_app(ServerConfig(**options))
        client = TestClient(app, client=(peer, 50000))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """An admin-enabled app seeded with a small data set."""
    c = make_client()
    assert c.post("/_admin/seed", json=SMALL).status_code == 200
    return c


@pytest.fixture
def auth(client: TestClient) -> dict[str, str]:
    """Bearer headers for the demo user."""
    return login(client)

