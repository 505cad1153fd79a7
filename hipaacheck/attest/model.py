"""Attestations: signed statements for the safeguards that infrastructure cannot show.

Most of the Security Rule's administrative safeguards (a Business Associate
Agreement, a risk analysis, training, incident procedures) live in documents
and in people's heads, not in Terraform. An attestation records who vouches
for one of them, when, with what evidence, and how often it must be reviewed;
``evaluate`` then treats it like a policy: ``pass`` while current, ``fail``
when overdue, unfinished, or when its evidence is missing or altered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..models import Status
from ..safeguards import SPECIFICATIONS, Specification, covers

DEFAULT_FILE = "hipaacheck-attestations.yaml"

# 164.306(d)(3): for an addressable specification the entity implements it,
# implements an equivalent alternative, or documents why neither is reasonable.
DECISIONS = ("implemented", "alternative", "not-reasonable")
NEEDS_RATIONALE = ("alternative", "not-reasonable")

# A template value the signer has not replaced yet. Such a record always fails.
PLACEHOLDER = "TODO"

# Review is "due soon" within this many days: the report says so before it fails.
DUE_SOON_DAYS = 30


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and value.strip().startswith(PLACEHOLDER)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where the proof is: a local file (checked) or a URI (recorded, not fetched)."""

    text: str  # as written in the file
    path: Path | None = None  # resolved local path, inside the evidence root
    uri: str | None = None  # https://, http:// or s3:// location
    sha256: str | None = None  # lowercase hex, when given

    @property
    def placeholder(self) -> bool:
        return is_placeholder(self.text)


@dataclass(frozen=True, slots=True)
class Attestation:
    id: str
    safeguards: tuple[str, ...]
    statement: str
    owner: str
    signed_by: str
    signed_at: date | None  # None while the template placeholder is still there
    evidence: Evidence
    review_interval_days: int
    decision: str | None = None  # for addressable specifications (164.306(d))
    rationale: str | None = None
    applicable: bool = True  # False: the specification does not apply (rationale says why)
    placeholders: tuple[str, ...] = ()  # fields still holding the template placeholder
    file: str = ""
    line: int = 1

    @property
    def due(self) -> date | None:
        """The last day this attestation is current."""
        if self.signed_at is None:
            return None
        return self.signed_at + timedelta(days=self.review_interval_days)

    def specifications(self) -> list[Specification]:
        """Every specification this attestation counts toward (same strict rule as policies)."""
        return [spec for spec in SPECIFICATIONS if any(covers(c, spec) for c in self.safeguards)]

    def addressable(self) -> list[Specification]:
        return [spec for spec in self.specifications() if spec.kind == "addressable"]


@dataclass(frozen=True, slots=True)
class AttestationSet:
    file: str
    attestations: tuple[Attestation, ...]
    organization: str | None = None
    root: Path | None = None  # the folder local evidence must stay inside


@dataclass(frozen=True, slots=True)
class AttestationResult:
    """An attestation as evaluated on a given day."""

    attestation: Attestation
    status: Status  # PASS or FAIL
    reasons: tuple[str, ...]  # why it fails, or notes on a pass
    evidence_state: str  # verified, present, remote, missing, mismatch, placeholder, unreadable
    today: date

    @property
    def days_left(self) -> int | None:
        due = self.attestation.due
        return None if due is None else (due - self.today).days

    @property
    def due_soon(self) -> bool:
        left = self.days_left
        return self.status is Status.PASS and left is not None and left <= DUE_SOON_DAYS
