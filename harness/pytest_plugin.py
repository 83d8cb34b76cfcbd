"""pytest plugin: scenario files collected as pytest items, and the lab fixtures.

Registered through the ``pytest11`` entry point, so ``pytest scenarios/``
works in any checkout with the project installed: every ``*.yaml`` under a
folder named ``scenarios`` is a scenario file, each file one item named by
the scenario id. ``-k``, markers (each tag, and each requirement id such as
``-m R5``), ``--junitxml`` and xdist all apply. A file that does not validate
is a collection error carrying the loader's file:line message; nothing runs
half-configured.

One expensive session object (the lab and the device, started at the first
item and stopped at the end, always) and a cheap per-scenario reset, as in
pytest-httpserver. Options live in the ``harness`` group with a
``--harness-`` prefix; bad values are ``pytest.UsageError``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from harness.cli.options import DEFAULT_APP
from harness.errors import CheckFailed, LabError, UserError

_SESSION_KEY = pytest.StashKey["Any"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "offline-harness")
    group.addoption("--harness-device", default=None,
                    help="device profile name or path (default: reference-unrestricted, or HARNESS_DEVICE)")
    group.addoption("--harness-bugs", default=None, help="bugs of the app's catalogue to switch on, comma-separated")
    group.addoption("--harness-report-dir", default=None, help="run folder (default: reports/<run-id>)")
    group.addoption("--harness-seed", default=None, help="seed for markers and generated choices (an integer)")
    group.addoption("--harness-app", default=None,
                    help="the app under test: a name, a folder with app.yaml or a profile file (default: "
                         f"{DEFAULT_APP}, from HARNESS_APP when set)")
    group.addoption("--harness-backend", default=None,
                    help="the URL of a backend that already runs, instead of starting the app's own")
    group.addoption("--harness-pool", default=None,
                    help="a device pool (pool file or comma-separated profile names); with xdist "
                         "'-n N --dist each' worker gwI runs every scenario on the pool's device I")


def _options(config: pytest.Config) -> dict[str, Any]:
    seed_raw = config.getoption("--harness-seed") or os.environ.get("HARNESS_SEED")
    try:
        seed = int(seed_raw) if seed_raw is not None else None
    except ValueError:
        raise pytest.UsageError(f"--harness-seed: {seed_raw!r} is not an integer; give e.g. --harness-seed 1234")
    bugs_raw = config.getoption("--harness-bugs") or os.environ.get("HARNESS_BUGS") or ""
    bugs = tuple(b.strip() for b in bugs_raw.split(",") if b.strip())
    device = config.getoption("--harness-device") or os.environ.get("HARNESS_DEVICE") or "reference-unrestricted"
    pool = config.getoption("--harness-pool")
    if pool:
        from harness.farm.pool import device_for_worker

        try:
            device = device_for_worker(pool, xdist_worker(config))
        except UserError as e:
            raise pytest.UsageError(f"--harness-pool: {e}") from None
    return {
        "device": device,
        "bugs": bugs,
        "report_dir": config.getoption("--harness-report-dir") or os.environ.get("HARNESS_REPORT_DIR"),
        "seed": seed,
        "app": config.getoption("--harness-app") or DEFAULT_APP,
        "backend": config.getoption("--harness-backend"),
    }


def xdist_worker(config: pytest.Config) -> str | None:
    """This pytest process's xdist worker id (``gw0``...), or None. Read from the config xdist gives its
    workers, not from ``PYTEST_XDIST_WORKER``: that variable is inherited by every child process, so a
    ``harness run`` started from inside an xdist worker (a test of the harness) would think it is one."""
    workerinput = getattr(config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else None


def pytest_configure(config: pytest.Config) -> None:
    opts = _options(config)
    from harness.scenario.session import SuiteSession

    config.stash[_SESSION_KEY] = SuiteSession.from_options(**opts, worker=xdist_worker(config))
    config.addinivalue_line("markers", "scenario: a scenario file collected by offline-harness")


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(_SESSION_KEY, None)
    if session is not None:
        session.close()


def pytest_report_header(config: pytest.Config) -> list[str]:
    session = config.stash.get(_SESSION_KEY, None)
    if session is None:
        return []
    lines = list(session.header_lines())
    if not any("app=" in line for line in lines):  # the app under test, whatever the session's own line says
        lines.append(f"harness: app={session.app_name}")
    return lines


def _is_scenario_file(path: Path) -> bool:
    return path.suffix in (".yaml", ".yml") and "scenarios" in path.parts and not path.name.startswith("_")


def _named_on_command_line(path: Path, config: pytest.Config) -> bool:
    """A .yaml file given explicitly (e.g. an exported regression kept outside scenarios/)."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    for arg in config.args:
        candidate = Path(arg.split("::", 1)[0])
        if not candidate.is_absolute():
            candidate = Path(config.invocation_params.dir) / candidate
        if candidate.resolve() == path.resolve():
            return True
    return False


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _is_scenario_file(file_path) or _named_on_command_line(file_path, parent.config):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """One scenario YAML file: validated completely before it yields its item."""

    def collect(self) -> Iterator[pytest.Item]:
        from harness.scenario.loader import load_scenario

        scenario = load_scenario(self.path)  # ScenarioInvalid -> collection error, nothing runs
        item = ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario)
        item.add_marker("scenario")
        for name in (*scenario.tags, *scenario.requirements):
            self.config.addinivalue_line("markers", f"{name}: scenario tag or requirement id")
            item.add_marker(name)
        yield item

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, UserError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)  # type: ignore[return-value]


class ScenarioItem(pytest.Item):
    """One scenario run through the lab on the session's device."""

    def __init__(self, *, scenario: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.user_properties.append(("requirements", ",".join(scenario.requirements)))

    def runtest(self) -> None:
        session = self.config.stash[_SESSION_KEY]
        skip = session.skip_reason(self.scenario)
        if skip:
            pytest.skip(skip)
        result = session.run(self.scenario)
        self.user_properties.append(("report", str(result.folder)))
        self.user_properties.append(("outcome", result.outcome))  # error: a harness error, not a verdict
        if result.outcome == "not_applicable":
            pytest.skip(f"not applicable: {result.skip_reason}")
        result.raise_for_verdicts()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:  # type: ignore[override]
        err = excinfo.value
        if isinstance(err, CheckFailed):
            return f"{err}\n(scenario folder: {self._folder()})"
        if isinstance(err, (LabError, UserError)):
            return f"{type(err).__name__}: {err}"
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def _folder(self) -> str:
        return next((v for k, v in self.user_properties if k == "report"), "?")

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"scenario {self.name}: {self.scenario.title}"


@pytest.fixture(scope="session")
def harness_session(pytestconfig: pytest.Config) -> Any:
    """The suite session: the lab and device shared by every scenario of this pytest run."""
    return pytestconfig.stash[_SESSION_KEY]
