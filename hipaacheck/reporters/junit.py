"""JUnit XML: one testcase per policy x resource, so any CI can show the results.

classname is the policy id and name the resource address (in a merged report
followed by ``[account ID]``). Status mapping:

* ``pass`` -> a plain testcase
* ``fail`` -> ``<failure type="SEVERITY">`` (also for failures the baseline or
  ``--changed-only`` keeps from gating: they are still failures, and the
  message says why they did not fail the run)
* ``error`` -> ``<error>`` (the check could not run)
* ``unknown``, ``skipped``, ``waived`` -> ``<skipped>`` with the reason (an
  ``unknown`` that gates under ``--fail-on-unknown`` is a ``<failure>``)
  (decided only after apply / out of scope / the waiver's owner, expiry and reason)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..display import redact
from ..models import Finding, Status
from ..report import EXEMPTIONS, Report
from ..safe_text import visible


def _text(value: str) -> str:
    """XML 1.0 cannot carry most control characters, even escaped, nor lone surrogates: all become
    visible escapes, with the bidi and invisible characters a CI page would otherwise render."""
    return visible(value)


def _body(report: Report, finding: Finding) -> str:
    lines = [redact(finding.message), f"HIPAA Security Rule: 45 CFR {', '.join(finding.safeguards)}"]
    location = report.locate(finding)
    if location is not None:
        lines.append(f"Location: {location.file}:{location.line}")
    if finding.status in (Status.FAIL, Status.ERROR):
        lines.append(f"Remediation: {' '.join(finding.remediation.split())}")
    return _text("\n".join(lines))


def _why_not_gating(report: Report, finding: Finding) -> str:
    exemption = report.exemption(finding)
    if exemption is not None:
        return f" [{EXEMPTIONS[exemption]}: does not fail the run]"
    if finding.severity.rank < report.fail_on.rank:
        return f" [below --fail-on {report.fail_on.value}: does not fail the run]"
    return ""


def _testcase(report: Report, finding: Finding) -> ET.Element:
    name = finding.resource.address
    if report.source.get("kind") == "merged" and finding.resource.account:
        name += f" [account {finding.resource.account}]"  # one address in two accounts: two test cases
    case = ET.Element("testcase", classname=_text(finding.policy_id), name=_text(name), time="0")
    location = report.locate(finding)
    if location is not None:
        case.set("file", _text(location.file))
        case.set("line", str(location.line))
    status = finding.status
    if status is Status.UNKNOWN and report.decides(finding):  # --fail-on-unknown: it fails the run
        message = f"{finding.severity.value}: {finding.title} [unknown until apply; fails the run: --fail-on-unknown]"
        child = ET.SubElement(case, "failure", message=_text(message), type=finding.severity.value)
        child.text = _body(report, finding)
    elif status is Status.FAIL:
        message = f"{finding.severity.value}: {finding.title}{_why_not_gating(report, finding)}"
        child = ET.SubElement(case, "failure", message=_text(message), type=finding.severity.value)
        child.text = _body(report, finding)
    elif status is Status.ERROR:
        child = ET.SubElement(case, "error", message=_text(redact(finding.message)), type="error")
        child.text = _body(report, finding)
    elif status is Status.WAIVED:
        waiver = report.waiver(finding)
        reason = waiver.describe() if waiver is not None else "waived"
        ET.SubElement(case, "skipped", message=_text(reason))
    elif status in (Status.UNKNOWN, Status.SKIPPED):
        ET.SubElement(case, "skipped", message=_text(f"{status.value}: {redact(finding.message)}"))
    return case


def render_junit(report: Report) -> str:
    counts = report.counts()
    gating_unknown = len(report.failing_unknown())
    totals = {
        "tests": str(len(report.findings)),
        "failures": str(counts[Status.FAIL.value] + gating_unknown),
        "errors": str(counts[Status.ERROR.value]),
        "skipped": str(
            counts[Status.UNKNOWN.value] - gating_unknown + counts[Status.SKIPPED.value] + counts[Status.WAIVED.value]
        ),
        "time": "0",
    }
    suites = ET.Element("testsuites", {"name": "hipaacheck", **totals})
    scanned = str(report.source.get("path") or report.source.get("kind", "scan"))
    suite = ET.SubElement(suites, "testsuite", {"name": _text(f"hipaacheck {scanned}"), **totals})
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="fail_on", value=report.fail_on.value)
    ET.SubElement(properties, "property", name="result", value=report.result)
    for finding in sorted(report.findings, key=lambda f: (f.policy_id, f.resource.address, f.resource.account or "")):
        suite.append(_testcase(report, finding))
    if report.notes:
        ET.SubElement(suite, "system-out").text = _text("\n".join(report.notes))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
