"""Backend hooks (harness.lab.hooks) of each kind, and a lab whose backend starts from an app profile.

The HTTP hooks talk to a small in-process CouchDB-like server (the shape of
examples/apps/todo-pouch: DELETE/PUT /db/todos, POST a document, GET
_all_docs?include_docs=true with the records at rows[].doc); shell hooks run
``python -c``; python hooks live in a plugin file beside a temporary profile.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from harness.app.profile import parse_app_profile
from harness.errors import LabError, SpecError
from harness.lab import Lab, LabConfig
from harness.lab.hooks import BackendHooks


class Couch(BaseHTTPRequestHandler):
    """One database, ``todos``: enough of CouchDB's API for the hooks. ``calls`` records every request."""

    protocol_version = "HTTP/1.1"
    db: dict[str, dict[str, Any]] | None = None
    calls: list[tuple[str, str, Any]] = []

    def log_message(self, *a: object) -> None:
        pass

    def _send(self, status: int, doc: Any) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n)) if n else None
        cls = type(self)
        cls.calls.append((self.command, self.path, body))
        path = self.path.split("?")[0]
        if path == "/boom":
            return self._send(500, {"error": "internal", "reason": "the disk is on fire"})
        if path != "/db/todos" and not path.startswith("/db/todos/"):
            return self._send(404, {"error": "not_found"})
        if self.command == "DELETE" and path == "/db/todos":
            if cls.db is None:
                return self._send(404, {"error": "not_found"})
            cls.db = None
            return self._send(200, {"ok": True})
        if self.command == "PUT" and path == "/db/todos":
            if cls.db is not None:
                return self._send(412, {"error": "file_exists"})
            cls.db = {}
            return self._send(201, {"ok": True})
        if cls.db is None:
            return self._send(404, {"error": "not_found", "reason": "Database does not exist."})
        if self.command == "POST" and path == "/db/todos":
            doc = dict(body or {})
            doc.setdefault("_id", f"id{len(cls.db) + 1}")
            doc["_rev"] = "1-a"
            cls.db[doc["_id"]] = doc
            return self._send(201, {"ok": True, "id": doc["_id"], "rev": doc["_rev"]})
        if self.command == "GET" and path == "/db/todos/_all_docs":
            rows = [{"id": k, "key": k, "value": {"rev": d["_rev"]}, "doc": d} for k, d in sorted(cls.db.items())]
            return self._send(200, {"total_rows": len(rows), "offset": 0, "rows": rows})
        return self._send(405, {"error": "method_not_allowed"})

    do_GET = do_POST = do_PUT = do_DELETE = _handle


@pytest.fixture
def couch() -> Iterator[str]:
    Couch.db, Couch.calls = {}, []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Couch)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()


def profile(tmp_path: Path, yaml_text: str, *, plugin: str | None = None) -> Any:
    """A profile in its own folder (hooks and plugins run there); the plugin file gets a unique name."""
    if plugin is not None:
        name = f"hooks_plugin_{uuid.uuid4().hex[:8]}.py"
        (tmp_path / name).write_text(plugin, encoding="utf-8")
        yaml_text = f"plugin: {name}\n" + yaml_text
    f = tmp_path / "app.yaml"
    f.write_text("name: testapp\n" + yaml_text, encoding="utf-8")
    return parse_app_profile(f.read_text(encoding="utf-8"), file=f)


COUCH_HOOKS = """
hooks:
  reset:
    - {method: DELETE, path: /db/todos, ok: [200, 404]}
    - {method: PUT, path: /db/todos}
  read:
    request: {method: GET, path: "/db/todos/_all_docs?include_docs=true"}
    collections: {todos: {items: "rows[].doc", text: title, id: _id, deleted: _deleted}}
  server_change:
    todos: {method: POST, path: /db/todos, body: {title: "{text}", created_at: "{now_ms}", meta: ["{backend_url}"]}}
"""


def test_http_hooks_on_a_couchdb_shaped_backend(tmp_path: Path, couch: str) -> None:
    hooks = BackendHooks(profile(tmp_path, COUCH_HOOKS), couch, run_dir=tmp_path)
    assert [hooks.has(n) for n in ("reset", "seed", "read", "server_change", "configure")] == [
        True, False, True, True, False]
    assert hooks.plugin is None
    Couch.db = None  # a fresh server without the database: DELETE's 404 is in its ok list
    hooks.reset()
    assert [c[:2] for c in Couch.calls] == [("DELETE", "/db/todos"), ("PUT", "/db/todos")]
    assert hooks.read() == {"collections": {"todos": []}}
    made = hooks.server_change("todos", "Server item hx0000000001")
    assert made == {"id": "id1", "rev": "1-a"}
    body = Couch.calls[-1][2]
    assert body["title"] == "Server item hx0000000001" and body["meta"] == [couch]  # substituted recursively
    assert body["created_at"].isdigit() and int(body["created_at"]) > 1_600_000_000_000
    Couch.db["gone"] = {"_id": "gone", "_rev": "2-b", "title": "old", "_deleted": True}  # type: ignore[index]
    state = hooks.read()
    assert state is not None
    rows = state["collections"]["todos"]
    assert [(r["id"], r["text"], r["deleted"]) for r in rows] == [
        ("gone", "old", True), ("id1", "Server item hx0000000001", False)]
    assert rows[1]["raw"]["_rev"] == "1-a"
    hooks.seed({"seed": 1, "items": 3})  # no seed hook: a no-op
    hooks.configure(bugs=(), token_ttl_s=None)  # no configure hook: a no-op
    hooks.reset()
    assert hooks.read() == {"collections": {"todos": []}}


def test_http_hook_failure_names_hook_call_status_and_body(tmp_path: Path, couch: str) -> None:
    hooks = BackendHooks(profile(tmp_path, "hooks:\n  reset: {method: POST, path: /boom}\n"), couch)
    with pytest.raises(LabError) as ei:
        hooks.reset()
    msg = str(ei.value)
    assert "reset" in msg and "POST /boom" in msg and "500" in msg and "the disk is on fire" in msg
    Couch.db = None
    hooks = BackendHooks(profile(tmp_path, "hooks:\n  reset: [{method: DELETE, path: /db/todos}]\n"), couch)
    with pytest.raises(LabError, match="404"):  # without ok:, only 2xx counts
        hooks.reset()


def test_missing_hooks(tmp_path: Path, couch: str) -> None:
    hooks = BackendHooks(profile(tmp_path, ""), couch)
    assert not any(hooks.has(n) for n in ("reset", "seed", "read", "server_change", "configure"))
    hooks.reset()
    hooks.seed({"seed": 1})
    hooks.configure(bugs=["x"], token_ttl_s=5)
    assert hooks.read() is None
    with pytest.raises(LabError, match="no server_change hook for collection 'todos'"):
        hooks.server_change("todos", "t")
    assert Couch.calls == []


def test_unreachable_backend_is_a_lab_error(tmp_path: Path) -> None:
    from harness.lab.ports import free_port

    hooks = BackendHooks(profile(tmp_path, COUCH_HOOKS), f"http://127.0.0.1:{free_port()}")
    with pytest.raises(LabError, match="hook reset DELETE /db/todos"):
        hooks.reset()


SHELL_HOOKS = f"""
hooks:
  reset: {{shell: ["{sys.executable}", -c, "import pathlib; pathlib.Path('reset.done').write_text('{{backend_url}}')"]}}
  seed: {{shell: ["{sys.executable}", -c, "import pathlib; pathlib.Path('seed.args').write_text('{{seed}} {{items}}')"]}}
  save: {{shell: ["{sys.executable}", -c, "import pathlib; pathlib.Path('saved.name').write_text('{{name}}')"]}}
  restore: {{shell: ["{sys.executable}", -c, "import pathlib; pathlib.Path('restored.name').write_text('{{name}}')"]}}
  read:
    request: {{method: GET, path: "/db/todos/_all_docs?include_docs=true"}}
    collections: {{todos: {{items: "rows[].doc", text: title, id: _id}}}}
  server_change:
    todos: {{shell: ["{sys.executable}", -c, "import json; print(json.dumps({{'id': 's1', 'rev': '{{text}}'}}))"]}}
    notes: {{shell: ["{sys.executable}", -c, "import sys; sys.stderr.write('no such collection here'); sys.exit(3)"]}}
    slow: {{shell: ["{sys.executable}", -c, "import time; time.sleep(5)"], timeout_s: 0.5}}
"""


def test_shell_hooks_run_in_the_profile_folder_with_placeholders(tmp_path: Path, couch: str) -> None:
    hooks = BackendHooks(profile(tmp_path, SHELL_HOOKS), couch)
    hooks.reset()
    assert (tmp_path / "reset.done").read_text() == couch
    hooks.seed({"seed": 7, "items": 3})
    assert (tmp_path / "seed.args").read_text() == "7 3"
    hooks.save("setup-1")
    hooks.restore("setup-1")
    assert (tmp_path / "saved.name").read_text() == (tmp_path / "restored.name").read_text() == "setup-1"
    assert hooks.server_change("todos", "hello") == {"id": "s1", "rev": "hello"}
    with pytest.raises(LabError) as ei:
        hooks.server_change("notes", "x")
    assert "exited 3" in str(ei.value) and "no such collection here" in str(ei.value)
    with pytest.raises(LabError, match="server_change"):
        hooks.server_change("slow", "x")


PLUGIN = '''
CALLS = []


class Backend:
    def __init__(self, url):
        self.url = url
        self.closed = False

    def reset(self):
        CALLS.append(("reset",))

    def seed(self, seed=0, **counts):
        CALLS.append(("seed", seed, counts))

    def configure(self, bugs=(), token_ttl_s=None):
        CALLS.append(("configure", list(bugs), token_ttl_s))

    def read(self):
        return {"tables": {"things": 1}, "store": {"items": [{"key": "a", "body": "one"}]}}

    def close(self):
        self.closed = True


def hooks(profile, backend_url):
    return Backend(backend_url)


def make_change(backend, text):
    CALLS.append(("change", backend.url, text))
    return {"id": "p1"}


def broken(backend, **values):
    raise RuntimeError("the plugin fell over")
'''

PYTHON_HOOKS = """
hooks:
  reset: {python: reset}
  seed: {python: seed}
  configure: {python: configure}
  read:
    python: read
    collections: {things: {items: "store.items[]", text: body, id: key}}
  server_change:
    things: {python: make_change}
    missing: {python: nowhere}
    broken: {python: broken}
    other: {python: "json:dumps"}
"""


def test_python_hooks_call_the_plugin_hooks_object(tmp_path: Path) -> None:
    prof = profile(tmp_path, PYTHON_HOOKS, plugin=PLUGIN)
    hooks = BackendHooks(prof, "http://127.0.0.1:9/")
    from harness.app.plugins import load_plugin

    calls = load_plugin(prof).CALLS  # type: ignore[union-attr]
    assert hooks.plugin is not None and hooks.plugin.url == "http://127.0.0.1:9"
    hooks.reset()
    hooks.seed({"seed": 3, "items": 2})
    hooks.configure(bugs=("lifo",), token_ttl_s=60)
    assert calls == [("reset",), ("seed", 3, {"items": 2}), ("configure", ["lifo"], 60)]
    state = hooks.read()
    assert state is not None and state["tables"] == {"things": 1}  # the plugin's answer, merged in
    assert state["collections"]["things"] == [{"id": "a", "text": "one", "deleted": False,
                                               "raw": {"key": "a", "body": "one"}}]
    # a plugin module function (no such method on the hooks object): called with the hooks object first
    assert hooks.server_change("things", "t1") == {"id": "p1", "rev": None}
    assert calls[-1] == ("change", "http://127.0.0.1:9", "t1")
    with pytest.raises(LabError, match="'nowhere'"):
        hooks.server_change("missing", "t")
    with pytest.raises(LabError, match="RuntimeError: the plugin fell over"):
        hooks.server_change("broken", "t")
    with pytest.raises(LabError, match="json:dumps"):  # module:function, called (hooks_object, text=...)
        hooks.server_change("other", "t")
    hooks.close()
    assert hooks.plugin.closed


def test_python_hook_without_a_plugin_is_a_lab_error(tmp_path: Path) -> None:
    hooks = BackendHooks(profile(tmp_path, "hooks:\n  reset: {python: reset}\n"), "http://127.0.0.1:9")
    assert hooks.plugin is None
    with pytest.raises(LabError, match="'reset'"):
        hooks.reset()


# -- a lab whose backend starts from the profile ------------------------------------------------------------

SERVER = ("import os, sys, http.server as h; "
          "open(os.path.join(sys.argv[1], 'started'), 'w').write(os.environ.get('FAKE_GREETING', '')); "
          "s = h.ThreadingHTTPServer(('127.0.0.1', 0), h.SimpleHTTPRequestHandler); "
          "print('fake backend listening on http://127.0.0.1:%d' % s.server_port, flush=True); "
          "s.serve_forever()")

STARTED = f"""
identity: {{json_path: "docs[]._id", revision_path: "docs[]._rev"}}
backend:
  start:
    command: ["{{python}}", -u, -c, "{SERVER}", "{{run_dir}}", "{{app_dir}}"]
    ready: "fake backend listening on (http://[^\\\\s/]+)"
    env: {{FAKE_GREETING: hello}}
  app_path: /index.html
"""


@pytest.mark.processes
def test_lab_starts_the_backend_from_the_profile(tmp_path: Path) -> None:
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "index.html").write_text("<p>the app's page</p>", encoding="utf-8")
    prof = profile(app_dir, STARTED)
    run_dir = tmp_path / "run"
    with Lab(LabConfig(run_dir=run_dir, app=prof)) as lab:
        ep = lab.endpoints
        assert ep.app == "testapp" and ep.app_url == ep.backend_url + "/index.html"
        assert (run_dir / "started").read_text() == "hello"  # {run_dir} and the profile's env
        assert lab.hooks is not None and lab.admin is None  # no plugin: no app-specific client
        with httpx.Client(proxy=ep.proxy_url, trust_env=False, timeout=10) as c:
            r = c.get(ep.app_url)  # served from the profile's folder (cwd = app_dir), through the chain
            assert r.status_code == 200 and "the app's page" in r.text
            c.post(ep.backend_url + "/db/_bulk_docs", json={"docs": [{"_id": "a", "_rev": "1-x"},
                                                                       {"_id": "b", "_rev": "1-y"}]})
        entries = lab.ledger()
        assert [e.path for e in entries][:2] == ["/index.html", "/db/_bulk_docs"]
        assert entries[0].key is None
        assert entries[1].key == "a@1-x,b@1-y"  # the profile's identity reached the addon
        pid = ep.pids["backend (testapp)"]
    import psutil

    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


def test_a_profile_without_a_backend_needs_a_url(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as ei:
        LabConfig(run_dir=tmp_path, app=profile(tmp_path, ""))
    assert ei.value.field == "backend" and "--backend URL" in str(ei.value) and "backend.start" in str(ei.value)
    assert LabConfig(run_dir=tmp_path, app=profile(tmp_path, ""), backend="http://127.0.0.1:1").backend


def test_bugs_need_a_configure_hook(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as ei:
        LabConfig(run_dir=tmp_path, app=profile(tmp_path, STARTED), bugs=("outbox-lifo",))
    assert ei.value.field == "bugs" and "configure hook" in str(ei.value)
