"""The exit rule for scans that could not run every check (exit 3, ``result: incomplete``).

0 pass, 1 fail (failures win), 2 input error (no report), 3 incomplete: nothing
failing at or above --fail-on, but a check at or above it could not run.
``unknown`` and ``skipped`` never make a scan incomplete; --allow-incomplete
and --changed-only (for unchanged resources) keep errors from deciding.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..conftest import Run, change, plan_doc

POLICY = Path(__file__).resolve().parents[2] / "policies" / "encryption-at-rest" / "rds-instance-storage-encrypted.yaml"

Cli = Callable[..., Run]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    from hipaacheck.cli import main

    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def _db(name: str, storage_encrypted: Any, actions: tuple[str, ...] = ("create",)) -> dict[str, Any]:
    after = {"identifier": name, "engine": "postgres", "storage_encrypted": storage_encrypted, "tags": {"phi": "true"}}
    return change(f"aws_db_instance.{name}", after, actions=actions)


def _setup(tmp_path: Path, *changes: dict[str, Any], unknown: bool = False) -> tuple[Path, Path]:
    policies = tmp_path / "policies"
    policies.mkdir()
    shutil.copy(POLICY, policies / POLICY.name)
    entries = list(changes)
    if unknown:
        entries.append(change("aws_db_instance.later", {"identifier": "later"}, unknown={"storage_encrypted": True}))
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(plan_doc(entries)))
    return plan, policies


def _scan(cli: Cli, plan: Path, policies: Path, *extra: str) -> tuple[Run, dict[str, Any]]:
    result = cli("scan", "plan", plan, "--no-builtin", "--policies", policies, "--format", "json", *extra)
    return result, json.loads(result.out)


def test_a_check_that_could_not_run_makes_the_scan_incomplete(cli: Cli, tmp_path: Path) -> None:
    plan, policies = _setup(tmp_path, _db("good", True), _db("garbled", "maybe"))
    result, report = _scan(cli, plan, policies)
    assert result.code == 3, result.err
    assert report["result"] == "incomplete"
    assert report["gate"]["failing"] == 0 and report["gate"]["incomplete"] == 1
    assert report["gate"]["allow_incomplete"] is False
    (error,) = [f for f in report["findings"] if f["status"] == "error"]
    assert error["resource"]["address"] == "aws_db_instance.garbled" and error["gating"] is True
    assert "malformed value in the plan" in error["message"]


def test_every_format_says_incomplete(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan, policies = _setup(tmp_path, _db("garbled", ["true"]))
    junit, markdown = tmp_path / "r.xml", tmp_path / "r.md"
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    reports = ["--report", f"junit={junit}", "--report", f"markdown={markdown}"]
    result = cli("scan", "plan", plan, "--no-builtin", "--policies", policies, *reports)
    assert result.code == 3
    assert result.out.splitlines()[-1] == "INCOMPLETE: 1 check(s) at or above low could not run"
    assert "⚠️ INCOMPLETE: 1 check(s) at or above low could not run" in markdown.read_text(encoding="utf-8")
    properties = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert properties["result"] == "incomplete"
    assert "result=incomplete\n" in outputs.read_text(encoding="utf-8")
    assert "INCOMPLETE" in summary.read_text(encoding="utf-8")


def test_failures_win_over_errors(cli: Cli, tmp_path: Path) -> None:
    plan, policies = _setup(tmp_path, _db("plain", False), _db("garbled", 7))
    result, report = _scan(cli, plan, policies)
    assert result.code == 1 and report["result"] == "fail"
    assert report["gate"] == {**report["gate"], "failing": 1, "incomplete": 1}


def test_allow_incomplete_accepts_the_gap(cli: Cli, tmp_path: Path) -> None:
    plan, policies = _setup(tmp_path, _db("garbled", {"enabled": True}))
    result, report = _scan(cli, plan, policies, "--allow-incomplete")
    assert result.code == 0 and report["result"] == "pass"
    assert report["gate"]["incomplete"] == 0 and report["gate"]["allow_incomplete"] is True
    assert report["summary"]["error"] == 1  # still reported


def test_an_error_below_fail_on_does_not_decide(cli: Cli, tmp_path: Path) -> None:
    low = tmp_path / "low"
    low.mkdir()
    text = POLICY.read_text().replace("severity: critical", "severity: low")
    plan, policies = _setup(tmp_path, _db("garbled", "maybe"))
    (policies / POLICY.name).write_text(text)
    result, report = _scan(cli, plan, policies, "--fail-on", "high")
    assert result.code == 0 and report["result"] == "pass" and report["summary"]["error"] == 1


def test_changed_only_leaves_errors_on_unchanged_resources_out(cli: Cli, tmp_path: Path) -> None:
    plan, policies = _setup(tmp_path, _db("untouched", "maybe", actions=("no-op",)))
    assert _scan(cli, plan, policies)[0].code == 3
    result, report = _scan(cli, plan, policies, "--changed-only")
    assert result.code == 0 and report["gate"]["incomplete"] == 0


def test_unknown_values_never_make_a_plan_incomplete(cli: Cli, tmp_path: Path) -> None:
    plan, policies = _setup(tmp_path, _db("good", True), unknown=True)
    result, report = _scan(cli, plan, policies)
    assert report["summary"]["unknown"] == 1 and report["summary"]["error"] == 0
    assert result.code == 0 and report["result"] == "pass"
