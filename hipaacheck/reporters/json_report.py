"""The JSON report: the stable, versioned contract that scripts and CI rely on.

schema_version follows semver: a new optional field is a minor bump, a
removed or renamed field a major one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .. import __version__
from ..display import redact
from ..models import Finding
from ..report import Report

SCHEMA_VERSION = "1.0"


def finding_dict(finding: Finding) -> dict[str, Any]:
    resource = finding.resource
    return {
        "policy_id": finding.policy_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "safeguards": list(finding.safeguards),
        "resource": {
            "type": resource.type,
            "address": resource.address,
            "name": resource.name,
            "source": resource.source,
            "region": resource.region,
            "account": resource.account,
            "action": resource.action,
        },
        "message": redact(finding.message),
        "evidence": [
            {"key": e.key, "observed": redact(e.observed), "expected": redact(e.expected)} for e in finding.evidence
        ],
        "remediation": finding.remediation,
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "hipaacheck", "version": __version__},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": report.source,
        "policies": report.policy_count,
        "resources": report.resource_count,
        "fail_on": report.fail_on.value,
        "result": "fail" if report.exit_code else "pass",
        "summary": report.counts(),
        "notes": report.notes,
        "findings": [finding_dict(f) for f in report.sorted_findings()],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
