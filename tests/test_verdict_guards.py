"""Assertions that a one-line bug in the code deciding verdicts or exit codes would break.

Each test here was written against a deliberate mistake that the rest of the suite let through
(issue 18): the threshold ignored, evidence listing the wrong children, an anchored `matches`,
SARIF baseline states swapped, a security severity outside GitHub's band.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate_one
from hipaacheck.models import Gap, GapKind, Resource, Severity, Status
from hipaacheck.policy.conditions import Group, Leaf, Not
from hipaacheck.policy.loader import load_policies
from hipaacheck.policy.truth import Truth

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
    assert finding.message == "encrypted is false (expected true); redirects_to_https is false (expected true)"
