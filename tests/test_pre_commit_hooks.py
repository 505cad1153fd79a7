"""`.pre-commit-hooks.yaml`: every hook's entry runs as pre-commit would run it (issue 10 item 8)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT

HOOKS: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
BY_ID = {hook["id"]: hook for hook in HOOKS}
POLICY = ROOT / "policies" / "integrity" / "s3-bucket-versioning.yaml"


def _run(hook: dict[str, Any], files: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The hook's entry with the files pre-commit would pass (none when pass_filenames is false)."""
    command = shlex.split(hook["entry"])
    assert command[0] == "hipaacheck"  # the console script that `language: python` installs
    passed = [f for f in files if re.search(hook["files"], f)] if hook.get("pass_filenames", True) else []
    return subprocess.run(
        [sys.executable, "-m", "hipaacheck", *command[1:], *passed],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_hooks_are_well_formed() -> None:
    assert set(BY_ID) == {"hipaacheck-policies-validate", "hipaacheck-policies-test", "hipaacheck-attest-check"}
    for hook in HOOKS:
        assert {"id", "name", "entry", "language", "files"} <= set(hook) and hook["language"] == "python"
        re.compile(hook["files"])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "policies").mkdir()
    shutil.copy(POLICY, tmp_path / "policies" / POLICY.name)
    return tmp_path


@pytest.mark.parametrize("hook_id", ["hipaacheck-policies-validate", "hipaacheck-policies-test"])
def test_policy_hooks_pass_good_files_and_fail_bad_ones(repo: Path, hook_id: str) -> None:
    hook = BY_ID[hook_id]
    good = _run(hook, ["policies/s3-bucket-versioning.yaml", "README.md"], repo)
    assert good.returncode == 0, good.stdout + good.stderr
    path = repo / "policies" / "s3-bucket-versioning.yaml"
    if hook_id.endswith("validate"):
        path.write_text(path.read_text().replace("op: equals", "op: equal"))
        bad = _run(hook, ["policies/s3-bucket-versioning.yaml"], repo)
        assert bad.returncode == 2 and "policies/s3-bucket-versioning.yaml:" in bad.stderr
    else:
        # An example that no longer behaves: the pass example now fails.
        path.write_text(path.read_text().replace("value: true", "value: false", 1))
        bad = _run(hook, ["policies/s3-bucket-versioning.yaml"], repo)
        assert bad.returncode == 1 and "s3-bucket-versioning pass example" in bad.stdout


def test_attest_check_hook(tmp_path: Path) -> None:
    hook = BY_ID["hipaacheck-attest-check"]
    assert re.search(hook["files"], "hipaacheck-attestations.yaml") and hook["pass_filenames"] is False
    shutil.copytree(ROOT / "examples" / "evidence", tmp_path / "evidence")
    # The sample has an overdue review (it only gets more overdue): the hook reports it and fails the commit.
    result = _run(hook, ["hipaacheck-attestations.yaml"], tmp_path / "evidence")
    assert result.returncode == 1 and "FAILED" in result.stdout, result.stdout + result.stderr
    empty = _run(hook, [], tmp_path)  # no attestations file at all
    assert empty.returncode == 2 and len(empty.stderr.strip().splitlines()) == 1
