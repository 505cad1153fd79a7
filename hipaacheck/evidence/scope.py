"""What the pack covers, stated: each scanned source, intended or deployed, where, when, and what was left out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..display import redact
from .deployed import LIVE, PLAN
from .inputs import ScanReport


@dataclass(frozen=True)
class ScopeRow:
    label: str  # "Terraform plan infra/plan.json", "AWS account 111122223333 (live)"
    state: str  # what the source shows: intended or deployed state
    where: str  # regions scanned (or the plan's regions)
    left_out: str  # enabled regions a live scan did not scan, in words
    scanned_at: str
    counts: str  # policies and resources


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    return None


def _live_regions(report: ScanReport) -> tuple[str, str]:
    return _regions_of(report.source)


def _regions_of(source: dict[str, Any]) -> tuple[str, str]:
    failed = source.get("regions_not_scanned")
    failed = {str(k): str(v) for k, v in failed.items()} if isinstance(failed, dict) else {}
    scanned = [r for r in _strings(source.get("regions")) or [] if r not in failed]
    where = ", ".join(scanned) or "no region"
    could_not = [f"{region} could not be scanned ({why})" for region, why in failed.items()]
    if "enabled_regions" not in source:
        return where, "; ".join([*could_not, "others not recorded (a report written before hipaacheck schema 1.4)"])
    enabled = _strings(source.get("enabled_regions"))
    if enabled is None:
        return where, "; ".join([*could_not, "unknown: the account's enabled regions could not be listed"])
    missing = [r for r in enabled if r not in scanned and r not in failed]
    if not missing and not could_not:
        return where, f"none: every enabled region ({len(enabled)}) was scanned"
    left = [f"{len(missing)} enabled region(s) not scanned: {', '.join(missing)}"] if missing else []
    return where, "; ".join(left + could_not)


def scope_rows(current: list[ScanReport], when: Any) -> list[ScopeRow]:
    rows = []
    for report in current:
        kind = report.source.get("kind")
        counts = f"{report.policies} policies, {report.resources} resources"
        if kind == PLAN:
            regions = sorted({f.region for f in report.findings if f.region})
            version = report.source.get("terraform_version")
            state = "Intended state: a Terraform plan, not what is deployed" + (
                f" (Terraform {version})" if isinstance(version, str) else ""
            )
            where = ", ".join(regions) or "no region named in the plan"
            rows.append(
                ScopeRow(
                    report.label,
                    state,
                    where,
                    "not applicable (a plan shows its own resources)",
                    when(report.generated_at),
                    counts,
                )
            )
        elif kind == LIVE and not report.source.get("account") and isinstance(report.source.get("accounts"), list):
            rows += _merged_rows(report, when)  # an organisation scan: each account, as for a merged report
        elif kind == LIVE:
            where, left_out = _live_regions(report)
            state = "Deployed state: a live, read-only scan of the account"
            rows.append(ScopeRow(report.label, state, where, left_out, when(report.generated_at), counts))
        elif kind == "merged":
            rows += _merged_rows(report, when)
        else:
            rows.append(ScopeRow(report.label, f"{kind} scan", "-", "-", when(report.generated_at), counts))
    return rows


def _merged_rows(report: ScanReport, when: Any) -> list[ScopeRow]:
    """A merged report's scope: each account it covers, with its regions, scan time and whether it was scanned."""
    from .accounts import account_entries, scan_time

    inputs = report.source.get("inputs")
    inputs = [i for i in inputs if isinstance(i, dict)] if isinstance(inputs, list) else []
    merged_from = f"in a merge of {len(inputs)} report(s)" if inputs else report.label
    # Which enabled regions a scan left out: per account in an organisation scan, else in a single-account input.
    live = {
        str(i["source"].get("account")): i["source"]
        for i in inputs
        if isinstance(i.get("source"), dict) and i["source"].get("kind") == "aws"
    }
    findings = Counter(f.account for f in report.findings if f.account)
    rows = []
    for entry in account_entries(report):
        name = entry.get("name")
        label = f"AWS account {entry['id']}" + (f" ({name})" if isinstance(name, str) and name else "")
        if entry.get("status") == "error":
            state = f"Not scanned: {entry.get('error') or 'no reason recorded'}"
        else:
            state = f"Deployed state: a live, read-only scan of the account ({merged_from})"
        where = ", ".join(_strings(entry.get("regions")) or []) or "no region"
        left_out = "not recorded for this account"
        if "enabled_regions" in entry:  # an organisation scan (1.6) records them per account
            where, left_out = _regions_of(entry)
        elif str(entry["id"]) in live:
            where, left_out = _regions_of(live[str(entry["id"])])
        rows.append(
            ScopeRow(
                redact(label),
                redact(state),
                where,
                left_out,
                scan_time(entry, report.generated_at, when),
                f"{findings.get(str(entry['id']), 0)} findings",
            )
        )
    for item in inputs:  # a merged plan is intended state, whichever account its findings were given
        source = item.get("source")
        if isinstance(source, dict) and source.get("kind") == PLAN:
            try:
                scanned = when(datetime.fromisoformat(str(item.get("generated_at"))))
            except ValueError:
                scanned = "-"
            rows.append(
                ScopeRow(
                    redact(f"Terraform plan {source.get('path') or '?'} (intended state)"),
                    f"Intended state: a Terraform plan, not what is deployed ({merged_from})",
                    "-",
                    "not applicable (a plan shows its own resources)",
                    scanned,
                    "-",
                )
            )
    if not rows:
        rows.append(ScopeRow(report.label, merged_from, "-", "-", when(report.generated_at), "no account"))
    return rows
