"""One function per scan: collect resources, evaluate, and assemble a Report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .batch_gc import settle
from .engine import evaluate
from .models import Finding, Resource, Severity
from .paths import portable_path
from .policy.model import Policy
from .report import Report

if TYPE_CHECKING:
    from .sources.aws.options import ScanOptions
    from .sources.aws.runner import LiveScan
    from .sources.terraform import Plan


def scan_plan(path: Path, policies: Sequence[Policy], fail_on: Severity, tf_dir: Path | None = None) -> Report:
    from .sources.terraform import load_plan_resources  # keeps `hipaacheck --version` light

    plan, resources = load_plan_resources(path, tf_dir)
    settle()  # the canonical resources live to the end: never walk them again (batch_gc)
    findings = evaluate(policies, resources)
    findings += _scope_changes(plan, policies, resources)
    settle()
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
    """Scan a live AWS account, or several (--org, --accounts), read-only, with the same policies as a plan."""
    if options.org is not None:
        return _scan_organization(options, policies, fail_on)
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
            "accounts": [_account_entry(live)],
            "organization": None,
        },
        findings=findings,
        fail_on=fail_on,
        policy_count=len(policies),
        resource_count=len(live.resources),
        policies=list(policies),
    )
    report.notes.extend(live.notes)
    return report


def _account_entry(live: LiveScan) -> dict[str, Any]:
    """A single-account scan's ``source.accounts`` entry (an organisation scan's come from accounts.py)."""
    return {
        "id": live.account,
        "name": live.account_name,
        "regions": live.regions,
        "started_at": live.started_at.isoformat(timespec="seconds") if live.started_at else None,
        "finished_at": live.finished_at.isoformat(timespec="seconds") if live.finished_at else None,
        "status": "scanned",
        "error": None,
        "enabled_regions": live.enabled_regions,
        "regions_not_scanned": live.not_scanned,
    }


def _scan_organization(options: ScanOptions, policies: Sequence[Policy], fail_on: Severity) -> Report:
    from .sources.aws.accounts import account_scan_finding, scan_accounts

    assert options.org is not None
    org = scan_accounts(options)
    resources = org.resources
    findings = evaluate(policies, resources)
    findings += [account_scan_finding(o, org.options.role_name) for o in org.outcomes if o.scan is None]
    scans = [o.scan for o in org.outcomes if o.scan is not None]
    enabled = [s.enabled_regions for s in scans]
    not_scanned: dict[str, list[str]] = {}
    for scan in scans:
        for region, why in scan.not_scanned.items():
            not_scanned.setdefault(region, []).append(f"account {scan.account}: {why}")
    report = Report(
        source={
            "kind": "aws",
            "account": None,  # several: see accounts
            "caller_arn": org.caller.arn,
            "regions": sorted({r for s in scans for r in s.regions}),
            # The union over accounts; null when some account's enabled regions could not be listed.
            "enabled_regions": None
            if any(e is None for e in enabled)
            else sorted({r for e in enabled for r in e or []}),
            "regions_not_scanned": {region: "; ".join(why) for region, why in sorted(not_scanned.items())},
            "accounts": [o.entry() for o in org.outcomes],
            "organization": {
                "id": org.organization_id,
                "ou": org.options.ou,
                "role": org.options.role_name,
                "shard": str(org.options.shard) if org.options.shard else None,
            },
        },
        findings=findings,
        fail_on=fail_on,
        policy_count=len(policies),
        resource_count=len(resources),
        policies=list(policies),
    )
    failed = [o.target.id for o in org.outcomes if o.scan is None]
    report.notes.extend(org.notes)
    if failed:
        report.notes.append(
            f"{len(failed)} account(s) could not be scanned (finding account-scan): {', '.join(failed)}"
        )
    return report
