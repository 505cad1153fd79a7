"""SARIF 2.1.0 for GitHub code scanning.

* One rule per policy (every loaded policy, so code scanning knows the rule
  set even when a rule has no result), with the safeguard citations and
  "security"/"hipaa" as tags and a numeric ``security-severity`` that GitHub
  ranks alerts by.
* One result per ``fail`` finding, and per ``waived`` one with a
  ``suppressions`` entry carrying the waiver's justification, so an accepted
  risk shows as a dismissed alert rather than vanishing. ``unknown``,
  ``error``, ``skipped`` and ``pass`` findings are not results: code
  scanning would rank an "unknown until apply" at the rule's (critical)
  security severity; they are in the JSON, JUnit and Markdown outputs.
* ``partialFingerprints`` hash the policy id and resource address only, so
  an alert survives edits that move its line; in a merged report
  (``hipaacheck merge``, one run for every account) also the account, so the
  same address in two accounts is two alerts. Every result whose resource
  names an account carries it in ``properties.account``.
* Code scanning needs a physical location on every result: the resource
  block's file and lines when the sources are known, else the scanned plan
  file, else (live scans) a stable pseudo-path ``aws/<account>/<region>``
  whose description, and the result's message, say that there is no source
  file. The address is always there as a logical location.
* No absolute path of the machine that ran the scan: every uri is relative
  to ``%SRCROOT%`` (the repository root, else the working directory), and
  ``originalUriBaseIds`` describes that root without giving its local uri
  (SARIF 2.1.0 lets a base id's uri be absent; the consumer knows its checkout).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from .. import __version__
from ..display import redact
from ..models import Finding, Severity, Status
from ..output import ENCODING_ERRORS
from ..policy_docs_link import policy_doc_url
from ..report import Report, finding_key

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "hipaacheck/v1"
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
PROBLEM_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "recommendation",
}
_RESULT_STATUSES = (Status.FAIL, Status.WAIVED)
_ROOT_DESCRIPTION = "The root of the scanned repository (else the directory the scan ran in); paths are relative to it"


def fingerprint(policy_id: str, address: str, account: str | None = None) -> str:
    """The policy and address; in a merged report also the account, so one address in two accounts is two alerts."""
    material = f"{policy_id}\0{address}" + (f"\0{account}" if account is not None else "")
    return hashlib.sha256(material.encode("utf-8", ENCODING_ERRORS)).hexdigest()[:32]


def _rule_name(policy_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", policy_id) if part)


def _rule(
    policy_id: str, title: str, description: str, severity: Severity, safeguards: tuple[str, ...], fix: str
) -> dict[str, Any]:
    cited = ", ".join(safeguards)
    rule: dict[str, Any] = {
        "id": policy_id,
        "name": _rule_name(policy_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": " ".join(description.split()) or title},
        "help": {
            "text": f"{fix.strip()}\n\nHIPAA Security Rule: 45 CFR {cited}.",
            "markdown": f"**Remediation**\n\n{html.escape(fix.strip(), quote=False)}\n\n**HIPAA Security Rule:** 45 CFR {cited}",
        },
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "tags": [*safeguards, "security", "hipaa"],
            "security-severity": SECURITY_SEVERITY[severity],
            "precision": "high",
            "problem.severity": PROBLEM_SEVERITY[severity],
        },
    }
    doc = policy_doc_url(policy_id)  # the policy's generated page (see policy_docs_link for which base)
    if doc is not None:
        rule["helpUri"] = doc
    return rule


def _rules(report: Report) -> list[dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for p in report.policies:
        rules.setdefault(p.id, _rule(p.id, p.title, p.description, p.severity, p.safeguards, p.remediation))
    for f in report.findings:  # policies the report was not given: what the findings say
        if f.policy_id not in rules:
            rules[f.policy_id] = _rule(f.policy_id, f.title, "", f.severity, f.safeguards, f.remediation)
    return [rules[key] for key in sorted(rules)]


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


NO_SOURCE_FILE = "No source file: a live AWS resource; this path is a stable label for its account and region"
NO_PLAN_FILE = "No source file recorded: a Terraform plan's finding in a merged report (see source.inputs)"


def _fallback_location(report: Report, finding: Finding, root: Path) -> dict[str, Any]:
    """Code scanning rejects a result without a file: the plan file, else a stable pseudo-path."""
    path = report.source.get("path")
    if isinstance(path, str):
        return {"uri": _relative(Path(path), root) or Path(path).name, "uriBaseId": "%SRCROOT%"}
    resource = finding.resource
    if resource.source == "terraform-plan":  # a plan's finding in a merged report, its plan file not recorded
        return {"uri": "terraform-plan", "uriBaseId": "%SRCROOT%", "description": {"text": NO_PLAN_FILE}}
    return {
        "uri": f"aws/{resource.account or 'account'}/{resource.region or 'global'}",
        "uriBaseId": "%SRCROOT%",
        "description": {"text": NO_SOURCE_FILE},
    }


def _location(report: Report, finding: Finding, root: Path) -> dict[str, Any]:
    located = report.locate(finding)
    physical: dict[str, Any]
    if located is not None:
        region: dict[str, Any] = {"startLine": located.line}
        if located.end_line and located.end_line > located.line:
            region["endLine"] = located.end_line
        physical = {"artifactLocation": {"uri": located.file, "uriBaseId": "%SRCROOT%"}, "region": region}
    else:
        physical = {"artifactLocation": _fallback_location(report, finding, root)}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"fullyQualifiedName": finding.resource.address, "kind": "resource"}],
    }


def _result(report: Report, finding: Finding, index: dict[str, int], root: Path) -> dict[str, Any]:
    merged = report.source.get("kind") == "merged"
    account = finding.resource.account if merged else None  # single-account fingerprints stay as they were
    where = f" in account {account}" if account else ""
    message = f"{finding.title}: {finding.resource.address}{where}. {redact(finding.message)}"
    if finding.resource.source == "aws":
        message += " (Live AWS resource: no source file.)"
    result: dict[str, Any] = {
        "ruleId": finding.policy_id,
        "ruleIndex": index[finding.policy_id],
        "level": LEVEL[finding.severity],
        "kind": "fail",
        "message": {"text": message},
        "locations": [_location(report, finding, root)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding.policy_id, finding.resource.address, account)},
        "properties": {"status": finding.status.value, "safeguards": list(finding.safeguards)},
    }
    if finding.resource.account:
        result["properties"]["account"] = finding.resource.account
        if finding.resource.account_name:
            result["properties"]["account_name"] = finding.resource.account_name
    waiver = report.waiver(finding)
    if waiver is not None:
        suppression: dict[str, Any] = {
            "kind": "external",
            "status": "accepted",
            "justification": f"{waiver.reason} (owner: {waiver.owner}; expires {waiver.expires.isoformat()})",
        }
        waiver_uri = _relative(Path(waiver.file), root)
        if waiver_uri is not None and (root / waiver_uri).is_file():  # a bare file name may not be under root
            suppression["location"] = {
                "physicalLocation": {
                    "artifactLocation": {"uri": waiver_uri, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": waiver.line},
                }
            }
        result["suppressions"] = [suppression]
    if "baseline" in report.gate and finding.status is Status.FAIL:
        result["baselineState"] = "unchanged" if finding_key(finding) in report.in_baseline else "new"
    return result


def render_sarif(report: Report) -> str:
    rules = _rules(report)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    root = getattr(report.locator, "root", None)
    if root is None:
        root = Path.cwd().resolve()
    # An unknown that gates (--fail-on-unknown) is a result too: it fails the run, so it must be seen.
    results = [
        _result(report, f, index, root)
        for f in report.sorted_findings()
        if f.status in _RESULT_STATUSES or report.decides(f)
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "hipaacheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"hipaacheck/{report.source.get('kind', 'scan')}/"},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": _ROOT_DESCRIPTION}}},
        "results": results,
        "properties": {"fail_on": report.fail_on.value, "summary": report.counts(), "notes": report.notes},
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
