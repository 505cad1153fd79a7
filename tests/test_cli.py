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
