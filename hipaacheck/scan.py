"""One function per scan: collect resources, evaluate, and assemble a Report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .engine import evaluate
from .models import Severity
from .policy.model import Policy
from .report import Report


def scan_plan(path: Path, policies: Sequence[Policy], fail_on: Severity) -> Report:
    from .sources.terraform import load_plan_resources  # keeps `hipaacheck --version` light

    plan, resources = load_plan_resources(path)
    findings = evaluate(policies, resources)
    report = Report(
        source={
            "kind": "terraform-plan",
            "path": str(path),
            "format_version": plan.format_version,
            "terraform_version": plan.terraform_version,
        },
        findings=findings,
        fail_on=fail_on,
        policy_count=len(policies),
        resource_count=len(resources),
    )
    if plan.skipped_deletes:
        report.notes.append(f"{plan.skipped_deletes} resource(s) the plan deletes were not evaluated")
    return report
