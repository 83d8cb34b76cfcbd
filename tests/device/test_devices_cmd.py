"""``harness devices``: lists every profile, says which runs here and why not; bad profiles exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from harness import paths
from harness.cli import main
from harness.cli.devices_cmd import devices_command


def test_lists_profiles_with_reasons() -> None:
    res = CliRunner().invoke(devices_command, ["--json"])
    assert res.exit_code == 0, res.output
    rows = {r["name"]: r for r in json.loads(res.output)}
    assert rows["reference-doze"]["runs_here"] is True
    assert rows["android-stock"]["runs_here"] is False and "adb" in rows["android-stock"]["why"]
    assert rows["ios-bar-on"]["runs_here"] is False and "macOS" in rows["ios-bar-on"]["why"]


def test_policies_listing() -> None:
    res = CliRunner().invoke(devices_command, ["--policies"])
    assert res.exit_code == 0
    assert "xiaomi_killer" in res.output and "none_until_relaunch" in res.output


def test_bad_profile_exits_2_naming_file_line_field(tmp_path: Path, capsys: object) -> None:
    text = (paths.DEVICES / "reference-doze.yaml").read_text() + "colour: red\n"
    (tmp_path / "x.yaml").write_text(text)
    import pytest

    with pytest.raises(SystemExit) as ei:
        main(["devices", "--dir", str(tmp_path)])
    assert ei.value.code == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    line = text.count("\n")
    assert f"x.yaml:{line}: colour" in err and "known fields" in err
