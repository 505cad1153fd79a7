"""The committed plans are real: regenerating them from the .tf sources gives the same verdicts.

Needs the terraform binary and the offline hashicorp/aws mirror; skipped
cleanly without them (the committed plan.json files keep the rest green).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.terraform import load_plan_resources

from .conftest import FIXTURES, ROOT

STATIC = ["compliant", "noncompliant", "modules_unknowns", "hostile_text"]


def _mirror_available() -> bool:
    if os.environ.get("HIPAACHECK_TF_MIRROR"):
        return True
    return any(
        Path(p, "registry.terraform.io", "hashicorp", "aws").is_dir()
        for p in ("/opt/tf-plugins", "/usr/share/terraform/plugins")
    )


pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform binary not installed"),
]


def _changes(plan: dict[str, object]) -> set[tuple[str, str]]:
    return {(rc["address"], "+".join(rc["change"]["actions"])) for rc in plan["resource_changes"]}  # type: ignore[index, attr-defined]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("regenerated")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate-fixtures"), "--output-dir", str(out), *STATIC],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0 and "mirror" in result.stderr and not _mirror_available():
        pytest.skip(f"offline provider mirror missing: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("scenario", STATIC)
def test_regenerated_plan_matches_committed(regenerated: Path, scenario: str) -> None:
    fresh = json.loads((regenerated / scenario / "plan.json").read_text())
    committed = json.loads((FIXTURES / scenario / "plan.json").read_text())
    assert _changes(fresh) == _changes(committed)
    expected = yaml.safe_load((FIXTURES / scenario / "expected.yaml").read_text())["findings"]
    _, resources = load_plan_resources(regenerated / scenario / "plan.json")
    actual = {
        (f.resource.address, f.policy_id): f.status.value
        for f in evaluate(load_policies([builtin_policy_dir()]), resources)
    }
    wanted = {
        (address, policy): status for address, by_policy in expected.items() for policy, status in by_policy.items()
    }
    assert actual == wanted


def _find_mirror() -> Path | None:
    configured = os.environ.get("HIPAACHECK_TF_MIRROR")
    candidates = [Path(configured)] if configured else [*Path("/").glob("*/*"), *Path("/").glob("*")]
    for candidate in candidates:
        if (candidate / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return candidate
    return None


def test_binary_plan_is_converted_with_terraform(tmp_path: Path) -> None:
    mirror = _find_mirror()
    if mirror is None:
        pytest.skip("offline provider mirror not found")
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n  access_key = "test"\n  secret_key = "test"\n'
        "  skip_credentials_validation = true\n  skip_requesting_account_id = true\n"
        "  skip_metadata_api_check = true\n  skip_region_validation = true\n}\n"
        'resource "aws_efs_file_system" "edi" {\n  encrypted = false\n}\n'
    )
    (tmp_path / "cli.tfrc").write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tmp_path / "cli.tfrc"), "CHECKPOINT_DISABLE": "1"}
    for args in (["init", "-input=false", "-no-color"], ["plan", "-input=false", "-no-color", "-out=tfplan"]):
        subprocess.run(["terraform", *args], cwd=tmp_path, env=env, check=True, capture_output=True, timeout=300)
    result = subprocess.run(
        [sys.executable, "-m", "hipaacheck", "scan", "plan", str(tmp_path / "tfplan"), "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert ("efs-file-system-encrypted", "aws_efs_file_system.edi", "fail") in {
        (f["policy_id"], f["resource"]["address"], f["status"]) for f in findings
    }
