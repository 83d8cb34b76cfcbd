"""The published JSON Schema for app profiles, generated from the profile model.

Editors use it for completion and inline errors: put
``# yaml-language-server: $schema=<path>/harness/app/app-profile.schema.json``
at the top of an app.yaml. Derived from the same pydantic model the harness
validates with, so it cannot drift; a test checks the committed copy is
current (``python -m harness.app.schema`` rewrites it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from harness.app.capabilities import CAPABILITIES
from harness.app.profile import AppProfile

SCHEMA_PATH = Path(__file__).resolve().parent / "app-profile.schema.json"


def app_profile_schema() -> dict[str, Any]:
    """The schema of an app.yaml (the ``source`` field is the harness's, not the file's)."""
    schema = AppProfile.model_json_schema(by_alias=True)
    schema["properties"].pop("source", None)
    caps = schema["properties"]["capabilities"]
    caps["items"] = {"type": "string", "description": "a capability: the harness's own ("
                     + ", ".join(sorted(n for n, c in CAPABILITIES.items() if c.plugin is None))
                     + ") or one an app plugin registers"}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "offline-harness app profile"
    return schema


def render() -> str:
    return json.dumps(app_profile_schema(), indent=2, sort_keys=True) + "\n"


def write(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(f"wrote {write()}\n")
