"""Input files are read safely: too large, binary or not UTF-8 is a SpecError naming the file and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import SpecError
from harness.inputs import read_text


def test_text_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: x\n", encoding="utf-8")
    assert read_text(tmp_path / "a.yaml", what="scenario") == "id: x\n"


@pytest.mark.parametrize(("data", "expected"), [
    (b"id: x\n\x00\x01", "binary"),
    (b"id: caf\xe9\n", "UTF-8"),
    (b"x" * 2_000_001, "at most"),
])
def test_bad_files_are_rejected_with_the_reason(tmp_path: Path, data: bytes, expected: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_bytes(data)
    with pytest.raises(SpecError, match=expected) as ei:
        read_text(p, what="scenario")
    assert ei.value.file == str(p) and ei.value.fix


def test_a_missing_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read"):
        read_text(tmp_path / "none.yaml", what="app profile")


LONG = "x" * 300  # longer than a file name may be: the system answers ENAMETOOLONG, which Path.exists() raises


def test_a_path_the_system_cannot_look_up_is_not_there() -> None:
    from harness.inputs import exists

    assert not exists(LONG + ".yaml") and not exists(LONG, "dir") and not exists("a\x00b", "file")


@pytest.mark.parametrize("load", ["pool", "pool_suite", "pool_device", "app", "device", "scenarios"])
def test_every_loader_says_a_path_too_long_is_not_there(tmp_path: Path, load: str) -> None:
    # each raised OSError [Errno 36] File name too long, out of Path.exists() / is_file() / is_dir()
    from harness.app.profile import load_app_profile
    from harness.device.profiles import find_profile
    from harness.errors import UserError
    from harness.farm.pool import load_pool, parse_pool
    from harness.scenario.loader import scenario_files

    calls = {
        "pool": lambda: load_pool(LONG + ".yaml"),
        "pool_suite": lambda: parse_pool(f"devices: [reference-unrestricted]\nsuites: [{LONG}]\n", file=tmp_path / "p.yaml"),
        "pool_device": lambda: parse_pool(f"devices: [{LONG}.yaml]\n", file=tmp_path / "p.yaml"),
        "app": lambda: load_app_profile(LONG),
        "device": lambda: find_profile(LONG + ".yaml"),
        "scenarios": lambda: scenario_files([LONG]),
    }
    with pytest.raises(UserError, match="xxxxx"):
        calls[load]()


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_only_a_regular_file_is_read(tmp_path: Path, kind: str) -> None:
    # a pipe named *.yaml blocked the reader for ever; a device has size 0 to stat, so a link to /dev/zero was
    # read without end (here /dev/null, which ends: it was read as an empty file)
    import os
    import signal

    p = tmp_path / "s.yaml"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "device":
        p.symlink_to("/dev/null")
    else:
        p.mkdir()

    def hung(signum: int, frame: object) -> None:
        raise AssertionError(f"reading a {kind} did not return")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        with pytest.raises(SpecError, match="a scenario file") as ei:
            read_text(p, what="scenario")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert ei.value.file == str(p) and ei.value.fix


def test_a_file_past_a_quarter_megabyte_is_not_parsed(tmp_path: Path) -> None:
    # 1 MB of folded plain lines took ruamel two seconds to parse; the bound is 32 times the largest shipped file
    from harness.inputs import MAX_INPUT_BYTES

    p = tmp_path / "big.yaml"
    p.write_text("s: " + ("w " * 39 + "\n  ") * 4000 + "\n")  # 320 kB
    with pytest.raises(SpecError, match="at most"):
        read_text(p, what="scenario")
    assert MAX_INPUT_BYTES <= 256 * 1024
