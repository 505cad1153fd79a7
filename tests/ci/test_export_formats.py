"""ASFF, OCSF and CSV through the real CLI: required fields and types, honest status mapping, parse-back."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from hipaacheck.models import Finding, Resource, Severity, Status
from hipaacheck.report import Report
from hipaacheck.reporters.asff import BATCH_LIMIT
from hipaacheck.reporters.csv_report import COLUMNS, neutralise

from .conftest import NONCOMPLIANT, Cli, assert_one_line_error, load_json

ACCOUNT = "210987654321"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# The top-level attributes the ASFF documentation lists as required for every finding.
ASFF_REQUIRED = (
    "SchemaVersion",
    "Id",
    "ProductArn",
    "GeneratorId",
    "AwsAccountId",
    "Types",
    "CreatedAt",
    "UpdatedAt",
    "Severity",
    "Title",
    "Description",
    "Resources",
)
# hipaacheck status -> the ASFF compliance statuses it may become (only a pass is PASSED).
ASFF_COMPLIANCE = {
    "pass": {"PASSED"},
    "fail": {"FAILED"},
    "waived": {"FAILED"},
    "unknown": {"WARNING"},
    "error": {"NOT_AVAILABLE"},
    "skipped": {"NOT_AVAILABLE"},
}
OCSF_COMPLIANCE = {"pass": {1}, "fail": {3}, "waived": {3}, "unknown": {2}, "error": {99}, "skipped": {99}}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One plan scan writing JSON (main) plus every export through --report."""
    from hipaacheck.cli import main

    folder = tmp_path_factory.mktemp("exports")
    waivers = folder / "waivers.yaml"
    expires = (date.today() + timedelta(days=30)).isoformat()  # waivers are bounded (--max-waiver-days)
    waivers.write_text(
        "waivers:\n  - policy: s3-bucket-access-logging\n    resource: '*'\n    reason: legacy\n"
        f"    owner: team@example.com\n    expires: {expires}\n"
    )
    code = main(
        [
            "scan", "plan", str(NONCOMPLIANT), "--asff-account", ACCOUNT, "--asff-region", "eu-west-1",
            "--waivers", str(waivers), "--format", "json", "--output", str(folder / "report.json"),
            "--report", f"asff={folder / 'findings.asff.json'}", "--report", f"ocsf={folder / 'findings.ocsf.json'}",
            "--report", f"csv={folder / 'findings.csv'}",
        ]
    )  # fmt: skip
    assert code == 1
    return {
        "report": load_json(folder / "report.json"),
        "asff": load_json(folder / "findings.asff.json"),
        "ocsf": load_json(folder / "findings.ocsf.json"),
        "csv": (folder / "findings.csv").read_text(encoding="utf-8"),
    }


def _by_status(report: dict[str, Any]) -> list[str]:
    return [f["status"] for f in report["findings"]]


def test_asff_has_every_required_attribute_with_the_right_type(outputs: dict[str, Any]) -> None:
    findings = outputs["asff"]
    assert isinstance(findings, list) and len(findings) == len(outputs["report"]["findings"])
    for finding in findings:
        assert set(ASFF_REQUIRED) <= set(finding), set(ASFF_REQUIRED) - set(finding)
        for key in ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Title", "Description"):
            assert isinstance(finding[key], str) and finding[key].strip(), key
        assert finding["SchemaVersion"] == "2018-10-08"
        assert finding["AwsAccountId"] == ACCOUNT
        assert finding["ProductArn"] == f"arn:aws:securityhub:eu-west-1:{ACCOUNT}:product/{ACCOUNT}/default"
        assert RFC3339.match(finding["CreatedAt"]) and RFC3339.match(finding["UpdatedAt"])
        assert finding["Types"] and all(t.count("/") <= 2 and isinstance(t, str) for t in finding["Types"])
        assert len(finding["Title"]) <= 256 and len(finding["Description"]) <= 1024
        assert len(finding["Id"]) <= 512 and len(finding["GeneratorId"]) <= 512
        assert 1 <= len(finding["Resources"]) <= 32
        for resource in finding["Resources"]:
            assert isinstance(resource["Type"], str) and isinstance(resource["Id"], str) and resource["Id"]
            assert all(isinstance(v, str) for v in resource["Details"]["Other"].values())
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in finding["ProductFields"].items())
        assert len(finding["Remediation"]["Recommendation"]["Text"]) <= 512
        assert finding["RecordState"] == "ACTIVE"
        assert finding["FindingProviderFields"] == {"Severity": finding["Severity"], "Types": finding["Types"]}
    assert len({f["Id"] for f in findings}) == len(findings), "ids must be unique or findings overwrite each other"


def test_asff_enumerations_are_the_service_models(outputs: dict[str, Any]) -> None:
    """Severity, compliance, record and workflow values checked against botocore's Security Hub model."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("securityhub")
    finding_shape = model.shape_for("AwsSecurityFinding")
    enums = {name: set(model.shape_for(name).enum) for name in ("SeverityLabel", "ComplianceStatus", "RecordState")}
    workflow = set(model.shape_for("WorkflowStatus").enum)
    for finding in outputs["asff"]:
        assert set(finding) <= set(finding_shape.members), set(finding) - set(finding_shape.members)
        assert finding["Severity"]["Label"] in enums["SeverityLabel"]
        assert finding["Compliance"]["Status"] in enums["ComplianceStatus"]
        assert finding["RecordState"] in enums["RecordState"]
        assert finding["Workflow"]["Status"] in workflow


def test_asff_status_mapping_is_honest(outputs: dict[str, Any]) -> None:
    statuses = _by_status(outputs["report"])
    assert {"pass", "fail", "waived", "skipped"} <= set(statuses)
    for status, finding in zip(statuses, outputs["asff"], strict=True):
        assert finding["ProductFields"]["hipaacheck/status"] == status
        assert finding["Compliance"]["Status"] in ASFF_COMPLIANCE[status], (status, finding["Compliance"])
        if status == "waived":
            assert finding["Workflow"]["Status"] == "SUPPRESSED"
        if status in ("fail", "unknown", "error"):
            assert finding["Severity"]["Label"] != "INFORMATIONAL"
        # Plan findings say so: the plan, and that it is not deployed yet.
        assert "Terraform plan" in finding["Description"] and "not yet deployed" in finding["Description"]


def test_asff_is_importable_in_batches_of_100_by_the_real_client(
    outputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore validates every batch against the BatchImportFindings input shape; moto accepts them all."""
    import boto3
    from moto import mock_aws

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    findings = outputs["asff"]
    batches = [findings[i : i + BATCH_LIMIT] for i in range(0, len(findings), BATCH_LIMIT)]
    assert len(batches) >= 2  # the noncompliant plan has more than 100 findings: the split is exercised
    with mock_aws():
        hub = boto3.client("securityhub", region_name="eu-west-1")
        for batch in batches:
            answer = hub.batch_import_findings(Findings=batch)
            assert answer["FailedCount"] == 0, answer["FailedFindings"][:3]
        operation = hub.meta.service_model.operation_model("BatchImportFindings")
        assert operation.input_shape.members["Findings"].metadata["max"] == BATCH_LIMIT


@pytest.mark.parametrize("status", list(Status))
def test_every_status_maps_honestly_in_asff_and_ocsf(status: Status) -> None:
    """unknown and error too (the plan fixture has none): never PASSED / Pass unless the check passed."""
    from hipaacheck.reporters.asff import asff_finding
    from hipaacheck.reporters.ocsf import ocsf_event

    resource = Resource("s3_bucket", "arn:aws:s3:::claims", "aws", {}, region="eu-west-1", account=ACCOUNT)
    finding = Finding("p-1", "Title", Severity.HIGH, status, ("164.312(b)",), resource, "why", "fix")
    report = Report(source={"kind": "aws", "account": ACCOUNT, "regions": ["eu-west-1"]}, findings=[finding])
    asff = asff_finding(report, finding, "us-east-1")
    assert asff["Compliance"]["Status"] in ASFF_COMPLIANCE[status.value]
    assert asff["AwsAccountId"] == ACCOUNT and asff["Resources"][0]["Region"] == "eu-west-1"
    assert "live AWS account" in asff["Description"]
    event = ocsf_event(report, finding, 1_800_000_000_000)
    assert event["compliance"]["status_id"] in OCSF_COMPLIANCE[status.value]
    assert event["cloud"]["account"]["uid"] == ACCOUNT and event["cloud"]["region"] == "eu-west-1"
    if status is not Status.PASS:
        assert asff["Compliance"]["Status"] != "PASSED" and event["compliance"]["status_id"] != 1


def test_ocsf_is_a_compliance_finding_with_every_required_attribute(outputs: dict[str, Any]) -> None:
    events = outputs["ocsf"]
    assert len(events) == len(outputs["report"]["findings"])
    for status, event in zip(_by_status(outputs["report"]), events, strict=True):
        assert event["class_uid"] == 2003 and event["category_uid"] == 2
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
        assert event["activity_id"] == 1
        assert isinstance(event["time"], int) and event["time"] > 1_700_000_000_000  # milliseconds
        assert event["severity_id"] in (1, 2, 3, 4, 5)
        assert event["metadata"]["version"] == "1.3.0"
        assert event["metadata"]["product"]["vendor_name"] and event["metadata"]["product"]["name"] == "hipaacheck"
        assert event["finding_info"]["uid"] and event["finding_info"]["title"]
        assert event["compliance"]["standards"] and event["compliance"]["requirements"]
        assert "cloud" in event["metadata"]["profiles"] and event["cloud"]["provider"] == "AWS"
        assert event["compliance"]["status_id"] in OCSF_COMPLIANCE[status], (status, event["compliance"])
        assert event["unmapped"]["hipaacheck"]["status"] == status
        assert event["resources"][0]["uid"]
        assert "account" not in event["cloud"]  # a plan does not know its account: none is invented
    suppressed = [e for s, e in zip(_by_status(outputs["report"]), events, strict=True) if s == "waived"]
    assert suppressed and all(e["status_id"] == 3 for e in suppressed)


OCSF_SPEC = Path(__file__).resolve().parents[1] / "data" / "ocsf-1.3.0-compliance-finding.json"
# event attribute -> the OCSF object it holds (one object, or a list of them)
OCSF_OBJECTS = {
    "metadata": "metadata",
    "finding_info": "finding_info",
    "compliance": "compliance",
    "cloud": "cloud",
    "remediation": "remediation",
}


def test_ocsf_events_have_what_the_1_3_0_schema_requires(outputs: dict[str, Any]) -> None:
    """Required attributes and enum values as the OCSF 1.3.0 sources declare them (tests/data, with attribution)."""
    spec = load_json(OCSF_SPEC)
    assert spec["ocsf_version"] == "1.3.0"
    for event in outputs["ocsf"]:
        assert event["class_uid"] == spec["class"]["uid"] and event["category_uid"] == spec["class"]["category_uid"]
        missing = [name for name in spec["class"]["required"] if name not in event]
        for profile in event["metadata"].get("profiles", []):
            missing += [name for name in spec["class"]["profile_required"][profile] if name not in event]
        for attribute, obj in OCSF_OBJECTS.items():
            missing += [f"{attribute}.{name}" for name in spec["objects"][obj] if name not in event.get(attribute, {})]
        missing += [
            f"metadata.product.{n}" for n in spec["objects"]["product"] if n not in event["metadata"]["product"]
        ]
        assert not missing, missing
        for attribute in ("severity_id", "activity_id", "status_id"):
            assert event[attribute] in spec["enums"][attribute], attribute
        assert event["compliance"]["status_id"] in spec["enums"]["compliance.status_id"]
        if "account" in event["cloud"]:
            assert event["cloud"]["account"]["type_id"] in spec["enums"]["account.type_id"]


def test_csv_parses_back_to_the_report(outputs: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(outputs["csv"], newline="")))
    assert tuple(rows[0]) == COLUMNS
    findings = outputs["report"]["findings"]
    assert len(rows) == len(findings)
    for row, finding in zip(rows, findings, strict=True):
        assert row["status"] == finding["status"] and row["policy_id"] == finding["policy_id"]
        assert row["resource_address"] == finding["resource"]["address"]
        assert row["message"] == neutralise(finding["message"])
        assert row["safeguards"].split("; ") == finding["safeguards"]
        location = finding["location"]
        assert (row["file"], row["line"]) == ((location["file"], str(location["line"])) if location else ("", ""))


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_csv_neutralises_formulas(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("plain") == "plain" and neutralise("a=b") == "a=b"


def test_csv_neutralises_formula_shaped_names_and_messages() -> None:
    from hipaacheck.reporters.csv_report import render_csv

    resource = Resource("s3_bucket", "@SUM(1)", "aws", {}, name='=HYPERLINK("http://evil.example","x")')
    finding = Finding("p-1", "+Title", Severity.HIGH, Status.FAIL, ("164.312(b)",), resource, "-1", "=fix")
    text = render_csv(Report(source={"kind": "aws", "account": ACCOUNT}, findings=[finding]))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2
    cells = rows[1]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells and "'@SUM(1)" in cells and "'-1" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_asff_on_a_plan_without_an_account_is_one_line_exit_2(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    assert_one_line_error(cli("scan", "plan", NONCOMPLIANT, "--report", f"asff={out}"), "--asff-account")
    assert not out.exists()
    assert_one_line_error(cli("scan", "plan", NONCOMPLIANT, "--format", "asff", "--asff-account", "12"), "12-digit")
    bad_region = cli("scan", "plan", NONCOMPLIANT, "--format", "asff", "--asff-account", ACCOUNT, "--asff-region", "x")
    assert_one_line_error(bad_region, "region")


def test_every_export_goes_to_stdout_too(cli: Cli) -> None:
    for fmt in ("ocsf", "csv"):
        result = cli("scan", "plan", NONCOMPLIANT, "--format", fmt)
        assert result.code == 1 and result.out, (fmt, result.err)
    result = cli("scan", "plan", NONCOMPLIANT, "--format", "asff", "--asff-account", ACCOUNT)
    assert result.code == 1 and json.loads(result.out)[0]["AwsAccountId"] == ACCOUNT
