"""GitHub integration: workflow-command escaping, annotations, action.yml, and the Action run end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaacheck.action import INPUTS, PREFIX, build_argv
from hipaacheck.reporters.github import MAX_ANNOTATIONS, escape_data, escape_property

from ..conftest import ROOT
from .conftest import COMPLIANT, NONCOMPLIANT, SARIF_SCHEMA, load_json

ACTION = ROOT / "action.yml"


def _env(name: str) -> str:
    return PREFIX + name.upper().replace("-", "_")


def test_workflow_command_escaping() -> None:
    assert escape_data("100%\r\ndone") == "100%25%0D%0Adone"
    assert escape_property("a,b:c%\nd") == "a%2Cb%3Ac%25%0Ad"


def test_action_yml_is_a_composite_action_that_uses_every_input() -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert any(str(s.get("uses", "")).startswith("actions/setup-python@") for s in steps)
    text = yaml.safe_dump(steps)
    assert '"$GITHUB_ACTION_PATH"' in text and "-m hipaacheck.action" in text
    declared = set(action["inputs"])
    assert declared == {*INPUTS, "python-version"}
    for name in declared:
        assert f"inputs.{name} }}}}" in text, f"input {name} is declared but never used"
    scan = next(s for s in steps if s.get("id") == "scan")
    for name in INPUTS:  # each input reaches Python as an env var, never through the shell
        assert scan["env"][_env(name)] == f"${{{{ inputs.{name} }}}}"
    assert "inputs." not in scan["run"]
    for output in ("failed", "passed", "unknown", "errors", "sarif-file"):
        assert action["outputs"][output]["value"] == f"${{{{ steps.scan.outputs.{output} }}}}"
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"


def test_examples_are_valid_workflows() -> None:
    examples = ROOT / "examples"
    names = {p.name for p in examples.glob("*.yml")}
    assert {"pr-plan-gate.yml", "nightly-live-scan.yml", "adopt-with-baseline.yml"} <= names
    gate = yaml.safe_load((examples / "pr-plan-gate.yml").read_text(encoding="utf-8"))
    assert gate["permissions"]["security-events"] == "write"
    steps = gate["jobs"]["hipaacheck"]["steps"]
    assert any(str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@") for s in steps)
    nightly = yaml.safe_load((examples / "nightly-live-scan.yml").read_text(encoding="utf-8"))
    steps = nightly["jobs"]["live-scan"]["steps"]
    assert any(str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@") for s in steps)
    assert any(s.get("with", {}).get("aws") is True for s in steps)
    assert nightly["permissions"]["id-token"] == "write"
    action_inputs = set(yaml.safe_load(ACTION.read_text(encoding="utf-8"))["inputs"])
    for path in examples.glob("*.yml"):
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            for step in job["steps"]:
                if "hipaacheck@" in str(step.get("uses", "")):
                    assert set(step["with"]) <= action_inputs, (path.name, step["with"])


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (
            {"plan": "p.json", "fail-on": "high", "sarif-file": "h.sarif", "policies": "a, b\nc"},
            [
                "scan",
                "plan",
                "p.json",
                "--fail-on",
                "high",
                "--policies",
                "a",
                "--policies",
                "b",
                "--policies",
                "c",
                "--format",
                "table",
                "--report",
                "sarif=h.sarif",
            ],
        ),
        (
            {"aws": "true", "aws-regions": "us-east-1,eu-west-1", "format": "json", "reports": "junit=j.xml\n"},
            [
                "scan",
                "aws",
                "--region",
                "us-east-1",
                "--region",
                "eu-west-1",
                "--format",
                "json",
                "--report",
                "junit=j.xml",
            ],
        ),
        (
            {"plan": "p.json", "changed-only": "true", "baseline": "b.json", "waivers": "w.yaml", "tf-dir": "infra"},
            [
                "scan",
                "plan",
                "p.json",
                "--changed-only",
                "--tf-dir",
                "infra",
                "--waivers",
                "w.yaml",
                "--baseline",
                "b.json",
                "--format",
                "table",
            ],
        ),
    ],
)
def test_inputs_become_a_command_line(inputs: dict[str, str], expected: list[str]) -> None:
    assert build_argv({_env(k): v for k, v in inputs.items()}) == expected


def _run_action(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    summary.write_text("", encoding="utf-8")
    outputs.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", PREFIX))}
    env.update(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(outputs))
    env.update({_env(name): value for name, value in inputs.items()})
    proc = subprocess.run(
        [sys.executable, "-m", "hipaacheck.action"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    return proc, summary, outputs


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


def test_action_run_on_the_noncompliant_plan(tmp_path: Path) -> None:
    sarif, report = tmp_path / "hipaacheck.sarif", tmp_path / "report.json"
    proc, summary, outputs = _run_action(
        tmp_path,
        plan="fixtures/terraform/noncompliant/plan.json",
        aws="false",
        **{"sarif-file": str(sarif), "fail-on": "low", "reports": f"json={report}", "format": "table"},
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "PASSED" not in proc.stdout and "FAILED" in proc.stdout  # the table in the log
    errors = [line for line in proc.stderr.splitlines() if line.startswith("::error ")]
    notices = [line for line in proc.stderr.splitlines() if line.startswith("::notice ")]
    counts = load_json(report)["summary"]
    assert counts["fail"] > MAX_ANNOTATIONS
    assert len(errors) == MAX_ANNOTATIONS  # capped ...
    assert len(notices) == 1 and f"{counts['fail'] - MAX_ANNOTATIONS} more annotation(s) not shown" in notices[0]
    # ... critical findings first, each on its resource block's line
    assert re.match(r"^::error file=fixtures/terraform/noncompliant/\w+\.tf,line=\d+,endLine=\d+,title=", errors[0])
    assert "(critical%2C HIPAA " in errors[0]
    db = next(line for line in errors if "rds-instance-storage-encrypted" in line and "aws_db_instance.claims" in line)
    assert db.startswith("::error file=fixtures/terraform/noncompliant/databases.tf,line=19,endLine=42,title=")
    assert "%0ARemediation: " in db and "\n" not in db
    assert "AKIAIOSFODNN7EXAMPLE" not in proc.stderr and "wJalrXUtnFEMI" not in proc.stderr

    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## hipaacheck: ❌ FAILED: ") and "### Failing findings by safeguard" in text
    assert "fixtures/terraform/noncompliant/s3.tf:5" in text

    values = _outputs(outputs)
    assert values == {
        "failed": str(counts["fail"]),
        "failing": str(counts["fail"]),
        "passed": str(counts["pass"]),
        "unknown": str(counts["unknown"]),
        "errors": str(counts["error"]),
        "waived": "0",
        "result": "fail",
        "sarif-file": str(sarif),
    }
    document: dict[str, Any] = load_json(sarif)
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(document)


def test_action_run_on_the_compliant_plan(tmp_path: Path) -> None:
    proc, summary, outputs = _run_action(tmp_path, plan=str(COMPLIANT), **{"sarif-file": str(tmp_path / "s.sarif")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "::error" not in proc.stderr
    assert summary.read_text(encoding="utf-8").startswith("## hipaacheck: ✅ PASSED")
    values = _outputs(outputs)
    assert values["failed"] == "0" and values["result"] == "pass" and int(values["passed"]) > 0


def test_summary_is_appended_not_replaced(tmp_path: Path) -> None:
    proc, summary, _ = _run_action(tmp_path, plan=str(NONCOMPLIANT), **{"sarif-file": ""})
    assert proc.returncode == 1
    first = summary.read_text(encoding="utf-8")
    with open(summary, "a", encoding="utf-8") as handle:
        handle.write("earlier\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    subprocess.run(
        [sys.executable, "-m", "hipaacheck", "scan", "plan", str(NONCOMPLIANT)],
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert summary.read_text(encoding="utf-8").startswith(first + "earlier\n## hipaacheck:")


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        ({"plan": "p.json", "aws": "true"}, "set either 'plan' or 'aws: true', not both"),
        ({}, "nothing to scan"),
        ({"plan": "p.json", "changed-only": "maybe"}, "input 'changed-only' must be true or false"),
        ({"aws": "true", "changed-only": "true"}, "'changed-only' applies to plan scans"),
    ],
)
def test_action_input_errors(tmp_path: Path, inputs: dict[str, str], fragment: str) -> None:
    proc, _, outputs = _run_action(tmp_path, **inputs)
    assert proc.returncode == 2
    assert "::error title=hipaacheck action::" in proc.stderr and fragment in proc.stderr
    assert "Traceback" not in proc.stderr and outputs.read_text(encoding="utf-8") == ""


def test_no_github_flag_and_plain_runs_stay_quiet(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    proc = subprocess.run(
        [sys.executable, "-m", "hipaacheck", "scan", "plan", str(NONCOMPLIANT), "--no-github", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1 and "::error" not in proc.stderr and not summary.exists()
    json.loads(proc.stdout)  # annotations never mix into stdout


def test_action_with_waivers_and_baseline(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        f"  - {{policy: 's3-*', resource: 'aws_s3_bucket.*', reason: legacy buckets, owner: data-team, expires: {date.today() + timedelta(days=90)}}}\n"
        "  - {policy: '*', resource: 'account*', reason: old, owner: sec-team, expires: 2020-06-30}\n",
        encoding="utf-8",
    )
    baseline = tmp_path / "baseline.json"
    first, _, _ = _run_action(
        tmp_path, plan=str(NONCOMPLIANT), waivers=str(waivers), reports=f"json={baseline}", **{"sarif-file": ""}
    )
    assert first.returncode == 1
    # Outside the working directory, a file is named by its name alone (never an absolute path of the runner).
    assert f"::warning file={waivers.name},line=3,title=hipaacheck waiver expired::" in first.stderr
    proc, summary, outputs = _run_action(
        tmp_path, plan=str(NONCOMPLIANT), waivers=str(waivers), baseline=str(baseline), **{"sarif-file": ""}
    )
    assert proc.returncode == 0, proc.stderr[-2000:]  # nothing new since the baseline
    values = _outputs(outputs)
    assert values["failing"] == "0" and values["result"] == "pass"
    assert int(values["waived"]) > 10 and int(values["failed"]) > 10
    assert not [line for line in proc.stderr.splitlines() if line.startswith("::error")]
    assert any(line.startswith("::warning file=") for line in proc.stderr.splitlines())  # known failures
    text = summary.read_text(encoding="utf-8")
    assert "(baseline)" in text and f"### Waived ({values['waived']})" in text and "legacy buckets" in text
