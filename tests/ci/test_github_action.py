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

from hipaacheck.action import INPUTS, PREFIX, SWITCHES, build_argv
from hipaacheck.reporters.github import PER_LEVEL, escape_data, escape_property

from ..conftest import ROOT
from .conftest import COMPLIANT, NONCOMPLIANT, SARIF_SCHEMA, load_json

ACTION = ROOT / "action.yml"


def _env(name: str) -> str:
    return PREFIX + name.upper().replace("-", "_")


def test_workflow_command_escaping() -> None:
    assert escape_data("100%\r\ndone") == "100%25%0D%0Adone"
    assert escape_property("a,b:c%\nd") == "a%2Cb%3Ac%25%0Ad"


def _action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return loaded


def _scan_step() -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in _action()["runs"]["steps"] if s.get("id") == "scan")
    return step


def test_action_yml_is_a_composite_action_that_uses_every_input() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert any(str(s.get("uses", "")).startswith("actions/setup-python@") for s in steps)
    text = yaml.safe_dump(steps)
    assert '"$GITHUB_ACTION_PATH/scripts/action-install"' in text and "-I -m hipaacheck.action" in text
    declared = set(action["inputs"])
    assert declared == {*INPUTS, "python-version"}
    for name in declared:
        assert f"inputs.{name} }}}}" in text, f"input {name} is declared but never used"
    scan = _scan_step()
    for name in INPUTS:  # each input reaches Python as an env var, never through the shell
        assert scan["env"][_env(name)] == f"${{{{ inputs.{name} }}}}"
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "an expression in run: would be pasted into the shell script"
    for output in ("failed", "passed", "unknown", "errors", "sarif-file"):
        assert action["outputs"][output]["value"] == f"${{{{ steps.scan.outputs.{output} }}}}"


def test_examples_are_valid_workflows() -> None:
    examples = ROOT / "examples"
    names = {p.name for p in examples.glob("*.yml")}
    assert {"pr-plan-gate.yml", "nightly-live-scan.yml", "adopt-with-baseline.yml"} <= names
    gate = yaml.safe_load((examples / "pr-plan-gate.yml").read_text(encoding="utf-8"))
    assert gate["jobs"]["hipaacheck"]["permissions"]["security-events"] == "write"
    steps = gate["jobs"]["hipaacheck"]["steps"]
    assert any(str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@") for s in steps)
    nightly = yaml.safe_load((examples / "nightly-live-scan.yml").read_text(encoding="utf-8"))
    steps = nightly["jobs"]["live-scan"]["steps"]
    assert any(str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@") for s in steps)
    assert any(s.get("with", {}).get("aws") is True for s in steps)
    assert nightly["jobs"]["live-scan"]["permissions"]["id-token"] == "write"
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
                "--fail-on=high",
                "--policies=a",
                "--policies=b",
                "--policies=c",
                "--format=table",
                "--report=sarif=h.sarif",
                "--",
                "p.json",
            ],
        ),
        (
            {"aws": "true", "aws-regions": "us-east-1,eu-west-1", "format": "json", "reports": "junit=j.xml\n"},
            ["scan", "aws", "--region=us-east-1", "--region=eu-west-1", "--format=json", "--report=junit=j.xml"],
        ),
        (
            {"plan": "p.json", "changed-only": "true", "baseline": "b.json", "waivers": "w.yaml", "tf-dir": "infra"},
            [
                "scan",
                "plan",
                "--changed-only",
                "--tf-dir=infra",
                "--waivers=w.yaml",
                "--baseline=b.json",
                "--format=table",
                "--",
                "p.json",
            ],
        ),
        (  # the inputs whose CLI flags are new this release (issue 10 item 5, issue 13 item 5)
            {
                "plan": "-plan.json",  # a path that looks like an option stays a file argument
                "config": "ci/.hipaacheck.yaml",
                "policy": "s3-*\nrds-instance-storage-encrypted",
                "skip-policy": "s3-bucket-access-logging, *-backup-*",
                "allow-incomplete": "true",
                "exit-zero": "yes",
                "show-passed": "on",
                "fail-on-unknown": "1",
                "tf-dir": "-infra",
            },
            [
                "scan",
                "plan",
                "--config=ci/.hipaacheck.yaml",
                "--tf-dir=-infra",
                "--policy=s3-*",
                "--policy=rds-instance-storage-encrypted",
                "--skip-policy=s3-bucket-access-logging",
                "--skip-policy=*-backup-*",
                "--allow-incomplete",
                "--exit-zero",
                "--show-passed",
                "--fail-on-unknown",
                "--format=table",
                "--",
                "-plan.json",
            ],
        ),
        (
            {"aws": "true", "exit-zero": "false", "fail-on-unknown": "no", "policy": "iam-*", "config": "c.yaml"},
            ["scan", "aws", "--config=c.yaml", "--policy=iam-*", "--format=table"],
        ),
    ],
)
def test_inputs_become_a_command_line(inputs: dict[str, str], expected: list[str]) -> None:
    assert build_argv({_env(k): v for k, v in inputs.items()}) == expected


def test_every_switch_input_maps_to_its_cli_flag() -> None:
    for name, flag in SWITCHES.items():
        argv = build_argv({_env("plan"): "p.json", _env(name): "true"})
        assert flag in argv and argv.index(flag) < argv.index("--"), name
        assert flag not in build_argv({_env("plan"): "p.json", _env(name): "false"})


def test_the_command_line_parses_as_the_cli_reads_it() -> None:
    from hipaacheck.cli import build_parser

    argv = build_argv({_env("plan"): "-p.json", _env("tf-dir"): "-infra", _env("fail-on"): "high"})
    args = build_parser().parse_args(argv)
    assert str(args.path) == "-p.json" and str(args.tf_dir) == "-infra" and args.fail_on == "high"


def _run_action(
    tmp_path: Path, cwd: Path = ROOT, extra_env: dict[str, str] | None = None, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """Run action.yml's scan step as the runner would: its env mapping, its bash command, the inputs' defaults."""
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    summary.write_text("", encoding="utf-8")
    outputs.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", PREFIX))}
    env.update(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(outputs))
    env.update(extra_env or {})
    declared = _action()["inputs"]
    step = _scan_step()
    for name, template in step["env"].items():
        if match := re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", template):
            input_name = match.group(1)
            env[name] = inputs.pop(input_name, str(declared[input_name].get("default", "")))
        else:
            assert template == "${{ steps.install.outputs.python }}", template
            env[name] = sys.executable  # this test's interpreter stands in for the Action's virtual environment
    assert not inputs, f"inputs action.yml does not declare: {sorted(inputs)}"
    proc = subprocess.run(
        ["bash", "-c", step["run"]], capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False
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
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("::warning ")]
    notices = [line for line in proc.stderr.splitlines() if line.startswith("::notice ")]
    counts = load_json(report)["summary"]
    assert counts["fail"] > PER_LEVEL
    assert len(errors) == PER_LEVEL and len(warnings) == min(counts["error"], PER_LEVEL)  # GitHub's per-step cap
    hidden = counts["fail"] - PER_LEVEL
    assert len(notices) == 1 and f"::{hidden} error and 0 warning annotation(s) not shown" in notices[0]
    assert "job summary" in notices[0] and "SARIF" in notices[0]
    # ... the worst first (every critical failure before any high one), each on its resource block's line
    severities = [re.search(r"\((critical|high|medium|low)%2C HIPAA", line).group(1) for line in errors]  # type: ignore[union-attr]
    ranks = ["critical", "high", "medium", "low"]
    assert [ranks.index(s) for s in severities] == sorted(ranks.index(s) for s in severities)
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


def test_gitlab_example_keeps_junit_and_sarif_as_artifacts() -> None:
    import shlex

    from hipaacheck.cli import build_parser

    pipeline = yaml.safe_load((ROOT / "examples" / "gitlab" / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = pipeline["hipaacheck"]
    assert any("scripts/action-install" in line for line in job["before_script"])
    assert (ROOT / "scripts" / "action-install").is_file()
    (command,) = job["script"]
    words = shlex.split(command)
    assert words[0] == "/tmp/hipaacheck-venv/bin/hipaacheck"
    args = build_parser().parse_args(words[1:])
    reports = dict((fmt, str(path)) for fmt, path in args.report)
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"]["junit"] == reports["junit"]
    assert {reports["junit"], reports["sarif"]} <= set(artifacts["paths"])
    assert str(args.path) == pipeline["terraform-plan"]["artifacts"]["paths"][0]


def test_show_passed_input_reaches_the_table(tmp_path: Path) -> None:
    quiet, _, _ = _run_action(tmp_path, plan=str(COMPLIANT), **{"sarif-file": ""})
    shown, _, _ = _run_action(tmp_path, plan=str(COMPLIANT), **{"sarif-file": "", "show-passed": "true"})
    assert quiet.returncode == shown.returncode == 0
    passed = int(_outputs(tmp_path / "outputs.txt")["passed"])
    assert quiet.stdout.count("PASS") < passed <= shown.stdout.count("PASS")
    assert "--show-passed" in shown.stderr.splitlines()[0]


def test_selection_soft_fail_and_config_inputs_run_end_to_end(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc, _, outputs = _run_action(
        tmp_path,
        plan=str(NONCOMPLIANT),
        policy="s3-*\nrds-instance-*",
        **{
            "skip-policy": "s3-bucket-versioning",
            "exit-zero": "true",
            "sarif-file": "",
            "reports": f"json={report}",
        },
    )
    assert proc.returncode == 0, proc.stderr[-2000:]  # soft fail: failures reported, the step passes
    document = load_json(report)
    policies = {f["policy_id"] for f in document["findings"]}
    assert policies and all(p.startswith(("s3-", "rds-instance-")) for p in policies)
    assert "s3-bucket-versioning" not in policies
    assert document["summary"]["fail"] > 0 and _outputs(outputs)["result"] == "fail"

    config = tmp_path / ".hipaacheck.yaml"
    config.write_text("fail-on: critical\npolicy: ['s3-bucket-versioning']\n", encoding="utf-8")
    proc, _, outputs = _run_action(
        tmp_path, plan=str(NONCOMPLIANT), config=str(config), **{"sarif-file": "", "reports": f"json={report}"}
    )
    # Only a high-severity policy runs and the config's threshold is critical: nothing gates. The
    # Action's fail-on input is empty by default, so it does not override the config file's.
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert load_json(report)["fail_on"] == "critical" and _outputs(outputs)["failing"] == "0"
