"""Read an attestations file; every problem is one line with file:line:col (exit 2).

File format (default ``hipaacheck-attestations.yaml``)::

    organization: Example Billing LLC          # optional, shown on the report
    attestations:
      - id: baa-clients-and-subcontractors
        safeguards: ["164.308(b)(1)", "164.314(a)(2)(i)"]
        statement: A signed BAA is on file for every client and subcontractor.
        owner: Compliance lead
        signed_by: Dana Reyes, Security Official
        signed_at: 2026-03-02                  # YYYY-MM-DD, not in the future
        evidence: evidence/baa-register.md     # path (inside the repository) or https:// / s3:// URI
        sha256: 3f1c...                         # optional; verified for local files
        review_interval_days: 365
        decision: implemented                  # addressable specifications only
        rationale: ...                         # required for alternative / not-reasonable
        applicable: false                      # optional: the specification does not apply (with rationale)

A value that starts with ``TODO`` is a template placeholder: the file loads,
and the record fails until someone fills it in.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from .. import safeguards
from ..policy.yaml_source import Located, PathKey, SourceError, load_located
from ..sources.errors import InputError
from .model import DECISIONS, NEEDS_RATIONALE, Attestation, AttestationSet, Evidence, is_placeholder

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URI = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_URI_SCHEMES = ("https", "http", "s3")
_TOP = ("organization", "attestations")
_REQUIRED = ("id", "safeguards", "statement", "owner", "signed_by", "signed_at", "evidence", "review_interval_days")
_OPTIONAL = ("sha256", "decision", "rationale", "applicable")
MAX_INTERVAL_DAYS = 3660  # ten years: anything longer is a typo, not a review cycle


class AttestationError(InputError):
    """Bad attestations input; ``str()`` is ``file:line:col: message``."""


def load_attestations(path: Path, today: date) -> AttestationSet:
    try:
        doc = load_located(path)
    except SourceError as exc:
        raise AttestationError(str(exc)) from None
    return _Reader(doc, evidence_root(path)).read(today)


def evidence_root(path: Path) -> Path:
    """Local evidence must stay inside the git work tree holding the file, or its folder if there is none."""
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


class _Reader:
    def __init__(self, doc: Located, root: Path) -> None:
        self.doc = doc
        self.root = root
        self.base = Path(doc.file).resolve().parent

    def fail(self, path: PathKey, message: str) -> AttestationError:
        line, col = self.doc.where(path)
        return AttestationError(f"{self.doc.file}:{line}:{col}: {message}")

    def read(self, today: date) -> AttestationSet:
        data = self.doc.value
        if not isinstance(data, dict):
            raise self.fail((), "an attestations file is a mapping with the key 'attestations' (a list)")
        for key in data:
            if key not in _TOP:
                raise self.fail((str(key),), f"unknown key {key!r} (allowed: {', '.join(_TOP)})")
        if "attestations" not in data:
            raise self.fail((), "missing 'attestations' (a list of attestation records)")
        organization = None
        if "organization" in data:
            organization = self.text(data["organization"], ("organization",), "organization")
        records = data["attestations"]
        if not isinstance(records, list) or not records:
            raise self.fail(("attestations",), "'attestations' must be a non-empty list of records")
        seen: dict[str, int] = {}
        result: list[Attestation] = []
        for index, record in enumerate(records):
            attestation = self.record(record, ("attestations", index), today)
            if attestation.id in seen:
                raise self.fail(
                    ("attestations", index, "id"),
                    f"duplicate attestation id {attestation.id!r} (first on line {seen[attestation.id]})",
                )
            seen[attestation.id] = attestation.line
            result.append(attestation)
        return AttestationSet(self.doc.file, tuple(result), organization, self.root)

    def text(self, value: Any, where: PathKey, name: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{name!r} must be non-empty text")
        return " ".join(value.split())

    def record(self, data: Any, where: PathKey, today: date) -> Attestation:
        number = int(where[-1]) + 1
        if not isinstance(data, dict):
            raise self.fail(where, f"attestation {number} must be a mapping of fields (id, safeguards, ...)")
        for key in data:
            if key not in _REQUIRED and key not in _OPTIONAL:
                allowed = ", ".join(_REQUIRED + _OPTIONAL)
                raise self.fail((*where, str(key)), f"unknown field {key!r} (allowed: {allowed})")
        for key in _REQUIRED:
            if key not in data:
                raise self.fail(where, f"attestation {number}: missing required field {key!r}")
        ident = self.text(data["id"], (*where, "id"), "id")
        if not _ID.match(ident):
            raise self.fail((*where, "id"), f"id {ident!r} must be 2-80 lowercase letters, digits and dashes")
        placeholders = [key for key in _REQUIRED + _OPTIONAL if key in data and is_placeholder(data[key])]
        citations = self.citations(data["safeguards"], (*where, "safeguards"))
        signed_at = self.signed_at(data["signed_at"], (*where, "signed_at"), today)
        interval = data["review_interval_days"]
        if isinstance(interval, bool) or not isinstance(interval, int) or not 1 <= interval <= MAX_INTERVAL_DAYS:
            raise self.fail(
                (*where, "review_interval_days"),
                f"'review_interval_days' must be a whole number of days from 1 to {MAX_INTERVAL_DAYS}",
            )
        attestation = Attestation(
            id=ident,
            safeguards=citations,
            statement=self.text(data["statement"], (*where, "statement"), "statement"),
            owner=self.text(data["owner"], (*where, "owner"), "owner"),
            signed_by=self.text(data["signed_by"], (*where, "signed_by"), "signed_by"),
            signed_at=signed_at,
            evidence=self.evidence(data, where),
            review_interval_days=interval,
            decision=self.optional_text(data, where, "decision"),
            rationale=self.optional_text(data, where, "rationale"),
            applicable=self.applicable(data, where),
            placeholders=tuple(placeholders),
            file=self.doc.file,
            line=self.doc.where(where)[0],
        )
        self.check_decision(attestation, where)
        return attestation

    def optional_text(self, data: dict[str, Any], where: PathKey, key: str) -> str | None:
        return self.text(data[key], (*where, key), key) if key in data else None

    def applicable(self, data: dict[str, Any], where: PathKey) -> bool:
        value = data.get("applicable", True)
        if not isinstance(value, bool):
            raise self.fail((*where, "applicable"), "'applicable' must be true or false")
        return value

    def citations(self, value: Any, where: PathKey) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "'safeguards' must be a non-empty list of citations such as \"164.308(a)(2)\"")
        seen: list[str] = []
        for index, citation in enumerate(value):
            if not isinstance(citation, str):
                raise self.fail((*where, index), 'a citation is text such as "164.308(a)(2)"')
            text = citation.strip()
            if not safeguards.CITATION_PATTERN.match(text):
                raise self.fail(
                    (*where, index), f"malformed citation {text!r} (write it as 164.308(a)(1)(ii)(A), no § or 45 CFR)"
                )
            if not safeguards.is_valid_citation(text):
                raise self.fail(
                    (*where, index),
                    f"citation {text!r} names no Security Rule specification (hipaacheck matrix lists them)",
                )
            if text in seen:
                raise self.fail((*where, index), f"citation {text!r} is listed twice")
            seen.append(text)
        return tuple(seen)

    def signed_at(self, value: Any, where: PathKey, today: date) -> date | None:
        if is_placeholder(value):
            return None
        if isinstance(value, date):
            signed = value
        elif isinstance(value, str) and _DATE.match(value.strip()):
            try:
                signed = date.fromisoformat(value.strip())
            except ValueError:
                raise self.fail(where, f"'signed_at' is not a real date: {value!r}") from None
        else:
            raise self.fail(where, f"'signed_at' must be a date YYYY-MM-DD, not {value!r}")
        if signed > today:
            raise self.fail(where, f"'signed_at' {signed.isoformat()} is in the future (today is {today.isoformat()})")
        return signed

    def evidence(self, data: dict[str, Any], where: PathKey) -> Evidence:
        text = self.text(data["evidence"], (*where, "evidence"), "evidence")
        digest = None
        if "sha256" in data:
            raw = data["sha256"]
            if not isinstance(raw, str) or not _SHA256.match(raw.strip()):
                raise self.fail((*where, "sha256"), "'sha256' must be 64 hexadecimal characters")
            digest = raw.strip().lower()
        if is_placeholder(text):
            return Evidence(text, sha256=digest)
        scheme = _URI.match(text)
        if scheme and len(scheme.group(1)) > 1:  # one letter is a Windows drive, not a scheme
            if scheme.group(1).lower() not in _URI_SCHEMES or len(text) <= len(scheme.group(0)) + 2:
                raise self.fail(
                    (*where, "evidence"), f"evidence URI {text!r} must be an https://, http:// or s3:// address"
                )
            return Evidence(text, uri=text, sha256=digest)
        resolved = (self.base / text).resolve()
        if not resolved.is_relative_to(self.root):
            raise self.fail(
                (*where, "evidence"),
                f"evidence path {text!r} is outside the working tree {self.root} (keep evidence in the repository)",
            )
        return Evidence(text, path=resolved, sha256=digest)

    def check_decision(self, attestation: Attestation, where: PathKey) -> None:
        decision, rationale = attestation.decision, attestation.rationale
        addressable = attestation.addressable()
        if not attestation.applicable:
            if decision is not None:
                raise self.fail((*where, "decision"), "a record with 'applicable: false' takes no 'decision'")
            if rationale is None:
                raise self.fail((*where, "applicable"), "'applicable: false' needs a 'rationale' saying why")
            return
        if decision is None:
            if addressable:
                names = ", ".join(spec.citation for spec in addressable)
                raise self.fail(
                    where,
                    f"attestation {attestation.id!r} cites addressable {names}: add 'decision' "
                    f"({' / '.join(DECISIONS)}, 164.306(d)(3))",
                )
            return
        if not addressable:
            raise self.fail(
                (*where, "decision"), "'decision' is only for addressable specifications, and none is cited here"
            )
        if decision not in DECISIONS and "decision" not in attestation.placeholders:
            raise self.fail((*where, "decision"), f"decision {decision!r} must be one of {', '.join(DECISIONS)}")
        if decision in NEEDS_RATIONALE and rationale is None:
            raise self.fail((*where, "decision"), f"decision {decision!r} needs a 'rationale' (164.306(d)(3))")
