"""``--config-from-git REV`` / the Action's ``config-from-base``: a pull request cannot loosen its own gate.

The config sets fail_on, which policies run and their parameters: a pull request that edits it
could skip the checks it fails. Read from the base commit, the reviewed config applies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hipaacheck.action import ActionInputError, build_argv

from .conftest import NONCOMPLIANT, Cli, assert_one_line_error, commit, git
from .test_action_inputs import _event
from .test_github_action import _run_action

REVIEWED = "fail_on: high\n"
LOOSENED = "fail_on: critical\nskip_policy: ['rds-*']\n"


def _rds(report: dict[str, object]) -> list[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [f["status"] for f in findings if f["policy_id"].startswith("rds-")]


def test_the_base_config_applies_not_the_pull_requests(cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = commit(repo, {".hipaacheck.yaml": REVIEWED}, "base")
    commit(repo, {".hipaacheck.yaml": LOOSENED}, "the pull request skips its RDS failures")
    monkeypatch.chdir(repo)
    head = json.loads(cli("scan", "plan", NONCOMPLIANT, "--format", "json").out)
    assert head["fail_on"] == "critical" and not _rds(head)  # what the pull request's own file would do
    result = cli("scan", "plan", NONCOMPLIANT, "--format", "json", "--config-from-git", base)
    report = json.loads(result.out)
    assert report["fail_on"] == "high" and "fail" in _rds(report)
    assert report["config"] == f".hipaacheck.yaml@{base[:12]}"
    assert result.code == 1
    assert (repo / ".hipaacheck.yaml").read_text() == LOOSENED  # the working tree is untouched


def test_a_base_without_the_file_means_no_config_and_says_so(
    cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = commit(repo, {"README": "x\n"}, "base")
    commit(repo, {".hipaacheck.yaml": LOOSENED}, "the pull request adds a config")
    monkeypatch.chdir(repo)
    result = cli("scan", "plan", NONCOMPLIANT, "--format", "json", "--config-from-git", base)
    report = json.loads(result.out)
    assert report["config"] is None and report["fail_on"] == "low" and "fail" in _rds(report)
    assert any("does not exist at" in note and "no config applies" in note for note in report["notes"])


def test_config_names_the_file_read_from_the_revision(cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = commit(repo, {"ci/hipaacheck.yaml": "policy: ['s3-bucket-versioning']\n"}, "base")
    commit(repo, {"ci/hipaacheck.yaml": "policy: ['guardduty-enabled']\n"}, "head")
    monkeypatch.chdir(repo)
    args = ("scan", "plan", NONCOMPLIANT, "--format", "json", "--config", "ci/hipaacheck.yaml")
    report = json.loads(cli(*args, "--config-from-git", base).out)
    assert {f["policy_id"] for f in report["findings"]} == {"s3-bucket-versioning"}
    assert report["config"] == f"ci/hipaacheck.yaml@{base[:12]}"


def test_mistakes_in_the_base_config_name_the_revision_and_line(
    cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = commit(repo, {".hipaacheck.yaml": "fail_on: high\nfail_on_unknown: 1\n"}, "base")
    monkeypatch.chdir(repo)
    result = cli("scan", "plan", NONCOMPLIANT, "--config-from-git", base)
    assert_one_line_error(result, f".hipaacheck.yaml@{base[:12]}:2:")
    for revision, fragment in (("--upload-pack=x", "is not a git revision"), ("nosuch", "no commit 'nosuch'")):
        assert_one_line_error(cli("scan", "plan", NONCOMPLIANT, f"--config-from-git={revision}"), fragment)


def test_a_symbolic_link_at_the_base_is_refused(cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "real.yaml").write_text(LOOSENED)
    (repo / ".hipaacheck.yaml").symlink_to("real.yaml")
    git(repo, "add", ".")
    base = commit(repo, {}, "base")
    monkeypatch.chdir(repo)
    assert_one_line_error(cli("scan", "plan", NONCOMPLIANT, "--config-from-git", base), "is a symbolic link")


def test_the_action_input_passes_the_base_commit(tmp_path: Path) -> None:
    sha = "b" * 40
    env = {
        **_event(tmp_path, {"pull_request": {"base": {"sha": sha}}}),
        "HIPAACHECK_INPUT_PLAN": "plan.json",
        "HIPAACHECK_INPUT_CONFIG_FROM_BASE": "true",
    }
    assert f"--config-from-git={sha}" in build_argv(env)
    with pytest.raises(ActionInputError, match="config-from-base needs a pull_request"):
        build_argv({"HIPAACHECK_INPUT_PLAN": "plan.json", "HIPAACHECK_INPUT_CONFIG_FROM_BASE": "true"})


def test_the_action_end_to_end_keeps_the_reviewed_gate(tmp_path: Path, repo: Path) -> None:
    base = commit(repo, {".hipaacheck.yaml": REVIEWED}, "base")
    commit(repo, {".hipaacheck.yaml": "exit_zero: true\n"}, "the pull request turns the gate off")
    report = tmp_path / "report.json"
    common = {"plan": str(NONCOMPLIANT), "sarif-file": "", "reports": f"json={report}"}
    event = _event(tmp_path, {"pull_request": {"base": {"sha": base}}})
    head, _, _ = _run_action(tmp_path, cwd=repo, extra_env=event, **common)
    assert head.returncode == 0, head.stderr[-2000:]  # the pull request's own config: soft fail
    proc, _, _ = _run_action(tmp_path, cwd=repo, extra_env=event, **common, **{"config-from-base": "true"})
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert json.loads(report.read_text())["config"] == f".hipaacheck.yaml@{base[:12]}"
