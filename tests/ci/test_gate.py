"""Exemptions a change cannot make quietly: --fail-on-unknown and scope-change findings."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from hipaacheck.engine import evaluate
from hipaacheck.policy.loader import load_policies
from hipaacheck.scope_change import SCOPE_CHANGE_ID, before_document, scope_change_findings
from hipaacheck.sources.terraform import Plan
from hipaacheck.sources.terraform.adapters import adapt_plan

from ..conftest import FIXTURES, change, plan_doc
from .conftest import COMPLIANT, NONCOMPLIANT, Cli, load_json

SCOPE_CHANGE = FIXTURES / "scope_change" / "plan.json"
MODULES = FIXTURES / "modules_unknowns" / "plan.json"
SOON = (date.today() + timedelta(days=30)).isoformat()


def _findings(report: dict[str, object]) -> dict[tuple[str, str], dict[str, object]]:
    return {(f["policy_id"], f["resource"]["address"]): f for f in report["findings"]}  # type: ignore[attr-defined, index]


# ---------------------------------------------------------------- --fail-on-unknown


def test_fail_on_unknown_gates_unknowns_at_or_above_the_threshold(cli: Cli) -> None:
    plain = json.loads(cli("scan", "plan", MODULES, "--format", "json").out)
    unknowns = [f for f in plain["findings"] if f["status"] == "unknown"]
    assert unknowns and not any(f["gating"] for f in unknowns)

    result = cli("scan", "plan", MODULES, "--format", "json", "--fail-on-unknown")
    report = json.loads(result.out)
    assert result.code == 1 and report["result"] == "fail"
    gating_unknown = [f for f in report["findings"] if f["status"] == "unknown" and f["gating"]]
    assert len(gating_unknown) == len(unknowns) == report["gate"]["failing_unknown"]
    assert report["gate"]["fail_on_unknown"] is True
    assert report["gate"]["failing"] == len(gating_unknown) + len(
        [f for f in report["findings"] if f["status"] == "fail" and f["gating"]]
    )

    # Only at or above --fail-on: a critical threshold leaves the lower unknowns alone.
    critical = json.loads(
        cli("scan", "plan", MODULES, "--format", "json", "--fail-on-unknown", "--fail-on", "critical").out
    )
    for finding in critical["findings"]:
        if finding["status"] == "unknown":
            assert finding["gating"] == (finding["severity"] == "critical")


def test_fail_on_unknown_summary_line_counts_them(cli: Cli, tmp_path: Path) -> None:
    junit = tmp_path / "r.xml"
    result = cli("scan", "plan", SCOPE_CHANGE, "--fail-on-unknown", "--report", f"junit={junit}")
    summary = " ".join(result.out.strip().splitlines()[-2:])  # the summary wraps to two lines past 80 columns
    report = json.loads(cli("scan", "plan", SCOPE_CHANGE, "--format", "json", "--fail-on-unknown").out)
    unknown, failing = report["gate"]["failing_unknown"], report["gate"]["failing"]
    # The log group's two checks (scope known only after apply). The new queue is not among them:
    # SQS encrypts new queues with SSE-SQS by default (hipaacheck/derive/service_defaults.py).
    assert unknown == 2
    assert f"{failing} failing at or above low ({unknown} of them unknown, --fail-on-unknown)" in summary
    assert "FAILED" in summary and result.code == 1
    # JUnit shows a gating unknown as a failure, so a CI test view agrees with the exit code.
    text = junit.read_text(encoding="utf-8")
    assert text.count("unknown until apply; fails the run: --fail-on-unknown") == unknown
    markdown = cli("scan", "plan", SCOPE_CHANGE, "--format", "markdown", "--fail-on-unknown").out
    assert f"({unknown} of them unknown, --fail-on-unknown)" in markdown.splitlines()[0]


def test_without_the_flag_unknowns_never_gate(cli: Cli) -> None:
    result = cli("scan", "plan", MODULES, "--format", "json")
    report = json.loads(result.out)
    assert report["gate"]["fail_on_unknown"] is False and report["gate"]["failing_unknown"] == 0


# ---------------------------------------------------------------- scope-change


def test_scope_change_findings_name_the_policies_left_and_the_values(cli: Cli) -> None:
    result = cli("scan", "plan", SCOPE_CHANGE, "--format", "json")
    assert result.code == 1
    findings = _findings(json.loads(result.out))
    claims = findings[(SCOPE_CHANGE_ID, "aws_s3_bucket.claims")]
    assert claims["status"] == "fail" and claims["severity"] == "medium" and claims["gating"]
    assert claims["message"].startswith("The plan leaves the scope of s3-bucket-not-public, ")
    assert 'tags.phi was "true", now "false"' in claims["message"]
    assert claims["evidence"] == [
        {"key": "tags.phi", "observed": '"false"', "expected": '"true" (as before the change)', "undetermined": False}
    ]
    audit = findings[(SCOPE_CHANGE_ID, "aws_cloudwatch_log_group.audit")]
    assert "may leave the scope of cloudwatch-log-group-retention" in audit["message"]
    assert "known only after apply" in audit["message"]
    # Same tag, or entering the scope: no finding.
    assert (SCOPE_CHANGE_ID, "aws_s3_bucket.steady") not in findings
    assert (SCOPE_CHANGE_ID, "aws_s3_bucket.exports") not in findings
    table = cli("scan", "plan", SCOPE_CHANGE).out
    assert "scope-change" in table and "aws_s3_bucket.claims" in table


def test_scope_change_is_waivable_and_gates_by_severity(cli: Cli, tmp_path: Path) -> None:
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n"
        f"  - {{policy: scope-change, resource: aws_s3_bucket.claims, reason: bucket emptied (CHG-9), owner: dpo, expires: {SOON}}}\n",
        encoding="utf-8",
    )
    report = json.loads(cli("scan", "plan", SCOPE_CHANGE, "--format", "json", "--waivers", waivers).out)
    findings = _findings(report)
    assert findings[(SCOPE_CHANGE_ID, "aws_s3_bucket.claims")]["status"] == "waived"
    assert findings[(SCOPE_CHANGE_ID, "aws_cloudwatch_log_group.audit")]["status"] == "fail"
    high = json.loads(cli("scan", "plan", SCOPE_CHANGE, "--format", "json", "--fail-on", "high").out)
    assert not _findings(high)[(SCOPE_CHANGE_ID, "aws_s3_bucket.claims")]["gating"]  # medium, below high


def test_sarif_has_a_rule_for_scope_change(cli: Cli, tmp_path: Path) -> None:
    sarif = tmp_path / "r.sarif"
    cli("scan", "plan", SCOPE_CHANGE, "--report", f"sarif={sarif}")
    run = load_json(sarif)["runs"][0]
    assert SCOPE_CHANGE_ID in {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run["results"]} >= {SCOPE_CHANGE_ID}


def _bucket(phi: object, **extra: object) -> dict[str, object]:
    return {"bucket": "b", "tags": {"phi": phi}, "tags_all": {"phi": phi}, **extra}


def _two_worlds(before: dict[str, object], after: dict[str, object], unknown: dict[str, object] | None = None) -> list:
    entry = change("aws_s3_bucket.b", after, actions=("update",), unknown=unknown)
    entry["change"]["before"] = before
    document = plan_doc([entry])
    earlier = before_document(document)
    assert earlier is not None
    policies = load_policies([Path(__file__).resolve().parents[2] / "policies"])
    after_resources = adapt_plan(Plan(document))
    return scope_change_findings(policies, adapt_plan(Plan(earlier)), after_resources)


def test_scope_change_variants() -> None:
    assert [f.policy_id for f in _two_worlds(_bucket("true"), _bucket("false"))] == [SCOPE_CHANGE_ID]
    assert _two_worlds(_bucket("true"), _bucket("true")) == []
    assert _two_worlds(_bucket("false"), _bucket("true")) == []  # entering the scope is not an exemption
    # The tag removed altogether: "not equals false" still holds, so the bucket stays in scope.
    assert _two_worlds(_bucket("true"), {"bucket": "b", "tags": {}, "tags_all": {}}) == []
    unknown = _two_worlds(_bucket("true"), {"bucket": "b"}, unknown={"tags": True, "tags_all": True})
    assert len(unknown) == 1 and "may leave" in unknown[0].message


def test_any_scope_field_a_policy_uses_counts(tmp_path: Path) -> None:
    (tmp_path / "bucket-named-claims-versioned.yaml").write_text(
        "id: bucket-named-claims-versioned\n"
        "title: Claims buckets keep versions\n"
        "resource: s3_bucket\n"
        "severity: high\n"
        'safeguards: ["164.312(c)(1)"]\n'
        "scope: {key: bucket, op: matches, value: '^claims-'}\n"
        "require: {key: versioning.enabled, op: equals, value: true}\n"
        "remediation: Enable versioning.\n"
        "examples:\n"
        "  pass: [{bucket: claims-a, versioning: {enabled: true}}]\n"
        "  fail: [{bucket: claims-a}]\n"
        "  skip: [{bucket: other}]\n",
        encoding="utf-8",
    )
    policies = load_policies([tmp_path])
    before, after = {"bucket": "claims-x"}, {"bucket": "renamed-x"}
    entry = change("aws_s3_bucket.b", after, actions=("delete", "create"))
    entry["change"]["before"] = before
    document = plan_doc([entry])
    earlier = before_document(document)
    assert earlier is not None
    found = scope_change_findings(policies, adapt_plan(Plan(earlier)), adapt_plan(Plan(document)))
    assert len(found) == 1 and "bucket-named-claims-versioned" in found[0].message
    assert 'bucket was "claims-x", now "renamed-x"' in found[0].message


def test_before_values_that_cannot_be_read_are_an_error_not_a_pass(builtin_policies: list) -> None:
    from hipaacheck.sources.terraform.adapters import _unreadable

    document = json.loads(SCOPE_CHANGE.read_text(encoding="utf-8"))
    earlier = Plan(before_document(document) or {})
    stand_in = _unreadable(earlier, "s3_bucket", ValueError("malformed before value"))
    found = scope_change_findings(builtin_policies, [stand_in], adapt_plan(Plan(document)))
    assert [(f.status.value, f.resource.address) for f in found] == [("error", "plan/s3_bucket/*")]
    assert "as they were before the plan" in found[0].message and "malformed before value" in found[0].message


def test_plans_that_only_create_skip_the_before_pass() -> None:
    assert before_document(json.loads(COMPLIANT.read_text(encoding="utf-8"))) is None
    assert before_document(json.loads(NONCOMPLIANT.read_text(encoding="utf-8"))) is None


def test_live_and_static_scans_have_no_scope_change(builtin_policies: list) -> None:
    document = json.loads((FIXTURES / "lifecycle" / "plan.json").read_text(encoding="utf-8"))
    earlier = before_document(document)
    assert earlier is not None  # lifecycle updates and deletes, but changes no PHI tag
    after = adapt_plan(Plan(document))
    assert scope_change_findings(builtin_policies, adapt_plan(Plan(earlier)), after) == []
    assert all(f.policy_id != SCOPE_CHANGE_ID for f in evaluate(builtin_policies, after))


def test_baseline_and_changed_only_with_fail_on_unknown(cli: Cli, tmp_path: Path) -> None:
    # Adopting --fail-on-unknown on a repository: the unknowns the baseline already lists do not
    # gate; the same plan without a baseline does.
    baseline = tmp_path / "baseline.json"
    cli("scan", "plan", SCOPE_CHANGE, "--format", "json", "--output", baseline)
    result = cli("scan", "plan", SCOPE_CHANGE, "--format", "json", "--fail-on-unknown", "--baseline", baseline)
    report = json.loads(result.out)
    assert result.code == 0 and report["gate"]["failing"] == 0
    assert any("unknown finding(s) already in the baseline" in note for note in report["notes"])
    # A baseline without the unknowns (an earlier, all-known plan) leaves them gating.
    document = load_json(baseline)
    document["findings"] = [f for f in document["findings"] if f["status"] != "unknown"]
    baseline.write_text(json.dumps(document), encoding="utf-8")
    again = json.loads(
        cli("scan", "plan", SCOPE_CHANGE, "--format", "json", "--fail-on-unknown", "--baseline", baseline).out
    )
    assert again["gate"]["failing"] == again["gate"]["failing_unknown"] == 2


def test_changed_only_leaves_out_unknowns_on_unchanged_resources() -> None:
    from hipaacheck.baseline import apply_changed_only
    from hipaacheck.models import Finding, Resource, Severity, Status
    from hipaacheck.report import Report

    def unknown(action: str) -> Finding:
        resource = Resource(type="s3_bucket", address=f"aws_s3_bucket.{action}", source="terraform-plan", attrs={})
        resource.action = action
        return Finding("p", "t", Severity.HIGH, Status.UNKNOWN, ("164.312(b)",), resource, "m", "r")

    report = Report(source={}, findings=[unknown("no-op"), unknown("update")], fail_on_unknown=True)
    apply_changed_only(report)
    assert [f.resource.address for f in report.failing()] == ["aws_s3_bucket.update"]


def test_a_gating_unknown_can_be_waived(cli: Cli, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - {policy: cloudwatch-log-group-retention, resource: aws_cloudwatch_log_group.audit, "
        f"reason: kept 30 days by design, owner: o, expires: {SOON}}}\n",
        encoding="utf-8",
    )
    args = ("scan", "plan", SCOPE_CHANGE, "--format", "json", "--waivers", waivers)
    plain = _findings(json.loads(cli(*args).out))
    assert plain[("cloudwatch-log-group-retention", "aws_cloudwatch_log_group.audit")]["status"] == "unknown"
    gated = json.loads(cli(*args, "--fail-on-unknown").out)
    assert _findings(gated)[("cloudwatch-log-group-retention", "aws_cloudwatch_log_group.audit")]["status"] == "waived"
    assert gated["gate"]["failing_unknown"] == 1 and gated["gate"]["waivers"]["entries"][0]["covers"] == 1
