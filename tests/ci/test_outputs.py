"""Several outputs in one run; unwritable or clashing outputs refused before the scan, nothing left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import assert_input_error, run_cli
from .conftest import NONCOMPLIANT, Cli, assert_one_line_error, load_json


def test_every_format_in_one_run(cli: Cli, tmp_path: Path) -> None:
    files = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "junit", "markdown", "table")}
    reports = [x for fmt, path in files.items() for x in ("--report", f"{fmt}={path}")]
    result = cli("scan", "plan", NONCOMPLIANT, *reports)
    assert result.code == 1
    assert result.out.rstrip().endswith("failing at or above low")  # the main report still goes to stdout
    assert load_json(files["json"])["schema_version"] == "1.6"
    assert load_json(files["sarif"])["version"] == "2.1.0"
    assert files["junit"].read_text(encoding="utf-8").startswith('<?xml version="1.0"')
    assert files["markdown"].read_text(encoding="utf-8").startswith("## hipaacheck:")
    assert files["table"].read_text(encoding="utf-8") == result.out
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_format_and_output_still_work(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "r.xml"
    result = cli("scan", "plan", NONCOMPLIANT, "--format", "junit", "--output", target)
    assert result.code == 1 and result.out == "" and target.read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("sarif", "expected FORMAT=FILE"),
        ("pdf=x.pdf", "unknown format 'pdf'"),
        ("sarif=", "expected FORMAT=FILE"),
    ],
)
def test_bad_report_spec(capsys: pytest.CaptureFixture[str], spec: str, fragment: str) -> None:
    from hipaacheck.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["scan", "plan", str(NONCOMPLIANT), "--report", spec])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and fragment in err


def test_bad_report_spec_is_one_line() -> None:
    assert_input_error(run_cli("scan", "plan", str(NONCOMPLIANT), "--report", "pdf=x.pdf"), "unknown format 'pdf'")


def test_unwritable_report_fails_before_scanning_and_writes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    bad = tmp_path / "missing-dir" / "r.sarif"
    result = run_cli(
        "scan", "plan", str(NONCOMPLIANT), "--format", "json", "--output", str(good), "--report", f"sarif={bad}"
    )
    assert_input_error(result, f"{bad}: directory {bad.parent} does not exist")
    assert not good.exists() and not bad.exists()
    assert list(tmp_path.iterdir()) == []


def test_output_that_is_a_directory(cli: Cli, tmp_path: Path) -> None:
    assert_one_line_error(cli("scan", "plan", NONCOMPLIANT, "--report", f"junit={tmp_path}"), "is a directory")


def test_same_file_twice(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "r.out"
    result = cli("scan", "plan", NONCOMPLIANT, "--output", target, "--report", f"sarif={target}")
    assert_one_line_error(result, "given twice (as table and sarif)")
    assert not target.exists()


def test_existing_report_is_replaced_whole(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old content that is much longer than nothing " * 1000, encoding="utf-8")
    cli("scan", "plan", NONCOMPLIANT, "--report", f"json={target}")
    assert json.loads(target.read_text(encoding="utf-8"))["tool"]["name"] == "hipaacheck"


@pytest.mark.parametrize("flag", ["--changed-only", "--tf-dir=."])
def test_plan_only_flags_are_not_on_scan_aws(flag: str) -> None:
    # Not on the `scan aws` parser at all (help stays honest), with a message that says why.
    result = run_cli("scan", "aws", flag)
    assert_input_error(result, f"{flag.split('=')[0]} applies to plan scans only")
    assert flag.split("=")[0] not in run_cli("scan", "aws", "--help").out
