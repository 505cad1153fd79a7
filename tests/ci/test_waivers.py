"""Waivers: applied (in every format), expired (warning, no effect), malformed (one line, exit 2)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from hipaacheck.waivers import glob_match

from .conftest import NONCOMPLIANT, Cli, assert_one_line_error, load_json

# Waivers may expire at most --max-waiver-days (default 365) from today: the
# far-future placeholders below are written as dates within that bound.
LATER = (date.today() + timedelta(days=200)).isoformat()
SOON = (date.today() + timedelta(days=100)).isoformat()


def _write(tmp_path: Path, body: str, name: str = "waivers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body.replace("2999-12-31", LATER).replace("2999-01-01", SOON), encoding="utf-8")
    return path


WAIVE_CLAIMS = """\
waivers:
  - policy: s3-bucket-*
    resource: aws_s3_bucket.claims
    reason: Legacy claims bucket, migrated in Q3 (INFRA-1)
    owner: platform@example.com
    expires: 2999-12-31
  - policy: ebs-volume-encrypted
    resource: aws_instance.edi_gateway.root_block_device[0]
    reason: Root volume re-created encrypted at the next AMI roll
    owner: compute@example.com
    expires: 2999-01-01
"""


def test_glob_semantics() -> None:
    assert glob_match("aws_s3_bucket.*", 'aws_s3_bucket.x["a"]')
    assert glob_match('module.t["a"].aws_s3_bucket.this', 'module.t["a"].aws_s3_bucket.this')  # brackets literal
    assert not glob_match('module.t["a"].aws_s3_bucket.this', 'module.t["b"].aws_s3_bucket.this')
    assert glob_match("module.t[*].aws_s3_bucket.this", 'module.t["b"].aws_s3_bucket.this')
    assert glob_match("s3-bucket-?ersioning", "s3-bucket-versioning")
    assert not glob_match("aws_s3_bucket.claims", "aws_s3_bucket.claims_archive")


def test_waivers_apply_in_every_format(cli: Cli, tmp_path: Path) -> None:
    waivers = _write(tmp_path, WAIVE_CLAIMS)
    out = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "sarif", "junit", "markdown")}
    args = [f"--report={fmt}={path}" for fmt, path in out.items()]
    result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, *args)
    assert result.code == 1  # other failures remain
    assert "WAIVED" in result.out and f"waived until {LATER} by platform@example.com" in result.out

    report = load_json(out["json"])
    waived = [f for f in report["findings"] if f["status"] == "waived"]
    waived_claims = {f["policy_id"] for f in waived if f["resource"]["address"] == "aws_s3_bucket.claims"}
    assert waived_claims == {
        "s3-bucket-kms-encryption",
        "s3-bucket-versioning",
        "s3-bucket-access-logging",
        "s3-bucket-public-access-block",
        "s3-bucket-denies-insecure-transport",
    }
    assert len(waived) == 6 and report["summary"]["waived"] == 6
    root_volume = next(f for f in waived if f["policy_id"] == "ebs-volume-encrypted")
    assert root_volume["waiver"] == {
        "policy": "ebs-volume-encrypted",
        "resource": "aws_instance.edi_gateway.root_block_device[0]",
        "reason": "Root volume re-created encrypted at the next AMI roll",
        "owner": "compute@example.com",
        "expires": SOON,
        "file": waivers.name,  # outside the working directory: the name, never an absolute local path
        "line": 7,
    }
    assert all(not f["gating"] for f in waived)
    gate = report["gate"]["waivers"]
    assert {k: gate[k] for k in ("file", "applied", "expired", "max_days", "revision")} == {
        "file": waivers.name,
        "applied": 6,
        "expired": 0,
        "max_days": 365,
        "revision": None,
    }
    # Per waiver: who owns it and how many findings it covers.
    assert [(e["owner"], e["covers"], e["line"]) for e in gate["entries"]] == [
        ("platform@example.com", 5, 2),
        ("compute@example.com", 1, 7),
    ]

    sarif = load_json(out["sarif"])
    suppressed = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert len(suppressed) == 6
    assert suppressed[0]["suppressions"][0]["kind"] == "external"
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"
    assert "owner: " in suppressed[0]["suppressions"][0]["justification"]

    cases = ET.parse(out["junit"]).getroot().iter("testcase")
    skipped = {(c.get("classname"), c.get("name")): c.find("skipped") for c in cases if c.find("skipped") is not None}
    waived_case = skipped[("s3-bucket-versioning", "aws_s3_bucket.claims")]
    assert waived_case is not None and f"waived until {LATER}" in (waived_case.get("message") or "")

    markdown = out["markdown"].read_text(encoding="utf-8")
    assert "### Waived (6)" in markdown and "Legacy claims bucket, migrated in Q3 \\(INFRA-1\\)" in markdown


def test_all_failures_waived_passes(cli: Cli, tmp_path: Path) -> None:
    waivers = _write(
        tmp_path,
        "waivers:\n  - {policy: '*-*', resource: '*', reason: accepted for the demo, owner: me, expires: 2999-01-01}\n",
    )
    result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["summary"]["fail"] == 0


def test_expired_waiver_does_not_apply_and_warns(cli: Cli, tmp_path: Path) -> None:
    waivers = _write(
        tmp_path,
        "waivers:\n"
        "  - policy: '*'\n    resource: 'aws_*'\n    reason: old exception\n    owner: me\n    expires: 2020-01-31\n",
    )
    result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, "--format", "json")
    assert result.code == 1
    expected = f"{waivers.name}:2: waiver for * on aws_* expired on 2020-01-31; it no longer applies"
    assert f"hipaacheck: warning: {expected}" in result.err
    report = json.loads(result.out)
    assert report["summary"]["waived"] == 0 and expected in report["notes"]
    assert report["gate"]["waivers"]["expired"] == 1


def test_waiver_expiring_today_still_applies(cli: Cli, tmp_path: Path) -> None:
    today = date.today().isoformat()
    waivers = _write(
        tmp_path, f"waivers:\n  - {{policy: '*-*', resource: '*', reason: r, owner: o, expires: {today}}}\n"
    )
    result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, "--format", "json")
    assert result.code == 0 and "expires on " + today in " ".join(json.loads(result.out)["notes"])


def test_default_waivers_file_in_the_working_directory(cli: Cli, tmp_path: Path) -> None:
    _write(tmp_path, WAIVE_CLAIMS, ".hipaacheck-waivers.yaml")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = cli("scan", "plan", NONCOMPLIANT, "--format", "json")
    finally:
        os.chdir(cwd)
    assert json.loads(result.out)["summary"]["waived"] == 6


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            "waivers:\n  - policy: a\n    resource: b\n    reason: c\n    expires: 2999-01-01\n",
            ":2:5: waiver 1: missing 'owner'",
        ),
        (
            "waivers:\n  - policy: a\n    resource: b\n    reason: c\n    owner: d\n    expires: 2026-02-30\n",
            ":6:14: waiver 1: 'expires' must be a date YYYY-MM-DD, not '2026-02-30'",
        ),
        (
            "waivers:\n  - policy: a\n    resource: b\n    reason: c\n    owner: d\n    expires: next year\n",
            "'expires' must be a date YYYY-MM-DD, not 'next year'",
        ),
        (
            "waivers:\n  - {policy: a, resource: b, reason: '', owner: d, expires: 2999-01-01}\n",
            "waiver 1: 'reason' must be non-empty text",
        ),
        (
            "waivers:\n  - {policy: a, resource: b, reason: c, owner: d, expires: 2999-01-01, until: x}\n",
            "waiver 1: unknown key 'until'",
        ),
        ("waiver:\n  - {}\n", ":1:1: unknown key 'waiver'"),
        ("waivers: {policy: a}\n", ":1:10: 'waivers' must be a list"),
        ("waivers:\n  - [a, b]\n", "waiver 1 must be a mapping"),
        ("waivers:\n  - {policy: a, policy: b}\n", "duplicate key 'policy'"),
        ("waivers: [\n", "YAML syntax error"),
    ],
)
def test_malformed_waivers_are_one_line_exit_2(cli: Cli, tmp_path: Path, body: str, fragment: str) -> None:
    waivers = _write(tmp_path, body)
    output = tmp_path / "report.sarif"
    result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, "--report", f"sarif={output}")
    assert_one_line_error(result, fragment)
    assert str(waivers) in result.err
    assert not output.exists()


def test_missing_waivers_file(cli: Cli, tmp_path: Path) -> None:
    assert_one_line_error(
        cli("scan", "plan", NONCOMPLIANT, "--waivers", tmp_path / "none.yaml"), "waivers file does not exist"
    )


def test_empty_waivers_file_means_no_waivers(cli: Cli, tmp_path: Path) -> None:
    for body in ("", "# nothing yet\n", "waivers:\n", "waivers: []\n"):
        waivers = _write(tmp_path, body)
        result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, "--format", "json")
        assert result.code == 1 and json.loads(result.out)["summary"]["waived"] == 0, body
