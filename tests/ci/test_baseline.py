"""Baseline gating (only new failures fail) and --changed-only (only changed resources gate)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hipaacheck.baseline import apply_changed_only
from hipaacheck.models import Finding, Resource, Severity, Status
from hipaacheck.report import Report, finding_key

from .conftest import LIFECYCLE, MODULES, NONCOMPLIANT, Cli, assert_one_line_error, load_json


def _baseline_of(cli: Cli, tmp_path: Path, plan: Path) -> Path:
    path = tmp_path / "baseline.json"
    result = cli("scan", "plan", plan, "--format", "json", "--output", path)
    assert result.code == 1 and path.exists()
    return path


def _edit(path: Path, change: Any) -> Path:
    document = load_json(path)
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_same_failures_as_the_baseline_pass(cli: Cli, tmp_path: Path) -> None:
    baseline = _baseline_of(cli, tmp_path, NONCOMPLIANT)
    result = cli("scan", "plan", NONCOMPLIANT, "--baseline", baseline, "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    fails = [f for f in report["findings"] if f["status"] == "fail"]
    assert fails and all(f["baseline"] and not f["gating"] for f in fails)  # still reported, marked
    assert report["result"] == "pass" and report["gate"]["failing"] == 0
    # Never an absolute path of this machine: outside the working directory, the file name.
    assert report["gate"]["baseline"] == {"file": baseline.name, "known": len(fails), "fixed": 0}


def test_only_new_failures_fail(cli: Cli, tmp_path: Path) -> None:
    baseline = _baseline_of(cli, tmp_path, NONCOMPLIANT)

    def forget(document: dict[str, Any]) -> None:
        # As if the baseline run had not had these two failures: they are "new" now.
        document["findings"] = [
            f
            for f in document["findings"]
            if not (f["resource"]["address"] == "aws_s3_bucket.claims" and f["policy_id"] == "s3-bucket-versioning")
            and not (f["resource"]["address"] == "account" and f["policy_id"] == "account-password-policy")
        ]

    _edit(baseline, forget)
    sarif = tmp_path / "r.sarif"
    result = cli("scan", "plan", NONCOMPLIANT, "--baseline", baseline, "--format", "json", "--report", f"sarif={sarif}")
    assert result.code == 1
    report = json.loads(result.out)
    gating = {(f["policy_id"], f["resource"]["address"]) for f in report["findings"] if f["gating"]}
    assert gating == {("s3-bucket-versioning", "aws_s3_bucket.claims"), ("account-password-policy", "account")}
    # Per result, not as a set: swapping "new" and "unchanged" must fail this.
    states = {
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r["baselineState"]
        for r in load_json(sarif)["runs"][0]["results"]
    }
    assert {key for key, state in states.items() if state == "new"} == gating
    assert {state for key, state in states.items() if key not in gating} == {"unchanged"}
    table = cli("scan", "plan", NONCOMPLIANT, "--baseline", baseline)
    assert table.code == 1 and "already in the baseline" in table.out
    assert table.out.rstrip().splitlines()[-1].endswith("FAILED: 2 failing at or above low")


def test_baseline_of_a_module_plan_matches_indexed_addresses(cli: Cli, tmp_path: Path) -> None:
    baseline = _baseline_of(cli, tmp_path, MODULES)
    assert cli("scan", "plan", MODULES, "--baseline", baseline).code == 0


def _version(value: object) -> Any:
    return lambda d: d.__setitem__("schema_version", value)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            lambda d: d.__setitem__("tool", {"name": "checkov", "version": "3"}),
            "not a hipaacheck JSON report ('checkov')",
        ),
        (lambda d: d.pop("tool"), "not a hipaacheck JSON report (no tool.name)"),
        (_version("2.0"), "baseline schema_version '2.0' is not supported (this hipaacheck reads 1.x)"),
        (_version(1), "baseline schema_version 1 is not supported"),
        (lambda d: d.__setitem__("findings", {}), "baseline has no 'findings' list"),
        (
            lambda d: d["findings"][0].pop("policy_id"),
            "baseline is not a valid hipaacheck 1.x report: findings[0].policy_id: field required",
        ),
    ],
)
def test_bad_baseline_is_one_line_exit_2(cli: Cli, tmp_path: Path, change: Any, fragment: str) -> None:
    baseline = _edit(_baseline_of(cli, tmp_path, NONCOMPLIANT), change)
    output = tmp_path / "out.json"
    result = cli("scan", "plan", NONCOMPLIANT, "--baseline", baseline, "--output", output, "--format", "json")
    assert_one_line_error(result, fragment)
    assert result.err.startswith(f"hipaacheck: error: {baseline}: ")  # which file is wrong
    assert not output.exists()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{not json", "baseline is not valid JSON (line 1, column 2)"),
        ("[1, 2]", "not a hipaacheck JSON report (expected an object)"),
        (None, "baseline file does not exist"),
    ],
)
def test_unreadable_baseline(cli: Cli, tmp_path: Path, body: str | None, fragment: str) -> None:
    baseline = tmp_path / "baseline.json"
    if body is not None:
        baseline.write_text(body, encoding="utf-8")
    result = cli("scan", "plan", NONCOMPLIANT, "--baseline", baseline)
    assert_one_line_error(result, fragment)
    assert result.err.startswith(f"hipaacheck: error: {baseline}: ")  # which file is wrong


def test_changed_only_gates_only_created_updated_replaced(cli: Cli) -> None:
    everything = json.loads(cli("scan", "plan", LIFECYCLE, "--format", "json").out)
    result = cli("scan", "plan", LIFECYCLE, "--format", "json", "--changed-only")
    report = json.loads(result.out)
    fails = [f for f in report["findings"] if f["status"] == "fail"]
    assert len(fails) == len([f for f in everything["findings"] if f["status"] == "fail"])  # all still reported
    for finding in fails:
        assert finding["gating"] == (finding["resource"]["action"] in ("create", "update", "replace", "delete")), (
            finding
        )
    # The claims bucket itself is unchanged, but its new aws_s3_bucket_logging changes it.
    claims = [f for f in fails if f["resource"]["address"] == "aws_s3_bucket.claims"]
    assert claims and all(f["resource"]["action"] == "update" and f["gating"] for f in claims)
    assert report["gate"]["changed_only"] is True
    assert result.code == (1 if any(f["gating"] for f in fails) else 0)


def test_changed_only_with_nothing_changed_passes(cli: Cli, tmp_path: Path) -> None:
    plan = load_json(NONCOMPLIANT)
    for change in plan["resource_changes"]:
        change["change"]["actions"] = ["no-op"]
    path = tmp_path / "noop.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    result = cli("scan", "plan", path, "--changed-only", "--format", "json")
    report = json.loads(result.out)
    # Account-level settings take the strongest action of the resources that manage them.
    gating = {f["resource"]["address"] for f in report["findings"] if f["gating"]}
    assert gating == set() and result.code == 0
    assert all(f["resource"]["action"] == "no-op" for f in report["findings"] if f["status"] == "fail")


def _planned(status: Status, action: str | None, name: str) -> Finding:
    resource = Resource("s3_bucket", f"aws_s3_bucket.{name}", "terraform-plan", {}, action=action)
    return Finding("s3-bucket-versioning", "t", Severity.HIGH, status, ("164.312(c)(1)",), resource, "m", "fix")


def test_changed_only_says_how_many_failures_it_leaves_out() -> None:
    unchanged_fail = _planned(Status.FAIL, "no-op", "kept")
    unchanged_error = _planned(Status.ERROR, "no-op", "unreadable")
    changed_fail = _planned(Status.FAIL, "update", "edited")
    unmanaged_fail = _planned(Status.FAIL, None, "account")  # no recorded action: stays gated
    report = Report({}, [unchanged_fail, unchanged_error, changed_fail, unmanaged_fail])
    apply_changed_only(report)
    assert report.not_gated == {finding_key(unchanged_fail), finding_key(unchanged_error)}
    assert report.failing() == [changed_fail, unmanaged_fail] and report.incomplete() == []
    # Only failures are counted in the note (the error left out is not a failure).
    assert report.notes == ["1 failure(s) on resources this plan does not change do not gate"]
    quiet = Report({}, [_planned(Status.ERROR, "no-op", "unreadable")])
    apply_changed_only(quiet)
    assert quiet.notes == [] and quiet.gate == {"changed_only": True}
