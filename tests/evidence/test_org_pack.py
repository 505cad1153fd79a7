"""The evidence pack of a merged organisation report: per-account status next to the totals, and its scope."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from hipaacheck.safeguards import resolve

from ..conftest import run_cli
from .conftest import AS_OF, DENIED, P3, P4, UNSCANNED
from .page import Page


def _pack(tmp_path: Path, *reports: Path) -> tuple[Page, str]:
    from hipaacheck.cli import main  # in-process: the same code path as the CLI, without a new interpreter

    html, markdown = tmp_path / "pack.html", tmp_path / "pack.md"
    args = ["report", *map(str, reports), "--html", str(html), "--markdown", str(markdown), "--today", AS_OF]
    assert main(args) == 0
    return Page(html.read_text()), markdown.read_text()


def test_a_merged_report_shows_each_account_and_which_safeguards_it_fails(org_report: Path, tmp_path: Path) -> None:
    doc: dict[str, Any] = json.loads(org_report.read_text())
    page, markdown = _pack(tmp_path, org_report)
    findings = doc["findings"]
    by_account = {a: Counter(f["status"] for f in findings if f["resource"]["account"] == a) for a in (P3, P4)}

    # Totals at a glance, and the accounts beside them.
    assert page.number("n-fail") == doc["summary"]["fail"] == by_account[P3]["fail"] + by_account[P4]["fail"]
    assert page.number("n-accounts") == 3
    assert page.number("n-accounts-failing") == 1  # the compliant plan's account fails nothing
    assert page.number("n-accounts-error") == 1
    assert '<a href="#accounts">' in "".join(
        f'<a href="{a["href"]}">' for t, a in page.tags if t == "a" and "href" in a
    )
    rows = page.rows["accounts"]
    status = {row[0]: row for row in rows if row[0] in (P3, P4, UNSCANNED)}
    assert status[P3][1] == "claims-prod" and status[P3][5] == str(by_account[P3]["fail"])
    assert (
        status[P4][2].startswith("no scan recorded")
        and status[P4][5] == "0"
        and status[P4][8] == str(by_account[P4]["pass"])
    )
    assert status[UNSCANNED][1] == "claims-legacy" and DENIED in status[UNSCANNED][2]

    # The matrix: per account, per cited specification, the number failing (else the worst status).
    header = next(row for row in rows if row[0] == "Account" and len(row) > 9)
    citations = header[1:]
    matrix = {row[0].split(" ")[0]: dict(zip(citations, row[1:], strict=False)) for row in rows[len(rows) - 3 :]}
    failing = Counter(
        spec.citation
        for f in findings
        if f["resource"]["account"] == P3 and f["status"] == "fail"
        for spec in {resolve(s) for s in f["safeguards"]}
        if spec is not None
    )
    assert failing and all(matrix[P3][citation] == f"fail {n}" for citation, n in failing.items())
    assert not any(cell.startswith("fail") for cell in matrix[P4].values())
    assert "pass" in matrix[P4].values()
    # The unscanned account has an `account-scan` error (its citation), and nothing else: never a pass.
    assert set(matrix[UNSCANNED].values()) <= {"error", "-"} and "error" in matrix[UNSCANNED].values()

    # Scope: each account, with its name, and the account in error with why.
    scope = {row[0]: row for row in page.rows["scope"]}
    plans = [row for label, row in scope.items() if label.startswith("Terraform plan")]
    assert len(plans) == 2 and all(row[1].startswith("Intended state") for row in plans)
    legacy = scope[f"AWS account {UNSCANNED} (claims-legacy)"]
    assert legacy[1] == f"Not scanned: {DENIED}"

    # The Markdown page says the same.
    assert "## By account" in markdown and "### Which accounts fail which safeguards" in markdown
    assert f"| `{UNSCANNED}` | claims-legacy | could not be scanned: {DENIED} |" in markdown.replace("\\", "")
    assert f"| `{P3} (claims-prod)` | " in markdown


def test_a_single_account_pack_has_no_account_view(reports: Any, tmp_path: Path) -> None:
    page, markdown = _pack(tmp_path, reports.noncompliant)
    assert "accounts" not in page.text_by_id and "## By account" not in markdown


def test_an_account_in_a_merged_report_and_in_its_own_report_is_refused(
    org_report: Path, reports: Any, tmp_path: Path
) -> None:
    from ..conftest import assert_input_error
    from ..merge_data import unscannable

    own = unscannable(reports.compliant, tmp_path / "legacy.json", UNSCANNED, DENIED)
    result = run_cli("report", str(org_report), str(own), "--html", str(tmp_path / "pack.html"), cwd=tmp_path)
    assert_input_error(result, f"AWS account {UNSCANNED} is also in")
    assert not (tmp_path / "pack.html").exists()


def test_an_organisation_scan_report_gets_the_same_per_account_view(org_report: Path, tmp_path: Path) -> None:
    """`scan aws --org` writes one live report of several accounts (source.account null, source.accounts)."""
    from ..merge_data import load, recount, reseal

    doc = load(org_report)
    legacy = doc["source"]["accounts"][0]
    scanned = {"regions": ["us-east-1"], "started_at": doc["generated_at"], "finished_at": doc["generated_at"]}
    accounts = [
        {
            "id": P3,
            "name": "claims-prod",
            "status": "scanned",
            "error": None,
            **scanned,
            "enabled_regions": ["us-east-1", "us-west-2"],
        },
        {"id": P4, "name": "claims-staging", "status": "scanned", "error": None, **scanned},
        legacy,
    ]
    doc["source"] = {
        "kind": "aws",
        "account": None,
        "regions": ["us-east-1"],
        "accounts": accounts,
        "organization": {"id": "o-example", "ou": None, "role": "hipaacheck-audit", "shard": "1/1"},
    }
    for finding in doc["findings"]:
        finding["resource"]["source"] = "aws"
    org = reseal(tmp_path / "org-scan.json", recount(doc))
    page, markdown = _pack(tmp_path, org)
    assert "AWS organization o-example: 3 account(s), shard 1/1 (live)" in page.text_by_id["scope"]
    scope = {row[0]: row for row in page.rows["scope"]}
    prod = scope[f"AWS account {P3} (claims-prod)"]
    assert prod[1].startswith("Deployed state") and prod[3] == "1 enabled region(s) not scanned: us-west-2"
    assert scope[f"AWS account {UNSCANNED} (claims-legacy)"][1] == f"Not scanned: {DENIED}"
    assert page.number("n-accounts") == 3 and page.number("n-accounts-error") == 1
    assert "## By account" in markdown
