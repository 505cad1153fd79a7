"""`hipaacheck report`: the HTML page and Markdown, checked for their sections and for numbers that match the inputs."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from hipaacheck.safeguards import SPECIFICATIONS

from ..conftest import FIXTURES, assert_input_error, run_cli
from .conftest import AS_OF, EXAMPLE, Reports, rewrite
from .page import Page

SECTIONS = ("glance", "answers", "charts", "coverage", "findings", "attestations", "inputs")
TOPICS = ("storage", "transmission", "access", "logging", "backups", "incidents", "baa", "training", "governance")


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def _render(tmp_path: Path, *reports: Path, attestations: Path | None = EXAMPLE) -> tuple[Page, str, str]:
    html, markdown = tmp_path / "out" / "pack.html", tmp_path / "out" / "pack.md"
    html.parent.mkdir(exist_ok=True)
    args = ["report", *map(str, reports), "--html", str(html), "--markdown", str(markdown), "--today", AS_OF]
    if attestations is not None:
        args += ["--attestations", str(attestations)]
    result = run_cli(*args, cwd=tmp_path)
    assert result.code == 0, result.err
    assert "evidence pack from" in result.out
    text = html.read_text()
    return Page(text), text, markdown.read_text()


def _findings(*paths: Path) -> list[dict[str, Any]]:
    return [f for path in paths for f in _load(path)["findings"]]


def test_sections_and_numbers_match_the_inputs(reports: Reports, tmp_path: Path) -> None:
    page, _, markdown = _render(tmp_path, reports.noncompliant, reports.lifecycle, reports.older, reports.newer)
    for section in SECTIONS:
        assert section in page.text_by_id, section
    for topic in TOPICS:
        assert f"q-{topic}" in page.text_by_id, topic

    # "older" and "newer" scanned the same plan path: the newer one is the current state.
    current = _findings(reports.noncompliant, reports.lifecycle, reports.newer)
    counts = Counter(f["status"] for f in current)
    assert page.number("n-findings") == len(current)
    assert page.number("n-fail") == counts["fail"] > 0
    assert page.number("n-pass") == counts["pass"]
    assert page.number("n-open") == counts["unknown"] + counts["error"]
    assert page.number("n-skipped") == counts["skipped"]
    assert len([row for row in page.rows["findings"] if row[0].isdigit()]) == len(current)

    assert (page.number("n-att"), page.number("n-att-pass"), page.number("n-att-fail")) == (25, 24, 1)

    coverage = [row for row in page.rows["coverage"] if row[0].startswith("164.")]
    assert [row[0] for row in coverage] == [spec.citation for spec in SPECIFICATIONS]
    by = Counter(row[3] for row in coverage)
    assert page.number("n-spec") == len(SPECIFICATIONS) == 69
    for kind in ("both", "policies", "attestations", "nothing"):
        assert page.number(f"n-cov-{kind}") == by[kind]
    assert page.number("n-no-evidence") == sum(1 for row in coverage if row[6] == "no evidence")

    # Answers count from the findings: encryption at rest, outside the KMS key checks.
    at_rest = [
        f
        for f in current
        if "164.312(a)(2)(iv)" in f["safeguards"] and f["resource"]["type"] != "kms_key" and f["status"] != "skipped"
    ]
    failed = sum(1 for f in at_rest if f["status"] == "fail")
    assert f"{failed} of {len(at_rest)} encryption-at-rest checks failed" in page.text_by_id["q-storage"]
    assert "Gaps found" in page.text_by_id["q-storage"]
    # The example's activity review is overdue, so "are logs reviewed" is not answered yes.
    logging = page.text_by_id["q-logging"]
    assert "Gaps found" in logging and "activity-review" in logging and "review overdue" in logging
    assert "60 days" in page.text_by_id["q-incidents"]

    # Charts: by safeguard, by severity (numbers as text), and a trend because one source was scanned twice.
    for chart in ("chart-safeguard", "chart-severity", "chart-trend"):
        assert chart in page.text_by_id, chart
    for severity in ("critical", "high", "medium", "low"):
        of = Counter(f["status"] for f in current if f["severity"] == severity)
        shown = ", ".join(f"{of[s]} {s}" for s in ("fail", "pass") if of[s])
        if shown and not of["unknown"] and not of["error"] and not of["waived"]:
            assert shown in page.text_by_id["chart-severity"], (severity, shown)
    older_fail = Counter(f["status"] for f in _load(reports.older)["findings"])["fail"]
    assert f"{older_fail} failing" in page.text_by_id["chart-trend"]

    assert "## At a glance" in markdown and "## Security Rule coverage" in markdown and "## Trend" in markdown
    for spec in SPECIFICATIONS:
        assert f"`{spec.citation}`" in markdown, spec.citation
    assert f"{counts['fail']} of {len(current)} failing" in markdown


def test_a_question_without_evidence_says_so(reports: Reports, tmp_path: Path) -> None:
    page, _, markdown = _render(tmp_path, reports.compliant, attestations=None)
    assert page.number("n-att") == 0
    for topic in ("baa", "governance"):
        text = page.text_by_id[f"q-{topic}"]
        assert "No evidence" in text and "This does not mean it is in place" in text, topic
        assert "none" in page.classes_by_id[f"q-{topic}"]
    assert "In place" not in page.text_by_id["q-baa"]
    # Root MFA is visible only to a live scan: a plan cannot say "in place" for sign-in.
    access = page.text_by_id["q-access"]
    assert "could not be evaluated from what was scanned" in access and "not evaluated from what was scanned" in access
    assert "warn" in page.classes_by_id["q-access"]
    assert "no attestation covers this" in page.text_by_id["q-training"].lower()
    assert "No attestations file was given" in page.text_by_id["attestations"]
    assert page.number("n-cov-nothing") > 0
    assert page.number("n-no-evidence") == sum(1 for row in page.rows["coverage"] if row[-1] == "no evidence")
    assert "> **No evidence: no automated check in the reports; no attestation." in markdown


def test_the_page_is_self_contained_and_links_resolve(reports: Reports, tmp_path: Path) -> None:
    # The documents live near the pack (a link only through the filesystem root would be an absolute path).
    shutil.copytree(EXAMPLE.parent, tmp_path / "evidence")
    page, html, _ = _render(tmp_path, reports.noncompliant, attestations=tmp_path / "evidence" / EXAMPLE.name)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert not [a for _, a in page.tags if "src" in a or any(k.startswith("on") for k in a)]
    assert "url(" not in html and "@import" not in html
    csp = [a["content"] for tag, a in page.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none'")
    local = [h for h in page.hrefs() if not h.startswith(("#", "https://"))]
    assert local, "the example's evidence files should be linked"
    for href in local:
        assert (tmp_path / "out" / unquote(href)).resolve().is_file(), href
    anchors = {h[1:] for h in page.hrefs() if h.startswith("#")}
    assert anchors <= set(page.text_by_id), anchors - set(page.text_by_id)


def test_values_are_redacted_and_escaped(reports: Reports, tmp_path: Path) -> None:
    doc = _load(reports.noncompliant)
    doc["findings"][0]["message"] = "key AKIAIOSFODNN7EXAMPLE leaked <script>alert(1)</script>"
    doc["findings"][0]["resource"]["address"] = 'aws_s3_bucket.x["<img src=x onerror=alert(1)>"]'
    tampered = tmp_path / "tampered.json"
    rewrite(tampered, doc)  # resealed: this test is about escaping, not integrity
    page, html, markdown = _render(tmp_path, tampered)
    for text in (html, markdown):
        assert "AKIAIOSFODNN7EXAMPLE" not in text
    assert "<script>" not in html and "<img src=x" not in html
    assert not {tag for tag, _ in page.tags} & {"script", "img"}
    outside_code = re.sub(r"`[^`\n]*`", "", markdown)  # a code span shows its text literally
    assert "<img" not in outside_code and "<script>" not in outside_code


def test_live_reports_of_several_accounts(reports: Reports, tmp_path: Path) -> None:
    paths = []
    for account in ("111122223333", "444455556666"):
        doc = _load(reports.compliant)
        doc["source"] = {"kind": "aws", "account": account, "regions": ["us-east-1"]}
        path = tmp_path / f"live-{account}.json"
        rewrite(path, doc)
        paths.append(path)
    page, html, _ = _render(tmp_path, reports.noncompliant, *paths)
    for account in ("111122223333", "444455556666"):
        assert f"AWS account {account} (live)" in html
    # Plan findings on a resource a live report also shows are superseded, not counted twice.
    assert page.number("n-findings") + page.number("n-superseded") == len(_findings(reports.noncompliant, *paths))
    assert "chart-trend" not in page.text_by_id  # three sources, each scanned once


def _bad_report(tmp_path: Path, reports: Reports, change: str) -> Path:
    doc = _load(reports.compliant)
    if change == "schema":
        doc["schema_version"] = "2.0"
    elif change == "tool":
        doc["tool"]["name"] = "checkov"
    elif change == "summary":
        doc["summary"]["pass"] += 1
    path = tmp_path / f"{change}.json"
    path.write_text("{not json" if change == "json" else json.dumps(doc))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("schema", "unsupported schema_version '2.0' (this hipaacheck reads 1.x)"),
        ("tool", "not a hipaacheck JSON report (tool.name is 'checkov'"),
        ("summary", "the report was altered or truncated"),
        ("json", "not JSON"),
    ],
)
def test_bad_reports_are_one_line_and_write_nothing(
    reports: Reports, tmp_path: Path, change: str, message: str
) -> None:
    bad = _bad_report(tmp_path, reports, change)
    result = run_cli("report", str(reports.compliant), str(bad), "--html", str(tmp_path / "pack.html"))
    assert_input_error(result, message)
    assert str(bad) in result.err
    assert not (tmp_path / "pack.html").exists()


def test_report_usage_errors(reports: Reports, tmp_path: Path) -> None:
    compliant = str(reports.compliant)
    # No --html/--markdown writes ./evidence-pack.html (tests/test_table_and_hints.py): no longer an error.
    assert_input_error(run_cli("report", compliant, compliant, "--html", str(tmp_path / "x.html")), "the same scan as")
    assert_input_error(run_cli("report", compliant, "--html", str(tmp_path / "no" / "x.html")), "does not exist")
    assert_input_error(
        run_cli("report", str(tmp_path / "missing.json"), "--html", str(tmp_path / "x.html")), "cannot read"
    )
    assert_input_error(run_cli("report", compliant, "--markdown", "x.md", "--today", "tomorrow"), "YYYY-MM-DD")
    bad = tmp_path / "att.yaml"
    bad.write_text("attestations:\n  - id: x\n    unknown: 1\n")
    result = run_cli("report", compliant, "--attestations", str(bad), "--html", str(tmp_path / "x.html"))
    assert_input_error(result, f"{bad}:3:5: unknown field 'unknown'")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"n": ' + "9" * 5000 + "}", "not a hipaacheck JSON report"),
        (None, "is not a regular file"),
    ],
    ids=["deep", "huge-integer", "fifo"],
)
def test_hostile_report_files_are_refused_like_baselines(tmp_path: Path, content: str | None, message: str) -> None:
    """The evidence pack and the baseline gate share one JSON reader (hipaacheck/json_input.py)."""
    path = tmp_path / "report.json"
    if content is None:
        os.mkfifo(path)
    else:
        path.write_text(content)
    for args in (
        ["report", str(path), "--html", str(tmp_path / "x.html")],
        ["scan", "plan", str(FIXTURES / "compliant" / "plan.json"), "--baseline", str(path)],
    ):
        assert_input_error(run_cli(*args), message)
    assert not (tmp_path / "x.html").exists()
