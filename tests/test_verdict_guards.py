"""Assertions that a one-line bug in the code deciding verdicts or exit codes would break.

Each test here was written against a deliberate mistake that the rest of the suite let through
(issue 18): the threshold ignored, evidence listing the wrong children, an anchored `matches`,
SARIF baseline states swapped, a security severity outside GitHub's band.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate_one
from hipaacheck.models import Finding, Gap, GapKind, Resource, Severity, Status
from hipaacheck.policy.conditions import Group, Leaf, Not
from hipaacheck.policy.loader import load_policies
from hipaacheck.policy.truth import Truth
from hipaacheck.report import EXEMPTIONS, Location, Report, finding_key
from hipaacheck.waivers import Waiver

from .conftest import FIXTURES, run_cli

NONCOMPLIANT = FIXTURES / "noncompliant" / "plan.json"


def _pack_of(severity: str, folder: Path) -> Path:
    """A copy of the built-in policies of one severity only."""
    folder.mkdir()
    for path in sorted(builtin_policy_dir().rglob("*.yaml")):
        if yaml.safe_load(path.read_text(encoding="utf-8"))["severity"] == severity:
            shutil.copy(path, folder / path.name)
    return folder


@pytest.mark.parametrize(("fail_on", "expected"), [("critical", 0), ("high", 0), ("medium", 1), ("low", 1)])
def test_fail_on_ignores_failures_below_the_threshold(tmp_path: Path, fail_on: str, expected: int) -> None:
    pack = _pack_of("medium", tmp_path / "medium")
    result = run_cli(
        "scan", "plan", NONCOMPLIANT, "--no-builtin", "--policies", pack, "--fail-on", fail_on, "--format", "json"
    )
    report = json.loads(result.out)
    failing = [f for f in report["findings"] if f["status"] == "fail"]
    assert failing and {f["severity"] for f in failing} == {"medium"}  # the plan does fail medium checks
    assert result.code == expected, result.err
    assert report["result"] == ("fail" if expected else "pass")


def _res(**attrs: Any) -> Resource:
    return Resource("s3_bucket", "aws_s3_bucket.x", "test", attrs, {})


def _keys(outcome_evidence: tuple[Any, ...]) -> list[str]:
    return [e.key for e in outcome_evidence]


@pytest.mark.parametrize(
    ("mode", "values", "truth", "deciding"),
    [
        # A failing `all` is explained by exactly the children that failed, not the ones that held.
        ("all", {"a": 1, "b": 0, "c": 0}, Truth.FALSE, ["b", "c"]),
        ("all", {"a": 1, "b": 1, "c": 0}, Truth.FALSE, ["c"]),
        # A passing `all` is explained by every child.
        ("all", {"a": 1, "b": 1, "c": 1}, Truth.TRUE, ["a", "b", "c"]),
        # A passing `any` by exactly the children that held; a failing one by all of them.
        ("any", {"a": 0, "b": 1, "c": 0}, Truth.TRUE, ["b"]),
        ("any", {"a": 0, "b": 0, "c": 0}, Truth.FALSE, ["a", "b", "c"]),
    ],
)
def test_group_evidence_lists_exactly_the_deciding_children(
    mode: str, values: dict[str, int], truth: Truth, deciding: list[str]
) -> None:
    group = Group(mode, tuple(Leaf(k, "equals", 1) for k in ("a", "b", "c")))
    outcome = group.evaluate(_res(**values))
    assert outcome.truth is truth
    assert _keys(outcome.evidence) == deciding


def test_negated_group_evidence_lists_exactly_the_deciding_children() -> None:
    # not(all(a, b, c)) fails when every child holds; it holds as soon as one child fails, and
    # then only that child explains it.
    group = Not(Group("all", tuple(Leaf(k, "equals", 1) for k in ("a", "b", "c"))))
    outcome = group.evaluate(_res(a=1, b=0, c=1))
    assert outcome.truth is Truth.TRUE and _keys(outcome.evidence) == ["b"]


@pytest.mark.parametrize(
    ("pattern", "actual", "truth"),
    [
        ("TLS13", "ELBSecurityPolicy-TLS13-1-2-2021-06", Truth.TRUE),  # unanchored: a search, not a match
        ("2021-06$", "ELBSecurityPolicy-TLS13-1-2-2021-06", Truth.TRUE),
        ("^TLS13", "ELBSecurityPolicy-TLS13-1-2-2021-06", Truth.FALSE),
        ("TLS13", "ELBSecurityPolicy-2016-08", Truth.FALSE),
    ],
)
def test_matches_searches_the_whole_value(pattern: str, actual: str, truth: Truth) -> None:
    assert Leaf("v", "matches", re.compile(pattern)).evaluate(_res(v=actual)).truth is truth


# GitHub code scanning maps security-severity to its labels by these bands
# (docs.github.com, "About code scanning alerts": over 9.0 critical, 7.0-8.9 high,
# 4.0-6.9 medium, 0.1-3.9 low).
GITHUB_BANDS = {
    Severity.CRITICAL: (9.0, 10.0),
    Severity.HIGH: (7.0, 8.9),
    Severity.MEDIUM: (4.0, 6.9),
    Severity.LOW: (0.1, 3.9),
}


def test_sarif_security_severity_falls_in_githubs_band_for_every_severity(tmp_path: Path) -> None:
    sarif = tmp_path / "r.sarif"
    run_cli("scan", "plan", NONCOMPLIANT, "--report", f"sarif={sarif}")
    rules = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["tool"]["driver"]["rules"]
    policies = {
        p["id"]: Severity(p["severity"])
        for p in (yaml.safe_load(f.read_text(encoding="utf-8")) for f in builtin_policy_dir().rglob("*.yaml"))
    }
    seen = set()
    for rule in rules:
        severity = policies[rule["id"]]
        low, high = GITHUB_BANDS[severity]
        value = float(rule["properties"]["security-severity"])
        assert low < value <= high if severity is Severity.CRITICAL else low <= value <= high, (rule["id"], value)
        seen.add(severity)
    assert seen == set(Severity)  # the pack has every severity, so every band was checked


# ------------------------------------------------------------ scope: out, undetermined, unreadable

VERSIONING = next(p for p in load_policies([builtin_policy_dir()]) if p.id == "s3-bucket-versioning")


def _bucket(attrs: dict[str, Any], gaps: dict[str, Gap] | None = None) -> Resource:
    return Resource("s3_bucket", "aws_s3_bucket.x", "test", attrs, gaps or {})


def test_out_of_scope_is_skipped_and_says_why() -> None:
    finding = evaluate_one(VERSIONING, _bucket({"tags": {"phi": "false"}, "versioning": {"enabled": False}}))
    assert finding.status is Status.SKIPPED
    assert finding.message == 'Out of scope: tags.phi is "false" (expected other than "false")'


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        # Scope only known after apply and the requirement fails: only apply can tell.
        (GapKind.UNKNOWN, Status.UNKNOWN),
        # Scope could not be read: an error, so a broken input cannot hide a failure as unknown.
        (GapKind.ERROR, Status.ERROR),
    ],
)
def test_failure_with_undetermined_scope(kind: GapKind, status: Status) -> None:
    gaps = {"tags": Gap(kind, "tags known after apply" if kind is GapKind.UNKNOWN else "AccessDenied")}
    finding = evaluate_one(VERSIONING, _bucket({"versioning": {"enabled": False}}, gaps))
    assert finding.status is status
    assert "whether the policy applies is undetermined" in finding.message


def test_a_finding_carries_the_evidence_that_decided_it() -> None:
    # What was seen against what was expected reaches the report (SARIF, table, JSON) only
    # through the finding: the requirement's evidence for a verdict, the scope's for a skip.
    failing = evaluate_one(VERSIONING, _bucket({"versioning": {"enabled": False}}))
    assert failing.status is Status.FAIL
    assert [(e.key, e.observed, e.expected) for e in failing.evidence] == [("versioning.enabled", "false", "true")]
    skipped = evaluate_one(VERSIONING, _bucket({"tags": {"phi": "false"}, "versioning": {"enabled": False}}))
    assert [(e.key, e.observed) for e in skipped.evidence] == [("tags.phi", '"false"')]


def test_pass_with_undetermined_scope_is_a_pass() -> None:
    # In scope or not, the requirement holds.
    gaps = {"tags": Gap(GapKind.UNKNOWN, "known after apply")}
    assert evaluate_one(VERSIONING, _bucket({"versioning": {"enabled": True}}, gaps)).status is Status.PASS


def test_message_joins_each_requirement_once() -> None:
    policy = next(p for p in load_policies([builtin_policy_dir()]) if p.id == "lb-listener-encrypted")
    resource = Resource(
        "lb_listener", "aws_lb_listener.x", "test", {"encrypted": False, "redirects_to_https": False}, {}
    )
    finding = evaluate_one(policy, resource)
    assert finding.status is Status.FAIL
    # The policy's `any`: its alternatives read with "or" (issue 10), each once.
    assert finding.message == "encrypted is false (expected true) or redirects_to_https is false (expected true)"


# ------------------------------------------------------------ report gating, one finding at a time


def _finding(status: Status, severity: Severity, address: str = "aws_s3_bucket.x", policy: str = "p") -> Finding:
    resource = Resource("s3_bucket", address, "test", {}, {})
    return Finding(policy, "t", severity, status, ("164.312(b)",), resource, "m", "fix")


@pytest.mark.parametrize(
    ("severity", "result"),
    [(Severity.CRITICAL, "incomplete"), (Severity.HIGH, "incomplete"), (Severity.MEDIUM, "pass")],
)
def test_an_error_at_exactly_the_threshold_leaves_the_scan_incomplete(severity: Severity, result: str) -> None:
    report = Report({}, [_finding(Status.ERROR, severity)], fail_on=Severity.HIGH)
    assert report.result == result
    assert report.exit_code == {"incomplete": 3, "pass": 0}[result]


def test_exemptions_name_their_reason() -> None:
    baseline, unchanged, plain = (_finding(Status.FAIL, Severity.HIGH, f"aws_s3_bucket.{n}") for n in "abc")
    report = Report(
        {}, [baseline, unchanged, plain], in_baseline={finding_key(baseline)}, not_gated={finding_key(unchanged)}
    )
    assert [report.exemption(f) for f in (baseline, unchanged, plain)] == ["baseline", "unchanged", None]
    assert {EXEMPTIONS[report.exemption(f) or ""] for f in (baseline, unchanged)} == {
        "already in the baseline",
        "resource not changed by the plan",
    }
    assert report.failing() == [plain]


def test_only_a_waived_finding_shows_its_waiver() -> None:
    waived, failing = _finding(Status.WAIVED, Severity.HIGH), _finding(Status.FAIL, Severity.HIGH)
    waiver = Waiver("p", "*", "accepted", "security", date(2099, 1, 1), ".hipaacheck-waivers.yaml", 3)
    report = Report({}, [waived, failing], waivers={finding_key(waived): waiver})
    assert report.waiver(waived) is waiver
    assert report.waiver(failing) is None


def test_findings_sort_worst_first_within_a_status() -> None:
    low, critical = _finding(Status.FAIL, Severity.LOW, "a.low"), _finding(Status.FAIL, Severity.CRITICAL, "b.crit")
    passed = _finding(Status.PASS, Severity.CRITICAL, "c.pass")
    assert Report({}, [passed, low, critical]).sorted_findings() == [critical, low, passed]


def test_summary_by_account_counts_each_status_per_account() -> None:
    def in_account(status: Status, account: str | None, name: str) -> Finding:
        finding = _finding(status, Severity.HIGH, f"aws_s3_bucket.{name}")
        finding.resource.account = account
        return finding

    report = Report(
        {},
        [
            in_account(Status.FAIL, "222222222222", "a"),
            in_account(Status.FAIL, "222222222222", "b"),
            in_account(Status.PASS, "222222222222", "c"),
            in_account(Status.ERROR, "111111111111", "d"),
            in_account(Status.FAIL, None, "plan"),  # a plan's finding names no account: in no row
        ],
    )
    zero = {status.value: 0 for status in Status}
    assert report.counts_by_account() == {
        "111111111111": {**zero, "error": 1},
        "222222222222": {**zero, "fail": 2, "pass": 1},
    }
    assert list(report.counts_by_account()) == ["111111111111", "222222222222"]  # sorted by account
    assert report.counts() == {**zero, "fail": 3, "pass": 1, "error": 1}


def test_the_same_address_in_several_accounts_sorts_by_account() -> None:
    def in_account(account: str | None) -> Finding:
        finding = _finding(Status.FAIL, Severity.HIGH, "aws_s3_bucket.logs")
        finding.resource.account = account
        return finding

    second, first, plan = in_account("222222222222"), in_account("111111111111"), in_account(None)
    assert Report({}, [second, first, plan]).sorted_findings() == [plan, first, second]


def test_a_report_locates_findings_through_its_locator() -> None:
    finding = _finding(Status.FAIL, Severity.HIGH)

    class OneBlock:
        def locate(self, seen: Finding) -> Location | None:
            return Location("main.tf", 3, 9) if seen is finding else None

    assert Report({}, [finding], locator=OneBlock()).locate(finding) == Location("main.tf", 3, 9)
    assert Report({}, [finding]).locate(finding) is None  # no sources given: no location


# ------------------------------------------------------------ leaf evidence and operator edge cases


@pytest.mark.parametrize(
    ("op", "value", "actual", "truth"),
    [
        ("contains", "x", 5, Truth.FALSE),  # neither a string nor a list contains anything
        ("contains", 5, "a5b", Truth.FALSE),  # a string contains only strings
        ("length", {"equals": 0}, 5, Truth.TRUE),  # a scalar has no items
        ("length", {"gte": 1}, 5, Truth.FALSE),
        ("gte", 7, "7", Truth.FALSE),  # a numeric string is not a number
        ("lt", 7, None, Truth.FALSE),  # null is absent: never below a bound
    ],
)
def test_operator_edge_cases(op: str, value: Any, actual: Any, truth: Truth) -> None:
    assert Leaf("v", op, value).evaluate(_res(v=actual)).truth is truth


def test_leaf_evidence_says_whether_a_value_was_seen() -> None:
    (seen,) = Leaf("v", "equals", 1).evaluate(_res(v=2)).evidence
    assert (seen.observed, seen.expected, seen.undetermined) == ("2", "1", False)
    (absent,) = Leaf("v", "equals", 1).evaluate(_res()).evidence
    assert (absent.observed, absent.undetermined) == ("not set", False)
    gaps = {"v": Gap(GapKind.UNKNOWN, "known after apply")}
    unknown = Leaf("v", "equals", 1).evaluate(Resource("s3_bucket", "a", "test", {}, gaps))
    assert unknown.truth is Truth.UNKNOWN and unknown.evidence[0].undetermined is True
    # An unknown value that will be set satisfies exists, and is then not "undetermined".
    will_be_set = Leaf("v", "exists").evaluate(Resource("s3_bucket", "a", "test", {}, gaps))
    assert will_be_set.truth is Truth.TRUE
    assert (will_be_set.evidence[0].observed, will_be_set.evidence[0].undetermined) == ("known after apply", False)


@pytest.mark.parametrize(
    ("leaf", "negated", "words"),
    [
        (Leaf("v", "in", ["a", "b"]), True, 'not one of "a", "b"'),
        (Leaf("v", "equals", "a"), True, 'other than "a"'),
        (Leaf("v", "exists"), True, "not set"),
        (Leaf("v", "in", list("abcdef")), False, 'one of "a", "b", "c", "d", "e", "f"'),
        (Leaf("v", "in", list("abcdefg")), False, 'one of "a", "b", "c", "d", "e", "f" (+1 more)'),
        (Leaf("v", "in", list("abcdefgh")), False, 'one of "a", "b", "c", "d", "e", "f" (+2 more)'),
    ],
)
def test_expectation_words(leaf: Leaf, negated: bool, words: str) -> None:
    assert leaf.expectation(negated) == words
