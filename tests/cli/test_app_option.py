"""``--app`` on every command that runs an app: one default, eager validation, exit 2, no app name in the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.cli import COMMANDS, cli, main
from harness.cli.options import DEFAULT_APP
from harness.paths import ROOT

APP_COMMANDS = ["run", "fuzz", "up", "farm", "coverage"]

TINY = """\
name: tiny
capabilities: [offline_indicator]
locators: {app_root: {css: body}, offline_banner: {css: "#b"}}
collections:
  items: {list: {css: "#l"}, item: {css: "#l li"}, input: {css: "#i"}, submit: {css: "#s"}}
"""


def _command(name: str):  # noqa: ANN202
    return cli.get_command(None, name)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", APP_COMMANDS)
def test_every_app_command_takes_app_with_the_one_default(name: str) -> None:
    (opt,) = [p for p in _command(name).params if p.name == "app"]
    assert opt.default == DEFAULT_APP and "--app" in opt.opts


@pytest.mark.parametrize("argv", [["run"], ["fuzz"], ["coverage"], ["farm", "--pool", "reference-policies"]])
def test_a_missing_app_exits_2_naming_it(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--app", "no-such-app"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "no-such-app" in err and "harness apps" in err


def test_a_broken_profile_exits_2_with_its_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.yaml").write_text(TINY.replace("[offline_indicator]", "[offline_indicator, teleport]"))
    with pytest.raises(SystemExit) as exc:
        main(["run", "--app", str(tmp_path)])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and f"{tmp_path / 'app.yaml'}:2:" in err and "teleport" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("scale, says", [("0.5", "names no time_parameters"), ("0.01", "a factor from 0.05 to 10")])
def test_a_time_scale_the_app_cannot_take_exits_2_before_anything_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], scale: str, says: str) -> None:
    (tmp_path / "app.yaml").write_text(TINY)  # no time_parameters: its clock cannot be run faster
    with pytest.raises(SystemExit) as exc:
        main(["fuzz", "--app", str(tmp_path), "--time-scale", scale])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and f"--time-scale: {scale}" in err and says in err and "Traceback" not in err


def test_a_broken_app_among_known_ones_is_listed_as_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "app.yaml").write_text(TINY.replace("name: tiny", "name: broken").replace(
        "offline_banner: {css: \"#b\"}", "offline_banner: {css: \"#b[\"}"))
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "app.yaml").write_text(TINY)
    monkeypatch.setenv("HARNESS_APPS_PATH", str(tmp_path))
    res = CliRunner().invoke(cli, ["apps", "--json"], standalone_mode=False)
    assert res.exception is None, res.output
    by_name = {a["name"]: a for a in json.loads(res.output)}
    assert DEFAULT_APP in by_name and by_name["tiny"]["capabilities"] == ["offline_indicator", "records"]
    assert re.search(r"broken/app\.yaml:\d+:", by_name["broken"]["broken"])
    text = CliRunner().invoke(cli, ["apps"], standalone_mode=False).output
    assert "BROKEN: " in text and "Traceback" not in text


def test_coverage_for_an_app_without_a_banner_lists_the_banner_requirements_unjudged(tmp_path: Path) -> None:
    no_banner = TINY.replace("[offline_indicator]", "[lifecycle]").replace(', offline_banner: {css: "#b"}', "")
    (tmp_path / "app.yaml").write_text(no_banner)
    res = CliRunner().invoke(cli, ["coverage", "--app", str(tmp_path)], standalone_mode=False)
    assert res.return_value == 1
    unjudged = res.output.split("unjudged for app tiny:")[1].split()
    assert {"R1", "R2"} <= {u.strip(",") for u in unjudged}


def test_no_app_name_is_written_into_the_cli_but_the_default() -> None:
    files = sorted((ROOT / "harness" / "cli").glob("*.py")) + [ROOT / "harness" / "pytest_plugin.py"]
    hits = [f"{f.name}:{i}" for f in files for i, line in enumerate(f.read_text().splitlines(), 1)
            if "refapp" in line and not line.startswith("DEFAULT_APP =")]
    assert hits == []


def test_apps_is_a_registered_command() -> None:
    assert COMMANDS["apps"][0] == "apps_cmd" and _command("apps") is not None
