"""Read hipaacheck JSON scan reports (schema 1.x) back in, checking the contract as we go.

A report from another tool, another major schema version, or one whose
summary disagrees with its own findings is refused with one line (exit 2):
the evidence pack must never show a number the inputs do not support.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..display import redact
from ..json_input import read_json_file
from ..models import Severity, Status
from ..paths import portable_path
from ..report_model import Finding as ReportFinding
from ..report_model import parse_report
from ..sources.errors import InputError

SUPPORTED_MAJOR = 1
SEALED_SINCE_MINOR = 4  # schema 1.4 reports carry content_sha256
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?$")
MAX_REPORT_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """One finding as the JSON report wrote it; every text already passed through redaction."""

    policy_id: str
    title: str
    severity: Severity
    status: Status
    safeguards: tuple[str, ...]
    resource_type: str
    address: str
    message: str
    remediation: str
    evidence: tuple[tuple[str, str, str], ...]  # (key, observed, expected)
    source: str  # the report's label
    kind: str = ""  # the report's source kind: "terraform-plan" (intended state) or "aws" (deployed)
    name: str | None = None  # the resource's natural name (bucket, table, role...), when known
    region: str | None = None
    account: str | None = None
    waiver: str | None = None


@dataclass(slots=True)
class ScanReport:
    path: str
    schema_version: str
    tool_version: str
    generated_at: datetime
    source: dict[str, Any]
    label: str
    identity: tuple[str, str]
    policies: int
    resources: int
    findings: list[FindingRecord]
    notes: list[str] = field(default_factory=list)
    sealed: str = ""  # whether the report's own content digest shows it unchanged since the scan

    def counts(self) -> Counter[str]:
        return Counter(f.status.value for f in self.findings)


def load_reports(paths: list[Path]) -> list[ScanReport]:
    if not paths:
        raise InputError("give at least one JSON scan report (hipaacheck scan ... --format json --output FILE)")
    reports: list[ScanReport] = []
    seen: dict[tuple[tuple[str, str], datetime], str] = {}
    for path in paths:
        report = load_report(path)
        key = (report.identity, report.generated_at)
        if key in seen:
            raise InputError(f"{path}: the same scan as {seen[key]} (same source and generated_at); give it once")
        seen[key] = str(path)
        reports.append(report)
    return reports


def load_report(path: Path) -> ScanReport:
    doc = read_json_file(path, "report", MAX_REPORT_BYTES)
    report = _Reader(str(path)).report(doc)
    claimed = doc.get("content_sha256")
    if claimed is None:
        if _minor(report.schema_version) >= SEALED_SINCE_MINOR:  # this version always writes one
            raise InputError(
                f"{path}: edited after the scan (schema {report.schema_version} without its content_sha256)"
            )
        report.sealed = "no content digest (a report written before hipaacheck schema 1.4)"
        return report
    from ..reporters.json_report import report_digest_matches

    if not isinstance(claimed, str) or not report_digest_matches(path.read_text(encoding="utf-8"), claimed):
        raise InputError(
            f"{path}: edited after the scan (its content_sha256 does not match its content); "
            "use the report as hipaacheck wrote it"
        )
    report.sealed = "unchanged since the scan (content digest verified)"
    return report


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, message: str) -> InputError:
        return InputError(f"{self.name}: {message}")

    def report(self, doc: Any) -> ScanReport:
        if not isinstance(doc, dict):
            raise self.fail("not a hipaacheck JSON report (expected an object)")
        tool = doc.get("tool")
        if not isinstance(tool, dict):
            tool = {}
        tool_name = tool.get("name")
        if tool_name != "hipaacheck":
            raise self.fail(f"not a hipaacheck JSON report (tool.name is {tool_name!r}, not 'hipaacheck')")
        version = doc.get("schema_version")
        match = _VERSION.match(version) if isinstance(version, str) else None
        if match is None or not isinstance(version, str) or int(match.group(1)) != SUPPORTED_MAJOR:
            raise self.fail(f"unsupported schema_version {version!r} (this hipaacheck reads {SUPPORTED_MAJOR}.x)")
        generated_at = self.timestamp(doc.get("generated_at"))
        source = doc.get("source")
        if not isinstance(source, dict) or not isinstance(source.get("kind"), str):
            raise self.fail("'source' must be an object with a 'kind'")
        label, identity = describe_source(source)
        if not isinstance(doc.get("findings"), list):
            raise self.fail("'findings' must be a list")
        model = parse_report(doc, self.name, "report")
        findings = [self.finding(item, label, source["kind"]) for item in model.findings]
        report = ScanReport(
            path=portable_path(self.name),  # shown in the pack: never an absolute local path
            schema_version=version,
            tool_version=redact(model.tool.version),
            generated_at=generated_at,
            source=source,
            label=label,
            identity=identity,
            policies=model.policies,
            resources=model.resources,
            findings=findings,
            notes=[redact(n) for n in model.notes],
        )
        self.check_summary(doc.get("summary"), report)
        return report

    def timestamp(self, value: Any) -> datetime:
        try:
            stamp = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            stamp = None
        if stamp is None:
            raise self.fail(f"'generated_at' must be an ISO 8601 time, not {value!r}")
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    def check_summary(self, summary: Any, report: ScanReport) -> None:
        if not isinstance(summary, dict):
            raise self.fail("'summary' must be an object of counts")
        counts = report.counts()
        for status in Status:
            if summary.get(status.value, 0) != counts.get(status.value, 0):
                raise self.fail(
                    f"summary says {summary.get(status.value)!r} {status.value} but the findings hold "
                    f"{counts.get(status.value, 0)}; the report was altered or truncated"
                )

    def finding(self, item: ReportFinding, label: str, kind: str) -> FindingRecord:
        resource = item.resource
        return FindingRecord(
            policy_id=self.text(item.policy_id),
            title=self.text(item.title),
            severity=Severity(item.severity),
            status=Status(item.status),
            safeguards=tuple(item.safeguards),
            resource_type=self.text(resource.type),
            address=self.text(resource.address),
            message=redact(item.message),
            remediation=redact(item.remediation),
            evidence=tuple((redact(e.key), redact(e.observed), redact(e.expected)) for e in item.evidence),
            source=label,
            kind=kind,
            name=_optional(resource.name),
            region=_optional(resource.region),
            account=_optional(resource.account),
            waiver=redact(item.waiver.reason) if item.waiver is not None else None,
        )

    def text(self, value: str) -> str:
        if not value.strip():
            raise self.fail("a finding has an empty policy_id, title or resource")
        return redact(value)


def _minor(version: str) -> int:
    match = _VERSION.match(version)
    return int(match.group(2)) if match else 0


def _optional(value: Any) -> str | None:
    return redact(value) if isinstance(value, str) and value else None


def describe_source(source: dict[str, Any]) -> tuple[str, tuple[str, str]]:
    """A reader's label for what was scanned, and the key that says two reports scanned the same thing."""
    kind = str(source.get("kind"))
    if kind == "terraform-plan":
        path = str(source.get("path") or "?")
        return redact(f"Terraform plan {portable_path(path)} (intended state)"), (kind, path)
    if kind == "aws" and isinstance(source.get("organization"), dict) and isinstance(source.get("accounts"), list):
        # 1.6 --org/--accounts: several accounts; two reports cover the same thing when they list the same ones.
        ids = sorted(str(a.get("id")) for a in source["accounts"] if isinstance(a, dict))
        org_id = source["organization"].get("id")
        label = f"AWS organization {org_id}" if isinstance(org_id, str) and org_id else "AWS accounts"
        return redact(f"{label}: {len(ids)} account(s) (live)"), (kind, ",".join(ids))
    if kind == "aws":
        account = str(source.get("account") or "unknown account")
        return redact(f"AWS account {account} (live)"), (kind, account)
    return redact(f"{kind} scan"), (kind, json.dumps(source, sort_keys=True, default=str))
