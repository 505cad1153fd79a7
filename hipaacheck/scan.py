"""One function per scan: collect resources, evaluate, and assemble a Report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .engine import evaluate
from .models import Finding, Resource, Severity
from .paths import portable_path
from .policy.model import Policy
from .report import Report

if TYPE_CHECKING:
    from .sources.aws.options import ScanOptions
    from .sources.terraform import Plan


def scan_plan(path: Path, policies: Sequence[Policy], fail_on: Severity) -> Report:
    from .sources.terraform import load_plan_resources  # keeps `hipaacheck --version` light

    plan, resources = load_plan_resources(path)
    findings = evaluate(policies, resources)
    findings += _scope_changes(plan, policies, resources)
    report = Report(
        source={
            "kind": "terraform-plan",
            "path": portable_path(path),  # never an absolute path of this machine
            "format_version": plan.format_version,
            "terraform_version": plan.terraform_version,
        },
        findings=findings,
        fail_on=fail_on,
        policy_count=len(policies),
        resource_count=len(resources),
        policies=list(policies),
    )
    if plan.skipped_deletes:
        report.notes.append(
            f"{plan.skipped_deletes} resource(s) the plan deletes were evaluated only for what their removal "
            "breaks (account safeguards, stored ePHI)"
        )
    report.notes.extend(plan.notes)
    return report


def _scope_changes(plan: Plan, policies: Sequence[Policy], resources: list[Resource]) -> list[Finding]:
    """``scope-change`` findings: resources the plan takes out of a policy's scope (see scope_change.py)."""
    from .scope_change import before_document, scope_change_findings
    from .sources.terraform import Plan as PlanDocument
    from .sources.terraform.adapters import adapt_plan

    document = before_document(plan.document)
    if document is None:
        return []
    return scope_change_findings(policies, adapt_plan(PlanDocument(document)), resources)


def scan_aws(options: ScanOptions, policies: Sequence[Policy], fail_on: Severity) -> Report:
    """Scan a live AWS account (read-only) with the same policies as a plan."""
    from .sources.aws.runner import scan_account  # boto3 is loaded only for live scans

    live = scan_account(options)
    findings = evaluate(policies, live.resources)
    report = Report(
        source={
            "kind": "aws",
            "account": live.account,
            "caller_arn": live.caller_arn,
            "regions": live.regions,
            "enabled_regions": live.enabled_regions,
            "regions_not_scanned": live.not_scanned,
        },
        findings=findings,
        fail_on=fail_on,
        policy_count=len(policies),
        resource_count=len(live.resources),
        policies=list(policies),
    )
    report.notes.extend(live.notes)
    return report
