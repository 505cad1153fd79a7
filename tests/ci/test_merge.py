"""`hipaacheck merge`: reports of several accounts as one, through the CLI.

Inputs are real: live scans of two moto accounts (moto keeps a backend per
account id, chosen by MOTO_ACCOUNT_ID), one of them scanned twice with a
change in between (overlapping accounts whose statuses disagree), and the
non-compliant fixture plan's report given to two accounts (the same addresses
in two accounts). One module-scoped set of scans; the merges run in-process.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hipaacheck.cli import main
from hipaacheck.report_model import ReportDocument
from hipaacheck.reporters.json_report import report_digest_matches

from ..aws.conftest import in_process_moto
from ..conftest import assert_input_error
from ..merge_data import as_org_scan, load, reseal, with_account
from ..test_schemas import validator
from .conftest import NONCOMPLIANT, Cli

A, B = "111111111111", "222222222222"
P3, P4 = "333333333333", "444444444444"
REGION = "us-east-1"


@dataclass(frozen=True)
class Inputs:
    folder: Path
    a1: Path  # account A, bucket without versioning
    a2: Path  # account A again, later, with versioning on
    b: Path  # account B
    p3: Path  # the non-compliant plan's report, deployed to account P3
    p4: Path  # ... and to account P4 (same addresses)
    plan: Path  # the plan's report, no account


def _scan(*args: str) -> None:
    code = main([*args, "--format", "json", "--quiet"] if args[1] == "aws" else [*args, "--format", "json"])
    assert code in (0, 1)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    import boto3

    folder = tmp_path_factory.mktemp("merge")
    with in_process_moto(), pytest.MonkeyPatch.context() as patch:
        for account, out in ((A, "a1.json"), (B, "b.json")):
            patch.setenv("MOTO_ACCOUNT_ID", account)
            boto3.client("s3", region_name=REGION).create_bucket(Bucket=f"phi-{account}")
            _scan("scan", "aws", "--region", REGION, "--output", str(folder / out))
        patch.setenv("MOTO_ACCOUNT_ID", A)
        s3 = boto3.client("s3", region_name=REGION)
        s3.put_bucket_versioning(Bucket=f"phi-{A}", VersioningConfiguration={"Status": "Enabled"})
        _scan("scan", "aws", "--region", REGION, "--output", str(folder / "a2.json"))
    _scan("scan", "plan", str(NONCOMPLIANT), "--output", str(folder / "plan.json"))
    p3 = with_account(folder / "plan.json", folder / "p3.json", P3, "claims-prod")
    p4 = with_account(folder / "plan.json", folder / "p4.json", P4, "claims-staging")
    return Inputs(folder, folder / "a1.json", folder / "a2.json", folder / "b.json", p3, p4, folder / "plan.json")


def _merge(cli: Cli, *args: str | Path) -> tuple[int, dict[str, Any], Path]:
    out = Path(str(args[-1]))
    result = cli("merge", *args[:-1], "--format", "json", "--output", out)
    assert result.err == "" or "warning" in result.err, result.err
    return result.code, json.loads(out.read_text(encoding="utf-8")), out


def _key(f: dict[str, Any]) -> tuple[Any, ...]:
    r = f["resource"]
    return (f["policy_id"], r["address"], r["account"], r["region"])


def test_merge_of_overlapping_and_disjoint_accounts(cli: Cli, inputs: Inputs, tmp_path: Path) -> None:
    code, doc, out = _merge(cli, inputs.a1, inputs.b, inputs.a2, tmp_path / "org.json")
    ReportDocument.model_validate(doc)
    assert not list(validator("report.schema.json").iter_errors(doc))
    assert doc["schema_version"] == "1.6" and doc["source"]["kind"] == "merged"
    assert report_digest_matches(out.read_text(encoding="utf-8"), doc["content_sha256"])
    # Accounts: the union; A was scanned twice: its latest finish.
    accounts = doc["source"]["accounts"]
    assert [a["id"] for a in accounts] == [A, B]
    a2_time = load(inputs.a2)["generated_at"]
    assert accounts[0]["finished_at"] == a2_time and accounts[0]["regions"] == [REGION]
    # Inputs: as given, each with its own digest and source.
    listed = doc["source"]["inputs"]
    assert [i["path"] for i in listed] == ["a1.json", "b.json", "a2.json"]
    assert [i["content_sha256"] for i in listed] == [
        load(p)["content_sha256"] for p in (inputs.a1, inputs.b, inputs.a2)
    ]
    assert listed[1]["source"]["account"] == B
    # Findings de-duplicated: A's findings (in both scans of A) once each.
    keys = [_key(f) for f in doc["findings"]]
    assert len(keys) == len(set(keys))
    expected = {_key(f) for p in (inputs.a1, inputs.b, inputs.a2) for f in load(p)["findings"]}
    assert set(keys) == expected
    # The two scans of A disagree on versioning: the worse (fail) is kept, and recorded.
    versioning = ("s3-bucket-versioning", f"arn:aws:s3:::phi-{A}", A, REGION)
    kept = next(f for f in doc["findings"] if _key(f) == versioning)
    assert kept["status"] == "fail" and kept["gating"]
    conflicts = doc["source"]["conflicts"]
    assert [(c["policy_id"], c["account"], c["kept"]) for c in conflicts] == [("s3-bucket-versioning", A, "fail")]
    assert conflicts[0]["statuses"] == [{"input": "a1.json", "status": "fail"}, {"input": "a2.json", "status": "pass"}]
    assert any("worse status is kept" in note for note in doc["notes"])
    # Summaries: per account and in total, agreeing with the findings.
    by_account = doc["summary_by_account"]
    assert set(by_account) == {A, B}
    for status, total in doc["summary"].items():
        assert total == sum(f["status"] == status for f in doc["findings"])
        assert total == sum(counts[status] for counts in by_account.values())
    assert by_account[B] == load(inputs.b)["summary_by_account"][B]
    # The gate is decided again from the merged findings.
    assert code == 1 and doc["result"] == "fail" and doc["gate"]["failing"] == doc["summary"]["fail"]
    assert doc["policies"] == load(inputs.a1)["policies"]
    # A merged report merges again (a merge of merges), and a soft fail is exit 0.
    code, again, _ = _merge(cli, out, inputs.p3, "--exit-zero", tmp_path / "again.json")
    assert code == 0 and again["result"] == "fail"
    assert [a["id"] for a in again["source"]["accounts"]] == [A, B]  # a plan report lists no scanned account
    assert set(again["summary_by_account"]) == {A, B, P3}


def test_the_same_address_in_two_accounts_stays_two_findings(cli: Cli, inputs: Inputs, tmp_path: Path) -> None:
    _, doc, _ = _merge(cli, inputs.p3, inputs.p4, tmp_path / "plans.json")
    one = load(inputs.p3)
    assert len(doc["findings"]) == 2 * len(one["findings"])
    assert doc["summary_by_account"][P3] == one["summary"]
    assert doc["resources"] == 2 * one["resources"]  # disjoint accounts: the inputs' sum
    # Locations recorded by the inputs are kept.
    located = [f for f in doc["findings"] if f["location"]]
    assert located and {f["resource"]["account_name"] for f in located} == {"claims-prod", "claims-staging"}


def test_plans_without_accounts_that_collide_are_refused(cli: Cli, inputs: Inputs, tmp_path: Path) -> None:
    other = load(inputs.plan)
    other["source"]["path"] = "other/plan.json"
    other["generated_at"] = "2026-01-01T00:00:00+00:00"
    copy = reseal(tmp_path / "other.json", other)
    out = tmp_path / "out.json"
    result = cli("merge", inputs.plan, copy, "--output", out)
    assert_input_error(result, "could not tell the two resources apart")
    assert not out.exists()
    # The same plan scanned twice (one source) merges: its findings once.
    again = load(inputs.plan)
    again["generated_at"] = "2026-01-01T00:00:00+00:00"
    code, doc, _ = _merge(cli, inputs.plan, reseal(tmp_path / "again.json", again), tmp_path / "same.json")
    assert code == 1 and len(doc["findings"]) == len(again["findings"]) and doc["summary_by_account"] == {}


@pytest.mark.parametrize(
    ("change", "resealed", "fragment"),
    [
        (lambda d: d["findings"][0].update(message="edited"), False, "edited after the scan (its content_sha256"),
        (lambda d: d.pop("content_sha256"), False, "without its content_sha256"),
        (lambda d: d["summary"].update(fail=0), True, "the report was altered or truncated"),
        (lambda d: d["summary_by_account"][B].update({"pass": 0}), True, f"summary_by_account[{B}] says"),
        (lambda d: d["tool"].update(version="0.0.9"), True, "merge reports of one hipaacheck version"),
        (lambda d: d.update(schema_version="2.0"), True, "schema_version '2.0' cannot be merged"),
        (lambda d: d.update(tool={"name": "other"}), True, "not a hipaacheck JSON report"),
    ],
    ids=["tampered", "unsealed", "summary", "by-account", "tool-version", "schema-major", "not-hipaacheck"],
)
def test_bad_inputs_are_one_line_and_nothing_is_written(
    cli: Cli, inputs: Inputs, tmp_path: Path, change: Any, resealed: bool, fragment: str
) -> None:
    document = load(inputs.b)
    change(document)
    bad = tmp_path / "bad.json"
    if resealed:
        reseal(bad, document)
    else:  # edited by hand: the digest is the old one, or gone
        bad.write_text(json.dumps(document, indent=2), encoding="utf-8")
    out, sarif = tmp_path / "org.json", tmp_path / "org.sarif"
    assert_input_error(cli("merge", inputs.a1, bad, "--output", out, "--report", f"sarif={sarif}"), fragment)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_the_same_report_twice_is_refused(cli: Cli, inputs: Inputs) -> None:
    assert_input_error(cli("merge", inputs.a1, inputs.b, inputs.a1), "the same report as")


def test_every_reporter_on_a_merged_report(cli: Cli, inputs: Inputs, tmp_path: Path) -> None:
    files = {fmt: tmp_path / f"org.{fmt}" for fmt in ("sarif", "junit", "markdown", "asff", "ocsf", "csv", "table")}
    reports = [arg for fmt, path in files.items() for arg in ("--report", f"{fmt}={path}")]
    result = cli("merge", inputs.p3, inputs.p4, inputs.b, *reports, "--format", "json")
    assert result.code == 1, result.err
    doc = json.loads(result.out)
    failing = [f for f in doc["findings"] if f["status"] == "fail"]
    # SARIF: one run; the same address in two accounts is two results, told apart by account.
    sarif = json.loads(files["sarif"].read_text())
    assert len(sarif["runs"]) == 1
    results = sarif["runs"][0]["results"]
    assert len(results) == len(failing)
    by_address: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in results:
        address = r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        by_address.setdefault((r["ruleId"], address), []).append(r)
    pair = by_address[("rds-cluster-storage-encrypted", "aws_rds_cluster.ledger")]
    assert sorted(r["properties"]["account"] for r in pair) == [P3, P4]
    assert len({r["partialFingerprints"]["hipaacheck/v1"] for r in results}) == len(results)
    assert sarif["runs"][0]["automationDetails"]["id"] == "hipaacheck/merged/"
    # JUnit: one test case per finding, the account in the name.
    cases = ET.fromstring(files["junit"].read_text()).iter("testcase")
    names = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(names) == len(set(names)) == len(doc["findings"])
    assert ("rds-cluster-storage-encrypted", f"aws_rds_cluster.ledger [account {P4}]") in names
    # Markdown: a row per account.
    markdown = files["markdown"].read_text()
    assert (
        "**By account (3)**" in markdown
        and f"| `{P3}` | claims-prod | - |" in markdown
        and f"| `{B}` |  | scanned |" in markdown
    )
    # ASFF / OCSF / CSV: each finding in its own account, with its own id.
    asff = json.loads(files["asff"].read_text())
    assert {f["AwsAccountId"] for f in asff} == {P3, P4, B}
    assert len({f["Id"] for f in asff}) == len(asff) == len(doc["findings"])
    ocsf = json.loads(files["ocsf"].read_text())
    assert {e["cloud"]["account"]["uid"] for e in ocsf} == {P3, P4, B}
    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text())))
    assert {r["account"] for r in rows} == {P3, P4, B} and len(rows) == len(doc["findings"])
    assert "in a merged report" in rows[0]["source"]
    table = files["table"].read_text()
    assert "a merge of 3 report(s)" in table and f"account {P4} (claims-staging)" in table


def test_asff_of_merged_plan_findings_needs_an_account(cli: Cli, inputs: Inputs, tmp_path: Path) -> None:
    assert_input_error(cli("merge", inputs.plan, "--format", "asff"), "give --asff-account ID")


def test_waivers_and_baseline_on_a_merged_report(cli: Cli, inputs: Inputs, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - policy: rds-cluster-storage-encrypted\n"
        "    resource: aws_rds_cluster.ledger\n"
        "    account: '333333333333'\n"
        "    reason: staging copy of the ledger, deleted in Q1\n"
        "    owner: data@example.com\n"
        "    expires: 2099-01-01\n"
    )
    # The expiry is more than 365 days out: allow it for the test.
    code, doc, out = _merge(
        cli, inputs.p3, inputs.p4, "--waivers", waivers, "--max-waiver-days", "36600", tmp_path / "w.json"
    )
    ledger = {
        f["resource"]["account"]: f
        for f in doc["findings"]
        if _key(f)[:2] == ("rds-cluster-storage-encrypted", "aws_rds_cluster.ledger")
    }
    assert ledger[P3]["status"] == "waived" and ledger[P3]["waiver"]["account"] == P3
    assert ledger[P4]["status"] == "fail" and ledger[P4]["gating"]
    assert doc["gate"]["waivers"]["entries"][0]["covers"] == 1
    # Merging the merged report again carries its waiver (still current).
    _, again, _ = _merge(cli, out, tmp_path / "again.json")
    carried = next(f for f in again["findings"] if _key(f) == _key(ledger[P3]))
    assert carried["status"] == "waived" and carried["waiver"]["reason"].startswith("staging copy")
    # A baseline made from one account's report knows that account's failures only.
    _, base, _ = _merge(cli, inputs.p3, "--baseline", inputs.p3, tmp_path / "b.json")
    assert base["result"] == "pass" and all(f["baseline"] for f in base["findings"] if f["status"] == "fail")
    code, doc, _ = _merge(cli, inputs.p3, inputs.p4, "--baseline", inputs.p3, tmp_path / "b2.json")
    known = {f["resource"]["account"] for f in doc["findings"] if f["baseline"]}
    assert code == 1 and known == {P3}
    assert doc["gate"]["failing"] == doc["summary_by_account"][P4]["fail"]


def test_a_missing_shard_leaves_the_merge_incomplete(cli: Cli, inputs: Inputs, tmp_path: Path) -> None:
    denied = {"id": "555555555555", "status": "error", "error": "AccessDenied: cannot assume hipaacheck-audit"}
    one = as_org_scan(inputs.a1, tmp_path / "s1.json", shard="1/3", extra=[denied])
    three = as_org_scan(inputs.b, tmp_path / "s3.json", shard="3/3")
    code, doc, out = _merge(cli, one, three, tmp_path / "org.json")
    missing = [f for f in doc["findings"] if f["policy_id"] == "merge-missing-shard"]
    assert [(f["status"], f["resource"]["address"]) for f in missing] == [
        ("error", "organization/o-example/shard/2-of-3")
    ]
    assert missing[0]["gating"] and doc["gate"]["incomplete"] >= 1
    assert doc["source"]["organization"] == {"id": "o-example", "ou": None, "role": "hipaacheck-audit", "shard": None}
    assert [(a["id"], a["status"], a["name"]) for a in doc["source"]["accounts"]] == [
        (A, "scanned", "acct-1111"),
        (B, "scanned", "acct-2222"),
        ("555555555555", "error", None),
    ]
    # Failures known from a baseline, the missing shard and the unscannable account remain: exit 3.
    code, doc, _ = _merge(cli, one, three, "--baseline", out, tmp_path / "again.json")
    assert (code, doc["result"]) == (3, "incomplete")
    code, _, _ = _merge(cli, one, three, "--baseline", out, "--allow-incomplete", tmp_path / "allowed.json")
    assert code == 0
    # Every shard: no missing-shard finding.
    two = as_org_scan(inputs.a2, tmp_path / "s2.json", shard="2/3")
    _, whole, _ = _merge(cli, one, two, three, tmp_path / "whole.json")
    assert not [f for f in whole["findings"] if f["policy_id"] == "merge-missing-shard"]
    # Shards of different splits are refused.
    other = as_org_scan(inputs.a2, tmp_path / "other.json", shard="2/4")
    assert_input_error(cli("merge", one, other), "merge the shards of one sharded scan")


def test_the_org_matrix_example_shards_merges_and_publishes() -> None:
    import shlex

    import yaml

    from hipaacheck.cli import build_parser

    from ..conftest import ROOT

    workflow = yaml.safe_load((ROOT / "examples" / "org-matrix-scan.yml").read_text(encoding="utf-8"))
    shard, merge = workflow["jobs"]["shard"], workflow["jobs"]["merge"]
    assert shard["strategy"]["fail-fast"] is False and len(shard["strategy"]["matrix"]["shard"]) >= 2
    assert merge["needs"] == "shard" and "!cancelled()" in merge["if"]
    assert "id-token" not in merge["permissions"] and shard["permissions"]["id-token"] == "write"

    def commands(job: dict[str, Any]) -> list[list[str]]:
        runs = [step["run"] for step in job["steps"] if "-m hipaacheck" in step.get("run", "")]
        return [shlex.split(run.replace("\\\n", " "))[4:] for run in runs]  # after "$PYTHON" -I -m hipaacheck

    (scan,) = commands(shard)
    assert scan[:3] == ["scan", "aws", "--org"] and scan[scan.index("--shard") + 1] == "$SHARD/$SHARDS"
    upload = next(s for s in shard["steps"] if "upload-artifact@" in s.get("uses", ""))
    assert upload["with"]["path"] == "hipaacheck-shard-${{ matrix.shard }}.json"
    merged, report = commands(merge)
    for argv in (merged, report):  # the merge job's command lines are ones this hipaacheck accepts
        build_parser().parse_args(argv)
    assert merged[0] == "merge" and "--output" in merged and "sarif=hipaacheck-org.sarif" in merged
    assert report[:2] == ["report", "hipaacheck-org.json"]
    kept = next(s for s in merge["steps"] if "upload-artifact@" in s.get("uses", ""))
    assert "evidence-pack.html" in kept["with"]["path"]


def test_under_github_actions_merge_writes_the_job_summary_and_outputs(
    cli: Cli, inputs: Inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    summary.touch()
    outputs.touch()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    result = cli("merge", inputs.a1, inputs.b, "--output", tmp_path / "org.json", "--format", "json")
    assert result.code == 1
    assert "**By account (2)**" in summary.read_text() and f"| `{A}` |" in summary.read_text()
    assert "result=fail" in outputs.read_text()
    assert "::error title=hipaacheck account-root-mfa" in result.err


def test_a_report_of_schema_1_0_merges(cli: Cli, inputs: Inputs, tmp_path: Path) -> None:
    """Before 1.4 a report had no content_sha256 (nothing to verify), before 1.1 no gate, location or waiver."""
    old = load(inputs.b)
    old["schema_version"] = "1.0"
    for key in ("gate", "result", "fail_on", "content_sha256", "summary_by_account", "selection", "parameters"):
        old.pop(key)
    for finding in old["findings"]:
        for key in ("location", "waiver", "baseline", "gating"):
            finding.pop(key)
        finding["resource"].pop("account_name")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    code, doc, _ = _merge(cli, path, inputs.a1, tmp_path / "org.json")
    assert code == 1 and doc["source"]["inputs"][0]["content_sha256"] is None
    assert doc["source"]["inputs"][0]["schema_version"] == "1.0"
    assert doc["summary_by_account"][B] == load(inputs.b)["summary_by_account"][B]
    assert [a["id"] for a in doc["source"]["accounts"]] == [A, B]
