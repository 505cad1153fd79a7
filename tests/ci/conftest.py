"""Helpers for the CI-output tests: run the CLI in-process with no GitHub environment leaking in."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..conftest import FIXTURES, Run

NONCOMPLIANT = FIXTURES / "noncompliant" / "plan.json"
COMPLIANT = FIXTURES / "compliant" / "plan.json"
MODULES = FIXTURES / "modules_unknowns" / "plan.json"
LIFECYCLE = FIXTURES / "lifecycle" / "plan.json"
SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "schemas" / "sarif-schema-2.1.0.json"
GITHUB_VARS = ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "TF_BUILD")  # TF_BUILD: Azure Pipelines

Cli = Callable[..., Run]


@pytest.fixture(autouse=True)
def _no_github(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite itself may run under GitHub Actions: never write to the real runner files.
    for name in GITHUB_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """hipaacheck's main() in-process: faster than a subprocess, same code path."""
    from hipaacheck.cli import main

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def assert_one_line_error(result: Run, fragment: str) -> None:
    assert result.code == 2, (result.code, result.err, result.out[:300])
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err and fragment in lines[0], lines[0]
    assert result.out == ""


def git(repo: Path, *args: str) -> str:
    """git in ``repo`` with a fixed identity and none of the machine's configuration."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def commit(repo: Path, files: dict[str, str | None], message: str) -> str:
    """Write (or, for None, delete) the files and commit them; the new commit's id."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
            git(repo, "rm", "-q", "--cached", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        git(repo, "add", name)
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo
