"""Helpers for the CI-output tests: run the CLI in-process with no GitHub environment leaking in."""

from __future__ import annotations

import json
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
GITHUB_VARS = ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT")

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
