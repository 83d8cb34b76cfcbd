"""The farm's merged junit.xml: one testsuite per device, testcases named ``<scenario>[<device>]``.

CI systems that only read JUnit (GitLab's test report, GitHub's test
summary actions) then show every pair of the matrix, with the skip reason
or the failure's requirements and verdicts as the message.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.farm.matrix import Matrix


def build_junit(matrix: Matrix) -> ET.Element:
    """The ``<testsuites>`` element for ``matrix``."""
    root = ET.Element("testsuites", name=f"farm {matrix.pool} {matrix.run_id}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for device in matrix.devices:
        suite = ET.SubElement(root, "testsuite", name=device)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        total = 0.0
        for sc in matrix.scenarios:
            cell = matrix.cell(sc.id, device)
            dur = cell.duration_s or 0.0
            total += dur
            case = ET.SubElement(suite, "testcase", classname=f"farm.{device}", name=f"{sc.id}[{device}]",
                                 time=f"{dur:.3f}")
            counts["tests"] += 1
            msg = cell.reason[:1000]
            if cell.outcome == "failed":
                counts["failures"] += 1
                el = ET.SubElement(case, "failure", message=f"broke {', '.join(cell.failed_requirements) or 'a requirement'}")
                el.text = cell.reason
            elif cell.outcome == "error":
                counts["errors"] += 1
                ET.SubElement(case, "error", message=msg).text = cell.reason
            elif cell.outcome == "skipped":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=msg)
            if cell.report:
                props = ET.SubElement(case, "properties")
                ET.SubElement(props, "property", name="report", value=cell.report)
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("time", f"{total:.3f}")
    for k, v in totals.items():
        root.set(k, str(v))
    return root


def write_junit(matrix: Matrix, path: Path) -> Path:
    """Write the merged junit.xml to ``path`` and return it."""
    ET.ElementTree(build_junit(matrix)).write(path, encoding="utf-8", xml_declaration=True)
    return path


__all__ = ["build_junit", "write_junit"]
