"""The real CLI end to end: exit codes, the JSON contract, the table, the matrix."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from hipaacheck import __version__
from hipaacheck.safeguards import SPECIFICATIONS

from .conftest import FIXTURES, ROOT, run_cli

COMPLIANT = str(FIXTURES / "compliant" / "plan.json")
NONCOMPLIANT = str(FIXTURES / "noncompliant" / "plan.json")


def test_version() -> None:
    result = run_cli("--version")
    assert result.code == 0 and result.out.strip() == f"hipaacheck {__version__}"


def test_noncompliant_fails_with_citations_and_compliant_passes() -> None:
    bad = run_cli("scan", "plan", NONCOMPLIANT)
    assert bad.code == 1, bad.err
    assert "FAIL" in bad.out and "164.312(a)(2)(iv)" in bad.out
    lines = bad.out.rstrip().splitlines()
    assert re.fullmatch(r"FAILED: \d+ failing at or above low", lines[-1])  # one stable last line: the verdict
    assert lines[-2].startswith(tuple("0123456789"))  # the counts just above it
    good = run_cli("scan", "plan", COMPLIANT)
    assert good.code == 0, good.out
    assert good.out.rstrip().splitlines()[-1] == "PASSED"


def test_table_fits_80_columns() -> None:
    for path in (NONCOMPLIANT, COMPLIANT):
        out = run_cli("scan", "plan", path, "--show-passed").out
        too_wide = [line for line in out.splitlines() if len(line) > 80]
        assert not too_wide, too_wide[:3]


@pytest.mark.parametrize(("fail_on", "expected"), [("low", 1), ("critical", 1)])
def test_fail_on_threshold(fail_on: str, expected: int) -> None:
    assert run_cli("scan", "plan", NONCOMPLIANT, "--fail-on", fail_on).code == expected


def test_fail_on_counts_only_failures_at_or_above_the_threshold() -> None:
    report = json.loads(run_cli("scan", "plan", NONCOMPLIANT, "--format", "json").out)
    severities = {f["severity"] for f in report["findings"] if f["status"] == "fail"}
    assert "critical" in severities and "medium" in severities
    custom = json.loads(run_cli("scan", "plan", NONCOMPLIANT, "--format", "json", "--fail-on", "critical").out)
    assert custom["fail_on"] == "critical" and custom["result"] == "fail"


def test_json_contract() -> None:
    result = run_cli("scan", "plan", NONCOMPLIANT, "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    # 1.1: location, waiver, baseline, gating, gate; 1.2: incomplete; 1.3: fail_on_unknown, waiver entries;
    # 1.4: regions and content digest; 1.5: selection, config, parameters, exit_zero; 1.6: accounts
    assert report["schema_version"] == "1.6"
    assert report["tool"] == {"name": "hipaacheck", "version": __version__}
    # Relative to the working directory (the repository here), never an absolute path of this machine.
    assert report["source"]["kind"] == "terraform-plan"
    assert report["source"]["path"] == "fixtures/terraform/noncompliant/plan.json"
    assert set(report["summary"]) == {"pass", "fail", "unknown", "error", "skipped", "waived"}
    assert sum(report["summary"].values()) == len(report["findings"])
    finding = report["findings"][0]
    assert set(finding) >= {
        "policy_id",
        "title",
        "severity",
        "status",
        "safeguards",
        "resource",
        "message",
        "remediation",
    }
    assert set(finding["resource"]) >= {"type", "address", "source", "region", "account"}
    assert finding["status"] == "fail" and finding["safeguards"]
    addresses = {f["resource"]["address"] for f in report["findings"]}
    assert any(a.startswith("aws_") for a in addresses)


def test_json_document_in_process() -> None:
    """The same contract field by field, from a report built by hand (mutation testing maps only in-process calls)."""
    import hashlib
    from datetime import UTC, date, datetime

    from hipaacheck.models import Evidence, Finding, Resource, Severity, Status
    from hipaacheck.report import Location, Report, Waiver, finding_key
    from hipaacheck.reporters.json_report import (
        DIGEST_FIELD,
        finding_dict,
        render_json,
        report_dict,
        report_digest_matches,
        seal_report,
    )

    def finding(address: str, status: Status, severity: Severity = Severity.HIGH) -> Finding:
        resource = Resource(
            "s3_bucket", address, "aws", {}, name="claims", region="us-east-1", account="111122223333", action=None
        )
        evidence = (Evidence("versioning", "key AKIAIOSFODNN7EXAMPLE", "true", undetermined=True),)
        return Finding(
            "s3-bucket-versioning", "T", severity, status, ("164.312(c)(1)",), resource, "m", "fix", evidence
        )

    failing, waived, known = finding("a", Status.FAIL), finding("b", Status.WAIVED), finding("c", Status.FAIL)
    waiver = Waiver("s3-*", "b", "r", "o", date(2099, 1, 1), "w.yaml", 3)

    class Here:
        def locate(self, seen: Finding) -> Location | None:
            return Location("s3.tf", 4, 9) if seen is failing else None

    report = Report(
        {"kind": "aws"},
        [known, waived, failing],
        fail_on=Severity.MEDIUM,
        policy_count=2,
        resource_count=3,
        notes=["n"],
        waivers={finding_key(waived): waiver},
        in_baseline={finding_key(known)},
        gate={"waivers": {"file": "w.yaml"}, "baseline": {"file": "b.json"}, "changed_only": True},
        locator=Here(),
        generated_at=datetime(2026, 6, 1, 12, 30, 5, tzinfo=UTC),
        config_file=".hipaacheck.yaml",
        parameters={"p": {"x": 1}},
        exit_zero=True,
    )
    assert finding_dict(failing, report) == {
        "policy_id": "s3-bucket-versioning",
        "title": "T",
        "severity": "high",
        "status": "fail",
        "safeguards": ["164.312(c)(1)"],
        "resource": {
            "type": "s3_bucket",
            "address": "a",
            "name": "claims",
            "source": "aws",
            "region": "us-east-1",
            "account": "111122223333",
            "account_name": None,
            "action": None,
        },
        "message": "m",
        "evidence": [{"key": "versioning", "observed": "key (redacted)", "expected": "true", "undetermined": True}],
        "remediation": "fix",
        "location": {"file": "s3.tf", "line": 4},
        "waiver": None,
        "baseline": False,
        "gating": True,
    }
    assert finding_dict(waived, report)["waiver"] == waiver.as_dict()
    assert (finding_dict(known, report)["baseline"], finding_dict(known, report)["gating"]) == (True, False)
    alone = finding_dict(failing)  # no report: nothing CI adds
    assert (alone["location"], alone["waiver"], alone["baseline"], alone["gating"]) == (None, None, False, False)

    document = report_dict(report)
    assert {k: v for k, v in document.items() if k != "findings"} == {
        "schema_version": "1.6",
        "tool": {"name": "hipaacheck", "version": __version__},
        "generated_at": "2026-06-01T12:30:05+00:00",
        "source": {"kind": "aws"},
        "policies": 2,
        "resources": 3,
        "fail_on": "medium",
        "result": "fail",
        "summary": {"pass": 0, "fail": 2, "unknown": 0, "error": 0, "skipped": 0, "waived": 1},
        "summary_by_account": {
            "111122223333": {"pass": 0, "fail": 2, "unknown": 0, "error": 0, "skipped": 0, "waived": 1}
        },
        "notes": ["n"],
        "selection": {"policy": [], "skip_policy": [], "min_severity": None},
        "config": ".hipaacheck.yaml",
        "parameters": {"p": {"x": 1}},
        "gate": {
            "failing": 1,
            "incomplete": 0,
            "allow_incomplete": False,
            "fail_on_unknown": False,
            "failing_unknown": 0,
            "waivers": {"file": "w.yaml"},
            "baseline": {"file": "b.json"},
            "changed_only": True,
            "exit_zero": True,
        },
    }
    assert [f["resource"]["address"] for f in document["findings"]] == ["a", "c", "b"]  # sorted: fail, then waived
    assert document["findings"][0] == finding_dict(failing, report)  # with what CI adds: location, gating
    report.selection = {"policy": ["s3-*"], "skip_policy": [], "min_severity": "high"}
    assert report_dict(report)["selection"] == report.selection

    report.notes = ["Zürich"]
    failing.title = "Prüfung"
    text = render_json(report)
    assert '"Zürich"' in text and '"title": "Prüfung"' in text  # UTF-8 as it is, not \\u escapes
    assert text.startswith('{\n  "schema_version": "1.6",\n  "tool": {\n    "name": "hipaacheck",')
    parsed = json.loads(text)
    digest = parsed.pop("content_sha256")
    assert parsed == json.loads(json.dumps(report_dict(report)))
    assert text.endswith("}\n  ]\n}\n") and text.count("\n    {") == 3  # one finding per line
    zeroed = text.replace(digest, "0" * 64, 1)
    assert DIGEST_FIELD in zeroed and hashlib.sha256(zeroed.encode("utf-8")).hexdigest() == digest
    assert report_digest_matches(text, digest)
    assert not report_digest_matches(text.replace("Zürich", "Zurich"), digest)  # edited after the scan
    assert not report_digest_matches(text, "1" * 64)  # a digest the text does not hold
    assert seal_report(zeroed) == text
    assert seal_report('{"no": "placeholder"}') == '{"no": "placeholder"}'  # nothing to seal: unchanged
    report.findings = []
    assert render_json(report).endswith('\n  "findings": []\n}\n')
    # A value that looks like the placeholder, written before the report's own field (a merged
    # report carries its inputs' parameters as they are), is neither sealed over nor breaks the seal.
    report.parameters = {"p": {"content_sha256": "0" * 64}}
    sealed = render_json(report)
    own = json.loads(sealed)
    assert own["parameters"] == report.parameters and own["content_sha256"] != "0" * 64
    assert report_digest_matches(sealed, own["content_sha256"])
    assert seal_report(sealed.replace(own["content_sha256"], "0" * 64)) == sealed  # the last placeholder is sealed


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "report.json"
    result = run_cli("scan", "plan", NONCOMPLIANT, "--format", "json", "--output", str(target))
    assert result.code == 1 and result.out == ""
    assert json.loads(target.read_text())["findings"]
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temp files left


def test_matrix_lists_every_security_rule_specification() -> None:
    result = run_cli("matrix")
    assert result.code == 0
    for spec in SPECIFICATIONS:
        if spec.section in ("164.308", "164.310", "164.312"):
            assert spec.citation in result.out, spec.citation
    assert "no automated check" in result.out
    line = next(line for line in result.out.splitlines() if line.startswith("164.312(a)(2)(iv)"))
    assert "s3-bucket-kms-encryption" in result.out and "no automated check" not in line


def test_policies_fields_documents_a_type() -> None:
    result = run_cli("policies", "fields", "s3_bucket")
    assert result.code == 0 and "encryption.algorithm" in result.out
    assert run_cli("policies", "fields", "nope").code == 2


def test_plan_scan_does_not_import_boto3_or_moto() -> None:
    code = (
        "import sys; from hipaacheck.cli import main; "
        f"rc = main(['scan', 'plan', {COMPLIANT!r}, '--format', 'json', '--output', '/dev/null']); "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'moto', 'python_terraform')); "
        "print(rc, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "0 []", out


def test_writing_to_a_device_writes_through_and_keeps_it(tmp_path: object) -> None:
    from pathlib import Path

    from hipaacheck.output import write_atomic

    before = Path("/dev/null").stat()
    write_atomic(Path("/dev/null"), "discarded\n")
    after = Path("/dev/null").stat()
    assert (after.st_mode, after.st_rdev) == (before.st_mode, before.st_rdev)  # still the character device
    target = Path(str(tmp_path)) / "report.txt"
    write_atomic(target, "x")
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current
