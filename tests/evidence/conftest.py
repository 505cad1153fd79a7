"""Fixtures for the evidence pack: JSON reports made by the real CLI, and attestation files."""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import FIXTURES, ROOT, run_cli

EXAMPLE = ROOT / "examples" / "evidence" / "hipaacheck-attestations.yaml"
AS_OF = "2026-12-01"  # the example's dates are written against this day


@dataclass(frozen=True)
class Reports:
    folder: Path
    noncompliant: Path
    compliant: Path
    modules_unknowns: Path
    lifecycle: Path
    older: Path  # the same plan path as ``newer``, scanned earlier (non-compliant), for the trend
    newer: Path  # ... and scanned later (compliant)


def _scan(plan: Path, output: Path, cwd: Path) -> None:
    result = run_cli("scan", "plan", str(plan), "--format", "json", "--output", str(output), cwd=cwd)
    assert result.code in (0, 1), result.err


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    folder = tmp_path_factory.mktemp("reports")
    paths = {}
    for scenario in ("noncompliant", "compliant", "modules_unknowns", "lifecycle"):
        paths[scenario] = folder / f"{scenario}.json"
        _scan(FIXTURES / scenario / "plan.json", paths[scenario], ROOT)
    # One plan path scanned twice: first a non-compliant version (dated a month back), then the fixed one.
    workdir = folder / "billing"
    workdir.mkdir()
    shutil.copy(FIXTURES / "noncompliant" / "plan.json", workdir / "plan.json")
    _scan(Path("plan.json"), folder / "older.json", workdir)
    doc = json.loads((folder / "older.json").read_text())
    doc["generated_at"] = "2026-10-01T09:00:00+00:00"
    rewrite(folder / "older.json", doc)
    shutil.copy(FIXTURES / "compliant" / "plan.json", workdir / "plan.json")
    _scan(Path("plan.json"), folder / "newer.json", workdir)
    return Reports(folder, *paths.values(), folder / "older.json", folder / "newer.json")


P3, P4, UNSCANNED = "333333333333", "444444444444", "555555555555"
DENIED = "AccessDenied: could not assume hipaacheck-audit"


@pytest.fixture(scope="session")
def org_report(reports: Reports) -> Path:
    """A merged organisation report: the non-compliant plan deployed to one account, the compliant one to another,
    and an account whose role could not be assumed (see tests/merge_data.py)."""
    from ..merge_data import unscannable, with_account

    folder = reports.folder
    parts = [
        with_account(reports.noncompliant, folder / "acct-prod.json", P3, "claims-prod"),
        with_account(reports.compliant, folder / "acct-staging.json", P4, "claims-staging"),
        unscannable(reports.compliant, folder / "acct-legacy.json", UNSCANNED, DENIED),
    ]
    merged = folder / "org.json"
    result = run_cli("merge", *map(str, parts), "--format", "json", "--output", str(merged), cwd=folder)
    assert result.code == 1, result.err
    return merged


def write_evidence(folder: Path, name: str = "evidence.md", text: str = "signed register\n") -> tuple[Path, str]:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path, hashlib.sha256(text.encode()).hexdigest()


def record(**fields: object) -> dict[str, object]:
    """One attestation record with sensible defaults, overridable field by field (None removes one)."""
    base: dict[str, object] = {
        "id": "risk-analysis",
        "safeguards": ["164.308(a)(1)(ii)(A)"],
        "statement": "A risk analysis was completed.",
        "owner": "Security Official",
        "signed_by": "Dana Reyes",
        "signed_at": "2026-06-01",
        "evidence": "evidence.md",
        "review_interval_days": 365,
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def write_attestations(folder: Path, *records: dict[str, object], raw: str | None = None) -> Path:
    path = folder / "hipaacheck-attestations.yaml"
    if raw is not None:
        path.write_text(textwrap.dedent(raw))
    else:
        path.write_text(json.dumps({"attestations": list(records)}, indent=2))  # JSON is YAML
    return path


def rewrite(path: Path, doc: dict[str, object]) -> None:
    """Write a changed report as hipaacheck would (resealed): for test data such as a scan dated earlier.

    A report edited by hand keeps its old content_sha256 and is refused as "edited after the scan".
    """
    from hipaacheck.reporters.json_report import seal_report

    doc = {**doc, "content_sha256": "0" * 64}
    path.write_text(seal_report(json.dumps(doc, indent=2)))
