"""The merged junit.xml parses, names testcases <scenario>[<device>], and counts like the matrix."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.farm.junit import write_junit
from harness.farm.matrix import build_matrix

from .conftest import FAILED_VERDICT, FarmFolder


def test_merged_junit_is_valid_and_complete(farm: FarmFolder) -> None:
    farm.result(0, "s1", "passed")
    farm.result(0, "s2", "failed", verdicts=[FAILED_VERDICT])
    farm.result(0, "s3", "skipped", skip_reason="not on <this> & that policy")
    farm.result(1, "s1", "error", error="LabError: chromium died")
    m = build_matrix(farm.root)
    root = ET.parse(write_junit(m, farm.root / "junit.xml")).getroot()
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root.findall("testsuite")] == ["dev-a", "dev-b", "dev-c"]
    names = [c.get("name") for c in root.iter("testcase")]
    assert len(names) == 12 and len(set(names)) == 12
    assert "s2[dev-a]" in names and "s4[dev-c]" in names
    cases = {c.get("name"): c for c in root.iter("testcase")}
    fail = cases["s2[dev-a]"].find("failure")
    assert fail is not None and "R20" in (fail.get("message") or "")
    skip = cases["s3[dev-a]"].find("skipped")
    assert skip is not None and skip.get("message") == "not on <this> & that policy"
    assert cases["s1[dev-b]"].find("error") is not None
    assert cases["s1[dev-a]"].find("failure") is None and cases["s1[dev-a]"].find("error") is None
    a = root.find("testsuite[@name='dev-a']")
    assert a is not None and (a.get("tests"), a.get("failures"), a.get("skipped"), a.get("errors")) == ("4", "1", "1", "1")
    c = m.counts()
    assert root.get("failures") == str(c["failed"]) and root.get("errors") == str(c["error"])
    assert root.get("skipped") == str(c["skipped"]) and root.get("tests") == "12"
