"""The value types that flow through the pipeline: resources in, findings out.

Resources are plain dataclasses (not pydantic models) because a large plan
holds tens of thousands of them and they are built on the hot path; their
``attrs`` are checked against the canonical pydantic schema separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """The result of one policy on one resource. Only PASS is a pass."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"  # a deciding value is known only after apply
    ERROR = "error"  # the check could not run (unreadable or malformed value)
    SKIPPED = "skipped"  # out of scope, or not managed by what was scanned
    WAIVED = "waived"  # a failing finding accepted by a dated waiver


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class GapKind(StrEnum):
    """Why a canonical field has no value to evaluate."""

    UNKNOWN = "unknown"  # Terraform knows it only after apply
    ERROR = "error"  # the collector could not read it, or it was malformed
    NOT_MANAGED = "not_managed"  # the scanned source does not manage it (plans are partial)


@dataclass(frozen=True, slots=True)
class Gap:
    kind: GapKind
    reason: str


@dataclass(slots=True)
class Resource:
    """One canonical resource, as policies see it.

    ``attrs`` follows the documented schema of ``type`` (see resource_types).
    A field that is simply absent was not configured; a field listed in
    ``gaps`` (or under a listed prefix) could not be determined, and why.
    """

    type: str
    address: str
    source: str  # "terraform-plan" or "aws"
    attrs: dict[str, Any]
    gaps: dict[str, Gap] = field(default_factory=dict)
    sensitive: frozenset[str] = frozenset()
    name: str | None = None
    region: str | None = None
    account: str | None = None
    account_name: str | None = None  # live: the account's name in Organizations (or its IAM alias)
    action: str | None = None  # plan change: create, update, replace, no-op, delete
    # Why a field holds its value, when the value alone would mislead: a service default
    # applied to an unset setting, a safeguard this plan deletes. Shown with the evidence.
    notes: dict[str, str] = field(default_factory=dict)

    def gap_for(self, path: str) -> Gap | None:
        """The gap covering ``path`` or one of its parents, if any."""
        if not self.gaps:
            return None
        gap = self.gaps.get(path)
        if gap is not None:
            return gap
        cut = path.rfind(".")
        while cut > 0:
            path = path[:cut]
            gap = self.gaps.get(path)
            if gap is not None:
                return gap
            cut = path.rfind(".")
        return None

    def note_for(self, path: str) -> str | None:
        """The note on ``path`` or on one of its parents, if any."""
        if not self.notes:
            return None
        parts = path.split(".")
        for i in range(len(parts), 0, -1):
            note = self.notes.get(".".join(parts[:i]))
            if note is not None:
                return note
        return None

    def is_sensitive(self, path: str) -> bool:
        if not self.sensitive:
            return False
        parts = path.split(".")
        return any(".".join(parts[: i + 1]) in self.sensitive for i in range(len(parts)))


@dataclass(frozen=True, slots=True)
class Evidence:
    """One requirement as it was checked: the key, what was seen, what was expected."""

    key: str
    observed: str  # the value shown, or why there is none to show
    expected: str
    undetermined: bool = False  # observed is a reason (unknown, unreadable, not managed), not a value


@dataclass(slots=True)
class Finding:
    policy_id: str
    title: str
    severity: Severity
    status: Status
    safeguards: tuple[str, ...]
    resource: Resource
    message: str
    remediation: str
    evidence: tuple[Evidence, ...] = ()
