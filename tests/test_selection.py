"""--policy / --skip-policy / --min-severity / --exit-zero through the real CLI (issue 10 item 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, assert_input_error, run_cli

NONCOMPLIANT = str(FIXTURES / "noncompliant" / "plan.json")


def _json(*args: str) -> tuple[int, dict[str, object]]:
    result = run_cli("scan", "plan", NONCOMPLIANT, "--format", "json", *args)
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def _policies(report: dict[str, object]) -> set[str]:
    return {f["policy_id"] for f in report["findings"]}  # type: ignore[attr-defined, index]


def test_policy_and_skip_policy_globs_select_and_are_recorded() -> None:
    _, report = _json("--policy", "rds-*", "--policy", "s3-bucket-versioning", "--skip-policy", "*-log-exports")
    ids = _policies(report)
    assert ids and all(i.startswith("rds-") or i == "s3-bucket-versioning" for i in ids), ids
    assert "rds-instance-log-exports" not in ids and "rds-instance-storage-encrypted" in ids
    assert report["selection"] == {
        "policy": ["rds-*", "s3-bucket-versioning"],
        "skip_policy": ["*-log-exports"],
        "min_severity": None,
    }
    pack = {p.stem for p in (ROOT / "policies").rglob("*.yaml")}
    expected = {i for i in pack if i.startswith("rds-") and not i.endswith("-log-exports")} | {"s3-bucket-versioning"}
    assert report["policies"] == len(expected) and ids <= expected


def test_min_severity_drops_lower_policies_case_insensitively() -> None:
    _, full = _json()
    _, report = _json("--min-severity", "HIGH")
    severities = {f["severity"] for f in report["findings"]}  # type: ignore[attr-defined]
    assert severities <= {"critical", "high"} and "high" in severities
    assert report["selection"]["min_severity"] == "high"  # type: ignore[index]
    assert report["policies"] < full["policies"]  # type: ignore[operator]


def test_selection_is_shown_in_the_table_header() -> None:
    result = run_cli("scan", "plan", NONCOMPLIANT, "--policy", "rds-*", "--min-severity", "critical")
    assert result.code == 1
    head = result.out.split("\n\n")[0]
    assert "selected: --policy rds-* --min-severity critical" in head


@pytest.mark.parametrize(
    ("flag", "pattern", "hint"),
    [
        ("--policy", "rds-instance-backup-retenton", "did you mean 'rds-instance-backup-retention'?"),
        ("--skip-policy", "guardduty-enable", "did you mean 'guardduty-enabled'?"),
        ("--policy", "nothing-like-this-*", "matches no loaded policy"),
    ],
)
def test_a_pattern_matching_no_policy_is_an_input_error(flag: str, pattern: str, hint: str) -> None:
    result = run_cli("scan", "plan", NONCOMPLIANT, flag, pattern)
    assert_input_error(result, f"{flag} {pattern!r} matches no loaded policy")
    assert hint in result.err


def test_a_selection_that_leaves_nothing_is_an_input_error() -> None:
    # Both patterns match loaded policies, but no policy of the selection is critical.
    result = run_cli("scan", "plan", NONCOMPLIANT, "--policy", "s3-bucket-versioning", "--min-severity", "critical")
    assert_input_error(result, "no policy left to evaluate")


def test_exit_zero_reports_everything_and_exits_0() -> None:
    code, report = _json("--exit-zero")
    assert code == 0
    assert report["result"] == "fail" and report["gate"]["exit_zero"] is True  # type: ignore[index]
    assert report["summary"]["fail"] > 0  # type: ignore[index]
    table = run_cli("scan", "plan", NONCOMPLIANT, "--exit-zero")
    assert table.code == 0
    lines = table.out.rstrip().splitlines()
    assert lines[-1].startswith("FAILED: ") and "--exit-zero: the exit code is 0." in lines[-2]


def test_exit_zero_never_hides_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("{}")
    assert_input_error(run_cli("scan", "plan", str(bad), "--exit-zero"), "not a Terraform plan")
    assert_input_error(run_cli("scan", "plan", NONCOMPLIANT, "--exit-zero", "--policy", "nope"), "matches no")


def test_exit_zero_also_covers_incomplete(tmp_path: Path) -> None:
    # A plan whose only finding is `error` exits 3, or 0 under --exit-zero.
    from .conftest import change, plan_doc

    plan = tmp_path / "plan.json"
    after = {"identifier": "x", "engine": "postgres", "storage_encrypted": ["true"], "tags": {"phi": "true"}}
    plan.write_text(json.dumps(plan_doc([change("aws_db_instance.x", after)])))
    args = ("scan", "plan", str(plan), "--policy", "rds-instance-storage-encrypted")
    assert run_cli(*args).code == 3
    assert run_cli(*args, "--exit-zero").code == 0


def test_no_config_file_at_the_repository_root() -> None:
    # The suite relies on no .hipaacheck.yaml at the root: it would change every scan.
    assert not (ROOT / ".hipaacheck.yaml").exists()


def test_older_reports_are_read_as_baseline_and_evidence_input(tmp_path: Path) -> None:
    new = tmp_path / "new.json"
    assert run_cli("scan", "plan", NONCOMPLIANT, "--format", "json", "--output", str(new)).code == 1
    document = json.loads(new.read_text(encoding="utf-8"))
    assert document["schema_version"] == "1.6"
    for key in ("selection", "config", "parameters", "content_sha256"):  # 1.5's fields, and 1.4's digest
        del document[key]
    del document["gate"]["exit_zero"]
    document["schema_version"] = "1.3"
    older = tmp_path / "1.3.json"
    older.write_text(json.dumps(document), encoding="utf-8")
    for key in ("fail_on_unknown", "failing_unknown"):  # 1.3's fields
        document["gate"].pop(key, None)
    document["schema_version"] = "1.2"
    oldest = tmp_path / "1.2.json"
    oldest.write_text(json.dumps(document), encoding="utf-8")
    for report in (new, older, oldest):
        gated = run_cli("scan", "plan", NONCOMPLIANT, "--baseline", str(report))
        assert gated.code == 0, gated.err  # every failure is already in the baseline
        html = tmp_path / f"{report.stem}.html"
        assert run_cli("report", str(report), "--html", str(html)).code == 0
        assert html.is_file()


def test_markdown_summary_says_the_run_was_selected_and_soft() -> None:
    result = run_cli("scan", "plan", NONCOMPLIANT, "--format", "markdown", "--policy", "rds-*", "--exit-zero")
    assert result.code == 0
    assert "Selected: `--policy rds-*`." in result.out and "Soft fail (`--exit-zero`)" in result.out
    plain = run_cli("scan", "plan", NONCOMPLIANT, "--format", "markdown").out
    assert "Selected:" not in plain and "Soft fail" not in plain
