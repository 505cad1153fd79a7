"""The Action's own supply chain: zizmor, schemas, SHA pins, credentials, permissions, the hash-pinned lock."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml

from ..conftest import ROOT

SCHEMAS = ROOT / "tests" / "data" / "schemas"
EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))
ACTION = ROOT / "action.yml"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
ZIZMOR_CONFIG = ROOT / ".github" / "zizmor.yml"
PLACEHOLDER = "your-org/hipaacheck"  # the examples' stand-in for the repository hosting the Action
PIN = re.compile(r"uses:\s*(?P<ref>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})\s+# v\d+\.\d+\.\d+\s*$")


class _GitHubLoader(yaml.SafeLoader):
    """YAML as GitHub reads workflows: only true/false are booleans (`on:` stays a key)."""


_GitHubLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_GitHubLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_GitHubLoader)  # a SafeLoader subclass


def _zizmor(*paths: Path, config: Path | None = ZIZMOR_CONFIG) -> list[dict[str, Any]]:
    zizmor = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    if not Path(zizmor).exists():
        pytest.fail("zizmor is not installed: pip install -e '.[test]'")
    options = ["--config", str(config)] if config else ["--no-config"]
    command = [zizmor, "--offline", "--persona=pedantic", "--format=json", *options, *map(str, paths)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode in (0, *range(10, 20)), proc.stderr[-2000:]  # 1x: findings at some severity
    findings: list[dict[str, Any]] = json.loads(proc.stdout)
    return findings


def test_zizmor_finds_nothing_at_or_above_low() -> None:
    findings = _zizmor(ACTION, *EXAMPLES, DEPENDABOT)
    serious = [
        f"{f['ident']} ({f['determinations']['severity']}) at {f['locations'][0]['symbolic']['key']}"
        for f in findings
        if f["determinations"]["severity"] in ("Low", "Medium", "High")
    ]
    assert serious == []


def test_zizmor_would_catch_an_unpinned_action_and_persisted_credentials(tmp_path: Path) -> None:
    # The control: the same run fails on the kind of workflow the issue found.
    workflow = tmp_path / "unpinned.yml"
    workflow.write_text(
        "name: t\non: push\npermissions: {}\njobs:\n  a:\n    name: a\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    idents = {f["ident"] for f in _zizmor(workflow)}
    assert {"unpinned-uses", "artipacked"} <= idents


@pytest.mark.parametrize(
    ("schema", "paths"),
    [
        ("github-action.json", [ACTION]),
        ("github-workflow.json", EXAMPLES),
        ("dependabot-2.0.json", [DEPENDABOT]),
    ],
)
def test_files_validate_against_the_vendored_schemas(schema: str, paths: list[Path]) -> None:
    validator = jsonschema.Draft7Validator(json.loads((SCHEMAS / schema).read_text(encoding="utf-8")))
    assert paths
    for path in paths:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_load(path))]
        assert errors == [], path.name
    # The control: a misspelt key is an error.
    broken = _load(paths[0])
    broken["runz" if schema == "github-action.json" else "jobz" if "workflow" in schema else "updatez"] = {}
    assert list(validator.iter_errors(broken))


def _uses_lines(path: Path) -> list[str]:
    lines = (line.strip().removeprefix("- ") for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line.startswith("uses:")]


@pytest.mark.parametrize("path", [ACTION, *EXAMPLES], ids=lambda p: p.name)
def test_every_uses_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    lines = _uses_lines(path)
    assert lines
    for line in lines:
        if f"uses: {PLACEHOLDER}@" in line:
            continue  # no real commit to pin to: the example says to pin it when copying
        assert PIN.fullmatch(line), line


def _steps(document: Any) -> list[dict[str, Any]]:
    if "runs" in document:
        steps: list[dict[str, Any]] = document["runs"]["steps"]
        return steps
    return [step for job in document["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_keep_no_credentials_and_ask_for_least_permissions(path: Path) -> None:
    workflow = _load(path)
    assert workflow["permissions"] == {}, "the workflow grants nothing; each job asks"
    for name, job in workflow["jobs"].items():
        permissions = job["permissions"]
        assert all(value in ("read", "write") for value in permissions.values())
        uses = [str(step.get("uses", "")) for step in job["steps"]]
        assert ("id-token" in permissions) == any("configure-aws-credentials@" in u for u in uses), name
        if any("upload-sarif@" in u for u in uses):
            assert permissions["security-events"] == "write" and permissions["actions"] == "read", name
        else:
            assert "security-events" not in permissions, name
    for step in _steps(workflow):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, path.name


def test_the_action_installs_only_hash_pinned_packages() -> None:
    install = (ROOT / "scripts" / "action-install").read_text(encoding="utf-8")
    assert '"--require-hashes", "--only-binary=:all:", "-r", str(requirements / "action-build.txt")' in install
    assert (
        '"--require-hashes", "--no-build-isolation", "--use-pep517", "-r", str(requirements / "action.txt")' in install
    )
    assert '"--no-deps", "--no-build-isolation", "--no-index", str(ACTION)' in install
    steps = _load(ACTION)["runs"]["steps"]
    runs = " ".join(str(step.get("run", "")) for step in steps)
    assert "scripts/action-install" in runs and "pip install" not in runs
    # The cache: restored and saved with the same paths and the lock's key, pip's downloads only.
    restore, save = (
        next(s for s in steps if f"actions/cache/{kind}@" in str(s.get("uses"))) for kind in ("restore", "save")
    )
    assert restore["with"] == save["with"] and restore["with"]["key"] == "${{ steps.lock.outputs.key }}"
    paths = restore["with"]["path"].splitlines()
    assert paths and all(path.split("/")[-1] in ("http", "http-v2") for path in paths)
    order = [step.get("id") or step.get("name") for step in steps]
    assert order.index("install") < order.index("Save the pip download cache") < order.index("scan")


def _script(name: str) -> ModuleType:
    """A script of scripts/ (no .py suffix) loaded as a module."""
    loader = SourceFileLoader(name.replace("-", "_"), str(ROOT / "scripts" / name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _lock_module() -> ModuleType:
    return _script("lock-action-requirements")


@pytest.mark.parametrize("name", ["action.txt", "action-build.txt"])
def test_the_lock_is_current_and_every_pin_has_hashes(name: str) -> None:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first == f"# inputs-sha256: {_lock_module().fingerprint()}", (
        "pyproject.toml changed: run scripts/lock-action-requirements"
    )
    requirements = re.split(
        r"\n(?=[a-z0-9])", "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    )
    pins = [block for block in requirements if block.strip()]
    assert pins
    for block in pins:
        assert re.match(r"^[a-z0-9._-]+==[\w.]+ \\$", block.splitlines()[0].strip()), block
        assert "--hash=sha256:" in block, block
    if name == "action.txt":
        names = {block.split("==")[0] for block in pins}
        wanted = _lock_module().inputs()["runtime"]
        for requirement in wanted:
            assert re.split(r"[<>=!~\[ ;]", requirement)[0].lower().replace("_", "-") in names, requirement


def test_the_pip_cache_key_follows_the_lock(tmp_path: Path) -> None:
    module = _script("action-cache-key")
    environ = {"RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "HIPAACHECK_PYTHON_VERSION": "3.12.7"}
    key = module.cache_key(environ)
    assert key.startswith("hipaacheck-pip-Linux-X64-py3.12.7-") and key == module.cache_key(environ)
    for name in ("action.txt", "action-build.txt"):
        (tmp_path / name).write_bytes((ROOT / "requirements" / name).read_bytes())
    module.REQUIREMENTS = tmp_path
    assert module.cache_key(environ) == key
    (tmp_path / "action.txt").write_text("changed\n", encoding="utf-8")
    assert module.cache_key(environ) != key


def test_dependabot_covers_the_pins() -> None:
    config = _load(DEPENDABOT)
    by_ecosystem = {update["package-ecosystem"]: update for update in config["updates"]}
    actions = by_ecosystem["github-actions"]
    # "/" is action.yml (and .github/workflows); examples/ is scanned only because it is listed.
    assert {"/", "/examples"} <= set(actions["directories"])
    assert any(rule["dependency-name"] == PLACEHOLDER for rule in actions["ignore"])
    pip = by_ecosystem["pip"]
    assert (ROOT / pip["directory"].lstrip("/") / "action.txt").is_file()
