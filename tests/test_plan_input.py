"""Bad plan input: one clear line on stderr, exit 2, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .conftest import CORPUS, FIXTURES, assert_input_error, run_cli

GOOD = FIXTURES / "compliant" / "plan.json"


def scan(path: Path, **env: str) -> object:
    environment = {**os.environ, **env} if env else None
    return run_cli("scan", "plan", str(path), env=environment)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.json", "", "empty file"),
        ("blank.json", "  \n\n", "empty file"),
        ("words.json", "this is not json", "not valid JSON (line 1, column 1"),
        ("truncated.json", '{"format_version": "1.2", "resource_changes": [', "truncated JSON"),
        ("list.json", "[1, 2, 3]", "not a Terraform plan"),
        ("random.json", '{"hello": "world"}', "no format_version"),
        (
            "state.json",
            '{"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "x", "resources": []}',
            "state file, not a plan",
        ),
        (
            "shown-state.json",
            '{"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": {}}}',
            "of a state, not of a plan",
        ),
        ("future.json", '{"format_version": "2.0", "resource_changes": []}', "format_version 2.0 is not supported"),
        ("nochanges.json", '{"format_version": "1.2"}', "no resource_changes or planned_values"),
        (
            "badchanges.json",
            '{"format_version": "1.2", "resource_changes": {"a": 1}}',
            "resource_changes is not a list",
        ),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("binary.json", "\x00\x01\x02\xff\xfe\xfd", "not a text file"),
    ],
)
def test_bad_plan_file(tmp_path: Path, name: str, content: str, fragment: str) -> None:
    path = tmp_path / name
    if name == "binary.json":
        path.write_bytes(b"\x00\x01\x02\xff\xc3\x28")
    else:
        path.write_text(content)
    assert_input_error(run_cli("scan", "plan", str(path)), fragment)  # type: ignore[arg-type]


def test_missing_file(tmp_path: Path) -> None:
    assert_input_error(run_cli("scan", "plan", str(tmp_path / "nope.json")), "no such file")


def test_directory(tmp_path: Path) -> None:
    assert_input_error(run_cli("scan", "plan", str(tmp_path)), "is a directory")


def test_binary_plan_without_terraform(tmp_path: Path) -> None:
    path = tmp_path / "tfplan"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    env = {**os.environ, "PATH": str(tmp_path)}  # no terraform on this PATH
    result = run_cli("scan", "plan", str(path), env=env)
    assert_input_error(result, "no terraform binary is on PATH")


def test_binary_plan_terraform_refuses(tmp_path: Path) -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform binary not installed")
    path = tmp_path / "tfplan"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    assert_input_error(run_cli("scan", "plan", str(path)), "terraform show -json failed")


def test_unknown_flag_is_one_line() -> None:
    assert_input_error(run_cli("scan", "plan", str(GOOD), "--fail-on", "urgent"), "invalid choice: 'urgent'")


def test_unwritable_output_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "report.json"
    assert_input_error(run_cli("scan", "plan", str(GOOD), "--output", str(target)), "does not exist")
    assert not target.parent.exists()


def test_utf16_plan_is_read() -> None:
    path = CORPUS / "checkov__utf16_encoded_s3.json"
    if not path.exists():
        pytest.skip("corpus not present")
    result = run_cli("scan", "plan", str(path), "--format", "json")
    assert result.code in (0, 1), result.err
    assert json.loads(result.out)["source"]["format_version"]
