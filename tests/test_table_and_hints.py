"""The table a person reads, and the hints on the commonest mistakes (issue 10 items 6 and 7)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from hipaacheck.models import Finding, Resource, Severity, Status
from hipaacheck.report import Report
from hipaacheck.reporters.table import render_table
from hipaacheck.sources.terraform.plan_file import terraform_error_line

from .conftest import FIXTURES, ROOT, assert_input_error, run_cli

NONCOMPLIANT = str(FIXTURES / "noncompliant" / "plan.json")
COMPLIANT = str(FIXTURES / "compliant" / "plan.json")
ESC = "\033["


def _on_a_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    """Run the CLI with stdout on a pseudo-terminal, as a person at a shell would."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")} | (env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "hipaacheck", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=environment,
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_only() -> None:
    coloured = _on_a_terminal("scan", "plan", NONCOMPLIANT)
    assert f"{ESC}31;1mFAIL{ESC}0m" in coloured
    assert _on_a_terminal("scan", "plan", NONCOMPLIANT, env={"NO_COLOR": "1"}).count(ESC) == 0
    assert ESC not in run_cli("scan", "plan", NONCOMPLIANT).out  # a pipe
    assert ESC not in _on_a_terminal("scan", "plan", NONCOMPLIANT, "--format", "json")


def test_colour_keeps_the_table_within_80_columns() -> None:
    import re

    plain = re.sub(r"\x1b\[[0-9;]*m", "", _on_a_terminal("scan", "plan", NONCOMPLIANT))
    assert max(len(line) for line in plain.splitlines()) <= 80


def test_compact_is_one_line_per_finding() -> None:
    result = run_cli("scan", "plan", NONCOMPLIANT, "--compact")
    report = json.loads(run_cli("scan", "plan", NONCOMPLIANT, "--format", "json").out)
    shown = [f for f in report["findings"] if f["status"] in ("fail", "error", "unknown", "waived")]
    body = result.out.split("\n\n")[1].splitlines()
    assert len(body) == len(shown)
    assert (
        body[0].startswith("FAIL ") and shown[0]["policy_id"] in body[0] and shown[0]["resource"]["address"] in body[0]
    )
    assert "fixtures/terraform/noncompliant/" in body[0]  # file:line when the sources are known
    assert result.out.rstrip().splitlines()[-1] == f"FAILED: {report['gate']['failing']} failing at or above low"


def test_the_last_line_is_the_verdict_alone() -> None:
    assert run_cli("scan", "plan", COMPLIANT).out.rstrip().splitlines()[-1] == "PASSED"
    last = run_cli("scan", "plan", NONCOMPLIANT, "--fail-on", "critical").out.rstrip().splitlines()[-1]
    assert last.startswith("FAILED: ") and last.endswith(" failing at or above critical")


def test_any_conditions_read_with_or() -> None:
    report = json.loads(run_cli("scan", "plan", NONCOMPLIANT, "--format", "json").out)
    messages = {(f["policy_id"], f["resource"]["address"]): f["message"] for f in report["findings"]}
    listener = messages[("lb-listener-encrypted", "aws_lb_listener.http")]
    assert listener == "encrypted is false (expected true) or redirects_to_https is false (expected true)"
    retention = [m for (p, _), m in messages.items() if p == "cloudwatch-log-group-retention" and "is 30" in m]
    assert retention == ["retention_days is 30 (expected at least 365 or 0)"]


def test_live_scan_header_names_account_caller_and_regions() -> None:
    resource = Resource("account", "account/123456789012", "aws", {})
    finding = Finding("p", "t", Severity.HIGH, Status.FAIL, ("164.312(b)",), resource, "m", "fix", ())
    source = {
        "kind": "aws",
        "account": "123456789012",
        "caller_arn": "arn:aws:sts::123456789012:assumed-role/audit/hipaacheck",
        "regions": ["us-east-1", "eu-west-1"],
    }
    text = render_table(Report(source=source, findings=[finding], policy_count=1, resource_count=1))
    header = " ".join(line.strip() for line in text.split("\n\n")[0].splitlines())
    assert "AWS account 123456789012 as arn:aws:sts::123456789012:assumed-role/audit/hipaacheck" in header
    assert "2 region(s): us-east-1, eu-west-1" in header


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("scna",), "did you mean 'scan'?"),
        (("scan", "plna"), "did you mean 'plan'?"),
        (("policies", "validat"), "did you mean 'validate'?"),
        (("scan", "plan", NONCOMPLIANT, "--show-pased"), "did you mean '--show-passed'?"),
        (("scan", "plan", NONCOMPLIANT, "--skip-polcy", "x"), "did you mean '--skip-policy'?"),
        (("scan", "plan", NONCOMPLIANT, "--fail-on", "hihg"), "did you mean 'high'?"),
        (("scan", "aws", "--changed-only"), "--changed-only applies to plan scans only"),
    ],
)
def test_mistyped_flags_and_subcommands_get_a_suggestion(args: tuple[str, ...], fragment: str) -> None:
    assert_input_error(run_cli(*args), fragment)


def test_severity_values_are_case_insensitive() -> None:
    report = json.loads(run_cli("scan", "plan", NONCOMPLIANT, "--format", "json", "--fail-on", "Critical").out)
    assert report["fail_on"] == "critical"


def test_policies_validate_takes_files_and_warns_on_an_empty_folder(tmp_path: Path) -> None:
    one = ROOT / "policies" / "integrity" / "s3-bucket-versioning.yaml"
    result = run_cli("policies", "validate", str(one))
    assert result.code == 0 and result.out.startswith("1 policies valid in ")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("policies", "validate", str(empty))
    assert result.code == 0 and "warning" in result.err and "no policy files" in result.err
    assert run_cli("policies", "test", str(one)).code == 0
    assert_input_error(run_cli("policies", "validate", str(tmp_path / "nope.yaml")), "no such policy file or folder")


def test_report_defaults_to_evidence_pack_html(tmp_path: Path) -> None:
    scan = tmp_path / "scan.json"
    run_cli("scan", "plan", COMPLIANT, "--format", "json", "--output", str(scan))
    result = run_cli("report", str(scan), cwd=tmp_path)
    assert result.code == 0, result.err
    assert (tmp_path / "evidence-pack.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (tmp_path / "evidence-pack.md").exists()


# ---------------------------------------------------------------- clearer errors (item 7)

UI_LOG = (
    '{"@level":"info","@message":"Terraform 1.11.4","@module":"terraform.ui","type":"version","terraform":"1.11.4"}\n'
    '{"@level":"info","@message":"Plan: 1 to add, 0 to change, 0 to destroy.","type":"change_summary"}\n'
)


@pytest.mark.parametrize("text", [UI_LOG, UI_LOG.splitlines()[0] + "\n"], ids=["log", "one-line"])
def test_streamed_plan_log_is_recognised(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text)
    result = run_cli("scan", "plan", str(path))
    assert_input_error(result, "this is the streamed log of `terraform plan -json`, not a plan")
    assert "terraform show -json tfplan" in result.err


def test_failing_terraform_show_reports_its_error_line(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "terraform"
    fake.parent.mkdir()
    # Terraform prints CLI-configuration warnings before the error that matters.
    fake.write_text(
        "#!/bin/sh\n"
        "echo 'There are some problems with the CLI configuration:' >&2\n"
        "printf '\\342\\225\\267\\n\\342\\224\\202 Warning: Unable to open CLI configuration file\\n' >&2\n"
        "echo '' >&2\n"
        "echo 'Error: Failed to read the given file as a state or plan file' >&2\n"
        "echo '' >&2\n"
        "echo 'State read error: not a plan' >&2\n"
        "exit 1\n"
    )
    fake.chmod(0o755)
    plan = tmp_path / "tfplan"
    plan.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    result = run_cli("scan", "plan", str(plan), env=env)
    assert_input_error(
        result, "terraform show -json failed: Error: Failed to read the given file as a state or plan file"
    )


def test_terraform_error_line_strips_the_diagnostic_frame() -> None:
    framed = "Warning: x\n╷\n│ Error: Unsupported plan\n│ \n│ The plan was created by 1.12.\n╵\n"
    assert terraform_error_line(framed) == "Error: Unsupported plan"
    assert terraform_error_line("just one line\n") == "just one line"
    assert terraform_error_line("") == "no output"


WAIVERS = """\
waivers:
  - {policy: s3-bucket-versoning, resource: "*", reason: typo, owner: me, expires: SOON}
  - {policy: s3-bucket-versioning, resource: aws_s3_bucket.gone, reason: deleted, owner: me, expires: SOON}
  - {policy: lb-listener-encrypted, resource: aws_lb_listener.http, reason: redirect, owner: me, expires: SOON}
"""


SOON = str(date.today() + timedelta(days=30))  # within --max-waiver-days


def test_waivers_that_name_no_policy_or_match_nothing_are_warnings(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVERS.replace("SOON", SOON))
    result = run_cli("scan", "plan", NONCOMPLIANT, "--format", "json", "--waivers", str(waivers))
    assert result.code == 1 and "Traceback" not in result.err
    warnings = [line for line in result.err.splitlines() if line.startswith("hipaacheck: warning: ")]
    assert len(warnings) == 2, result.err
    assert "waivers.yaml:2: waiver for s3-bucket-versoning on * names no loaded policy" in warnings[0]
    assert "did you mean 's3-bucket-versioning'?" in warnings[0]
    assert (
        "waivers.yaml:3: waiver for s3-bucket-versioning on aws_s3_bucket.gone matched no failing finding"
        in warnings[1]
    )
    notes = json.loads(result.out)["notes"]
    assert any("names no loaded policy" in n for n in notes) and any(
        "aws_s3_bucket.gone matched no" in n for n in notes
    )
    # A partial scan cannot tell that a waiver matches nothing: only the unknown policy is a warning.
    partial = run_cli("scan", "plan", NONCOMPLIANT, "--waivers", str(waivers), "--policy", "lb-*")
    assert [line for line in partial.err.splitlines() if "warning" in line] == [warnings[0]]


def test_make_report_uses_the_project_and_cleans_up(tmp_path: Path) -> None:
    script = ROOT / "examples" / "evidence" / "make-report"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "pack"
    env = {**os.environ, "PYTHON": sys.executable, "TMPDIR": str(scratch)}
    result = subprocess.run([str(script), str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (out / "evidence-pack.html").is_file() and (out / "evidence-pack.md").is_file()
    assert list(scratch.iterdir()) == []  # no temporary folder left behind


def test_make_report_says_what_is_missing_in_one_line(tmp_path: Path) -> None:
    copy = tmp_path / "repo" / "examples" / "evidence" / "make-report"
    copy.parent.mkdir(parents=True)
    copy.write_bytes((ROOT / "examples" / "evidence" / "make-report").read_bytes())
    copy.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "PYTHON"} | {"PATH": "/usr/bin:/bin"}
    result = subprocess.run([str(copy)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "hipaacheck not found" in result.stderr and ".venv" in result.stderr


def test_flag_suggestions_come_from_the_subcommand_used() -> None:
    # --policy is a scan flag: `attest check` must not suggest it.
    result = run_cli("attest", "check", "--polcy", "x")
    assert_input_error(result, "unrecognized arguments: --polcy")
    assert "did you mean" not in result.err


def test_make_report_says_when_the_interpreter_cannot_run_hipaacheck(tmp_path: Path) -> None:
    broken = tmp_path / "python"
    broken.write_text(
        "#!/bin/sh\necho 'Traceback (most recent call last):' >&2\necho \"ModuleNotFoundError: No module named 'pydantic'\" >&2\nexit 1\n"
    )
    broken.chmod(0o755)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "PYTHON": str(broken), "TMPDIR": str(scratch)}
    script = ROOT / "examples" / "evidence" / "make-report"
    result = subprocess.run([str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"make-report: $PYTHON ({broken}) cannot run hipaacheck: ModuleNotFoundError: No module named 'pydantic'"
    ]
    assert list(scratch.iterdir()) == []
