"""Shared test helpers: repository paths, running the CLI, building small plan documents."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "terraform"
CORPUS = ROOT.parent / "shared" / "corpus" / "terraform-plans"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the real CLI in a subprocess, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "hipaacheck", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_input_error(result: Run, fragment: str) -> None:
    """Exit 2, exactly one line on stderr that says what is wrong, no traceback, no stdout."""
    assert result.code == 2, (result.code, result.err, result.out[:500])
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert fragment in lines[0], lines[0]
    assert result.out == ""


def change(
    address: str,
    after: dict[str, Any],
    *,
    actions: tuple[str, ...] = ("create",),
    unknown: dict[str, Any] | None = None,
    sensitive: dict[str, Any] | None = None,
    module: str = "",
    index: int | str | None = None,
) -> dict[str, Any]:
    """One resource_changes entry, shaped as terraform show -json writes it."""
    local = address[len(module) + 1 :] if module else address
    rtype, name = local.split("[")[0].split(".")[:2]
    entry: dict[str, Any] = {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {
            "actions": list(actions),
            "before": None,
            "after": after,
            "after_unknown": unknown or {},
            "after_sensitive": sensitive or {},
        },
    }
    if module:
        entry["module_address"] = module
    if index is not None:
        entry["index"] = index
    return entry


def plan_doc(changes: list[dict[str, Any]], root_module: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}},
            "root_module": root_module or {"resources": []},
        },
    }


def ref(*references: str) -> dict[str, Any]:
    return {"references": list(references)}


def config_resource(address: str, **expressions: Any) -> dict[str, Any]:
    rtype, name = address.split(".")
    return {"address": address, "mode": "managed", "type": rtype, "name": name, "expressions": expressions}


@pytest.fixture
def builtin_policies() -> list[Any]:
    from hipaacheck.builtin import builtin_policy_dir
    from hipaacheck.policy.loader import load_policies

    return load_policies([builtin_policy_dir()])
