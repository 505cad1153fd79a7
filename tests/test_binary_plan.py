"""The binary-plan path reads only the plan: no state file, no plan content in logs, one-line failures.

python-terraform (which runs `terraform show -json` for a binary plan) parses
``terraform.tfstate`` from the working directory: a FIFO there hung the scan, a
link to /dev/zero was a MemoryError, invalid JSON a traceback. Its logger
printed the whole plan at DEBUG. These tests use the real terraform binary and
the offline provider mirror, and skip cleanly without them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hipaacheck.sources.terraform.plan_file import terraform_error_line

from .conftest import ROOT

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform binary not installed"),
]

CANARY = "CANARY-binary-plan-secret-4821"
MAIN_TF = f"""\
provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}}

variable "token" {{
  type      = string
  sensitive = true
  default   = "{CANARY}"
}}

resource "aws_efs_file_system" "edi" {{
  encrypted = false
  tags      = {{ owner = var.token }}
}}
"""


def _find_mirror() -> Path | None:
    configured = os.environ.get("HIPAACHECK_TF_MIRROR")
    candidates = [Path(configured)] if configured else [*Path("/").glob("*/*"), *Path("/").glob("*")]
    return next((c for c in candidates if (c / "registry.terraform.io" / "hashicorp" / "aws").is_dir()), None)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """An initialised directory with a real binary plan ``tfplan`` (one init + plan for the module)."""
    mirror = _find_mirror()
    if mirror is None:
        pytest.skip("offline provider mirror not found")
    work = tmp_path_factory.mktemp("binary-plan")
    (work / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    (work / "cli.tfrc").write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(work / "cli.tfrc"), "CHECKPOINT_DISABLE": "1"}
    for args in (["init", "-input=false", "-no-color"], ["plan", "-input=false", "-no-color", "-out=tfplan"]):
        subprocess.run(["terraform", *args], cwd=work, env=env, check=True, capture_output=True, timeout=300)
    return work, env


def _scan(plan: Path, env: dict[str, str], *extra: str, debug: bool = False) -> subprocess.CompletedProcess[str]:
    # With debug=True the root logger shows everything at DEBUG, as a user's logging setup might.
    code = (
        "import logging, sys\n"
        + ("logging.basicConfig(level=logging.DEBUG)\n" if debug else "")
        + "from hipaacheck.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "scan", "plan", str(plan), "--format", "json", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # a FIFO read would hang: the timeout turns that into a failure, not a stuck suite
    )


def _assert_report(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1, result.stderr[-2000:]
    findings = json.loads(result.stdout)["findings"]
    assert ("efs-file-system-encrypted", "aws_efs_file_system.edi", "fail") in {
        (f["policy_id"], f["resource"]["address"], f["status"]) for f in findings
    }


@pytest.mark.parametrize("place", ["terraform.tfstate", ".terraform/terraform.tfstate"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "invalid-json"])
def test_hostile_state_file_beside_the_plan_is_ignored(
    planned: tuple[Path, dict[str, str]], place: str, kind: str
) -> None:
    work, env = planned
    state = work / place
    if kind == "fifo":
        os.mkfifo(state)
    elif kind == "dev-zero":
        state.symlink_to("/dev/zero")
    else:
        state.write_text('{"version": 4, "resources": [', encoding="utf-8")
    try:
        result = _scan(work / "tfplan", env)
    finally:
        state.unlink()
    _assert_report(result)
    assert result.stderr == ""


def test_plan_content_never_reaches_the_log(planned: tuple[Path, dict[str, str]]) -> None:
    work, env = planned
    result = _scan(work / "tfplan", env, debug=True)
    _assert_report(result)
    assert CANARY not in result.stderr and CANARY not in result.stdout
    assert "python_terraform" not in result.stderr and "format_version" not in result.stderr


def test_terraform_failure_is_its_error_line_and_exit_2(planned: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    work, env = planned
    broken = work / "broken.tfplan"
    broken.write_bytes((work / "tfplan").read_bytes()[:600])  # a zip cut short
    try:
        result = _scan(broken, env)
    finally:
        broken.unlink()
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"hipaacheck: error: {broken}: terraform show -json failed: Error: ")
    # A plan copied away from its initialised directory: terraform cannot load the provider schemas.
    moved = tmp_path / "tfplan"
    shutil.copy(work / "tfplan", moved)
    result = _scan(moved, env)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "terraform show -json failed: Error: " in result.stderr and CANARY not in result.stderr


def test_error_line_is_picked_from_boxed_diagnostics() -> None:
    stderr = (
        "\n╷\n│ Warning: something\n╵\n╷\n│ Error: Failed to load plugin schemas\n│\n│ details quoting the plan\n╵\n"
    )
    assert terraform_error_line(stderr) == "Error: Failed to load plugin schemas"
    assert terraform_error_line("plain failure\nmore") == "plain failure"
    assert terraform_error_line("") == "no output"
