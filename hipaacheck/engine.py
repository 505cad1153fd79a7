"""Evaluate policies against resources. Pure: no I/O, no AWS, no files.

Resources are grouped by type once, so each policy only meets the
resources it is written for, and cost stays linear in the plan's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from .models import Evidence, Finding, Resource, Status
from .policy.model import Policy
from .policy.truth import Truth

_STATUS = {
    Truth.TRUE: Status.PASS,
    Truth.FALSE: Status.FAIL,
    Truth.UNKNOWN: Status.UNKNOWN,
    Truth.ERROR: Status.ERROR,
    Truth.SKIPPED: Status.SKIPPED,
}

_LEAD = {
    Status.PASS: "",
    Status.FAIL: "",
    Status.UNKNOWN: "",
    Status.ERROR: "Could not be checked: ",
    Status.SKIPPED: "Not evaluated: ",
}


def evaluate(policies: Sequence[Policy], resources: Iterable[Resource]) -> list[Finding]:
    by_type: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        by_type[resource.type].append(resource)
    findings: list[Finding] = []
    for policy in policies:
        for resource in by_type.get(policy.resource_type, ()):
            findings.append(evaluate_one(policy, resource))
    return findings


def evaluate_one(policy: Policy, resource: Resource) -> Finding:
    scope_note = ""
    scope_truth = Truth.TRUE
    if policy.scope is not None:
        scope = policy.scope.evaluate(resource)
        if scope.truth is Truth.FALSE:
            return _finding(policy, resource, Status.SKIPPED, "Out of scope: " + scope.words, scope.evidence)
        if scope.truth is not Truth.TRUE:
            scope_note = scope.words
            scope_truth = scope.truth
    outcome = policy.require.evaluate(resource)
    status = _STATUS[outcome.truth]
    message = _LEAD[status] + outcome.words
    if scope_note and status is not Status.PASS:
        # The policy may not even apply: say so rather than claim a failure. When the
        # scope could not be read (a malformed value, a denied read) that is an error:
        # an unknown would let a broken input turn a failure into something that never gates.
        if status is Status.FAIL:
            status = Status.ERROR if scope_truth is Truth.ERROR else Status.UNKNOWN
        message = f"{message} (whether the policy applies is undetermined: {scope_note})"
    return _finding(policy, resource, status, message, outcome.evidence)


def _finding(
    policy: Policy, resource: Resource, status: Status, message: str, evidence: tuple[Evidence, ...]
) -> Finding:
    return Finding(
        policy_id=policy.id,
        title=policy.title,
        severity=policy.severity,
        status=status,
        safeguards=policy.safeguards,
        resource=resource,
        message=message,
        remediation=policy.remediation,
        evidence=evidence,
    )
