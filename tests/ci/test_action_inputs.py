"""The Action's guard rails: annotation caps, one-line inputs, isolated imports, waivers from the base commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from hipaacheck.action import PREFIX, SCALAR_INPUTS, ActionInputError, base_commit, build_argv
from hipaacheck.models import Finding, Resource, Severity, Status
from hipaacheck.report import Report, Waiver
from hipaacheck.reporters.github import PER_LEVEL, annotation_lines
from hipaacheck.sources.errors import InputError
from hipaacheck.waivers import WaiverSet
from hipaacheck.waivers_git import load_waivers_from_git

from .conftest import NONCOMPLIANT, commit, git, load_json
from .test_github_action import _outputs, _run_action


def _env(name: str) -> str:
    return PREFIX + name.upper().replace("-", "_")


# --- annotation caps ----------------------------------------------------------


def _finding(policy: str, severity: Severity, status: Status = Status.FAIL) -> Finding:
    resource = Resource(type="x", address=f"aws_s3_bucket.{policy}", source="terraform-plan", attrs={})
    return Finding(policy, "t", severity, status, ("164.312(b)",), resource, "m", "fix")


def _kinds(lines: list[str]) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {"error": [], "warning": [], "notice": []}
    for line in lines:
        kinds[line[2:].split(" ", 1)[0]].append(line)
    return kinds


def test_each_level_is_capped_at_ten_the_worst_first_with_one_notice() -> None:
    findings = [_finding(f"low-{i:02}", Severity.LOW) for i in range(6)]
    findings += [_finding(f"crit-{i:02}", Severity.CRITICAL) for i in range(7)]
    findings += [_finding(f"high-{i:02}", Severity.HIGH) for i in range(5)]
    findings += [_finding(f"err-{i:02}", Severity.MEDIUM, Status.ERROR) for i in range(8)]
    report = Report(source={}, findings=findings, fail_on=Severity.HIGH)  # low failures do not gate
    expired = [
        Waiver(policy=f"old-{i}", resource="*", reason="r", owner="o", expires=date(2020, 1, 1), file="w.yaml", line=i)
        for i in (3, 9)
    ]
    waivers = WaiverSet("w.yaml", [], expired)
    kinds = _kinds(annotation_lines(report, waivers))
    assert len(kinds["error"]) == PER_LEVEL == 10
    # The 7 critical failures, then 3 of the 5 high ones: no high before a critical.
    assert [line.count("(critical%2C") for line in kinds["error"]] == [1] * 7 + [0] * 3
    assert len(kinds["warning"]) == PER_LEVEL
    assert kinds["warning"][0].startswith("::warning file=w.yaml,line=3,title=hipaacheck waiver expired::")
    assert kinds["warning"][1].startswith("::warning file=w.yaml,line=9,")
    assert all("err-" in line for line in kinds["warning"][2:])  # checks that could not run before low failures
    (notice,) = kinds["notice"]
    # 12 gating failures (7 critical + 5 high), 16 warnings (2 waivers + 8 errors + 6 low failures).
    assert "::2 error and 6 warning annotation(s) not shown" in notice
    assert "job summary" in notice and "SARIF" in notice


def test_a_scope_change_is_annotated_before_more_severe_failures() -> None:
    findings = [_finding(f"crit-{i:02}", Severity.CRITICAL) for i in range(PER_LEVEL + 2)]
    findings.append(_finding("scope-change", Severity.MEDIUM))
    errors = _kinds(annotation_lines(Report(source={}, findings=findings)))["error"]
    assert len(errors) == PER_LEVEL and "hipaacheck scope-change (medium" in errors[0]


def test_no_notice_when_everything_fits() -> None:
    findings = [_finding(f"crit-{i}", Severity.CRITICAL) for i in range(PER_LEVEL)]
    findings += [_finding(f"err-{i}", Severity.LOW, Status.ERROR) for i in range(PER_LEVEL)]
    kinds = _kinds(annotation_lines(Report(source={}, findings=findings)))
    assert (len(kinds["error"]), len(kinds["warning"]), kinds["notice"]) == (PER_LEVEL, PER_LEVEL, [])


# --- one-line inputs ------------------------------------------------------------


@pytest.mark.parametrize("name", SCALAR_INPUTS)
def test_a_line_break_in_a_one_line_input_is_refused(name: str) -> None:
    env = {_env("plan"): "p.json", _env(name): "x\n::add-mask::y" if name != "plan" else "p.json\nq.json"}
    with pytest.raises(ActionInputError, match=f"input '{name}' must be a single line"):
        build_argv(env)
    env[_env(name)] = "x\r--exit-zero"
    with pytest.raises(ActionInputError, match="single line"):
        build_argv(env)


def test_trailing_newlines_from_yaml_block_scalars_are_fine() -> None:
    assert build_argv({_env("plan"): "p.json\n", _env("fail-on"): "high\n"})[-3:] == ["--format=table", "--", "p.json"]


def test_the_action_refuses_a_multiline_input_in_one_line(tmp_path: Path) -> None:
    proc, _, outputs = _run_action(tmp_path, plan=str(NONCOMPLIANT), **{"tf-dir": "infra\n::stop-commands::x"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines == [
        "::error title=hipaacheck action::input 'tf-dir' must be a single line (it contains a line break)",
        "hipaacheck: error: input 'tf-dir' must be a single line (it contains a line break)",
    ]
    assert outputs.read_text(encoding="utf-8") == ""


# --- isolated imports -----------------------------------------------------------


def test_a_hipaacheck_folder_in_the_workspace_is_not_imported(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    planted = workspace / "hipaacheck"
    planted.mkdir(parents=True)
    marker = tmp_path / "planted-code-ran"
    (planted / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    (planted / "action.py").write_text("", encoding="utf-8")
    proc, _, _ = _run_action(tmp_path, cwd=workspace, plan=str(NONCOMPLIANT), **{"sarif-file": ""})
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert not marker.exists()
    # The control: without -I, Python puts the working directory first and runs the planted code.
    env = {**os.environ, _env("plan"): str(NONCOMPLIANT)}
    subprocess.run(
        [sys.executable, "-m", "hipaacheck.action"], cwd=workspace, env=env, capture_output=True, check=False
    )
    assert marker.exists()


# --- waivers-from-base ------------------------------------------------------------

# Within any max_waiver_days bound: an expiry decades out would be refused as unbounded.
_EXPIRES = (date.today() + timedelta(days=90)).isoformat()
S3_WAIVER = (
    f"  - {{policy: 's3-*', resource: 'aws_s3_bucket.*', reason: legacy, owner: data-team, expires: {_EXPIRES}}}\n"
)
RDS_WAIVER = (
    f"  - {{policy: 'rds-*', resource: 'aws_db_instance.*', reason: mine, owner: pr-author, expires: {_EXPIRES}}}\n"
)


def _event(tmp_path: Path, payload: object) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return {"GITHUB_EVENT_PATH": str(path), "RUNNER_TEMP": str(tmp_path)}


def test_the_base_commit_comes_from_the_event(tmp_path: Path) -> None:
    sha = "a" * 40
    assert base_commit(_event(tmp_path, {"pull_request": {"base": {"sha": sha}}})) == sha
    assert base_commit(_event(tmp_path, {"merge_group": {"base_sha": sha}})) == sha
    bad_payloads: list[object] = [
        {"pull_request": {"base": {"sha": "HEAD~1"}}},
        {"pull_request": {"base": {"sha": "--output=x"}}},
        {"ref": "refs/heads/main"},  # push, schedule ...: no base commit to read from
        [],
    ]
    for bad in bad_payloads:
        with pytest.raises(ActionInputError, match="waivers-from-base needs a pull_request or merge_group event"):
            base_commit(_event(tmp_path, bad))
    with pytest.raises(ActionInputError, match="waivers-from-base needs"):
        base_commit({})


def test_the_pull_request_cannot_waive_its_own_findings(tmp_path: Path, repo: Path) -> None:
    waivers = ".hipaacheck-waivers.yaml"
    base = commit(repo, {waivers: "waivers:\n" + S3_WAIVER}, "base")
    commit(repo, {waivers: "waivers:\n" + S3_WAIVER + RDS_WAIVER}, "the pull request waives its RDS findings")
    report = tmp_path / "report.json"
    common = {"plan": str(NONCOMPLIANT), "sarif-file": "", "reports": f"json={report}"}
    event = _event(tmp_path, {"pull_request": {"base": {"sha": base}}})

    head, _, head_outputs = _run_action(tmp_path, cwd=repo, extra_env=event, **common)
    assert head.returncode == 1, head.stderr[-2000:]
    head_waived = {f["policy_id"] for f in load_json(report)["findings"] if f["status"] == "waived"}
    assert any(p.startswith("rds-") for p in head_waived)  # what the pull request's own file would do
    head_count = int(_outputs(head_outputs)["waived"])

    proc, _, outputs = _run_action(tmp_path, cwd=repo, extra_env=event, **common, **{"waivers-from-base": "true"})
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert f"--waivers-from-git={base}" in proc.stderr.splitlines()[0]
    assert load_json(report)["gate"]["waivers"]["revision"] == base
    waived = {f["policy_id"] for f in load_json(report)["findings"] if f["status"] == "waived"}
    assert waived and all(p.startswith("s3-") for p in waived)
    assert 0 < int(_outputs(outputs)["waived"]) < head_count
    assert (repo / waivers).read_text(encoding="utf-8").endswith(RDS_WAIVER)  # the checkout is untouched


def test_no_waivers_file_in_the_base_means_no_waivers(tmp_path: Path, repo: Path) -> None:
    base = commit(repo, {"README": "x\n"}, "base")
    commit(repo, {".hipaacheck-waivers.yaml": "waivers:\n" + S3_WAIVER}, "the pull request adds waivers")
    event = _event(tmp_path, {"pull_request": {"base": {"sha": base}}})
    proc, _, outputs = _run_action(
        tmp_path, cwd=repo, extra_env=event, plan=str(NONCOMPLIANT), **{"waivers-from-base": "true", "sarif-file": ""}
    )
    assert proc.returncode == 1 and f"does not exist at {base[:12]}: no waivers apply" in proc.stderr
    assert _outputs(outputs)["waived"] == "0"


def test_outside_a_pull_request_the_input_is_refused_not_ignored(tmp_path: Path, repo: Path) -> None:
    commit(repo, {".hipaacheck-waivers.yaml": "waivers:\n" + S3_WAIVER}, "main")
    event = {**_event(tmp_path, {"ref": "refs/heads/main"}), "GITHUB_EVENT_NAME": "push"}
    proc, _, outputs = _run_action(
        tmp_path, cwd=repo, extra_env=event, plan=str(NONCOMPLIANT), **{"waivers-from-base": "true", "sarif-file": ""}
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "needs a pull_request or merge_group event with a base commit (this is push)" in proc.stderr
    assert outputs.read_text(encoding="utf-8") == ""


def test_a_base_commit_missing_from_a_shallow_clone_is_one_clear_error(tmp_path: Path, repo: Path) -> None:
    commit(repo, {"README": "x\n"}, "head")
    event = _event(tmp_path, {"pull_request": {"base": {"sha": "b" * 40}}})
    proc, _, outputs = _run_action(
        tmp_path, cwd=repo, extra_env=event, plan=str(NONCOMPLIANT), **{"waivers-from-base": "true"}
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"commit {'b' * 40} is not in the checkout and fetching it failed" in proc.stderr
    assert "check out with fetch-depth: 0" in proc.stderr
    assert outputs.read_text(encoding="utf-8") == ""


def test_the_waivers_path_and_blob_are_checked(repo: Path) -> None:
    (repo / "real.yaml").write_text("waivers:\n" + S3_WAIVER, encoding="utf-8")
    (repo / "link.yaml").symlink_to("real.yaml")
    (repo / "sub").mkdir()
    (repo / "sub" / "w.yaml").write_text("waivers: []\n", encoding="utf-8")
    (repo / "big.yaml").write_text("#" * ((1 << 20) + 1), encoding="utf-8")
    git(repo, "add", "real.yaml", "link.yaml", "sub/w.yaml", "big.yaml")
    sha = commit(repo, {}, "base")

    def read(path: str, cwd: Path = repo) -> WaiverSet:
        return load_waivers_from_git(sha, Path(path), cwd=cwd)

    assert [w.policy for w in read("real.yaml").active] == ["s3-*"]
    assert read("w.yaml", repo / "sub").active == []  # relative to the working directory
    assert read("sub/../sub/w.yaml").file == "sub/w.yaml"
    assert read("absent.yaml").notes  # no such file: no waivers, said so
    for path, message in [
        ("link.yaml", "is a symbolic link, not a file"),
        ("sub", "is a folder, not a file"),
        ("big.yaml", "is larger than 1 MiB"),
        ("../outside.yaml", "is outside the repository"),
        ("/etc/passwd", "is outside the repository"),
    ]:
        with pytest.raises(InputError, match=message):
            read(path)
    with pytest.raises(InputError, match="is not a git revision"):
        load_waivers_from_git("--output=x", Path("real.yaml"), cwd=repo)


def test_a_symbolic_link_in_the_pull_request_cannot_redirect_the_read(tmp_path: Path, repo: Path) -> None:
    # The base has the production waivers (S3 only) and a broader file for another environment;
    # the pull request turns the production file into a link to the broader one.
    base = commit(
        repo,
        {
            ".hipaacheck-waivers.yaml": "waivers:\n" + S3_WAIVER,
            "staging-waivers.yaml": "waivers:\n" + S3_WAIVER + RDS_WAIVER,
        },
        "base",
    )
    git(repo, "rm", "-q", ".hipaacheck-waivers.yaml")
    (repo / ".hipaacheck-waivers.yaml").symlink_to("staging-waivers.yaml")
    git(repo, "add", ".hipaacheck-waivers.yaml")
    commit(repo, {}, "link the production waivers to the staging ones")
    report = tmp_path / "report.json"
    event = _event(tmp_path, {"pull_request": {"base": {"sha": base}}})
    proc, _, _ = _run_action(
        tmp_path,
        cwd=repo,
        extra_env=event,
        plan=str(NONCOMPLIANT),
        reports=f"json={report}",
        **{"waivers-from-base": "true", "sarif-file": ""},
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    waived = {f["policy_id"] for f in load_json(report)["findings"] if f["status"] == "waived"}
    assert waived and all(p.startswith("s3-") for p in waived)  # the base's production file, not staging's
