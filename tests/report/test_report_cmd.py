"""`harness report DIR` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from harness.cli import cli
from harness.cli.report_cmd import report_command

from .runfolder import make_run


def test_report_command_rerenders(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    result = CliRunner().invoke(report_command, [str(run), "--junit"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(run / "report.html")
    assert (run / "report.html").is_file() and (run / "metrics.json").is_file() and (run / "junit.xml").is_file()


def test_report_through_the_harness_group(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    result = CliRunner().invoke(cli, ["report", str(run)])
    assert result.exit_code == 0, result.output
    assert (run / "report.html").is_file()


def test_not_a_run_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(report_command, [str(tmp_path)])
    assert result.exit_code == 2
    assert "neither run.json nor scenarios/" in result.output


def test_missing_dir_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(report_command, [str(tmp_path / "nope")])
    assert result.exit_code == 2
