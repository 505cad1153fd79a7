"""Helpers shared by the live-scan tests: the fixture generator's moto/terraform code, reused."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import pytest

from ..conftest import ROOT


@cache
def generator() -> ModuleType:
    """scripts/generate-fixtures as a module (it has no .py suffix, so load it by path)."""
    path = ROOT / "scripts" / "generate-fixtures"
    loader = importlib.machinery.SourceFileLoader("hipaacheck_generate_fixtures", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@contextmanager
def moto_server(log_dir: Path) -> Iterator[Any]:
    """A moto_server on 127.0.0.1 (a free port), stopped whatever happens."""
    gen = generator()
    beside = Path(sys.executable).parent / "moto_server"  # the venv's own moto first, then PATH
    exe = str(beside) if os.access(beside, os.X_OK) else gen.find_moto_server()
    server = gen.MotoServer(exe, log_dir / "moto.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def scan_env(endpoint: str, config: Path) -> dict[str, str]:
    """The environment for a CLI run against a moto server: dummy credentials, nothing inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(config),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": endpoint,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    return env


class Workspace(NamedTuple):
    gen: ModuleType  # scripts/generate-fixtures: Runner, Failure, OVERRIDE_NAME ...
    runner: Any  # runs terraform offline, against the provider mirror, logging to work/terraform.log
    work: Path
    src: Path  # a copy of the scenario's .tf files, where terraform runs


def terraform_workspace(tmp_path_factory: pytest.TempPathFactory, name: str, scenario: Path) -> Workspace:
    """A scenario's .tf files copied to a fresh folder with an offline terraform; skips without one."""
    gen = generator()
    try:
        terraform, mirror = gen.find_terraform(), gen.find_mirror()
    except gen.Failure as exc:
        pytest.skip(str(exc))
    work = tmp_path_factory.mktemp(name)
    cli_config = work / "terraform.tfrc"
    cli_config.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    runner = gen.Runner(terraform, gen.clean_env(cli_config), work / "terraform.log", name)
    src = work / "src"
    src.mkdir()
    for path in scenario.glob("*.tf"):
        shutil.copy2(path, src / path.name)
    return Workspace(gen, runner, work, src)


def apply_plan_and_scan(ws: Workspace, moto: Any, region: str) -> tuple[Path, list[Any]]:
    """Apply the workspace to the moto server, plan again, and scan that account live: (plan.json, resources)."""
    from hipaacheck.sources.aws.options import ScanOptions
    from hipaacheck.sources.aws.runner import scan_account

    ws.runner.tf(ws.src, "init", "-input=false", "-no-color")
    apply = ("apply", "-input=false", "-no-color", "-lock=false", "-auto-approve")
    try:
        ws.runner.tf(ws.src, *apply, quiet=True)
    except ws.gen.Failure:
        ws.runner.tf(ws.src, *apply)  # moto_server is not thread-safe everywhere; see generate-fixtures
    ws.runner.tf(ws.src, "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.tfplan")
    ws.runner.tf(ws.src, "show", "-json", "-no-color", "plan.tfplan", stdout_to=ws.work / "plan.json")
    config = ws.work / "aws-config"
    config.write_text("")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            patch.delenv(name)
        for name, value in scan_env(moto.url, config).items():
            patch.setenv(name, value)
        live = scan_account(ScanOptions(regions=(region,), workers=4))
    return ws.work / "plan.json", live.resources
