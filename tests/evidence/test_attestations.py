"""Attestations: evaluated like policies (pass while current, fail otherwise); bad input is one line, exit 2."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from hipaacheck.attest import evaluate, load_attestations, render_template
from hipaacheck.attest.template import ITEMS
from hipaacheck.models import Status
from hipaacheck.safeguards import SPECIFICATIONS, covers

from ..conftest import assert_input_error, run_cli
from .conftest import AS_OF, EXAMPLE, record, write_attestations, write_evidence

TODAY = date(2026, 12, 1)


def _evaluate(path: Path, today: date = TODAY) -> list[tuple[str, Status, str]]:
    return [(r.attestation.id, r.status, "; ".join(r.reasons)) for r in evaluate(load_attestations(path, today), today)]


def test_current_attestation_with_verified_hash_passes(tmp_path: Path) -> None:
    _, digest = write_evidence(tmp_path)
    path = write_attestations(tmp_path, record(sha256=digest))
    [(ident, status, why)] = _evaluate(path)
    assert (ident, status) == ("risk-analysis", Status.PASS)
    assert "current until 2027-06-01" in why and "sha256 verified" in why


def test_overdue_attestation_fails_and_the_last_day_still_counts(tmp_path: Path) -> None:
    write_evidence(tmp_path)
    path = write_attestations(tmp_path, record(signed_at="2026-06-01", review_interval_days=90))
    assert _evaluate(path, date(2026, 8, 30))[0][1] is Status.PASS  # due date 2026-08-30 itself
    [(_, status, why)] = _evaluate(path, date(2026, 8, 31))
    assert status is Status.FAIL and "review overdue since 2026-08-30" in why


def test_missing_evidence_fails(tmp_path: Path) -> None:
    path = write_attestations(tmp_path, record(evidence="docs/not-there.pdf"))
    [(_, status, why)] = _evaluate(path)
    assert status is Status.FAIL and "evidence docs/not-there.pdf not found" in why


def test_changed_evidence_fails_on_its_hash(tmp_path: Path) -> None:
    evidence, digest = write_evidence(tmp_path)
    path = write_attestations(tmp_path, record(sha256=digest.upper()))  # case does not matter
    assert _evaluate(path)[0][1] is Status.PASS
    evidence.write_text("signed register, edited after signing\n")
    [(_, status, why)] = _evaluate(path)
    assert status is Status.FAIL and "has changed: sha256" in why


def test_remote_evidence_is_recorded_not_fetched(tmp_path: Path) -> None:
    path = write_attestations(tmp_path, record(evidence="https://example.com/baa.pdf", sha256="a" * 64))
    [(_, status, why)] = _evaluate(path)
    assert status is Status.PASS and "not verified" in why


def test_yaml_dates_and_addressable_decisions(tmp_path: Path) -> None:
    write_evidence(tmp_path)
    path = write_attestations(
        tmp_path,
        raw="""\
        organization: Example Billing LLC
        attestations:
          - id: automatic-logoff
            safeguards: ["164.312(a)(2)(iii)"]
            statement: Workstations lock after 5 minutes.
            owner: IT
            signed_by: Dana Reyes
            signed_at: 2026-10-15
            evidence: evidence.md
            review_interval_days: 365
            decision: alternative
            rationale: The legacy viewer has no timeout; the screen lock is equivalent.
          - id: group-health-plans
            safeguards: ["164.314(b)(1)"]
            statement: Does not apply.
            owner: Compliance
            signed_by: Dana Reyes
            signed_at: 2026-10-15
            evidence: evidence.md
            review_interval_days: 365
            applicable: false
            rationale: We are not a group health plan.
        """,
    )
    loaded = load_attestations(path, TODAY)
    assert loaded.organization == "Example Billing LLC"
    logoff, plans = loaded.attestations
    assert logoff.decision == "alternative" and logoff.signed_at == date(2026, 10, 15)
    assert not plans.applicable and [r.status for r in evaluate(loaded, TODAY)] == [Status.PASS, Status.PASS]


def test_template_covers_every_section_3_item_and_fails_until_filled_in(tmp_path: Path) -> None:
    # HIPAA.md section 3, one citation set per row of its table.
    section_3 = [
        ["164.308(b)(1)", "164.308(b)(3)", "164.314(a)(2)(i)"],  # BAAs with clients and subcontractors
        ["164.308(a)(1)(ii)(A)"],  # risk analysis
        ["164.308(a)(1)(ii)(B)", "164.308(a)(1)(ii)(C)"],  # risk management; sanction policy
        ["164.308(a)(1)(ii)(D)"],  # activity review
        ["164.308(a)(2)"],  # security official
        ["164.308(a)(3)(ii)(A)", "164.308(a)(4)(ii)(B)", "164.308(a)(4)(ii)(C)"],  # workforce, access
        ["164.308(a)(4)(ii)(A)"],  # clearinghouse isolation
        ["164.308(a)(5)(ii)(A)"],  # training and reminders
        ["164.308(a)(6)(ii)"],  # incident response
        ["164.308(a)(7)(ii)(C)", "164.308(a)(7)(ii)(D)", "164.308(a)(7)(ii)(E)"],  # contingency
        ["164.308(a)(8)"],  # evaluation
        ["164.310(a)(1)", "164.310(b)", "164.310(c)", "164.310(d)(2)(i)", "164.310(d)(2)(ii)"],  # physical
        ["164.312(a)(2)(ii)"],  # emergency access
        ["164.312(a)(2)(iii)"],  # automatic logoff
        ["164.316(a)", "164.316(b)(1)", "164.316(b)(2)(i)", "164.316(b)(2)(ii)", "164.316(b)(2)(iii)"],
    ]
    cited = {c for item in ITEMS for c in item.safeguards}
    for row in section_3:
        assert set(row) <= cited, set(row) - cited
    assert any("60 calendar days" in item.statement and "164.410" in item.statement for item in ITEMS)
    assert any("6 years" in item.statement for item in ITEMS)
    # Every specification is covered by the template: nothing is left unaccounted for.
    for spec in SPECIFICATIONS:
        assert any(covers(c, spec) for c in cited) or spec.citation in (
            "164.312(a)(1)",
            "164.312(b)",
            "164.312(c)(1)",
            "164.312(e)(1)",
        ), spec.citation

    target = tmp_path / "hipaacheck-attestations.yaml"
    assert run_cli("attest", "init", cwd=tmp_path).code == 0
    assert target.read_text() == render_template()
    check = run_cli("attest", "check", cwd=tmp_path)
    assert check.code == 1, check.err
    assert f"{len(ITEMS)} attestations (0 pass, {len(ITEMS)} fail)" in check.out
    assert "PASS" not in check.out and "not filled in yet" in check.out


def test_attest_init_does_not_overwrite_and_can_print(tmp_path: Path) -> None:
    (tmp_path / "hipaacheck-attestations.yaml").write_text("mine\n")
    assert_input_error(run_cli("attest", "init", cwd=tmp_path), "already exists")
    assert (tmp_path / "hipaacheck-attestations.yaml").read_text() == "mine\n"
    assert run_cli("attest", "init", "--force", cwd=tmp_path).code == 0
    printed = run_cli("attest", "init", "--output", "-", cwd=tmp_path)
    assert printed.code == 0 and printed.out == render_template()


def test_the_example_file_checks_with_one_overdue_review() -> None:
    result = run_cli("attest", "check", "--attestations", str(EXAMPLE), "--today", AS_OF)
    assert result.code == 1, result.err
    assert re.search(r"^FAIL\s+activity-review\s", result.out, re.M)
    assert "25 attestations (24 pass, 1 fail)" in result.out


def test_check_without_a_file_says_how_to_make_one(tmp_path: Path) -> None:
    assert_input_error(run_cli("attest", "check", cwd=tmp_path), "hipaacheck attest init")


BAD_INPUT = [
    ("malformed", None, "attestations: [ {id: x", "2:", "YAML syntax error"),
    ("unknown key", {"signer": "x"}, None, ":", "unknown field 'signer'"),
    ("missing field", {"owner": None}, None, ":", "missing required field 'owner'"),
    ("future date", {"signed_at": "2026-12-02"}, None, ":", "is in the future"),
    ("not a date", {"signed_at": "last week"}, None, ":", "must be a date YYYY-MM-DD"),
    ("impossible date", {"signed_at": "2026-02-30"}, None, ":", "not a real date"),
    ("outside the tree", {"evidence": "../secrets.txt"}, None, ":", "outside the working tree"),
    ("absolute outside", {"evidence": "/etc/passwd"}, None, ":", "outside the working tree"),
    ("bad scheme", {"evidence": "javascript:alert(1)"}, None, ":", "https://, http:// or s3://"),
    ("unknown citation", {"safeguards": ["164.312(f)"]}, None, ":", "names no Security Rule specification"),
    ("malformed citation", {"safeguards": ["§ 164.312(b)"]}, None, ":", "malformed citation"),
    ("no decision", {"safeguards": ["164.312(a)(2)(iii)"]}, None, ":", "add 'decision'"),
    ("bad decision", {"safeguards": ["164.312(a)(2)(iii)"], "decision": "maybe"}, None, ":", "must be one of"),
    (
        "no rationale",
        {"safeguards": ["164.312(a)(2)(iii)"], "decision": "not-reasonable"},
        None,
        ":",
        "needs a 'rationale'",
    ),
    ("decision on required", {"decision": "implemented"}, None, ":", "only for addressable"),
    ("bad hash", {"sha256": "abc"}, None, ":", "64 hexadecimal"),
    ("zero interval", {"review_interval_days": 0}, None, ":", "whole number of days"),
]


@pytest.mark.parametrize(("case", "fields", "raw", "where", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_attestations_are_one_line_with_file_and_line(
    tmp_path: Path, case: str, fields: dict[str, object] | None, raw: str | None, where: str, message: str
) -> None:
    write_evidence(tmp_path)
    path = write_attestations(tmp_path, record(**(fields or {})), raw=raw)
    result = run_cli("attest", "check", "--attestations", str(path), "--today", AS_OF)
    assert_input_error(result, message)
    assert re.match(rf"hipaacheck: error: {re.escape(str(path))}:\d+:\d+: ", result.err), result.err


def test_duplicate_ids_name_the_first(tmp_path: Path) -> None:
    write_evidence(tmp_path)
    path = write_attestations(tmp_path, record(), record())
    assert_input_error(run_cli("attest", "check", "--attestations", str(path)), "duplicate attestation id")


def test_a_symlink_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    inside = tmp_path / "repo"
    inside.mkdir()
    (tmp_path / "outside.txt").write_text("x")
    (inside / "evidence.md").symlink_to(tmp_path / "outside.txt")
    path = write_attestations(inside, record())
    assert_input_error(run_cli("attest", "check", "--attestations", str(path)), "outside the working tree")


def test_the_git_work_tree_is_the_evidence_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write_evidence(tmp_path / "docs")
    compliance = tmp_path / "compliance"
    compliance.mkdir()
    path = write_attestations(compliance, record(evidence="../docs/evidence.md"))
    assert _evaluate(path)[0][1] is Status.PASS
