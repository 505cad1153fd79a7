"""Waivers: applied (in every format), expired (warning, no effect), malformed (one line, exit 2)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from hipaacheck.models import Finding, Resource, Severity, Status
from hipaacheck.report import Report, Waiver
from hipaacheck.sources.errors import InputError
from hipaacheck.waivers import (
    WaiverSet,
    apply_waivers,
    glob_match,
    is_match_all,
    load_waivers,
    parse_waivers,
    stale_waiver_warnings,
    waiver_matches,
)

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


# ---------------------------------------------------------------- in-process: the rules themselves

TODAY = date(2026, 6, 1)  # the bounds below are counted from this day, not the clock


def _finding(
    policy: str = "s3-bucket-versioning",
    address: str = "aws_s3_bucket.claims",
    account: str | None = None,
    status: Status = Status.FAIL,
) -> Finding:
    resource = Resource("s3_bucket", address, "aws" if account else "terraform-plan", {}, account=account)
    return Finding(policy, "t", Severity.HIGH, status, ("164.312(c)(1)",), resource, "m", "fix")


def _waiver(
    policy: str = "s3-bucket-versioning",
    resource: str = "aws_s3_bucket.claims",
    account: str | None = None,
    expires: date = TODAY + timedelta(days=30),
    line: int = 2,
) -> Waiver:
    return Waiver(policy, resource, "reason", "owner", expires, "w.yaml", line, account)


def _parse(entries: str, max_days: int = 365) -> WaiverSet:
    return parse_waivers("waivers:\n" + entries, "w.yaml", TODAY, max_days)


@pytest.mark.parametrize(
    ("pattern", "match_all"),
    [("*", True), ("**", True), ("?*", True), ("*?*", True), ("?", False), ("X*", False), ("aws_s3_bucket.*", False)],
)
def test_only_a_glob_of_wildcards_is_match_all(pattern: str, match_all: bool) -> None:
    # Any literal character bounds the glob ("X*" is every address starting with X, not everything).
    assert is_match_all(pattern) is match_all


@pytest.mark.parametrize(
    ("waiver_account", "finding_account", "matches"),
    [
        (None, "111122223333", True),  # no account named: any account
        (None, None, True),
        ("111122223333", "111122223333", True),
        ("111122223333", "444455556666", False),  # the same address in another account stays failing
        ("1111*", "111122223333", True),
        ("1111*", "444455556666", False),
        ("?*", None, False),  # a waiver limited to an account never covers a finding that names none
    ],
)
def test_a_waiver_limited_to_an_account_covers_only_that_account(
    waiver_account: str | None, finding_account: str | None, matches: bool
) -> None:
    waiver = _waiver(account=waiver_account)
    assert waiver_matches(waiver, _finding(account=finding_account)) is matches
    # Policy and resource must match too, whatever the account says.
    assert not waiver_matches(waiver, _finding(policy="s3-bucket-kms-encryption", account=finding_account))
    assert not waiver_matches(waiver, _finding(address="aws_s3_bucket.other", account=finding_account))


def test_the_account_field_is_read_and_reported() -> None:
    limited, anywhere = _parse(
        "  - {policy: p, resource: r, reason: x, owner: o, expires: 2026-07-01, account: ' 111122223333 '}\n"
        "  - {policy: p, resource: r2, reason: x, owner: o, expires: 2026-07-01}\n"
    ).active
    assert limited.account == "111122223333" and anywhere.account is None
    assert limited.as_dict()["account"] == "111122223333"
    assert "account" not in anywhere.as_dict()


# Every message whole: it is all a user has to find and fix the entry.
@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            "  - {policy: a, resource: b, reason: c, expires: 2026-07-01}\n",
            "w.yaml:2:5: waiver 1: missing 'owner' (every waiver needs policy, resource, reason, owner, expires)",
        ),
        (
            "  - {policy: a, resource: b, reason: c, owner: d, expires: 2026-07-01, until: x}\n",
            "w.yaml:2:72: waiver 1: unknown key 'until' (allowed: policy, resource, reason, owner, expires, account)",
        ),
        (
            "  - {policy: a, resource: b, reason: c, owner: d, expires: 2026-07-01, account: ''}\n",
            "w.yaml:2:81: waiver 1: 'account' must be non-empty text",
        ),
        (
            "  - {policy: a, resource: b, reason: c, owner: d, expires: 2026-07-01, account: [1, 2]}\n",
            "w.yaml:2:81: waiver 1: 'account' must be non-empty text",
        ),
        (
            "  - {policy: a, resource: b, reason: c, owner: d, expires: 2026-07-01, account: '  '}\n",
            "w.yaml:2:81: waiver 1: 'account' must be non-empty text",
        ),
        (
            "  - {[a]: b}\n",
            "w.yaml:2:6: keys must be plain text",
        ),
        (
            "  - {policy: '*', resource: '?*', reason: c, owner: d, expires: 2026-07-01}\n",
            "w.yaml:2:5: waiver 1: policy '*' on resource '?*' would waive every finding; "
            "name the policy or the resources it accepts",
        ),
        (
            "  - {policy: a, resource: b, reason: c, owner: d, expires: 2027-06-02}\n",
            "w.yaml:2:60: waiver 1: expires 2027-06-02, more than 365 days after today (2026-06-01); "
            "renew it closer to the date (limit: --max-waiver-days, max_waiver_days)",
        ),
    ],
)
def test_waiver_errors_name_the_line_and_say_what_to_fix(entries: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        _parse(entries)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "w.yaml:1:1: the waivers file must be a mapping"),
        ("{[a]: b}\n", "w.yaml:1:2: keys must be plain text"),
        ("{}\n", "w.yaml:1:1: missing 'waivers' (a list of waivers)"),
        ("waivers: none\n", "w.yaml:1:10: 'waivers' must be a list"),  # only null means "no waivers"
        # Where the YAML parser stopped (libyaml's words), not where the enclosing block began.
        ("waivers: [\n", "w.yaml:2:1: YAML syntax error: did not find expected node content"),
        ("waivers:\n  - {a: *x}\n", "w.yaml:2:9: YAML syntax error: found undefined alias"),
        ("a: 1\n---\nb: 2\n", "w.yaml:2:1: YAML syntax error: but found another document"),
    ],
)
def test_waiver_file_errors_say_where(text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        parse_waivers(text, "w.yaml", TODAY)
    assert str(error.value) == message


def test_a_yaml_error_without_a_position_names_the_file() -> None:
    with pytest.raises(InputError) as error:
        parse_waivers("\x00waivers: []\n", "w.yaml", TODAY)
    assert str(error.value).startswith("w.yaml: YAML error: unacceptable character #x0000")


def test_parsed_waivers_are_active_through_their_last_day() -> None:
    waivers = _parse(
        "  - {policy: p, resource: today, reason: x, owner: o, expires: 2026-06-01}\n"
        "  - {policy: p, resource: yesterday, reason: x, owner: o, expires: 2026-05-31}\n",
        max_days=30,
    )
    assert [w.resource for w in waivers.active] == ["today"]
    assert [w.resource for w in waivers.expired] == ["yesterday"]
    assert waivers.max_days == 30  # reported in gate.waivers.max_days


def test_a_waiver_applies_through_its_last_day_and_is_announced_two_weeks_ahead() -> None:
    findings = [_finding(address=f"aws_s3_bucket.{name}") for name in ("today", "in14", "in15", "nothing")]
    waivers = WaiverSet(
        "w.yaml",
        active=[
            _waiver(resource="aws_s3_bucket.today", expires=TODAY, line=2),
            _waiver(resource="aws_s3_bucket.in14", expires=TODAY + timedelta(days=14), line=3),
            _waiver(resource="aws_s3_bucket.in15", expires=TODAY + timedelta(days=15), line=4),
        ],
        expired=[],
    )
    report = Report({}, findings)
    apply_waivers(report, waivers, TODAY)
    assert [f.status for f in findings] == [Status.WAIVED, Status.WAIVED, Status.WAIVED, Status.FAIL]
    assert report.notes == [
        "w.yaml:2: waiver for s3-bucket-versioning on aws_s3_bucket.today expires on 2026-06-01",
        "w.yaml:3: waiver for s3-bucket-versioning on aws_s3_bucket.in14 expires on 2026-06-15",
    ]
    # Expiring today is not expired: the entry says so.
    assert [(e["line"], e["covers"], e["expired"]) for e in report.gate["waivers"]["entries"]] == [
        (2, 1, False),
        (3, 1, False),
        (4, 1, False),
    ]


def test_stale_waivers_are_named_only_when_the_scan_can_tell() -> None:
    used = _waiver(line=2)
    unused = _waiver(resource="aws_s3_bucket.gone", line=3)
    unknown_policy = _waiver(policy="s3-bucket-versoning", resource="aws_s3_bucket.gone", line=4)
    old = _waiver(resource="aws_s3_bucket.gone", expires=TODAY - timedelta(days=1), line=5)
    waivers = WaiverSet("w.yaml", active=[used, unused, unknown_policy], expired=[old])
    report = Report({}, [_finding()])
    apply_waivers(report, waivers, TODAY)
    loaded = ["s3-bucket-versioning", "s3-bucket-kms-encryption"]
    assert stale_waiver_warnings(report, waivers, loaded, full_scan=True) == [
        "w.yaml:3: waiver for s3-bucket-versioning on aws_s3_bucket.gone matched no failing finding",
        "w.yaml:4: waiver for s3-bucket-versoning on aws_s3_bucket.gone names no loaded policy "
        "(did you mean 's3-bucket-versioning'?)",
    ]
    # A partial scan (--policy, --region) cannot tell a waiver matches nothing; an expired one is already said.
    assert stale_waiver_warnings(report, waivers, loaded, full_scan=False) == [
        "w.yaml:4: waiver for s3-bucket-versoning on aws_s3_bucket.gone names no loaded policy "
        "(did you mean 's3-bucket-versioning'?)",
    ]
    # Without the list of loaded policies nothing is said about policy names.
    assert stale_waiver_warnings(report, waivers, None, full_scan=False) == []


def test_waiver_file_errors_name_the_file(tmp_path: Path) -> None:
    binary = tmp_path / "w.yaml"
    binary.write_bytes(b"waivers: \xff\n")
    with pytest.raises(InputError) as error:
        load_waivers(binary, TODAY)
    assert str(error.value) == f"{binary}: waivers file is not UTF-8 text"
    with pytest.raises(InputError) as error:
        load_waivers(tmp_path / "none.yaml", TODAY)
    assert str(error.value) == f"{tmp_path / 'none.yaml'}: cannot read waivers file (No such file or directory)"
