"""``scope-change`` findings: a plan that takes a resource out of a policy's scope is itself a finding.

A policy's ``scope`` says which resources it applies to (most built-in ones:
not tagged ``phi = "false"``). A change that flips the tag, or any field a
scope reads, makes every check of that policy ``skipped`` on the resource: a
quiet exemption. So the plan is evaluated twice, as the resources were before
it (``change.before``) and as they will be after apply, and every resource that
was in a policy's scope before and is out of it after (or can no longer be
told: known only after apply) gets one ``scope-change`` finding: severity
medium, a ``fail`` that gates and can be waived like any other, naming the
policies it leaves and the before/after values of the fields their scopes read.

The "before" resources go through the same adapters as the "after" ones, from
a copy of the plan whose ``after`` values are the ``before`` values; resources
the plan creates did not exist before and are left out. Plans without
updates, replacements or deletes (the common first apply) skip all this.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from .display import show_value
from .models import Evidence, Finding, GapKind, Resource, Severity, Status
from .policy.conditions import lookup
from .policy.model import Policy
from .policy.truth import Truth

SCOPE_CHANGE_ID = "scope-change"
TITLE = "A change takes a resource out of a policy's scope"
SEVERITY = Severity.MEDIUM
# Evaluation: assess safeguards again "in response to environmental or operational changes
# affecting the security of electronic protected health information".
SAFEGUARDS = ("164.308(a)(8)",)
REMEDIATION = (
    "Review the change: if the resource really holds no ePHI any more, waive this finding with a reason "
    "and an owner (policy scope-change, resource its address); otherwise keep the scope fields (e.g. "
    "tags.phi) as they were so every safeguard still applies."
)
_CHANGING = {"update", "delete"}  # actions that change what existed (a replace has a delete)


def before_document(document: dict[str, Any]) -> dict[str, Any] | None:
    """A copy of the plan whose resources are as they were before it, or None if nothing existing changes."""
    changes = document.get("resource_changes")
    if not isinstance(changes, list):
        return None
    before_changes: list[Any] = []
    changed = False
    for change in changes:
        body = change.get("change") if isinstance(change, dict) else None
        if not isinstance(body, dict):
            continue
        actions = body.get("actions")
        if not isinstance(actions, list):
            continue
        before = body.get("before")
        if change.get("mode", "managed") != "managed":
            before_changes.append(change)  # data sources: read the same in both worlds
            continue
        if not isinstance(before, dict):
            continue  # created by the plan: it did not exist before
        changed = changed or bool(_CHANGING & set(actions))
        before_changes.append(
            {
                **change,
                "change": {
                    "actions": ["no-op"],
                    "before": before,
                    "after": before,
                    "after_unknown": {},
                    "after_sensitive": body.get("before_sensitive"),
                },
            }
        )
    if not changed:
        return None
    return {**document, "resource_changes": before_changes}


def _value(resource: Resource, key: str) -> str:
    if resource.is_sensitive(key):
        return "(sensitive)"
    gap = resource.gap_for(key)
    if gap is not None:
        return gap.reason
    found = lookup(resource.attrs, tuple(key.split(".")))
    return show_value(found) if isinstance(found, str | int | float | bool | list | dict) else "not set"


def scope_change_findings(
    policies: Sequence[Policy], before: Iterable[Resource], after: Iterable[Resource]
) -> list[Finding]:
    scoped: dict[str, list[Policy]] = defaultdict(list)
    for policy in policies:
        if policy.scope is not None:
            scoped[policy.resource_type].append(policy)
    if not scoped:
        return []
    earlier: dict[tuple[str, str], Resource] = {}
    findings: list[Finding] = []
    for resource in before:
        if resource.type not in scoped:
            continue
        if _unreadable(resource):
            # The check could not run for this type: an error (never a silent pass).
            findings.append(_could_not_check(resource))
        earlier[(resource.type, resource.address)] = resource
    for resource in after:
        previous = earlier.get((resource.type, resource.address))
        if previous is None:
            continue
        left: list[tuple[Policy, Truth]] = []
        for policy in scoped[resource.type]:
            assert policy.scope is not None
            if policy.scope.evaluate(previous).truth is not Truth.TRUE:
                continue
            now = policy.scope.evaluate(resource).truth
            if now in (Truth.FALSE, Truth.UNKNOWN):
                left.append((policy, now))
        if left:
            findings.append(_finding(resource, previous, left))
    return findings


def _unreadable(resource: Resource) -> bool:
    """An adapter failed on the "before" plan: a stand-in with no values, every field an error."""
    return not resource.attrs and bool(resource.gaps) and all(g.kind is GapKind.ERROR for g in resource.gaps.values())


def _could_not_check(resource: Resource) -> Finding:
    reason = next(iter(resource.gaps.values())).reason
    return _scope_finding(resource, Status.ERROR, f"Could not be checked: as they were before the plan, {reason}")


def _scope_finding(resource: Resource, status: Status, message: str, evidence: tuple[Evidence, ...] = ()) -> Finding:
    """Every scope-change finding carries the same policy identity; only status, message and evidence vary."""
    return Finding(
        policy_id=SCOPE_CHANGE_ID,
        title=TITLE,
        severity=SEVERITY,
        status=status,
        safeguards=SAFEGUARDS,
        resource=resource,
        message=message,
        remediation=REMEDIATION,
        evidence=evidence,
    )


def _finding(resource: Resource, previous: Resource, left: list[tuple[Policy, Truth]]) -> Finding:
    keys: list[str] = []
    for policy, _ in left:
        assert policy.scope is not None
        keys += [k for k in policy.scope.key_paths() if k not in keys]
    evidence = tuple(
        Evidence(key, _value(resource, key), f"{_value(previous, key)} (as before the change)")
        for key in keys
        if _value(resource, key) != _value(previous, key)
    )
    changes = "; ".join(
        f"{e.key} was {e.expected.removesuffix(' (as before the change)')}, now {e.observed}" for e in evidence
    )
    sure = [p.id for p, truth in left if truth is Truth.FALSE]
    maybe = [p.id for p, truth in left if truth is Truth.UNKNOWN]
    parts = []
    if sure:
        parts.append(f"leaves the scope of {', '.join(sure)}")
    if maybe:
        parts.append(f"may leave the scope of {', '.join(maybe)} (known only after apply)")
    message = f"The plan {' and '.join(parts)}: {changes or 'a field the scope reads changed'}"
    return _scope_finding(resource, Status.FAIL, message, evidence)
