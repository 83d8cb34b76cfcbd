"""junit.xml from a run folder, for CI systems that only read JUnit.

One testcase per scenario; a failed scenario carries one ``<failure>`` whose
message names the broken requirements and whose text lists each failed
verdict with its evidence.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report.load import RunFolder


def build_junit(run: RunFolder) -> ET.Element:
    suite = ET.Element("testsuite", name=str(run.run.get("run_id", run.dir.name)))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total = 0.0
    for sc in run.scenarios:
        dur = float(sc.result.get("duration_s") or 0.0)
        total += dur
        case = ET.SubElement(suite, "testcase", classname="scenarios", name=sc.id, time=f"{dur:.3f}")
        counts["tests"] += 1
        failed = [v for v in sc.verdicts if not v.passed]
        if sc.outcome == "failed" or (failed and sc.outcome == "passed"):
            counts["failures"] += 1
            reqs = sorted({r for v in failed for r in v.requirement_ids})
            el = ET.SubElement(case, "failure", message=f"broke {', '.join(reqs) or 'a requirement'}")
            el.text = "\n".join(
                f"[{','.join(v.requirement_ids)}] {v.check}: {v.title}\n" +
                "\n".join(f"  #{e.seq}: {e.summary}" for e in v.evidence) for v in failed) or str(sc.result.get("error"))
        elif sc.outcome == "error":
            counts["errors"] += 1
            ET.SubElement(case, "error", message=str(sc.result.get("error") or "; ".join(sc.problems))[:500])
        elif sc.outcome in ("skipped", "not_applicable"):
            counts["skipped"] += 1
            reason = str(sc.result.get("skip_reason") or "")
            prefix = "not applicable: " if sc.outcome == "not_applicable" else ""
            ET.SubElement(case, "skipped", message=(prefix + reason)[:500])
    for k, v in counts.items():
        suite.set(k, str(v))
    suite.set("time", f"{total:.3f}")
    return suite


def write_junit(run: RunFolder, path: Path | None = None) -> Path:
    """Write junit.xml into the run folder (or ``path``) and return its path."""
    target = path or run.dir / "junit.xml"
    ET.ElementTree(build_junit(run)).write(target, encoding="utf-8", xml_declaration=True)
    return target


__all__ = ["build_junit", "write_junit"]
