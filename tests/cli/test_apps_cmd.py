"""``harness apps``, ``--app`` validation and ``harness coverage --app``; the app profile schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.app.profile import BUNDLED_APPS_DIR, parse_app_profile
from harness.app.schema import SCHEMA_PATH, render
from harness.cli import cli
from harness.paths import ROOT

TINY = """\
name: tiny
capabilities: [lifecycle]
locators: {app_root: {css: body}}
collections:
  items: {list: {css: "#l"}, item: {css: "#l li"}, input: {css: "#i"}, submit: {css: "#s"}}
"""


def _run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, list(args), standalone_mode=False, catch_exceptions=True)
    code = res.return_value if isinstance(res.return_value, int) else (2 if res.exception else 0)
    return code, res.output + (str(res.exception) if res.exception else "")


def test_apps_lists_both_sample_apps() -> None:
    code, out = _run("apps", "--json")
    names = {a["name"] for a in json.loads(out)}
    assert code == 0 and {"refapp", "todo-pouch"} <= names


def test_one_app_shows_what_of_the_suite_applies(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(TINY)
    code, out = _run("apps", str(tmp_path), "--json")
    d = json.loads(out)
    assert code == 0 and d["name"] == "tiny" and d["collections"] == {"items": ["add"]}
    assert d["identity"]["kind"] == "markers" and d["hooks"] == []
    assert d["suite"]["applicable"] and "offline_indicator" in " ".join(d["suite"]["not_applicable"].values())
    assert "R1" in d["suite"]["unjudged"] and "R5" not in d["suite"]["unjudged"]


def test_a_broken_profile_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(TINY.replace("[lifecycle]", "[lifecycle, teleport]"))
    code, out = _run("apps", str(tmp_path))
    assert code != 0 and "app.yaml:2" in out and "teleport" in out


@pytest.mark.parametrize("command", [["run"], ["fuzz"], ["coverage"], ["up"]])
def test_an_unknown_app_is_an_input_error_before_anything_starts(command: list[str]) -> None:
    code, out = _run(*command, "--app", "no-such-app")
    assert code != 0 and "no-such-app" in out and "harness apps" in out


def test_coverage_for_an_app_lists_what_no_applicable_scenario_judges(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(TINY)
    code, out = _run("coverage", "--app", str(tmp_path))
    assert code == 1 and "unjudged for app tiny" in out and "R1" in out.split("unjudged for app tiny")[1]


def test_the_reference_app_has_every_requirement_judged_including_r19() -> None:
    code, out = _run("coverage")
    assert code == 0 and "all 27 requirements judged" in out


def test_published_app_profile_schema_is_current_and_validates_both_apps() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    assert SCHEMA_PATH.read_text() == render(), "run: python -m harness.app.schema"
    schema = json.loads(SCHEMA_PATH.read_text())
    from ruamel.yaml import YAML

    for path in (BUNDLED_APPS_DIR / "refapp" / "app.yaml", ROOT / "examples" / "apps" / "todo-pouch" / "app.yaml"):
        doc = YAML(typ="safe").load(path.read_text())
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
        assert not errors, (path, errors[:3])
        parse_app_profile(path.read_text(), file=path)
