"""What the finding-per-record exports (ASFF, OCSF, CSV) share: ids, source wording, text limits.

A finding's export id is stable across runs, so a re-import updates the
record instead of adding a duplicate: it hashes the source (plan path or
account), the policy id and the resource address, never a line number. In
a merged report (``hipaacheck merge``) each finding is identified as in its
own account's report (its resource's source and account), so importing the
merged report updates the records the per-account imports made.
"""

from __future__ import annotations

import hashlib

from ..display import redact
from ..models import Finding
from ..output import ENCODING_ERRORS
from ..report import Report


def source_kind(report: Report) -> str:
    return str(report.source.get("kind", "scan"))


def is_plan(report: Report) -> bool:
    return source_kind(report) == "terraform-plan"


def is_merged(report: Report) -> bool:
    return source_kind(report) == "merged"


def source_label(report: Report, finding: Finding | None = None) -> str:
    """Where a finding comes from, in words: plan findings say they are about a plan, not a deployment."""
    if is_merged(report) and finding is not None:
        resource = finding.resource
        if resource.source == "aws":
            name = f" ({resource.account_name})" if resource.account_name else ""
            return f"live AWS account {resource.account or '?'}{name}, in a merged report"
        return f"{resource.source} finding{f' of account {resource.account}' if resource.account else ''}, in a merged report"
    if is_plan(report):
        return f"Terraform plan {report.source.get('path', '?')} (planned, not yet deployed)"
    if source_kind(report) == "aws":
        return f"live AWS account {report.source.get('account', '?')}"
    return f"{source_kind(report)} scan"


def export_id(report: Report, finding: Finding) -> str:
    kind, plan = source_kind(report), is_plan(report)
    scope = str(report.source.get("path") if plan else report.source.get("account", ""))
    if is_merged(report):
        kind, plan = finding.resource.source, finding.resource.source == "terraform-plan"
        scope = finding.resource.account or ""
    material = "\0".join((kind, scope, finding.policy_id, finding.resource.address))
    digest = hashlib.sha256(material.encode("utf-8", ENCODING_ERRORS)).hexdigest()[:32]
    return f"hipaacheck/{'plan' if plan else 'live'}/{finding.policy_id}/{digest}"


def partition_of(finding: Finding) -> str:
    """The ARN's partition for live resources (aws, aws-us-gov, aws-cn); plans say nothing, so ``aws``."""
    address = finding.resource.address
    if address.startswith("arn:"):
        parts = address.split(":")
        if len(parts) > 2 and parts[1]:
            return parts[1]
    return "aws"


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in an ellipsis when cut; redacted, on one line."""
    flat = " ".join(redact(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def citations(finding: Finding) -> str:
    return ", ".join(finding.safeguards)
