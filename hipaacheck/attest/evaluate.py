"""Evaluate attestations like policies: ``pass`` while current, ``fail`` otherwise, with the reasons."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from ..models import Status
from .model import Attestation, AttestationResult, AttestationSet

_CHUNK = 1 << 20


def evaluate(attestations: AttestationSet | Iterable[Attestation], today: date) -> list[AttestationResult]:
    records = attestations.attestations if isinstance(attestations, AttestationSet) else tuple(attestations)
    return [evaluate_one(a, today) for a in records]


def evaluate_one(attestation: Attestation, today: date) -> AttestationResult:
    failures: list[str] = []
    notes: list[str] = []
    if attestation.placeholders:
        failures.append(f"not filled in yet: {', '.join(attestation.placeholders)}")
    due = attestation.due
    if due is not None and due < today:
        failures.append(
            f"review overdue since {due.isoformat()} (signed {attestation.signed_at}, "
            f"to be reviewed every {attestation.review_interval_days} days)"
        )
    state, problem, note = _check_evidence(attestation)
    if problem:
        failures.append(problem)
    if note:
        notes.append(note)
    if not failures and due is not None:
        notes.insert(0, f"current until {due.isoformat()}")
    status = Status.FAIL if failures else Status.PASS
    return AttestationResult(attestation, status, tuple(failures or notes), state, today)


def _check_evidence(attestation: Attestation) -> tuple[str, str | None, str | None]:
    """(state, failure, note) for the attestation's evidence."""
    evidence = attestation.evidence
    if evidence.placeholder:
        return "placeholder", None, None  # already reported as "not filled in"
    if evidence.uri is not None:
        if evidence.sha256:
            return "remote", None, "remote evidence is not fetched, so its sha256 is recorded but not verified"
        return "remote", None, None
    path = evidence.path
    assert path is not None
    if not path.exists():
        return "missing", f"evidence {evidence.text} not found", None
    if path.is_dir():
        if evidence.sha256:
            return "unreadable", f"evidence {evidence.text} is a folder, which has no sha256", None
        return "present", None, None
    if not evidence.sha256:
        return "present", None, None
    try:
        digest = _sha256(path)
    except OSError as exc:
        return "unreadable", f"evidence {evidence.text} cannot be read ({exc.strerror or exc})", None
    if digest != evidence.sha256:
        return (
            "mismatch",
            f"evidence {evidence.text} has changed: sha256 {digest[:12]}… is not the recorded {evidence.sha256[:12]}…",
            None,
        )
    return "verified", None, "evidence sha256 verified"


def _sha256(path: object) -> str:
    digest = hashlib.sha256()
    with open(str(path), "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
