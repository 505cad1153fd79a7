"""OCSF 1.3.0 Compliance Finding events (class_uid 2003, category_uid 2 Findings), one per finding.

The output is a JSON list of events. Each event has the attributes OCSF
1.3.0 requires of the class: from the base event ``activity_id``,
``category_uid``, ``class_uid``, ``type_uid`` (class_uid * 100 +
activity_id), ``time`` (milliseconds since the epoch), ``severity_id`` and
``metadata`` (``version`` and ``product`` with ``vendor_name``); from Finding
``finding_info`` (``uid`` and ``title``); from Compliance Finding
``compliance`` (with ``standards``); and, because the ``cloud`` profile is
applied (``metadata.profiles``), ``cloud`` with ``provider``. Recommended
attributes are filled where hipaacheck knows them (``resources``,
``remediation``, ``status_id``, ``message``, ``cloud.account`` and
``cloud.region`` for live findings).

``compliance.status_id``, honestly: pass -> 1 Pass; fail and waived -> 3 Fail
(a waived failure is still a failure; its finding ``status_id`` is 3
Suppressed); unknown (known only after apply) -> 2 Warning, which OCSF
defines as "did not yield a result due to missing information"; error (the
check could not run) -> 99 Other, status "Error"; skipped (out of scope or not
managed by the plan) -> 99 Other, status "Skipped". Only a pass is Pass.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..display import redact
from ..models import Finding, Severity, Status
from ..policy_docs_link import is_web_url, policy_doc_url
from ..report import Report
from .findings_export import export_id, is_plan, partition_of, source_label

OCSF_VERSION = "1.3.0"
CLASS_UID, CLASS_NAME = 2003, "Compliance Finding"
CATEGORY_UID, CATEGORY_NAME = 2, "Findings"
ACTIVITY_CREATE = 1
STANDARD = "HIPAA Security Rule (45 CFR Part 164, Subpart C)"

# status -> (compliance.status_id, compliance.status)
COMPLIANCE_STATUS: dict[Status, tuple[int, str]] = {
    Status.PASS: (1, "Pass"),
    Status.FAIL: (3, "Fail"),
    Status.WAIVED: (3, "Fail"),
    Status.UNKNOWN: (2, "Warning"),
    Status.ERROR: (99, "Error"),
    Status.SKIPPED: (99, "Skipped"),
}
# status -> (finding status_id, status): the finding's triage state
FINDING_STATUS: dict[Status, tuple[int, str]] = {
    Status.WAIVED: (3, "Suppressed"),
    Status.PASS: (4, "Resolved"),
}
SEVERITY_ID: dict[Severity, tuple[int, str]] = {
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
_INFORMATIONAL = (1, "Informational")


def _severity(finding: Finding) -> tuple[int, str]:
    if finding.status in (Status.PASS, Status.SKIPPED):
        return _INFORMATIONAL
    return SEVERITY_ID[finding.severity]


def _cloud(report: Report, finding: Finding) -> dict[str, Any]:
    cloud: dict[str, Any] = {"provider": "AWS"}
    account = finding.resource.account or (None if is_plan(report) else report.source.get("account"))
    if isinstance(account, str) and account:
        cloud["account"] = {"uid": account, "type": "AWS Account", "type_id": 10}
    if finding.resource.region:
        cloud["region"] = finding.resource.region
    return cloud


def ocsf_event(report: Report, finding: Finding, millis: int) -> dict[str, Any]:
    severity_id, severity = _severity(finding)
    compliance_id, compliance = COMPLIANCE_STATUS[finding.status]
    status_id, status = FINDING_STATUS.get(finding.status, (1, "New"))
    resource = finding.resource
    message = redact(finding.message)
    detail: dict[str, Any] = {
        "uid": resource.address,
        "type": resource.type,
        "cloud_partition": partition_of(finding),
        "data": {"source": resource.source, "action": resource.action},
    }
    if resource.name:
        detail["name"] = resource.name
    if resource.region:
        detail["region"] = resource.region
    remediation: dict[str, Any] = {"desc": redact(finding.remediation or finding.title)}
    url = policy_doc_url(finding.policy_id)
    if is_web_url(url):
        remediation["references"] = [url]
    unmapped: dict[str, Any] = {"status": finding.status.value, "source": source_label(report, finding)}
    waiver = report.waiver(finding)
    if waiver is not None:
        unmapped["waiver"] = waiver.as_dict()
    return {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": CATEGORY_NAME,
        "class_uid": CLASS_UID,
        "class_name": CLASS_NAME,
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": f"{CLASS_NAME}: Create",
        "time": millis,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "message": f"{finding.title}: {resource.address}. {message}",
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "hipaacheck", "vendor_name": "hipaacheck", "version": __version__},
            "profiles": ["cloud"],
        },
        "cloud": _cloud(report, finding),
        "finding_info": {
            "uid": export_id(report, finding),
            "title": finding.title,
            "desc": f"{message} Source: {source_label(report, finding)}.",
            "types": ["HIPAA Security Rule"],
            "created_time": millis,
            "product_uid": finding.policy_id,
        },
        "compliance": {
            "standards": [STANDARD],
            "requirements": list(finding.safeguards),
            "control": finding.policy_id,
            "status_id": compliance_id,
            "status": compliance,
            "status_detail": message,
        },
        "resources": [detail],
        "remediation": remediation,
        "unmapped": {"hipaacheck": unmapped},
    }


def render_ocsf(report: Report) -> str:
    millis = int(report.generated_at.timestamp() * 1000)
    events = [ocsf_event(report, f, millis) for f in report.sorted_findings()]
    return json.dumps(events, indent=1, ensure_ascii=False) + "\n"
