"""The JSON report (schema 1.x) as one pydantic model: the published schema, and how reports are read back.

``schemas/report.schema.json`` is generated from ``ReportDocument``
(``scripts/generate-schemas``); the baseline gate and the evidence pack read
earlier reports through the same model, so what the schema promises and what
hipaacheck accepts cannot drift apart. A test checks that the reports
hipaacheck writes validate against both.

Reading is forward compatible within a major version: fields a later 1.x adds
are ignored (semver: a new optional field is a minor bump), and the fields 1.1
and 1.2 added are optional so 1.0 reports still read. Types are strict: a
count is an integer, never a string or a boolean.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .display import redact
from .sources.errors import InputError

SeverityName = Literal["critical", "high", "medium", "low"]
StatusName = Literal["pass", "fail", "unknown", "error", "skipped", "waived"]


class _Part(BaseModel):
    # defer_build: built when a report is first read, not on every scan's import (the baseline imports this).
    model_config = ConfigDict(strict=True, extra="ignore", defer_build=True)


class Tool(_Part):
    name: Literal["hipaacheck"]
    version: str


class ScannedAccount(_Part):
    """1.6: one account of a live scan, scanned or not (an organisation scan lists every account in scope)."""

    model_config = ConfigDict(strict=True, extra="allow")
    id: str = Field(pattern=r"^\d{12}$")
    name: str | None = Field(None, description="the account's name in Organizations, else its IAM alias")
    regions: list[str] = Field(description="regions scanned (or asked for, when the account could not be scanned)")
    started_at: str | None = Field(None, description="ISO 8601 time the account's scan started")
    finished_at: str | None = Field(None, description="ISO 8601 time it ended")
    status: Literal["scanned", "error"]
    error: str | None = Field(None, description="why the account could not be scanned (its account-scan finding)")
    enabled_regions: list[str] | None = Field(None, description="every region enabled for the account, if listed")
    regions_not_scanned: dict[str, str] = Field({}, description="region asked for that could not be scanned: why")


class Organization(_Part):
    """1.6: how the accounts of a multi-account scan were chosen (--org, --ou, --accounts, --shard)."""

    model_config = ConfigDict(strict=True, extra="allow")
    id: str | None = Field(None, description="o-..., or null (--accounts, or DescribeOrganization not allowed)")
    ou: str | None = Field(None, description="--ou: the organisational unit (and those under it)")
    role: str = Field(description="--org-role: the role assumed in each account")
    shard: str | None = Field(None, pattern=r"^\d+/\d+$", description="--shard I/N")


class MergedInput(_Part):
    """1.6: one report a merged report (``hipaacheck merge``) was made from."""

    path: str
    generated_at: str
    content_sha256: str | None = Field(None, description="the input's own content_sha256 (null before 1.4)")
    schema_version: str | None = None
    tool_version: str | None = None
    source: dict[str, Any]


class Source(_Part):
    """What was scanned: ``terraform-plan`` (path, format_version, terraform_version) or ``aws`` (account, regions)."""

    model_config = ConfigDict(strict=True, extra="allow")
    kind: str = Field(min_length=1)
    accounts: list[ScannedAccount] | None = Field(
        None, description="1.6, live scans: every account in scope (one for a single-account scan)"
    )
    organization: Organization | None = Field(None, description="1.6: --org/--accounts scans; null otherwise")
    inputs: list[MergedInput] | None = Field(
        None, description="1.6, kind merged (hipaacheck merge): the reports merged"
    )


class Summary(_Part):
    """How many findings have each status; must agree with ``findings``."""

    pass_: int = Field(0, ge=0, alias="pass")
    fail: int = Field(0, ge=0)
    unknown: int = Field(0, ge=0)
    error: int = Field(0, ge=0)
    skipped: int = Field(0, ge=0)
    waived: int = Field(0, ge=0)


class Gate(_Part):
    """How the exit code was decided (1.1; ``incomplete`` and ``allow_incomplete`` 1.2; ``fail_on_unknown`` and
    ``failing_unknown`` 1.3)."""

    failing: int = Field(ge=0)
    incomplete: int = Field(0, ge=0)
    allow_incomplete: bool = False
    fail_on_unknown: bool = Field(False, description="1.3: --fail-on-unknown")
    failing_unknown: int = Field(0, ge=0, description="1.3: unknown findings that gate under --fail-on-unknown")
    waivers: dict[str, Any] | None = Field(
        None, description="the waivers file used: file, applied, expired (1.3: max_days, revision, entries)"
    )
    baseline: dict[str, Any] | None = Field(None, description="the baseline used: file, known, fixed")
    changed_only: bool = False
    exit_zero: bool = Field(False, description="1.3: --exit-zero")


class Resource(_Part):
    type: str = Field(min_length=1, description="hipaacheck's canonical type (`hipaacheck policies fields`)")
    address: str = Field(min_length=1, description="the full Terraform address, or the ARN of a live resource")
    name: str | None = None
    source: str = Field(description="terraform-plan or aws")
    region: str | None = None
    account: str | None = None
    account_name: str | None = Field(None, description="1.6, live: the account's name (Organizations or IAM alias)")
    action: str | None = Field(None, description="plans: create, update, replace or no-op")


class Evidence(_Part):
    key: str
    observed: str
    expected: str
    undetermined: bool = False


class Location(_Part):
    file: str
    line: int = Field(ge=1)


class Waiver(_Part):
    policy: str
    resource: str
    reason: str
    owner: str
    expires: str = Field(description="YYYY-MM-DD, the last day the waiver applies")
    account: str | None = Field(None, description="1.6: the account (id or glob) the waiver is limited to")
    file: str
    line: int = Field(ge=1)


class Finding(_Part):
    policy_id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    severity: SeverityName
    status: StatusName
    safeguards: list[str] = Field(description="HIPAA Security Rule citations, e.g. 164.312(a)(2)(iv)")
    resource: Resource
    message: str
    evidence: list[Evidence] = []
    remediation: str
    location: Location | None = None
    waiver: Waiver | None = None
    baseline: bool = False
    gating: bool = False


class ReportDocument(_Part):
    """A hipaacheck JSON report (``--format json``)."""

    model_config = ConfigDict(
        strict=True,
        extra="ignore",
        title="hipaacheck JSON report",
        json_schema_extra={"$comment": "Generated from hipaacheck/report_model.py by scripts/generate-schemas."},
    )
    schema_version: str = Field(pattern=r"^1\.\d+(\.\d+)?$", description="semver major.minor; this schema reads 1.x")
    tool: Tool
    generated_at: str = Field(description="ISO 8601 time the report was written")
    source: Source
    policies: int = Field(ge=0, description="how many policies ran")
    resources: int = Field(ge=0, description="how many canonical resources were evaluated")
    fail_on: SeverityName | None = None
    result: Literal["pass", "fail", "incomplete"] | None = None
    summary: Summary
    summary_by_account: dict[str, Summary] | None = Field(
        None, description="1.6: the summary per account, of the findings that name one ({} for plans)"
    )
    notes: list[str] = []
    selection: dict[str, Any] | None = Field(None, description="1.3: --policy, --skip-policy, --min-severity")
    config: str | None = Field(None, description="1.3: the .hipaacheck.yaml used")
    parameters: dict[str, dict[str, Any]] | None = Field(None, description="1.3: parameter values in force")
    gate: Gate | None = None
    findings: list[Finding]
    content_sha256: str | None = Field(
        None,
        pattern=r"^[0-9a-f]{64}$",
        description="1.4: sha256 of the report's text with this value written as 64 zeros (detects edits)",
    )


# The report schema's major version this hipaacheck reads (baselines, merge inputs).
SUPPORTED_MAJOR = "1"


def require_hipaacheck_report(document: Any, name: str) -> dict[str, Any]:
    """``document`` if it is an object that hipaacheck wrote (``tool.name``); else one clear error."""
    if not isinstance(document, dict):
        raise InputError(f"{name}: not a hipaacheck JSON report (expected an object)")
    tool = document.get("tool")
    tool_name = tool.get("name") if isinstance(tool, dict) else None
    if tool_name != "hipaacheck":
        shown = f"{tool_name!r}" if isinstance(tool_name, str) else "no tool.name"
        raise InputError(f"{name}: not a hipaacheck JSON report ({shown}); make it with --format json")
    return document


def parse_report(document: Any, name: str, what: str) -> ReportDocument:
    """Validate a parsed JSON report; the first problem is one line: where, and what is wrong."""
    try:
        return ReportDocument.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
        problem = redact(f"{where or 'document'}: {first['msg'].lower()}")
        raise InputError(f"{name}: {what} is not a valid hipaacheck 1.x report: {problem}") from None
