"""SARIF 2.1.0: schema-valid, one rule per policy, one result per failure, locations in the .tf sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.policy.loader import load_policies
from hipaacheck.reporters.sarif import fingerprint

from .conftest import COMPLIANT, MODULES, NONCOMPLIANT, SARIF_SCHEMA, Cli, load_json


def _validate(document: dict[str, Any]) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(document)


def _scan(cli: Cli, tmp_path: Path, plan: Path, *extra: str) -> tuple[dict[str, Any], dict[str, Any]]:
    sarif, report = tmp_path / "out.sarif", tmp_path / "out.json"
    result = cli("scan", "plan", plan, "--format", "json", "--output", report, "--report", f"sarif={sarif}", *extra)
    assert result.code in (0, 1), result.err
    return load_json(sarif), load_json(report)


def _results_by_key(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r
        for r in document["runs"][0]["results"]
    }


def _where(result: dict[str, Any]) -> tuple[str, int | None]:
    physical = result["locations"][0]["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical.get("region", {}).get("startLine")


def test_noncompliant_sarif_is_valid_with_rules_results_and_lines(cli: Cli, tmp_path: Path) -> None:
    sarif, report = _scan(cli, tmp_path, NONCOMPLIANT)
    _validate(sarif)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    policies = load_policies([builtin_policy_dir()])
    assert [r["id"] for r in rules] == sorted(p.id for p in policies)  # one rule per policy
    by_id = {r["id"]: r for r in rules}
    for policy in policies:
        rule = by_id[policy.id]
        assert rule["shortDescription"]["text"] == policy.title
        assert rule["fullDescription"]["text"]
        assert "Remediation" in rule["help"]["markdown"] and rule["help"]["text"].strip()
        assert rule["properties"]["tags"] == [*policy.safeguards, "security", "hipaa"]
        assert float(rule["properties"]["security-severity"]) > 0
    assert by_id["s3-bucket-not-public"]["properties"]["security-severity"] == "9.5"
    assert by_id["s3-bucket-not-public"]["defaultConfiguration"]["level"] == "error"
    assert "164.312(a)(2)(iv)" in by_id["s3-bucket-kms-encryption"]["properties"]["tags"]

    failures = [f for f in report["findings"] if f["status"] == "fail"]
    results = run["results"]
    assert len(results) == len(failures) > 50
    for result in results:  # every failure is on a line of the fixture's own .tf files
        uri, line = _where(result)
        assert uri.startswith("fixtures/terraform/noncompliant/") and uri.endswith(".tf"), uri
        assert isinstance(line, int) and line >= 1
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["partialFingerprints"]["hipaacheck/v1"] == fingerprint(
            result["ruleId"], result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        )
    by_key = _results_by_key(sarif)
    prefix = "fixtures/terraform/noncompliant/"
    # Lines checked by hand against the .tf files.
    assert _where(by_key[("s3-bucket-kms-encryption", "aws_s3_bucket.claims")]) == (prefix + "s3.tf", 5)
    assert _where(by_key[("rds-instance-storage-encrypted", "aws_db_instance.claims")]) == (prefix + "databases.tf", 19)
    assert _where(by_key[("ebs-volume-encrypted", "aws_instance.edi_gateway.root_block_device[0]")]) == (
        prefix + "compute.tf",
        15,
    )
    assert _where(by_key[("account-password-policy", "account")]) == (prefix + "account.tf", 2)
    assert _where(by_key[("guardduty-enabled", "account/us-east-1")]) == (prefix + "account.tf", 27)
    assert _where(by_key[("lb-listener-tls12-policy", "aws_lb_listener.https_legacy")]) == (prefix + "alb.tf", 30)
    assert by_key[("s3-bucket-kms-encryption", "aws_s3_bucket.claims")]["level"] == "warning"  # medium
    assert by_key[("rds-instance-storage-encrypted", "aws_db_instance.claims")]["level"] == "error"  # critical


def test_module_results_point_into_module_sources(cli: Cli, tmp_path: Path) -> None:
    sarif, _ = _scan(cli, tmp_path, MODULES)
    _validate(sarif)
    by_key = _results_by_key(sarif)
    prefix = "fixtures/terraform/modules_unknowns/"
    assert _where(by_key[("s3-bucket-versioning", 'module.tenant["b"].aws_s3_bucket.this')]) == (
        prefix + "modules/phi_bucket/main.tf",
        17,
    )
    assert _where(by_key[("sqs-queue-encrypted", "module.claim_queue[1].aws_sqs_queue.this")]) == (
        prefix + "modules/claim_queue/main.tf",
        11,
    )
    assert _where(by_key[("cloudwatch-log-group-retention", "module.audit.aws_cloudwatch_log_group.debug")]) == (
        prefix + "modules/audit/main.tf",
        13,
    )
    assert _where(by_key[("s3-bucket-kms-encryption", "module.audit.module.archive.aws_s3_bucket.this")]) == (
        prefix + "modules/log_bucket/main.tf",
        5,
    )
    # unknown findings are not results (see the reporter's docstring)
    assert ("s3-bucket-not-public", 'module.tenant["a"].aws_s3_bucket.this') not in by_key


def test_compliant_plan_has_rules_and_no_results(cli: Cli, tmp_path: Path) -> None:
    sarif, _ = _scan(cli, tmp_path, COMPLIANT)
    _validate(sarif)
    assert sarif["runs"][0]["results"] == [] and len(sarif["runs"][0]["tool"]["driver"]["rules"]) >= 48


def test_fingerprints_do_not_depend_on_lines_or_sources(cli: Cli, tmp_path: Path) -> None:
    with_sources, _ = _scan(cli, tmp_path, NONCOMPLIANT)
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(NONCOMPLIANT, bare / "plan.json")  # no .tf files next to it: no lines
    without, _ = _scan(cli, bare, bare / "plan.json")
    _validate(without)

    def prints(doc: dict[str, Any]) -> list[str]:
        return sorted(r["partialFingerprints"]["hipaacheck/v1"] for r in doc["runs"][0]["results"])

    assert prints(with_sources) == prints(without)
    for result in without["runs"][0]["results"]:  # code scanning needs a file: the plan itself
        uri, line = _where(result)
        assert uri == "plan.json" and line is None


def test_tf_dir_flag_and_bad_tf_dir(cli: Cli, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(NONCOMPLIANT, bare / "plan.json")
    sarif, _ = _scan(cli, bare, bare / "plan.json", "--tf-dir", str(NONCOMPLIANT.parent))
    uri, line = _where(_results_by_key(sarif)[("s3-bucket-kms-encryption", "aws_s3_bucket.claims")])
    assert (uri, line) == ("fixtures/terraform/noncompliant/s3.tf", 5)
    result = cli("scan", "plan", NONCOMPLIANT, "--tf-dir", tmp_path / "missing")
    assert result.code == 2 and "--tf-dir is not a directory" in result.err


def test_sarif_as_the_main_format_on_stdout(cli: Cli) -> None:
    result = cli("scan", "plan", NONCOMPLIANT, "--format", "sarif")
    assert result.code == 1
    _validate(json.loads(result.out))
