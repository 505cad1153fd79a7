"""Read the reports ``hipaacheck merge`` combines: one pydantic model, sealed, consistent, of one tool version.

Each input is read through ``report_model`` (schema 1.0-1.6), so what merge
accepts is what the published schema describes. Refused with one line (exit 2):
a file that is not a hipaacheck report, another major schema version, a report
edited after the scan (its ``content_sha256`` does not match, or a 1.4+ report
has none), a summary that disagrees with the findings, the same report given
twice, and reports written by different hipaacheck versions (their policies
may not mean the same thing, so their findings cannot be added up).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .display import redact
from .json_input import read_json_file
from .models import Evidence, Finding, Resource, Severity, Status
from .paths import portable_path
from .report import Location, Waiver
from .report_model import SUPPORTED_MAJOR, ReportDocument, parse_report, require_hipaacheck_report
from .report_model import Finding as ReportFinding
from .sources.errors import InputError

SEALED_SINCE_MINOR = 4  # schema 1.4 and later always carry content_sha256
MAX_INPUT_BYTES = 512 * 1024 * 1024
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?$")


@dataclass
class MergeInput:
    """One input report: where it came from, its model, and its findings as the pipeline's values."""

    path: str  # as shown in the merged report: never an absolute local path
    document: ReportDocument
    source: dict[str, Any]  # as the input wrote it (validated by the model, which keeps no copy of extras' nulls)
    findings: list[Finding]
    locations: dict[int, Location]  # id(finding) -> the location the input recorded
    waivers: dict[int, Waiver]  # id(finding) -> the waiver of a finding the input waived

    def entry(self) -> dict[str, object]:
        """This input as ``source.inputs`` lists it."""
        doc = self.document
        return {
            "path": self.path,
            "generated_at": doc.generated_at,
            "content_sha256": doc.content_sha256,
            "schema_version": doc.schema_version,
            "tool_version": doc.tool.version,
            "source": self.source,
        }


def read_inputs(paths: list[Path]) -> list[MergeInput]:
    if not paths:
        raise InputError("merge: give at least one JSON report (hipaacheck scan ... --format json --output FILE)")
    inputs: list[MergeInput] = []
    seen: dict[str, str] = {}
    for path in paths:
        item = read_input(path)
        digest = item.document.content_sha256 or f"{item.document.generated_at}\0{item.source}"
        if digest in seen:
            raise InputError(f"{path}: the same report as {seen[digest]}; give it once")
        seen[digest] = str(path)
        inputs.append(item)
    versions = {i.document.tool.version for i in inputs}
    if len(versions) > 1:
        first = inputs[0]
        other = next(i for i in inputs if i.document.tool.version != first.document.tool.version)
        raise InputError(
            f"{other.path}: written by hipaacheck {redact(other.document.tool.version)}, but {first.path} by "
            f"{redact(first.document.tool.version)}; merge reports of one hipaacheck version (scan again with one)"
        )
    return inputs


def read_input(path: Path) -> MergeInput:
    name = str(path)
    doc = read_json_file(path, "report", MAX_INPUT_BYTES)
    doc = require_hipaacheck_report(doc, name)
    version = doc.get("schema_version")
    match = _VERSION.match(version) if isinstance(version, str) else None
    if match is None or match.group(1) != SUPPORTED_MAJOR:
        raise InputError(
            f"{name}: schema_version {version!r} cannot be merged (this hipaacheck reads {SUPPORTED_MAJOR}.x reports)"
        )
    report = parse_report(doc, name, "report")
    _check_summary(name, report)
    _check_seal(path, report, int(match.group(2)))
    findings: list[Finding] = []
    locations: dict[int, Location] = {}
    waivers: dict[int, Waiver] = {}
    for item in report.findings:
        finding = _finding(item)
        findings.append(finding)
        if item.location is not None:
            locations[id(finding)] = Location(item.location.file, item.location.line)
        if item.waiver is not None and finding.status is Status.WAIVED:
            waivers[id(finding)] = _waiver(name, item)
    return MergeInput(portable_path(name), report, dict(doc["source"]), findings, locations, waivers)


def _check_summary(name: str, report: ReportDocument) -> None:
    """The summary (and, 1.6, each account's) must be what the findings hold: else the report was cut or edited."""
    _agree(name, "summary", report.summary.model_dump(by_alias=True), Counter(str(f.status) for f in report.findings))
    if report.summary_by_account is None:
        return
    accounts = {f.resource.account for f in report.findings if f.resource.account}
    for account in sorted(accounts | set(report.summary_by_account)):
        stated = report.summary_by_account.get(account)
        held = Counter(str(f.status) for f in report.findings if f.resource.account == account)
        _agree(name, f"summary_by_account[{account}]", stated.model_dump(by_alias=True) if stated else {}, held)


def _agree(name: str, what: str, summary: dict[str, int], counts: Counter[str]) -> None:
    for status in Status:
        if summary.get(status.value, 0) != counts.get(status.value, 0):
            raise InputError(
                f"{name}: {what} says {summary.get(status.value, 0)} {status.value} but the findings hold "
                f"{counts.get(status.value, 0)}; the report was altered or truncated"
            )


def _check_seal(path: Path, report: ReportDocument, minor: int) -> None:
    from .reporters.json_report import report_digest_matches

    claimed = report.content_sha256
    if claimed is None:
        if minor >= SEALED_SINCE_MINOR:
            raise InputError(
                f"{path}: edited after the scan (schema {report.schema_version} without its content_sha256)"
            )
        return  # written before 1.4: nothing to verify, and source.inputs says so (content_sha256 null)
    if not report_digest_matches(path.read_text(encoding="utf-8"), claimed):
        raise InputError(
            f"{path}: edited after the scan (its content_sha256 does not match its content); "
            "merge the report as hipaacheck wrote it"
        )


def _finding(item: ReportFinding) -> Finding:
    r = item.resource
    resource = Resource(
        type=r.type,
        address=r.address,
        source=r.source,
        attrs={},
        name=r.name,
        region=r.region,
        account=r.account,
        account_name=r.account_name,
        action=r.action,
    )
    return Finding(
        policy_id=item.policy_id,
        title=item.title,
        severity=Severity(item.severity),
        status=Status(item.status),
        safeguards=tuple(item.safeguards),
        resource=resource,
        message=item.message,
        remediation=item.remediation,
        evidence=tuple(Evidence(e.key, e.observed, e.expected, e.undetermined) for e in item.evidence),
    )


def _waiver(name: str, item: ReportFinding) -> Waiver:
    waiver = item.waiver
    assert waiver is not None
    try:
        expires = date.fromisoformat(waiver.expires)
    except ValueError:
        raise InputError(
            f"{name}: the waiver of {item.policy_id} on {item.resource.address} expires {waiver.expires!r}, "
            "not a date YYYY-MM-DD"
        ) from None
    return Waiver(
        policy=waiver.policy,
        resource=waiver.resource,
        reason=redact(waiver.reason),
        owner=redact(waiver.owner),
        expires=expires,
        file=waiver.file,
        line=waiver.line,
        account=waiver.account,
    )
