"""schemas/: generated from the pydantic models, current, and true of what hipaacheck writes and reads."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from hipaacheck.attest import loader as attest_loader
from hipaacheck.attest import render_template
from hipaacheck.file_models import AttestationsFile, PolicyFile, WaiversFile
from hipaacheck.policy import loader as policy_loader
from hipaacheck.report_model import ReportDocument
from hipaacheck.schema_files import REGENERATE, SCHEMAS_DIR, render_schemas

from .conftest import FIXTURES, ROOT, Run

NONCOMPLIANT = FIXTURES / "noncompliant" / "plan.json"
SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def as_json(path: Path) -> Any:
    """YAML as an editor's validator sees it: dates are text."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def test_committed_schemas_are_current() -> None:
    stale = [n for n, text in render_schemas().items() if _read(SCHEMAS_DIR / n) != text]
    assert not stale, f"schemas/ is stale ({', '.join(stale)}): run {REGENERATE} and commit schemas/"
    assert sorted(p.name for p in SCHEMAS_DIR.glob("*.json")) == sorted(render_schemas())


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real reports: a plain plan scan, and one with waivers, a baseline and source locations."""
    from hipaacheck.cli import main

    folder = tmp_path_factory.mktemp("schema-reports")
    plain, gated = folder / "plain.json", folder / "gated.json"
    assert main(["scan", "plan", str(NONCOMPLIANT), "--format", "json", "--output", str(plain)]) == 1
    waivers = folder / "waivers.yaml"
    expires = (date.today() + timedelta(days=30)).isoformat()  # waivers are bounded (--max-waiver-days)
    waivers.write_text(
        f"waivers:\n  - {{policy: s3-bucket-versioning, resource: '*', reason: r, owner: o, expires: {expires}}}\n"
    )
    args = ["--waivers", str(waivers), "--baseline", str(plain), "--format", "json", "--output", str(gated)]
    assert main(["scan", "plan", str(NONCOMPLIANT), *args]) == 0
    return {"plain": plain, "gated": gated}


def test_real_reports_validate_against_the_schema_and_the_model(reports: dict[str, Path]) -> None:
    check = validator("report.schema.json")
    for path in reports.values():
        document = json.loads(path.read_text(encoding="utf-8"))
        errors = sorted(check.iter_errors(document), key=str)
        assert not errors, errors[:3]
        ReportDocument.model_validate(document)
    gated = json.loads(reports["gated"].read_text(encoding="utf-8"))
    assert gated["gate"]["waivers"] and gated["gate"]["baseline"]
    assert any(f["waiver"] for f in gated["findings"]) and any(f["location"] for f in gated["findings"])


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.__setitem__("policies", "48"), "policies: input should be a valid integer"),
        (lambda d: d["findings"][0].__setitem__("status", "passed"), "findings[0].status"),
        (lambda d: d["findings"][0]["resource"].pop("address"), "findings[0].resource.address: field required"),
        (lambda d: d["findings"][0].pop("policy_id"), "findings[0].policy_id: field required"),
    ],
)
def test_baseline_and_report_read_through_the_same_model(
    reports: dict[str, Path], tmp_path: Path, change: Any, where: str, cli_run: Any
) -> None:
    document = json.loads(reports["plain"].read_text(encoding="utf-8"))
    change(document)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    assert list(validator("report.schema.json").iter_errors(document)), "the schema must refuse it too"
    for args, what in (
        (["scan", "plan", str(NONCOMPLIANT), "--baseline", str(bad)], "baseline"),
        (["report", str(bad), "--html", str(tmp_path / "pack.html")], "report"),
    ):
        result: Run = cli_run(*args)
        assert result.code == 2 and "Traceback" not in result.err
        line = result.err.strip()
        assert len(line.splitlines()) == 1 and f"{what} is not a valid hipaacheck 1.x report: {where}" in line, line


@pytest.fixture
def cli_run(capsys: pytest.CaptureFixture[str]) -> Any:
    from hipaacheck.cli import main

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def test_older_minor_versions_still_read(reports: dict[str, Path]) -> None:
    """A 1.0 report had no location, waiver, baseline, gating or gate: still a valid 1.x report."""
    document = json.loads(reports["plain"].read_text(encoding="utf-8"))
    document["schema_version"] = "1.0"
    for key in ("gate", "result", "fail_on"):
        document.pop(key)
    for finding in document["findings"]:
        for key in ("location", "waiver", "baseline", "gating"):
            finding.pop(key)
    document["added_in_1_9"] = {"later": True}  # a later minor's new field is ignored
    assert not list(validator("report.schema.json").iter_errors(document))
    ReportDocument.model_validate(document)


def _keys(model: Any) -> tuple[set[str], set[str]]:
    fields = model.model_fields
    names = {info.alias or name for name, info in fields.items()}
    required = {info.alias or name for name, info in fields.items() if info.is_required()}
    return names, required


def test_yaml_models_have_exactly_the_loaders_keys() -> None:
    names, required = _keys(PolicyFile)
    assert names == set(policy_loader._REQUIRED + policy_loader._OPTIONAL)
    assert required == set(policy_loader._REQUIRED)
    from hipaacheck import waivers

    entry = WaiversFile.model_fields["waivers"].annotation.__args__[0]  # type: ignore[union-attr]
    assert _keys(entry) == (set(waivers._FIELDS + waivers._OPTIONAL), set(waivers._FIELDS))
    record = AttestationsFile.model_fields["attestations"].annotation.__args__[0]  # type: ignore[union-attr]
    assert _keys(record) == (set(attest_loader._REQUIRED + attest_loader._OPTIONAL), set(attest_loader._REQUIRED))
    assert _keys(AttestationsFile)[0] == set(attest_loader._TOP)


def test_config_model_has_exactly_the_config_keys() -> None:
    from hipaacheck import config
    from hipaacheck.file_models import ConfigFile

    assert set(ConfigFile.model_fields) == set(config.KEYS)


def test_every_built_in_policy_validates() -> None:
    check = validator("policy.schema.json")
    files = sorted((ROOT / "policies").rglob("*.yaml"))
    assert len(files) >= 40
    for path in files:
        errors = list(check.iter_errors(as_json(path)))
        assert not errors, (path.name, [e.message for e in errors[:3]])


def test_a_broken_policy_is_refused_by_the_schema() -> None:
    check = validator("policy.schema.json")
    good = as_json(next((ROOT / "policies").rglob("s3-bucket-versioning.yaml")))
    for change in (
        {"severity": "urgent"},
        {"resource": "s3"},
        {"safeguards": ["164.999(z)"]},
        {"require": {"key": "x", "op": "resembles"}},
        {"surprise": 1},
    ):
        assert list(check.iter_errors({**good, **change})), change


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        (ROOT / "examples" / "hipaacheck-waivers.example.yaml", "waivers.schema.json"),
        (ROOT / "examples" / "evidence" / "hipaacheck-attestations.yaml", "attestations.schema.json"),
        (ROOT / "examples" / ".hipaacheck.yaml", "config.schema.json"),
    ],
)
def test_examples_validate_and_name_their_schema(path: Path, schema: str) -> None:
    text = path.read_text(encoding="utf-8")
    match = SCHEMA_COMMENT.search(text)
    assert match, f"{path.name} has no yaml-language-server $schema comment"
    assert (path.parent / match.group(1)).resolve() == (SCHEMAS_DIR / schema).resolve()
    assert not list(validator(schema).iter_errors(as_json(path)))


def test_the_attestations_template_validates_and_names_its_schema(tmp_path: Path) -> None:
    text = render_template()
    match = SCHEMA_COMMENT.search(text)
    assert match and match.group(1).startswith(("file://", "https://")), text[:200]
    assert match.group(1).endswith("schemas/attestations.schema.json")
    target = tmp_path / "a.yaml"
    target.write_text(text)
    assert not list(validator("attestations.schema.json").iter_errors(as_json(target)))


def test_schema_addresses_for_written_files() -> None:
    from hipaacheck.policy_docs_link import clone_raw_url

    sha = "0123456789abcdef0123456789abcdef01234567"
    path = "schemas/attestations.schema.json"
    assert clone_raw_url("git@github.com:acme/hipaacheck.git", sha, path) == (
        f"https://raw.githubusercontent.com/acme/hipaacheck/{sha}/{path}"
    )
    assert clone_raw_url("https://gitlab.com/acme/hipaacheck", sha, path) == (
        f"https://gitlab.com/acme/hipaacheck/-/raw/{sha}/{path}"
    )
    assert clone_raw_url("/srv/git/hipaacheck", sha, path) is None


def test_every_field_the_writer_emits_is_in_the_model(reports: dict[str, Path]) -> None:
    """A field added to the JSON report must be added to ReportDocument (and so to the published schema)."""
    from hipaacheck.report_model import Evidence, Finding, Gate, Resource, Tool

    def names(model: Any) -> set[str]:
        return {info.alias or name for name, info in model.model_fields.items()}

    document = json.loads(reports["gated"].read_text(encoding="utf-8"))
    assert set(document) <= names(ReportDocument), set(document) - names(ReportDocument)
    assert set(document["tool"]) <= names(Tool)
    assert set(document["gate"]) <= names(Gate), set(document["gate"]) - names(Gate)
    for finding in document["findings"]:
        assert set(finding) <= names(Finding), set(finding) - names(Finding)
        assert set(finding["resource"]) <= names(Resource)
        assert all(set(e) <= names(Evidence) for e in finding["evidence"])
