"""What the pack says to a person: limitations, definitions, next steps, status cards, the seed's questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hipaacheck.evidence.guidance import LIMITATIONS
from hipaacheck.evidence.markdown import m

from ..conftest import run_cli
from .conftest import AS_OF, EXAMPLE, Reports
from .page import Page


def _pack(tmp_path: Path, *reports: Path, attestations: Path | None = EXAMPLE) -> tuple[Page, str]:
    html, markdown = tmp_path / "pack.html", tmp_path / "pack.md"
    args = ["report", *map(str, reports), "--html", str(html), "--markdown", str(markdown), "--today", AS_OF]
    if attestations is not None:
        args += ["--attestations", str(attestations)]
    result = run_cli(*args, cwd=tmp_path)
    assert result.code == 0, result.err
    return Page(html.read_text()), markdown.read_text()


def _findings(path: Path) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = json.loads(path.read_text())["findings"]
    return findings


def test_limitations_and_definitions_are_stated(reports: Reports, tmp_path: Path) -> None:
    page, markdown = _pack(tmp_path, reports.compliant)
    limits = page.text_by_id["limits"]
    for needle in (
        "evidence, not certification",
        "HIPAA has no certification",
        "point in time",
        "administrative and physical safeguards",
        "attestations",
    ):
        assert needle in limits and needle in markdown, needle
    for text in LIMITATIONS:
        assert " ".join(text.split()) in limits
    # ePHI and every status are defined once, in plain words.
    assert limits.count("electronic protected health information") == 1
    assert "<dt>ePHI</dt>" in (tmp_path / "pack.html").read_text()
    for term in ("Gaps found", "No evidence", "In place", "unknown / error", "skipped", "waived"):
        assert term in limits, term


def test_next_steps_put_critical_first_with_the_resource_and_the_fix(reports: Reports, tmp_path: Path) -> None:
    page, markdown = _pack(tmp_path, reports.noncompliant)
    findings = _findings(reports.noncompliant)
    failing = [f for f in findings if f["status"] == "fail"]
    lapsed = page.number("n-att-fail")
    assert page.number("n-todo") == len(failing) + lapsed
    assert page.number("n-todo-critical") == sum(1 for f in failing if f["severity"] == "critical") > 0
    rank = {"critical": 0, "high": 1, "attestation": 2, "medium": 3, "low": 4}
    rows = [row for row in page.rows["next"] if row[0] in rank]
    assert len(rows) == page.number("n-todo")  # the whole list is on the page (beyond the first 15, folded)
    priorities = [row[0] for row in rows]
    assert priorities == sorted(priorities, key=rank.__getitem__) and priorities[0] == "critical"
    first = rows[0]
    critical = [f for f in failing if f["severity"] == "critical"]
    match = [f for f in critical if f["resource"]["address"] in first[2] and f["title"] == first[1]]
    assert match, first
    assert " ".join(match[0]["remediation"].split())[:60] in first[3]
    # Each question with gaps says what it means for the practice and what to ask the vendor.
    for key in ("storage", "transmission", "access", "logging"):
        step = page.text_by_id[f"next-{key}"]
        assert "Gaps found" in step and "Ask the vendor" in step, key
    assert "## What to do next" in markdown and "_Ask the vendor to encrypt every store holding ePHI" in markdown


def test_the_headline_cards_show_status(reports: Reports, tmp_path: Path) -> None:
    page, markdown = _pack(tmp_path, reports.compliant, attestations=None)
    card = page.text_by_id["glance"]
    lacking = page.number("n-no-evidence")
    assert lacking > 0 and f"{lacking} of 69 lack evidence" in card
    failing, total = page.number("n-fail"), page.number("n-findings")
    assert f"{failing} of {total} failing" in card
    assert f"{lacking} of 69 lack evidence in these inputs" in markdown


# The questions a practice should ask its billing vendor (the project's seed), each with the part of the
# pack that must answer it: (topic, text that names the matter, the part that must show evidence or say none).
SEED_QUESTIONS = {
    "encryption at rest": ("storage", "encrypted at rest", "Encryption at rest"),
    "encryption in transit": ("transmission", "TLS", "TLS enforcement"),
    "access control": ("access", "authorized", "Public exposure"),
    "MFA": ("access", "MFA", "Sign-in, MFA and passwords"),
    "audit logs": ("logging", "logged", "Audit logs kept"),
    "review of the logs": ("logging", "reviewed", "Logs reviewed (attested)"),
    "backups and recovery": ("backups", "backups", "Backups and recovery settings"),
    "incident detection": ("incidents", "detected", "Threat detection"),
    "breach procedure": ("incidents", "breach", "Incident response and breach notification (attested)"),
    "the BAA": ("baa", "Business Associate Agreement", "Business Associate Agreements (attested)"),
    "staff training": ("training", "trained", "Security awareness training (attested)"),
    "risk analysis": ("governance", "risk analysis", "Risk analysis, policies and documentation (attested)"),
}
_EVIDENCE = ("passed", "failed", "could not be decided", "attestation", "No evidence")


@pytest.mark.parametrize("attestations", [EXAMPLE, None], ids=["attested", "no-attestations"])
def test_the_pack_answers_each_question_of_the_seed(
    reports: Reports, tmp_path: Path, attestations: Path | None
) -> None:
    page, markdown = _pack(tmp_path, reports.noncompliant, attestations=attestations)
    for question, (topic, names, part) in SEED_QUESTIONS.items():
        section = page.text_by_id[f"q-{topic}"]
        assert names.lower() in section.lower(), question
        assert part in section, (question, part)
        answer = section.split(part, 1)[1][:400]
        assert any(word in answer for word in _EVIDENCE), (question, answer)
        if attestations is None and part.endswith("(attested)"):
            assert answer.lstrip().startswith("No evidence"), (question, answer)
        assert f"**{m(part)}:" in markdown, (question, part)  # the Markdown escaping of the part's title
    if attestations is not None:
        governance = page.text_by_id["q-governance"]
        assert "risk-analysis" in governance and "In place" in governance
        assert "baa-register" in page.text_by_id["q-baa"] or "baa" in page.text_by_id["q-baa"]
