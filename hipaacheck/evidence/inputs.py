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
        raw = doc.get("findings")
        if not isinstance(raw, list):
            raise self.fail("'findings' must be a list")
        findings = [self.finding(item, i, label, source["kind"]) for i, item in enumerate(raw)]
        report = ScanReport(
            path=portable_path(self.name),  # shown in the pack: never an absolute local path
            schema_version=version,
            tool_version=redact(str(tool.get("version", "?"))),
            generated_at=generated_at,
            source=source,
            label=label,
            identity=identity,
            policies=self.count(doc, "policies"),
            resources=self.count(doc, "resources"),
            findings=findings,
            notes=[redact(str(n)) for n in doc.get("notes") or [] if isinstance(n, str | int | float)],
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

    def count(self, doc: dict[str, Any], key: str) -> int:
        value = doc.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{key!r} must be a count")
        return value

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

    def finding(self, item: Any, index: int, label: str, kind: str) -> FindingRecord:
        where = f"findings[{index}]"
        if not isinstance(item, dict):
            raise self.fail(f"{where} must be an object")
        resource = item.get("resource")
        if not isinstance(resource, dict):
            raise self.fail(f"{where}.resource must be an object")
        try:
            severity = Severity(str(item.get("severity")))
            status = Status(str(item.get("status")))
        except ValueError:
            raise self.fail(f"{where}: unknown severity or status") from None
        citations = item.get("safeguards")
        if not isinstance(citations, list) or not all(isinstance(c, str) for c in citations):
            raise self.fail(f"{where}.safeguards must be a list of citations")
        evidence = []
        for entry in item.get("evidence") or []:
            if isinstance(entry, dict):
                evidence.append(tuple(redact(str(entry.get(k, ""))) for k in ("key", "observed", "expected")))
        waiver = item.get("waiver")
        return FindingRecord(
            policy_id=self.text(item, "policy_id", where),
            title=self.text(item, "title", where),
            severity=severity,
            status=status,
            safeguards=tuple(citations),
            resource_type=self.text(resource, "type", where + ".resource"),
            address=self.text(resource, "address", where + ".resource"),
            message=redact(str(item.get("message") or "")),
            remediation=redact(str(item.get("remediation") or "")),
            evidence=tuple((e[0], e[1], e[2]) for e in evidence),
            source=label,
            kind=kind,
            name=_optional(resource.get("name")),
            region=_optional(resource.get("region")),
            account=_optional(resource.get("account")),
            waiver=redact(str(waiver.get("reason", ""))) if isinstance(waiver, dict) else None,
        )

    def text(self, item: dict[str, Any], key: str, where: str) -> str:
        value = item.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{where}.{key} must be non-empty text")
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
    if kind == "aws":
        account = str(source.get("account") or "unknown account")
        return redact(f"AWS account {account} (live)"), (kind, account)
    return redact(f"{kind} scan"), (kind, json.dumps(source, sort_keys=True, default=str))
