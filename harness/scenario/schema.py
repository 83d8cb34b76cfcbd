"""The published JSON Schema for scenario files, generated from the models.

Editors (VS Code's YAML extension, JetBrains) use it for completion and
inline errors: add ``# yaml-language-server: $schema=scenario.schema.json``
at the top of a scenario. The schema is derived from the same pydantic
models and step registry the loader uses, so it cannot drift; a test checks
the committed copy is current (``python -m harness.scenario.schema`` rewrites it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from harness.paths import SCENARIOS
from harness.scenario.model import Header
from harness.scenario.steps import STEPS

SCHEMA_PATH = SCENARIOS / "scenario.schema.json"


def _step_schema(name: str) -> dict[str, Any]:
    st = STEPS[name]
    params = st.model.model_json_schema(by_alias=True)
    params.pop("title", None)
    defs = params.pop("$defs", {})
    alternatives: list[dict[str, Any]] = [params, {"type": "null"}]
    if st.primary:
        primary = params.get("properties", {}).get(st.primary)
        if primary:
            alternatives.append({k: v for k, v in primary.items() if k not in ("default", "title")})
    schema: dict[str, Any] = {
        "type": "object",
        "description": st.doc,
        "properties": {name: {"anyOf": alternatives}},
        "required": [name],
        "additionalProperties": False,
    }
    if defs:
        schema["$defs"] = defs
    return schema


def scenario_schema() -> dict[str, Any]:
    """The whole schema: the header models plus one alternative per registered step."""
    schema = Header.model_json_schema(by_alias=True)
    bare = [n for n, st in STEPS.items() if not st.model.model_fields or
            all(not f.is_required() for f in st.model.model_fields.values())]
    steps = [{"type": "string", "enum": sorted(bare), "description": "a step with no parameters"}]
    for name in sorted(STEPS):
        sub = _step_schema(name)
        schema.setdefault("$defs", {}).update(sub.pop("$defs", {}))
        steps.append(sub)
    schema["properties"]["steps"] = {"type": "array", "minItems": 1, "items": {"anyOf": steps}}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "offline-harness scenario"
    return schema


def render() -> str:
    return json.dumps(scenario_schema(), indent=2, sort_keys=True) + "\n"


def write(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(f"wrote {write()}\n")
