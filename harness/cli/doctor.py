"""``harness doctor``: one line per external part; exit 0 only when the embedded lab can run."""

from __future__ import annotations

import click

from harness.doctor import diagnose, lab_can_run


@click.command("doctor")
def doctor_command() -> int:
    """Check every external part (toxiproxy, mitmproxy, appium, chromium...) and how to fix it."""
    findings = diagnose()
    for f in findings:
        click.echo(f.line())
    if lab_can_run(findings):
        click.echo("\nThe embedded lab can run.")
        return 0
    click.echo("\nThe embedded lab cannot run: fix the FAIL lines above.", err=True)
    return 2
