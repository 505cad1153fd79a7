"""SARIF 2.1.0: schema-valid, one rule per policy, one result per failure, locations in the .tf sources."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.models import Finding, Resource, Severity, Status
from hipaacheck.policy.loader import load_policies
from hipaacheck.report import Location, Report, Waiver, finding_key
from hipaacheck.reporters.sarif import NO_PLAN_FILE, NO_SOURCE_FILE, fingerprint, render_sarif

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


# ---------------------------------------------------------------- in-process: the document itself

SAFEGUARDS = ("164.312(c)(1)", "164.312(c)(2)")
FIX = """ Set "Status" to <Enabled> & don't wait. """


def _finding(
    policy: str,
    address: str,
    severity: Severity,
    status: Status = Status.FAIL,
    *,
    source: str = "terraform-plan",
    account: str | None = None,
    account_name: str | None = None,
    region: str | None = None,
) -> Finding:
    resource = Resource("s3_bucket", address, source, {}, account=account, account_name=account_name, region=region)
    return Finding(policy, f"Title of {policy}", severity, status, SAFEGUARDS, resource, "Seen x, expected y.", FIX)


class _Blocks:
    """A locator over a fake checkout: two findings have their block's lines."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def locate(self, finding: Finding) -> Location | None:
        return {
            "aws_s3_bucket.claims": Location("s3.tf", 5, 12),
            "aws_kms_key.k": Location("kms.tf", 3, 3),  # a one-line block: no endLine
        }.get(finding.resource.address)


def _sarif(report: Report) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_sarif(report))
    return document


def test_sarif_results_locations_suppressions_and_baseline_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIPAACHECK_DOCS_URL", "https://docs.example/policies/")
    # The scan runs in a folder above the checkout: uris are relative to the locator's root, not to it.
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "w.yaml").write_text("waivers: []\n", encoding="utf-8")
    claims = _finding("s3-bucket-versioning", "aws_s3_bucket.claims", Severity.HIGH)
    key = _finding("kms-key-rotation", "aws_kms_key.k", Severity.MEDIUM)
    unlocated = _finding("s3-bucket-access-logging", "aws_s3_bucket.logs", Severity.LOW)
    waived = _finding("rds-instance-storage-encrypted", "aws_db_instance.db", Severity.CRITICAL, Status.WAIVED)
    others = [
        _finding("s3-bucket-versioning", f"aws_s3_bucket.{status.value}", Severity.HIGH, status)
        for status in (Status.PASS, Status.UNKNOWN, Status.ERROR, Status.SKIPPED)
    ]
    waiver = Waiver(  # the file as the waivers loader names it: relative to the working directory
        "rds-*", "aws_db_instance.db", "Restored copy", "dba@example.com", date(2099, 1, 31), "repo/w.yaml", 4
    )
    report = Report(
        {"kind": "plan", "path": str(root / "plans" / "plan.json")},
        [*others, unlocated, key, claims, waived],
        fail_on=Severity.MEDIUM,
        notes=["a note"],
        waivers={finding_key(waived): waiver},
        in_baseline={finding_key(claims)},
        gate={"baseline": {"file": "b.json", "known": 1, "fixed": 0}},
        locator=_Blocks(root),
    )
    run = _sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = ["kms-key-rotation", "rds-instance-storage-encrypted", "s3-bucket-access-logging", "s3-bucket-versioning"]
    assert [r["id"] for r in rules] == ids  # one per policy named by a finding, sorted
    assert rules[3] == {
        "id": "s3-bucket-versioning",
        "name": "S3BucketVersioning",
        "shortDescription": {"text": "Title of s3-bucket-versioning"},
        "fullDescription": {"text": "Title of s3-bucket-versioning"},  # no policy given: no description
        "help": {
            "text": 'Set "Status" to <Enabled> & don\'t wait.\n\nHIPAA Security Rule: 45 CFR 164.312(c)(1), 164.312(c)(2).',
            # Markdown renders HTML: tags and entities escaped, quotes kept as written.
            "markdown": '**Remediation**\n\nSet "Status" to &lt;Enabled&gt; &amp; don\'t wait.\n\n'
            "**HIPAA Security Rule:** 45 CFR 164.312(c)(1), 164.312(c)(2)",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": [*SAFEGUARDS, "security", "hipaa"],
            "security-severity": "8.0",
            "precision": "high",
            "problem.severity": "error",
        },
        "helpUri": "https://docs.example/policies/s3-bucket-versioning.md",
    }
    assert [(r["defaultConfiguration"]["level"], r["properties"]["problem.severity"]) for r in rules] == [
        ("warning", "warning"),  # medium
        ("error", "error"),  # critical
        ("note", "recommendation"),  # low
        ("error", "error"),  # high
    ]
    # Only failures and waived findings are results (nothing else decides here), worst first.
    results = run["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("s3-bucket-versioning", 3, "error"),
        ("kms-key-rotation", 0, "warning"),
        ("s3-bucket-access-logging", 2, "note"),
        ("rds-instance-storage-encrypted", 1, "error"),
    ]
    first = results[0]
    assert first == {
        "ruleId": "s3-bucket-versioning",
        "ruleIndex": 3,
        "level": "error",
        "kind": "fail",
        "message": {"text": "Title of s3-bucket-versioning: aws_s3_bucket.claims. Seen x, expected y."},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "s3.tf", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 5, "endLine": 12},
                },
                "logicalLocations": [{"fullyQualifiedName": "aws_s3_bucket.claims", "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"hipaacheck/v1": fingerprint("s3-bucket-versioning", "aws_s3_bucket.claims")},
        "properties": {"status": "fail", "safeguards": list(SAFEGUARDS)},
        "baselineState": "unchanged",
    }
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert results[1]["baselineState"] == "new"
    # No block found: the plan file, relative to the root.
    assert results[2]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "plans/plan.json", "uriBaseId": "%SRCROOT%"}
    }
    assert results[3]["properties"]["status"] == "waived" and "baselineState" not in results[3]
    assert results[3]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Restored copy (owner: dba@example.com; expires 2099-01-31)",
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": "w.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 4},
                }
            },
        }
    ]
    assert run["automationDetails"] == {"id": "hipaacheck/plan/"}
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {
            "description": {
                "text": "The root of the scanned repository (else the directory the scan ran in); "
                "paths are relative to it"
            }
        }
    }
    assert run["properties"] == {"fail_on": "medium", "summary": report.counts(), "notes": ["a note"]}
    assert run["tool"]["driver"]["name"] == "hipaacheck"
    # A waiver file outside the root has no location (code scanning would not find it).
    report.waivers = {finding_key(waived): Waiver("rds-*", "*", "r", "o", date(2099, 1, 31), "elsewhere.yaml", 2)}
    assert "location" not in _sarif(report)["runs"][0]["results"][3]["suppressions"][0]
    # Without a baseline no result has a baselineState.
    report.gate = {}
    assert all("baselineState" not in r for r in _sarif(report)["runs"][0]["results"])


def test_sarif_of_live_and_merged_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    live = _finding(
        "s3-bucket-versioning",
        "arn:aws:s3:::claims",
        Severity.HIGH,
        source="aws",
        account="111122223333",
        account_name="prod",
        region="us-east-1",
    )
    bare = _finding("kms-key-rotation", "arn:aws:kms:key", Severity.HIGH, source="aws")
    plan = _finding("s3-bucket-versioning", "aws_s3_bucket.claims", Severity.HIGH, account="444455556666")
    merged = Report({"kind": "merged"}, [live, bare, plan])
    by_address = {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r for r in _sarif(merged)["runs"][0]["results"]
    }
    result = by_address["arn:aws:s3:::claims"]
    assert result["message"]["text"] == (
        "Title of s3-bucket-versioning: arn:aws:s3:::claims in account 111122223333. Seen x, expected y. "
        "(Live AWS resource: no source file.)"
    )
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {
            "uri": "aws/111122223333/us-east-1",
            "uriBaseId": "%SRCROOT%",
            "description": {"text": NO_SOURCE_FILE},
        }
    }
    # In a merged report the account is part of the fingerprint: one address in two accounts is two alerts.
    assert result["partialFingerprints"]["hipaacheck/v1"] == fingerprint(
        "s3-bucket-versioning", "arn:aws:s3:::claims", "111122223333"
    )
    assert result["properties"] == {
        "status": "fail",
        "safeguards": list(SAFEGUARDS),
        "account": "111122223333",
        "account_name": "prod",
    }
    assert by_address["arn:aws:kms:key"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "aws/account/global"
    )
    assert "account" not in by_address["arn:aws:kms:key"]["properties"]
    assert by_address["aws_s3_bucket.claims"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {
            "uri": "terraform-plan",
            "uriBaseId": "%SRCROOT%",
            "description": {"text": NO_PLAN_FILE},
        }
    }
    assert by_address["aws_s3_bucket.claims"]["properties"]["account"] == "444455556666"
    assert "account_name" not in by_address["aws_s3_bucket.claims"]["properties"]
    # A single-account scan keeps the fingerprints it always had (no account), and names the account.
    single = {r["ruleId"]: r for r in _sarif(Report({"kind": "aws"}, [live]))["runs"][0]["results"]}
    only = single["s3-bucket-versioning"]
    assert only["partialFingerprints"]["hipaacheck/v1"] == fingerprint("s3-bucket-versioning", "arn:aws:s3:::claims")
    assert "in account" not in only["message"]["text"] and only["properties"]["account"] == "111122223333"
    # A plan file outside the working directory is named by its file name alone.
    outside = Report({"kind": "plan", "path": "/elsewhere/dir/plan.json"}, [plan])
    assert _sarif(outside)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "plan.json",
        "uriBaseId": "%SRCROOT%",
    }


def test_sarif_fingerprint_material() -> None:
    assert fingerprint("p", "a") == hashlib.sha256(b"p\0a").hexdigest()[:32]
    assert fingerprint("p", "a", "1") == hashlib.sha256(b"p\0a\x001").hexdigest()[:32]
    assert fingerprint("p", "a", None) != fingerprint("p", "a", "")  # an empty account is still an account
    # A value no encoder accepts (a lone surrogate) is hashed as its escape, never a crash.
    assert fingerprint("p", "a\udcff") == hashlib.sha256(b"p\0a\\udcff").hexdigest()[:32]


def test_sarif_rules_come_from_the_policies_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPAACHECK_DOCS_URL", "https://docs.example/p")
    (policy,) = [p for p in load_policies([builtin_policy_dir()]) if p.id == "s3-bucket-versioning"]
    own = replace(policy, id="my-Own_rule.v2", description="  Several\n   spaced   words. ")
    finding = _finding("s3-bucket-versioning", "aws_s3_bucket.claims", Severity.HIGH)
    report = Report({}, [finding], policies=[own, policy])
    text = render_sarif(report)
    # Indented, UTF-8 as it is (no \\u escapes), one newline at the end.
    assert text.startswith('{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": "2.1.0",')
    assert text.endswith("\n}\n")
    finding.title = "Prüfung"
    assert '"Prüfung: aws_s3_bucket.claims.' in render_sarif(report)
    run = _sarif(report)["runs"][0]
    assert run["automationDetails"] == {"id": "hipaacheck/scan/"}  # a source that names no kind
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["my-Own_rule.v2", "s3-bucket-versioning"]
    assert rules[0]["name"] == "MyOwnRuleV2" and rules[0]["fullDescription"] == {"text": "Several spaced words."}
    assert "helpUri" not in rules[0]  # not a built-in policy: no page to link
    assert rules[1]["fullDescription"]["text"] == " ".join(policy.description.split())
    assert rules[1]["help"]["text"].startswith(policy.remediation.strip())
    assert rules[1]["helpUri"] == "https://docs.example/p/s3-bucket-versioning.md"
