"""JUnit XML (parses, counts per status) and the Markdown summary (grouping, passes folded, size cap)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.models import Severity
from hipaacheck.policy.loader import load_policies
from hipaacheck.report import Report
from hipaacheck.reporters.markdown import cell, render_markdown
from hipaacheck.scan import scan_plan

from .conftest import MODULES, NONCOMPLIANT, Cli


def test_junit_parses_with_expected_counts(cli: Cli, tmp_path: Path) -> None:
    junit, report_file = tmp_path / "r.xml", tmp_path / "r.json"
    result = cli("scan", "plan", MODULES, "--report", f"junit={junit}", "--report", f"json={report_file}")
    assert result.code == 1
    report = json.loads(report_file.read_text(encoding="utf-8"))
    summary = report["summary"]
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == len(report["findings"]) == int(suite.get("tests", "-1"))
    assert int(suite.get("failures", "-1")) == summary["fail"] == sum(c.find("failure") is not None for c in cases)
    assert int(suite.get("errors", "-1")) == summary["error"] == sum(c.find("error") is not None for c in cases)
    skipped = summary["unknown"] + summary["skipped"] + summary["waived"]
    assert int(suite.get("skipped", "-1")) == skipped == sum(c.find("skipped") is not None for c in cases)
    passes = [c for c in cases if len(c) == 0]
    assert len(passes) == summary["pass"]
    by_key = {(c.get("classname"), c.get("name")): c for c in cases}
    failing = by_key[("sqs-queue-encrypted", "module.claim_queue[1].aws_sqs_queue.this")]
    failure = failing.find("failure")
    assert failure is not None and failure.get("type") == "medium"
    assert "164.312(a)(2)(iv)" in (failure.text or "") and "Remediation:" in (failure.text or "")
    assert failing.get("file") == "fixtures/terraform/modules_unknowns/modules/claim_queue/main.tf"
    assert failing.get("line") == "11"
    unknown = by_key[("s3-bucket-not-public", 'module.tenant["a"].aws_s3_bucket.this')].find("skipped")
    assert unknown is not None and (unknown.get("message") or "").startswith("unknown: ")


def _report() -> Report:
    return scan_plan(NONCOMPLIANT, load_policies([builtin_policy_dir()]), Severity.LOW)


def test_markdown_groups_failures_by_safeguard_and_folds_passes() -> None:
    report = _report()
    text = render_markdown(report)
    counts = report.counts()
    assert text.startswith("## hipaacheck: ❌ FAILED: ")
    assert f"| {counts['fail']} | {counts['pass']} |" in text
    assert f"### Failing findings by safeguard ({counts['fail']})" in text
    assert "#### 164.312(a)(2)(iv) Encryption and decryption (addressable)" in text
    assert "#### 164.312(a)(1) Access control (standard)" in text
    assert "<details><summary>Remediation</summary>" in text
    assert f"<details><summary>Passed ({counts['pass']})</summary>" in text
    assert text.count("<details>") == text.count("</details>")
    critical = next(line for line in text.splitlines() if "`rds-instance-not-public`" in line)
    assert critical.startswith("| critical |")
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "wJalrXUtnFEMI" not in text


def test_markdown_stays_under_the_limit_with_a_note() -> None:
    report = _report()
    full = render_markdown(report)
    small = render_markdown(report, limit=6000)
    assert len(small.encode()) < 6000 + 4000  # forced structure lines are small
    assert len(small) < len(full)
    assert "left out to stay under GitHub's 1 MiB step summary limit" in small
    assert small.count("<details>") == small.count("</details>")


def test_markdown_cells_escape_pipes_and_html() -> None:
    # Backslash escapes: GitHub shows the characters themselves, never a tag or a cell break.
    assert cell("a | b <script>\nc") == "a \\| b \\<script\\> c"


def test_markdown_as_the_main_format(cli: Cli) -> None:
    result = cli("scan", "plan", NONCOMPLIANT, "--format", "markdown")
    assert result.code == 1 and result.out.startswith("## hipaacheck:")
