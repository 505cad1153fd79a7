"""The matrix over the whole Security Rule: covered by policies, attestations, both or nothing, and status."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hipaacheck.matrix import NO_EVIDENCE, MatrixRow, full_matrix, policy_citations, render_matrix, worst
from hipaacheck.policy.model import Policy
from hipaacheck.safeguards import SPECIFICATIONS

from ..conftest import assert_input_error, run_cli
from .conftest import AS_OF, EXAMPLE, Reports


@dataclass(frozen=True)
class Attested:
    id: str
    safeguards: tuple[str, ...]
    applicable: bool = True


def _row(rows: list[MatrixRow], citation: str) -> MatrixRow:
    return next(r for r in rows if r.spec.citation == citation)


def test_every_specification_of_the_five_sections_has_a_row() -> None:
    rows = full_matrix({})
    assert [r.spec.citation for r in rows] == [s.citation for s in SPECIFICATIONS]
    assert {r.spec.section for r in rows} == {"164.308", "164.310", "164.312", "164.314", "164.316"}
    assert all(r.covered_by == "nothing" and r.status is None for r in rows)


def test_covered_by_policies_attestations_both_or_nothing(builtin_policies: list[Policy]) -> None:
    attestations = [
        Attested("encryption", ("164.312(a)(2)(iv)",)),
        Attested("baa", ("164.308(b)(1)", "164.314(a)(2)(i)")),
        Attested("plans", ("164.314(b)(1)",), applicable=False),
    ]
    rows = full_matrix(policy_citations(builtin_policies), attestations)
    assert _row(rows, "164.312(a)(2)(iv)").covered_by == "both"
    assert "s3-bucket-kms-encryption" in _row(rows, "164.312(a)(2)(iv)").policies
    assert _row(rows, "164.312(b)").covered_by == "policies"
    assert _row(rows, "164.314(a)(2)(i)").covered_by == "attestations"
    assert _row(rows, "164.314(a)(2)(i)").attestations == ("baa",)
    assert _row(rows, "164.308(a)(2)").covered_by == "nothing"  # (a)(8) is cited by securityhub-enabled
    # Citing a standard covers the standard only, never its specifications (same rule as policies).
    assert _row(rows, "164.308(b)(3)").covered_by == "nothing"
    assert _row(rows, "164.314(b)(1)").not_applicable


def test_status_is_the_worst_of_findings_and_attestations() -> None:
    assert worst(["pass", "fail", "unknown"]) == "fail"
    assert worst(["pass", "skipped"]) == "pass"  # skipped only shows when nothing was checked
    assert worst(["skipped"]) == "skipped"
    assert worst(["waived", "pass"]) == "waived"
    rows = full_matrix(
        {"p": ("164.312(b)",)},
        [Attested("plans", ("164.314(b)(1)",), applicable=False), Attested("review", ("164.308(a)(1)(ii)(D)",))],
        [
            (("164.312(b)",), "pass"),
            (("164.312(b)", "164.308(a)(1)(ii)(D)"), "unknown"),
            (("164.308(a)(1)(ii)(D)",), "fail"),
            (("164.314(b)(1)",), "pass"),
            (("164.312(a)(2)",), "fail"),  # a family prefix: the standard 164.312(a)(1)
        ],
    )
    assert _row(rows, "164.312(b)").status == "unknown"
    assert _row(rows, "164.308(a)(1)(ii)(D)").status == "fail"
    assert _row(rows, "164.314(b)(1)").shown_status == "n/a"
    assert _row(rows, "164.312(a)(1)").status == "fail"
    assert _row(rows, "164.312(a)(2)(iv)").status == NO_EVIDENCE


def test_render_without_attestations_keeps_the_policy_table(builtin_policies: list[Policy]) -> None:
    text = render_matrix(builtin_policies)
    assert "specifications have automated checks; the rest need attestations" in text
    assert "COVERED BY" not in text


def test_cli_matrix_with_attestations_and_reports(reports: Reports) -> None:
    result = run_cli("matrix", "--attestations", str(EXAMPLE), "--reports", str(reports.noncompliant), "--today", AS_OF)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    for spec in SPECIFICATIONS:
        assert any(line.startswith(spec.citation + " ") for line in lines), spec.citation
    encryption = next(line for line in lines if line.startswith("164.312(a)(2)(iv) "))
    assert " both " in encryption and encryption.rstrip().endswith("fail")
    baa = next(line for line in lines if line.startswith("164.314(a)(2)(i) "))
    assert "attestations" in baa and "attested: baa-clients-and-subcontractors" in result.out
    assert baa.rstrip().endswith("pass")
    review = next(line for line in lines if line.startswith("164.308(a)(1)(ii)(D) "))
    assert review.rstrip().endswith("fail")  # the example's activity review is overdue
    assert "0 by nothing." in result.out
    assert "Status: " in result.out


def test_cli_matrix_with_attestations_only_shows_their_status() -> None:
    result = run_cli("matrix", "--attestations", str(EXAMPLE), "--today", AS_OF)
    assert result.code == 0, result.err
    line = next(line for line in result.out.splitlines() if line.startswith("164.312(b) "))
    assert " policies " in line and line.rstrip().endswith(NO_EVIDENCE)


def test_cli_matrix_rejects_a_bad_report(tmp_path: Path) -> None:
    bad = tmp_path / "other.json"
    bad.write_text('{"tool": {"name": "checkov"}}')
    assert_input_error(run_cli("matrix", "--reports", str(bad)), "not a hipaacheck JSON report")
