"""The ``harness`` command: one click group, one module per command.

Commands are loaded lazily from ``harness.cli.<module>`` so that ``harness
--help`` is fast and a command's heavy imports (mitmproxy, selenium,
hypothesis) only happen when it runs. Each module defines a click command
named ``command``.

Exit codes for every command: 0 success, 1 a check failed (the app broke a
requirement), 2 bad input or a lab that cannot start.
"""

from __future__ import annotations

import importlib
import sys

import click

from harness.errors import CheckFailed, LabError, UserError

#: command name -> (module, one-line help shown by ``harness --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "doctor": ("doctor", "Check every external part (toxiproxy, mitmproxy, appium, chromium...) and how to fix it."),
    "up": ("lab_cmd", "Start the lab and print the proxy address, CA path, control URL and run folder."),
    "net": ("net_cmd", "Change network conditions in the running lab (offline, online, flap, outage, profile, http...)."),
    "down": ("lab_cmd", "Stop the running lab cleanly."),
    "devices": ("devices_cmd", "List device profiles and whether each can run on this machine."),
    "apps": ("apps_cmd", "List the apps under test the harness knows, what each can do, and what of a suite applies."),
    "run": ("run_cmd", "Run scenario suites on a device and write a report."),
    "report": ("report_cmd", "Re-render a run folder's HTML report."),
    "coverage": ("coverage_cmd", "Print the requirement -> scenarios table; fail if a requirement has none."),
    "suite": ("suite_cmd", "Generate suites from the dimensions: the covering suite (every pair of values, fewest scenarios)."),
    "fuzz": ("fuzz_cmd", "Search for failing action sequences with Hypothesis and export them as scenarios."),
    "farm": ("farm_cmd", "Run suites across a device pool and merge a scenario x device matrix."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name][0]
        return importlib.util.find_spec(f"harness.cli.{module}") is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not self._available(cmd_name):
            return None
        module = importlib.import_module(f"harness.cli.{COMMANDS[cmd_name][0]}")
        cmd = getattr(module, cmd_name.replace("-", "_") + "_command", None) or getattr(module, "command")
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="offline-harness", prog_name="harness")
def cli() -> None:
    """offline-harness: break the network under an offline-first app and prove it kept its promises."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps the error tree onto exit codes (2 input/lab, 1 check)."""
    try:
        rv = cli.main(args=argv, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(2 if e.exit_code in (1, 2) else e.exit_code)
    except (UserError, LabError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    except CheckFailed as e:
        click.echo(f"check failed: {e}", err=True)
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)
