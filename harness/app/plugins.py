"""App plugins: a Python module an app ships for what the generic steps cannot express.

A profile's ``plugin:`` names a module (``mypkg.harness_plugin``) or a
``.py`` file beside the profile. Importing it registers, through the
harness's registries, whatever the app adds: capabilities
(:func:`harness.app.capabilities.register_capability`), step models and
their handlers (:func:`harness.scenario.steps.step`,
:func:`harness.scenario.handlers.handler`), page objects. The module may
also define these optional functions, which the harness calls by name:

- ``hooks(profile, backend_url) -> object`` with ``reset()``, ``seed(**spec)``,
  ``read() -> dict``, ``configure(bugs=..., token_ttl_s=...)``, ... (backend hooks
  in Python, for a backend with its own admin API);
- ``check_context(profile, scenario, ctx) -> CheckContext`` (app-specific readings for the checks);
- ``snapshot(executor) -> dict`` (extra final screen state: what the app shows for its own records).

Apps installed as packages can also announce their profile folder through the
``offline_harness.apps`` entry point group (see ``harness apps``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from harness.errors import SpecError

_LOADED: dict[str, ModuleType] = {}


def load_plugin(profile: Any) -> ModuleType | None:
    """Import the profile's plugin once (by module path or file beside the profile); SpecError if it fails."""
    spec = getattr(profile, "plugin", None)
    if not spec:
        return None
    if spec in _LOADED:
        return _LOADED[spec]
    try:
        if spec.endswith(".py"):
            path = (profile.folder / spec).resolve()
            if not path.is_file():
                raise SpecError("plugin", spec, "a .py file beside the profile", fix=f"{path} does not exist")
            name = f"harness_app_plugin_{profile.name.replace('-', '_').replace('.', '_')}"
            mspec = importlib.util.spec_from_file_location(name, path)
            assert mspec is not None and mspec.loader is not None
            module = importlib.util.module_from_spec(mspec)
            sys.modules[name] = module
            mspec.loader.exec_module(module)
        else:
            module = importlib.import_module(spec)
    except SpecError:
        raise
    except Exception as e:
        raise SpecError("plugin", spec, f"an importable module ({type(e).__name__}: {e})",
                        fix="check the module path, or give a .py file beside the profile") from None
    _LOADED[spec] = module
    return module


def plugin_function(profile: Any, name: str) -> Any:
    """The plugin's function ``name``, or None."""
    module = load_plugin(profile)
    return getattr(module, name, None) if module is not None else None


_VOCABULARIES_LOADED = False


def load_vocabularies() -> None:
    """Import the plugins of every app the harness knows (once), so the capabilities and steps they register
    are described by name whatever app runs (a "not applicable" reason reads as a sentence)."""
    global _VOCABULARIES_LOADED
    if _VOCABULARIES_LOADED:
        return
    _VOCABULARIES_LOADED = True
    from harness.app.profile import known_apps, parse_app_profile
    from harness.inputs import read_text

    for path in known_apps().values():
        try:
            parse_app_profile(read_text(path, what="app profile"), file=path)
        except SpecError:
            continue  # a broken profile is reported when it is used, not here


__all__ = ["load_plugin", "load_vocabularies", "plugin_function"]
