"""Backend hooks: how the harness resets, seeds, configures and reads back an app's server, if at all.

An app profile's ``hooks`` (harness.app.profile.Hooks) says, per hook, one of:

- HTTP calls (one or a list) made directly to the backend URL, never
  through the lab's chain: ``{method: DELETE, path: /db/todos, ok: [200, 404]}``;
- a shell command run in the profile's folder: ``{shell: [./reset.sh, "{backend_url}"]}``;
- a plugin function: ``{python: reset}`` calls the method ``reset`` of the
  object the app plugin's ``hooks(profile, backend_url)`` returns, with the
  hook's values as keyword arguments (none for reset and read; the seed
  spec's fields for seed; ``bugs``, ``token_ttl_s`` for configure; ``text``
  for server_change). Without such a method, a module-level function of
  the plugin with that name is called as ``function(hooks_object, **values)``
  (``hooks_object`` is None when the plugin has no ``hooks``); ``name`` for save and restore; with
  ``module:function``, that function, the same way.

Placeholders in paths, bodies and shell arguments: ``{backend_url}``,
``{seed}``, ``{items}``, ``{text}``, ``{now_ms}``, ``{name}`` (save, restore). A hook the profile does
not give is a no-op (reset, seed, configure) or None (read); the checks
then say which oracle was unavailable. ``read`` returns
``{"collections": {name: [{"id", "text", "deleted"}]}}`` (the profile's JSON
paths applied to the answer), merged with whatever a python hook returns.

Usage::

    hooks = BackendHooks(profile, "http://127.0.0.1:5984", run_dir=Path("reports/r1/lab"))
    hooks.reset(); hooks.seed({"seed": 1, "items": 3}); state = hooks.read()
"""

from __future__ import annotations

import importlib
import json
import subprocess
import time
from pathlib import Path
from typing import Any, Mapping

import httpx

from harness.errors import LabError
from harness.net.jsonpath import values_at

HOOK_NAMES = ("reset", "seed", "read", "configure", "server_change", "save", "restore")


class BackendHooks:
    """The app profile's backend hooks bound to a running backend (see the module docstring)."""

    def __init__(self, profile: Any, backend_url: str, *, run_dir: Path | None = None) -> None:
        from harness.app.plugins import plugin_function

        self.profile = profile
        self.backend_url = backend_url.rstrip("/")
        self.run_dir = run_dir
        self.spec = getattr(profile, "hooks", None)
        factory = plugin_function(profile, "hooks") if getattr(profile, "plugin", None) else None
        #: the app plugin's own backend client (e.g. an admin API), for its own steps
        self.plugin: Any = factory(profile, self.backend_url) if factory is not None else None

    def has(self, name: str) -> bool:
        if self.spec is None:
            return False
        value = getattr(self.spec, name, None)
        return bool(value)

    # -- the hooks --------------------------------------------------------------------------

    def reset(self) -> None:
        self._run("reset", {})

    def seed(self, spec: Mapping[str, Any]) -> None:
        self._run("seed", dict(spec))

    def configure(self, *, bugs: Any = (), token_ttl_s: float | None = None) -> None:
        self._run("configure", {"bugs": list(bugs), "token_ttl_s": token_ttl_s})

    def save(self, name: str) -> None:
        """Copy the whole server state under ``name`` (the ``save`` hook)."""
        self._run("save", {"name": name})

    def restore(self, name: str) -> None:
        """Put the server state saved as ``name`` back exactly (the ``restore`` hook)."""
        self._run("restore", {"name": name})

    def read(self) -> dict[str, Any] | None:
        """The server's state, or None without a read hook."""
        spec = getattr(self.spec, "read", None)
        if spec is None:
            return None
        if spec.python:
            raw: Any = self._python("read", spec.python, {})
        else:
            raw = self._http("read", spec.request, {})
        out: dict[str, Any] = dict(raw) if isinstance(raw, Mapping) and spec.python else {}
        cols: dict[str, list[dict[str, Any]]] = {}
        for name, where in spec.collections.items():
            rows = []
            for rec in values_at(raw, where.items):
                if not isinstance(rec, Mapping):
                    continue
                text = values_at(rec, where.text)
                ident = values_at(rec, where.id)
                deleted = values_at(rec, where.deleted) if where.deleted else []
                rows.append({"id": ident[0] if ident else None, "text": str(text[0]) if text else "",
                             "deleted": bool(deleted and deleted[0]), "raw": dict(rec)})
            cols[name] = rows
        if cols:
            out["collections"] = cols
        return out

    def server_change(self, collection: str, text: str) -> dict[str, Any]:
        """Make one change on the server in ``collection`` (an item whose text is ``text``)."""
        hook = (getattr(self.spec, "server_change", None) or {}).get(collection)
        if hook is None:
            raise LabError(f"app {self.profile.name}: no server_change hook for collection {collection!r}")
        res = self._one("server_change", hook, {"text": text})
        if isinstance(res, Mapping):
            return {"id": res.get("id") or res.get("_id"), "rev": res.get("rev") or res.get("_rev")}
        return {}

    def close(self) -> None:
        close = getattr(self.plugin, "close", None)
        if callable(close):
            close()

    # -- hook kinds -------------------------------------------------------------------------

    def _run(self, name: str, values: dict[str, Any]) -> Any:
        hook = getattr(self.spec, name, None) if self.spec is not None else None
        if not hook:
            return None
        return self._one(name, hook, values)

    def _one(self, name: str, hook: Any, values: dict[str, Any]) -> Any:
        if isinstance(hook, list):
            out = None
            for call in hook:
                out = self._http(name, call, values)
            return out
        kind = type(hook).__name__
        if kind == "HttpCall":
            return self._http(name, hook, values)
        if kind == "ShellHook":
            return self._shell(name, hook, values)
        if kind == "PythonHook":
            return self._python(name, hook.python, values)
        raise LabError(f"hook {name}: unknown kind {kind}")

    def _fill(self, value: Any, values: Mapping[str, Any]) -> Any:
        """Placeholders substituted in strings, recursively; other values as they are."""
        subst = {"backend_url": self.backend_url, "now_ms": str(int(time.time() * 1000)), "seed": "", "items": "",
                 "text": ""}
        subst.update({k: "" if v is None else str(v) for k, v in values.items() if not isinstance(v, (list, dict))})
        if isinstance(value, str):
            out = value
            for k, v in subst.items():
                out = out.replace("{" + k + "}", v)
            return out
        if isinstance(value, list):
            return [self._fill(v, values) for v in value]
        if isinstance(value, dict):
            return {k: self._fill(v, values) for k, v in value.items()}
        return value

    def _http(self, name: str, call: Any, values: Mapping[str, Any]) -> Any:
        path = self._fill(call.path, values)
        body = self._fill(call.body, values) if call.body is not None else None
        try:
            with httpx.Client(base_url=self.backend_url, trust_env=False, timeout=30) as c:
                r = c.request(call.method, path, json=body, headers=dict(call.headers))
        except httpx.HTTPError as e:
            raise LabError(f"app {self.profile.name}: hook {name} {call.method} {path} failed: {e}") from e
        ok = r.status_code in call.ok if call.ok else 200 <= r.status_code < 300
        if not ok:
            raise LabError(f"app {self.profile.name}: hook {name} {call.method} {path} answered {r.status_code}: "
                           f"{r.text[:300]}")
        try:
            return r.json() if r.content else None
        except ValueError:
            return r.text

    def _shell(self, name: str, hook: Any, values: Mapping[str, Any]) -> Any:
        argv = [self._fill(a, values) for a in hook.shell]
        try:
            done = subprocess.run(argv, cwd=str(self.profile.folder), capture_output=True, text=True,
                                  timeout=hook.timeout_s)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise LabError(f"app {self.profile.name}: hook {name} {argv[0]} could not run: {e}") from e
        if done.returncode != 0:
            raise LabError(f"app {self.profile.name}: hook {name} {' '.join(argv)} exited {done.returncode}: "
                           f"{done.stderr[-500:]}")
        try:
            return json.loads(done.stdout) if done.stdout.strip() else None
        except ValueError:
            return done.stdout

    def _python(self, name: str, target: str, values: Mapping[str, Any]) -> Any:
        """``function``: the hooks object's method ``function(**values)``, else the plugin module's
        ``function(hooks_object, **values)``; ``module:function``: that function, ``(hooks_object, **values)``."""
        from harness.app.plugins import plugin_function

        if ":" in target:
            mod, fn_name = target.split(":", 1)
            try:
                fn = getattr(importlib.import_module(mod), fn_name)
            except (ImportError, AttributeError) as e:
                raise LabError(f"app {self.profile.name}: hook {name} names {target!r}, which cannot be imported "
                               f"({type(e).__name__}: {e}); fix the module path in its profile") from e
            return self._call(name, target, fn, values, pass_plugin=True)
        method = getattr(self.plugin, target, None) if self.plugin is not None else None
        if callable(method):
            return self._call(name, target, method, values, pass_plugin=False)
        fn = plugin_function(self.profile, target) if getattr(self.profile, "plugin", None) else None
        if callable(fn):
            return self._call(name, target, fn, values, pass_plugin=True)
        raise LabError(f"app {self.profile.name}: hook {name} names {target!r}, which neither its plugin's hooks "
                       "object nor its plugin module defines; add it, or give module:function")

    def _call(self, name: str, target: str, fn: Any, values: Mapping[str, Any], *, pass_plugin: bool) -> Any:
        try:
            return fn(self.plugin, **values) if pass_plugin else fn(**values)
        except LabError:
            raise
        except Exception as e:
            raise LabError(f"app {self.profile.name}: hook {name} ({target}) raised {type(e).__name__}: {e}") from e


__all__ = ["BackendHooks", "HOOK_NAMES"]
