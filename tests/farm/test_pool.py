"""Pool files and comma lists: validated eagerly, errors name file, line and field (table-driven)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import paths
from harness.errors import SpecError, UserError
from harness.farm.pool import device_for_worker, load_pool, parse_pool

GOOD = """\
name: nightly
devices:
  - reference-unrestricted
  - reference-xiaomi-killer
  - reference-ios-bar-off
suites: [scenarios/background]
workers: 2
"""

BAD = [
    # (yaml text, field in the error, line, a word the message must contain)
    ("devices: []\n", "devices", 1, "non-empty"),
    ("name: x\n", "devices", 1, "required"),
    ("devices: [reference-unrestricted]\nwrokers: 2\n", "wrokers", 2, "known fields"),
    ("devices:\n  - reference-unrestricted\n  - no-such-device\n", "devices[1]", 3, "reference-doze"),
    ("devices:\n  - reference-unrestricted\n  - reference-unrestricted\n", "devices[1]", 3, "duplicate"),
    ("devices:\n  - reference-unrestricted\n  - 42\n", "devices[1]", 3, "profile name"),
    ("devices: [reference-unrestricted]\nworkers: 0\n", "workers", 2, ">= 1"),
    ("devices: [reference-unrestricted]\nworkers: two\n", "workers", 2, ">= 1"),
    ("devices: [reference-unrestricted]\nsuites: [scenarios/nope]\n", "suites[0]", 2, "existing"),
    ("devices: [reference-unrestricted]\ngrid: maybe\n", "grid", 2, "true or false"),
    ("name: 'bad name!'\ndevices: [reference-unrestricted]\n", "name", 1, "letters"),
    ("devices: [reference-unrestricted\n", "(yaml)", None, "YAML"),
    ("- just\n- a list\n", "(file)", 1, "mapping"),
    # a document that is only a merge key: its mapping has no line table of its own (was a TypeError)
    ("<<: {x: 1}\n", "x", 1, "known fields"),
]


@pytest.mark.parametrize("text,field,line,word", BAD, ids=[b[1] + "-" + str(i) for i, b in enumerate(BAD)])
def test_bad_pool_files_name_file_line_and_field(tmp_path: Path, text: str, field: str, line: int | None,
                                                 word: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(SpecError) as ei:
        parse_pool(text, file=f)
    err = ei.value
    assert err.field == field
    assert err.file == str(f)
    if line is not None:
        assert err.line == line
    assert word.lower() in str(err).lower()


def test_good_pool_file(tmp_path: Path) -> None:
    f = tmp_path / "nightly.yaml"
    f.write_text(GOOD)
    pool = load_pool(str(f))
    assert pool.name == "nightly"
    assert pool.devices == ("reference-unrestricted", "reference-xiaomi-killer", "reference-ios-bar-off")
    assert pool.suites == ((paths.ROOT / "scenarios" / "background").resolve(),)
    assert pool.parallel == 2
    assert pool.batches() == [("reference-unrestricted", "reference-xiaomi-killer"), ("reference-ios-bar-off",)]


def test_shipped_pools_are_valid_and_differ_in_policy() -> None:
    from harness.device.profiles import find_profile

    ref = load_pool("reference-policies")
    grid = load_pool("grid-policies")
    assert len(ref.devices) >= 3 and grid.grid and not ref.grid
    assert len({find_profile(d).policy for d in ref.devices}) == len(ref.devices)
    assert [find_profile(d).policy for d in grid.devices] == [find_profile(d).policy for d in ref.devices]
    assert all(find_profile(d).appium_url for d in grid.devices)


@pytest.mark.parametrize("arg,field", [
    ("", "pool"),
    ("reference-unrestricted,,reference-doze", "pool"),
    ("no-such-pool", "pool"),
    ("reference-unrestricted,nope", "devices[1]"),
    ("pools/missing.yaml", "pool"),
])
def test_bad_pool_args(arg: str, field: str) -> None:
    with pytest.raises(SpecError) as ei:
        load_pool(arg)
    assert ei.value.field == field


def test_comma_list_and_profile_paths() -> None:
    path = str(paths.DEVICES / "reference-doze.yaml")
    pool = load_pool(f"reference-unrestricted,{path}")
    assert pool.devices == ("reference-unrestricted", path)
    assert pool.parallel == 2 and pool.batches() == [pool.devices]


@pytest.mark.parametrize("worker,device", [
    ("gw0", "reference-unrestricted"), ("gw1", "reference-xiaomi-killer"), ("gw2", "reference-ios-bar-off"),
])
def test_device_for_worker(worker: str, device: str) -> None:
    assert device_for_worker("reference-policies", worker) == device
    assert device_for_worker("reference-unrestricted,reference-xiaomi-killer,reference-ios-bar-off", worker) == device


@pytest.mark.parametrize("worker,words", [
    ("gw3", ["gw3", "3 device", "-n 3"]),
    (None, ["-n <devices> --dist each"]),
    ("", ["xdist"]),
    ("main", ["gw0"]),
])
def test_device_for_worker_errors(worker: str | None, words: list[str]) -> None:
    with pytest.raises(UserError) as ei:
        device_for_worker("reference-policies", worker)
    for w in words:
        assert w in str(ei.value)


class _WorkerConfig:
    """The parts of an xdist worker's pytest config the plugin reads: its options and ``workerinput``."""

    def __init__(self, worker: str | None, **options: str | None) -> None:
        self.options = options
        if worker is not None:
            self.workerinput = {"workerid": worker}

    def getoption(self, name: str) -> str | None:
        return self.options.get(name.lstrip("-").replace("-", "_"))


def test_plugin_turns_a_short_pool_into_a_usage_error() -> None:
    from harness.pytest_plugin import _options

    config = _WorkerConfig("gw5", harness_pool="reference-unrestricted,reference-doze")
    with pytest.raises(pytest.UsageError, match="--harness-pool: worker gw5 has no device"):
        _options(config)  # type: ignore[arg-type]


def test_the_worker_is_xdists_own_id_not_an_inherited_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A `harness run` started from inside an xdist worker inherits PYTEST_XDIST_WORKER; it is no worker."""
    from harness.pytest_plugin import _options, xdist_worker

    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert xdist_worker(_WorkerConfig(None)) is None  # type: ignore[arg-type]
    assert xdist_worker(_WorkerConfig("gw3")) == "gw3"  # type: ignore[arg-type]
    pool = "reference-unrestricted,reference-doze"
    assert _options(_WorkerConfig("gw1", harness_pool=pool))["device"] == "reference-doze"  # type: ignore[arg-type]


def test_a_single_profile_path_is_a_pool_of_one() -> None:
    path = str(paths.DEVICES / "reference-doze.yaml")
    assert load_pool(path).devices == (path,)


def test_a_broken_device_profile_given_as_the_pool_is_reported_at_its_own_file_and_line(tmp_path: Path) -> None:
    # a file that says `backend:` is taken for a device profile; its error was wrapped as "pool: <path> is not
    # allowed; expected ... (<the profile's error>)", with no file or line of its own
    f = tmp_path / "phone.yaml"
    f.write_text("name: phone\nbackend: chromium\ncapabilities: {platformName: linux, appium:automationName: Chromium}\n"
                 "chromium:\n  viewport: {width: wide}\n")
    for arg in (str(f), f"reference-unrestricted,{f}"):
        with pytest.raises(SpecError) as ei:
            load_pool(arg)
        assert ei.value.file == str(f) and ei.value.line == 5 and ei.value.field == "chromium.viewport.width", \
            str(ei.value)
