"""The default backend: refapp as a child process, its admin API as the second oracle."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from harness.lab import Lab, LabConfig
from harness.net.conditions import DropResponse

pytestmark = [pytest.mark.processes,
              pytest.mark.skipif(importlib.util.find_spec("refapp.__main__") is None, reason="refapp not present")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with Lab(LabConfig(run_dir=tmp_path_factory.mktemp("refapp"))) as lab:  # the default app: the reference app
        yield lab


def test_refapp_lab_and_lost_response_commits(lab: Lab) -> None:
    ep = lab.endpoints
    assert lab.admin is not None and ep.app == "refapp" and lab.hooks is not None and lab.hooks.has("read")
    assert (Path(ep.run_dir) / "backend.log").exists()
    lab.admin.reset()
    lab.admin.seed(seed=1, contacts=3, conversations=1, messages_per_conversation=1, appointments=1,
                   opportunities=1, workflows=1)
    with httpx.Client(proxy=ep.proxy_url, trust_env=False, timeout=10, base_url=ep.backend_url) as c:
        assert c.get("/api/health").json()["ok"] is True
        tok = c.post("/api/auth/login", json={"username": "demo", "password": "demo"}).json()["access_token"]
        auth = {"Authorization": f"Bearer {tok}"}
        cid = c.get("/api/contacts", headers=auth).json()["items"][0]["id"]
        h = lab.net.apply(DropResponse(method="POST", path="/api/contacts/*/notes"))
        key = str(uuid.uuid4())
        with pytest.raises(httpx.RemoteProtocolError):
            c.post(f"/api/contacts/{cid}/notes", json={"text": "lost hx0000000lst"},
                   headers={**auth, "Idempotency-Key": key})
        lab.net.clear(h)
    assert key in [m["key"] for m in lab.admin.mutations()]  # the backend applied it
    e = [e for e in lab.ledger() if e.key == key][0]
    assert e.fault == "drop_response" and e.status == 201 and e.markers == ("hx0000000lst",)
    assert e.req_headers["Authorization"] == "[REDACTED]"
