"""The JSON report's fast finding writer writes exactly what the plain dict encoding would.

``render_json`` encodes the parts a finding shares with its policy and resource once (a large
plan has tens of thousands of findings); each line must still equal
``json.dumps(finding_dict(finding, report))``, with locations, waivers, baseline and gating.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.models import Severity, Status
from hipaacheck.policy.loader import load_policies
from hipaacheck.report import finding_key
from hipaacheck.reporters.json_report import finding_dict, render_json, report_digest_matches, seal_report
from hipaacheck.scan import scan_plan
from hipaacheck.sources.terraform.locations import SourceLocator
from hipaacheck.waivers import apply_waivers, load_waivers

from ..conftest import FIXTURES

WAIVERS = """\
waivers:
  - policy: s3-bucket-*
    resource: aws_s3_bucket.claims
    reason: Legacy claims bucket, migrated in Q3 (INFRA-1)
    owner: platform@example.com
    expires: {expires}
"""


@pytest.mark.parametrize("scenario", ["noncompliant", "hostile_text", "compliant"])
def test_each_line_is_the_plain_encoding_of_its_finding(scenario: str, tmp_path: Path) -> None:
    directory = FIXTURES / scenario
    report = scan_plan(directory / "plan.json", load_policies([builtin_policy_dir()]), Severity.MEDIUM, directory)
    report.locator = SourceLocator(directory)
    today = date.today()
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVERS.format(expires=today + timedelta(days=30)), encoding="utf-8")
    apply_waivers(report, load_waivers(waivers, today), today)
    failing = [f for f in report.findings if f.status is Status.FAIL]
    report.in_baseline = {finding_key(f) for f in failing[::2]}  # every other failure is known

    text = render_json(report)
    document = json.loads(text)
    lines = text.split('"findings": [\n    ', 1)[1].rsplit("\n  ]", 1)[0].split(",\n    ") if report.findings else []
    expected = [json.dumps(finding_dict(f, report), ensure_ascii=False) for f in report.sorted_findings()]
    assert lines == expected
    assert document["findings"] == [finding_dict(f, report) for f in report.sorted_findings()]
    assert report_digest_matches(text, document["content_sha256"])
    assert seal_report(text.replace(document["content_sha256"], "0" * 64)) == text  # sealed as seal_report seals
    if scenario == "noncompliant":  # the cases this test is about do occur
        assert any(f["waiver"] for f in document["findings"])
        assert any(f["baseline"] for f in document["findings"])
        assert any(f["location"] for f in document["findings"])
        assert any(f["gating"] for f in document["findings"])
