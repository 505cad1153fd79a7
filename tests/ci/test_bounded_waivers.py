"""Bounded waivers: no match-all, no far expiry, owner and coverage reported, read from the base commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from .conftest import NONCOMPLIANT, Cli, assert_one_line_error, git
from .test_gate import MODULES, SOON

# ---------------------------------------------------------------- bounded waivers


def _waivers(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("policy", ["*", "**", "?*"])
@pytest.mark.parametrize("resource", ["*", "*?"])
def test_match_all_waiver_is_refused(cli: Cli, tmp_path: Path, policy: str, resource: str) -> None:
    waivers = _waivers(
        tmp_path, f"  - {{policy: '{policy}', resource: '{resource}', reason: r, owner: o, expires: {SOON}}}\n"
    )
    result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers)
    assert_one_line_error(
        result, f"{waivers}:2:5: waiver 1: policy '{policy}' on resource '{resource}' would waive every"
    )


def test_match_all_on_one_side_only_is_allowed(cli: Cli, tmp_path: Path) -> None:
    waivers = _waivers(
        tmp_path,
        f"  - {{policy: '*', resource: 'aws_s3_bucket.claims', reason: r, owner: o, expires: {SOON}}}\n"
        f"  - {{policy: 's3-bucket-versioning', resource: '*', reason: r, owner: o, expires: {SOON}}}\n",
    )
    assert cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, "--format", "json").code == 1


def test_expiry_beyond_max_waiver_days_is_refused(cli: Cli, tmp_path: Path) -> None:
    far = (date.today() + timedelta(days=366)).isoformat()
    edge = (date.today() + timedelta(days=365)).isoformat()
    waivers = _waivers(tmp_path, f"  - {{policy: a, resource: b, reason: r, owner: o, expires: {far}}}\n")
    result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers)
    assert_one_line_error(result, f"waiver 1: expires {far}, more than 365 days after today")
    waivers.write_text(f"waivers:\n  - {{policy: a, resource: b, reason: r, owner: o, expires: {edge}}}\n")
    assert cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers).code == 1  # exactly 365 days: allowed
    result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, "--max-waiver-days", "30")
    assert_one_line_error(result, "more than 30 days after today")
    with pytest.raises(SystemExit) as exit_info:  # argparse refuses it before main() runs
        cli("scan", "plan", NONCOMPLIANT, "--max-waiver-days", "-1")
    assert exit_info.value.code == 2


def test_each_waiver_reports_its_owner_and_coverage(cli: Cli, tmp_path: Path) -> None:
    waivers = _waivers(
        tmp_path,
        f"  - {{policy: 's3-bucket-*', resource: aws_s3_bucket.claims, reason: legacy, owner: data-team, expires: {SOON}}}\n"
        f"  - {{policy: kms-key-rotation, resource: aws_kms_key.nothing, reason: r, owner: sec-team, expires: {SOON}}}\n"
        "  - {policy: 'rds-*', resource: '*', reason: old, owner: dba-team, expires: 2020-01-01}\n",
    )
    markdown = tmp_path / "r.md"
    result = cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, "--report", f"markdown={markdown}")
    # The file is named by its name alone: outside the working directory, never an absolute local path.
    assert f"waiver {waivers.name}:2: s3-bucket-* on aws_s3_bucket.claims, owner data-team," in result.out.replace(
        "\n  ", " "
    )
    assert "covers 5 findings" in result.out and "covers 0 findings" in result.out
    text = markdown.read_text(encoding="utf-8")
    assert "### Waivers in the file (3)" in text
    assert "| Waiver | Policy | Resource | Owner | Expires | Findings covered |" in text
    assert "| data-team | " in text and f"| {SOON} | 5 |" in text and "| 2020-01-01 | 0 |" in text
    report = json.loads(cli("scan", "plan", NONCOMPLIANT, "--waivers", waivers, "--format", "json").out)
    entries = report["gate"]["waivers"]["entries"]
    assert [(e["owner"], e["covers"], e["expired"]) for e in entries] == [
        ("data-team", 5, False),
        ("sec-team", 0, False),
        ("dba-team", 0, True),
    ]


# ---------------------------------------------------------------- waivers from the base commit


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A repository whose base commit waives one policy; the working tree widens it, as a pull request would."""
    work = tmp_path / "repo"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    waiver = (
        f"  - {{policy: s3-bucket-versioning, resource: aws_s3_bucket.claims, reason: r, owner: o, expires: {SOON}}}\n"
    )
    (work / ".hipaacheck-waivers.yaml").write_text("waivers:\n" + waiver, encoding="utf-8")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "base")
    base = git(work, "rev-parse", "HEAD")
    widened = (
        waiver + f"  - {{policy: 's3-*', resource: 'aws_s3_bucket.*', reason: mine, owner: me, expires: {SOON}}}\n"
    )
    (work / ".hipaacheck-waivers.yaml").write_text("waivers:\n" + widened, encoding="utf-8")
    git(work, "commit", "-q", "-am", "widen")
    monkeypatch.chdir(work)
    return work, base


def test_waivers_from_git_read_the_base_version(cli: Cli, repo: tuple[Path, str]) -> None:
    _, base = repo
    head = json.loads(cli("scan", "plan", NONCOMPLIANT, "--format", "json").out)
    from_base = json.loads(cli("scan", "plan", NONCOMPLIANT, "--format", "json", "--waivers-from-git", base).out)
    assert head["summary"]["waived"] > 1
    assert from_base["summary"]["waived"] == 1
    assert from_base["gate"]["waivers"]["revision"] == base
    assert from_base["gate"]["waivers"]["file"] == ".hipaacheck-waivers.yaml"


def test_waivers_from_git_without_the_file_at_base_means_none(cli: Cli, repo: tuple[Path, str]) -> None:
    work, base = repo
    git(work, "mv", ".hipaacheck-waivers.yaml", "w2.yaml")
    git(work, "commit", "-q", "-m", "move")
    result = cli("scan", "plan", NONCOMPLIANT, "--format", "json", "--waivers", "w2.yaml", "--waivers-from-git", base)
    report = json.loads(result.out)
    assert report["summary"]["waived"] == 0
    assert "w2.yaml does not exist at " in result.err and any("no waivers apply" in n for n in report["notes"])


@pytest.mark.parametrize(
    ("revision", "fragment"),
    [
        ("--upload-pack=x", "is not a git revision"),
        ("nosuchbranch", "no commit 'nosuchbranch'"),
        ("0" * 40, "is not in the checkout and fetching it failed"),
    ],
)
def test_waivers_from_git_bad_revision_is_one_line(
    cli: Cli, repo: tuple[Path, str], revision: str, fragment: str
) -> None:
    assert_one_line_error(cli("scan", "plan", NONCOMPLIANT, f"--waivers-from-git={revision}"), fragment)


def test_waivers_from_git_outside_a_repository(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert_one_line_error(cli("scan", "plan", NONCOMPLIANT, "--waivers-from-git", "HEAD"), "is not in a git repository")


# ---------------------------------------------------------------- the Action


def _action_env(cwd: Path, event: dict[str, object] | None, **inputs: str) -> dict[str, str]:
    from hipaacheck.action import PREFIX

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", PREFIX))}
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(cwd / "summary.md"),
        GITHUB_OUTPUT=str(cwd / "outputs.txt"),
        GITHUB_EVENT_NAME="pull_request" if event else "push",
    )
    if event is not None:
        (cwd / "event.json").write_text(json.dumps(event), encoding="utf-8")
        env["GITHUB_EVENT_PATH"] = str(cwd / "event.json")
    env.update({PREFIX + name.upper().replace("-", "_"): value for name, value in inputs.items()})
    return env


def _action(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:

    return subprocess.run(
        [sys.executable, "-m", "hipaacheck.action"], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def test_action_inputs_for_the_gate(tmp_path: Path) -> None:
    from hipaacheck.action import ActionInputError, build_argv

    env = _action_env(tmp_path, {"pull_request": {"base": {"sha": "a" * 40}}}, plan="p.json")
    env.update(HIPAACHECK_INPUT_FAIL_ON_UNKNOWN="true", HIPAACHECK_INPUT_WAIVERS_FROM_BASE="true")
    argv = build_argv(env)
    assert "--fail-on-unknown" in argv and f"--waivers-from-git={'a' * 40}" in argv
    merge_group = _action_env(tmp_path, {"merge_group": {"base_sha": "b" * 40}}, plan="p.json")
    merge_group["HIPAACHECK_INPUT_WAIVERS_FROM_BASE"] = "true"
    assert f"--waivers-from-git={'b' * 40}" in build_argv(merge_group)
    push = _action_env(tmp_path, {"ref": "refs/heads/main"}, plan="p.json")
    push["HIPAACHECK_INPUT_WAIVERS_FROM_BASE"] = "true"
    with pytest.raises(ActionInputError, match="needs a pull_request or merge_group event"):
        build_argv(push)


def test_action_fail_on_unknown_end_to_end(tmp_path: Path) -> None:
    env = _action_env(tmp_path, None, plan=str(MODULES), **{"sarif-file": "", "fail-on-unknown": "true"})
    proc = _action(tmp_path, env)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "--fail-on-unknown" in proc.stderr.splitlines()[0]
    outputs = dict(line.split("=", 1) for line in (tmp_path / "outputs.txt").read_text().splitlines())
    assert outputs["result"] == "fail"
    assert "of them unknown, --fail-on-unknown" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_action_waivers_from_base_end_to_end(repo: tuple[Path, str]) -> None:
    work, base = repo
    event = {"pull_request": {"base": {"sha": base}}}
    plan = str(NONCOMPLIANT)
    head = _action(work, _action_env(work, event, plan=plan, **{"sarif-file": "", "format": "json"}))
    from_base = _action(
        work, _action_env(work, event, plan=plan, **{"sarif-file": "", "format": "json", "waivers-from-base": "true"})
    )
    assert head.returncode == from_base.returncode == 1, from_base.stderr[-2000:]
    assert json.loads(head.stdout)["summary"]["waived"] > 1
    report = json.loads(from_base.stdout)
    assert report["summary"]["waived"] == 1 and report["gate"]["waivers"]["revision"] == base


def test_action_echo_of_hostile_inputs_is_inert(tmp_path: Path) -> None:
    from .test_no_forgery import OWN_ANNOTATION, runner_commands

    env = _action_env(tmp_path, None, plan="x\n::error::forged\n##[warning]legacy", **{"fail-on": "low\n::add-mask::x"})
    proc = _action(tmp_path, env)
    assert proc.returncode == 2
    assert all(OWN_ANNOTATION.match(line) for line in runner_commands(proc.stderr)), proc.stderr


def test_action_scope_change_and_bounded_waivers_end_to_end(tmp_path: Path) -> None:
    from .test_gate import SCOPE_CHANGE

    proc = _action(tmp_path, _action_env(tmp_path, None, plan=str(SCOPE_CHANGE), **{"sarif-file": ""}))
    assert proc.returncode == 1
    assert any(line.startswith("::error ") and "hipaacheck scope-change" in line for line in proc.stderr.splitlines())
    assert "scope-change" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    blanket = _waivers(tmp_path, f"  - {{policy: '*', resource: '*', reason: r, owner: o, expires: {SOON}}}\n")
    proc = _action(tmp_path, _action_env(tmp_path, None, plan=str(SCOPE_CHANGE), waivers=str(blanket)))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines()[-1].startswith(f"hipaacheck: error: {blanket}:2:5: waiver 1: policy '*'")
