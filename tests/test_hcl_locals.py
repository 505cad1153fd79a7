"""References through ``locals``, read from the .tf sources with python-hcl2 (issue 12 item 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hipaacheck.engine import evaluate
from hipaacheck.models import GapKind
from hipaacheck.sources.terraform import load_plan_resources
from hipaacheck.sources.terraform.hcl_sources import expression_references

from .conftest import ROOT, change, config_resource, plan_doc, ref, run_cli

ADMIN = "security-group-no-internet-admin-ports"

SG_MODULE = """
locals {
  create     = var.create
  this_sg_id = local.create ? concat(aws_security_group.this.*.id, aws_security_group.this_name_prefix.*.id, [""])[0] : var.security_group_id
  id_alias   = local.this_sg_id
}
resource "aws_security_group" "this" {
  count = 0
}
resource "aws_security_group" "this_name_prefix" {
  count       = 1
  name_prefix = "x-"
}
resource "aws_security_group_rule" "ingress_rules" {
  count             = 1
  security_group_id = local.id_alias
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
"""


def test_expression_references_match_what_terraform_lists() -> None:
    text = '${concat(aws_security_group.this.*.id, aws_security_group.this_name_prefix.*.id, [""])[0]}'
    assert expression_references(text) == ["aws_security_group.this", "aws_security_group.this_name_prefix"]
    assert expression_references("${try(aws_db_parameter_group.this[0].name, var.name)}") == [
        "aws_db_parameter_group.this[0].name",
        "aws_db_parameter_group.this[0]",
        "aws_db_parameter_group.this",
        "var.name",
    ]
    assert expression_references('${module.sg["a"].id}') == ['module.sg["a"].id', 'module.sg["a"]']
    # Words inside string literals are not references; interpolations are.
    assert expression_references('"aws_s3_bucket.fake is text"') == []
    assert expression_references('"${aws_s3_bucket.b.arn}/*"') == ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]
    assert expression_references("${[for s in aws_security_group.this : s.id]}") == ["aws_security_group.this"]
    # A traversal of its own beside an indexed one: listed again, as terraform 1.11 lists it.
    assert expression_references("${[aws_security_group.sg[0].id, aws_security_group.sg[*].id]}") == [
        "aws_security_group.sg[0].id",
        "aws_security_group.sg[0]",
        "aws_security_group.sg",
        "aws_security_group.sg",
    ]


def _module_plan() -> dict[str, Any]:
    """module.svc["a"] and ["b"] from ./modules/sg: the rule names its group only through locals."""
    changes: list[dict[str, Any]] = []
    for key in ("a", "b"):
        m = f'module.svc["{key}"]'
        changes.append(
            change(
                f"{m}.aws_security_group.this_name_prefix[0]",
                {"name": None, "ingress": []},
                unknown={"id": True, "name": True},
                module=m,
                index=0,
            )
        )
        changes.append(
            change(
                f"{m}.aws_security_group_rule.ingress_rules[0]",
                {"type": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]},
                unknown={"security_group_id": True},
                module=m,
                index=0,
            )
        )
    module = {
        "resources": [
            config_resource("aws_security_group.this"),
            config_resource("aws_security_group.this_name_prefix"),
            config_resource("aws_security_group_rule.ingress_rules", security_group_id=ref("local.id_alias")),
        ]
    }
    return plan_doc(changes, {"resources": [], "module_calls": {"svc": {"source": "./modules/sg", "module": module}}})


def _write(tmp_path: Path, doc: dict[str, Any], with_sources: bool) -> Path:
    (tmp_path / "plan.json").write_text(json.dumps(doc))
    if with_sources:
        (tmp_path / "main.tf").write_text('module "svc" {\n  source = "./modules/sg"\n}\n')
        (tmp_path / "modules" / "sg").mkdir(parents=True)
        (tmp_path / "modules" / "sg" / "main.tf").write_text(SG_MODULE)
    return tmp_path / "plan.json"


def test_locals_of_locals_lead_to_the_group_that_exists(tmp_path: Path, builtin_policies: list[Any]) -> None:
    _, resources = load_plan_resources(_write(tmp_path, _module_plan(), with_sources=True))
    result = {(f.resource.address, f.policy_id): f.status.value for f in evaluate(builtin_policies, resources)}
    for key in ("a", "b"):
        assert result[(f'module.svc["{key}"].aws_security_group.this_name_prefix[0]', ADMIN)] == "fail"
    assert not any("aws_security_group_rule" in address for address, _ in result)


def test_a_local_that_names_a_bucket(tmp_path: Path) -> None:
    doc = plan_doc(
        [
            change("aws_s3_bucket.this[0]", {}, unknown={"id": True, "bucket": True}, index=0),
            change("aws_s3_bucket.other", {}, unknown={"id": True, "bucket": True}),
            change(
                "aws_s3_bucket_versioning.this",
                {"versioning_configuration": [{"status": "Enabled"}]},
                unknown={"bucket": True},
            ),
        ],
        {"resources": [config_resource("aws_s3_bucket_versioning.this", bucket=ref("local.bucket_id"))]},
    )
    (tmp_path / "plan.json").write_text(json.dumps(doc))
    (tmp_path / "locals.tf").write_text(
        'locals {\n  bucket_id = try(aws_s3_bucket.this[0].id, "")\n}\n'
        'resource "aws_s3_bucket" "this" {\n  count = 1\n}\n'
    )
    _, resources = load_plan_resources(tmp_path / "plan.json")
    by_address = {r.address: r for r in resources}
    assert by_address["aws_s3_bucket.this[0]"].attrs["versioning"]["enabled"] is True
    assert by_address["aws_s3_bucket.other"].attrs["versioning"]["enabled"] is False
    # Without the sources the local cannot be followed: both buckets are candidates, neither decided.
    elsewhere = tmp_path / "plan-only"
    elsewhere.mkdir()
    (elsewhere / "plan.json").write_text(json.dumps(doc))
    _, resources = load_plan_resources(elsewhere / "plan.json")
    gap = {r.address: r for r in resources}["aws_s3_bucket.other"].gap_for("versioning.enabled")
    assert gap is not None and gap.kind is GapKind.UNKNOWN


def test_without_sources_the_rule_still_fails_on_its_only_candidate(
    tmp_path: Path, builtin_policies: list[Any]
) -> None:
    _, resources = load_plan_resources(_write(tmp_path, _module_plan(), with_sources=False))
    result = {(f.resource.address, f.policy_id): f.status.value for f in evaluate(builtin_policies, resources)}
    for key in ("a", "b"):
        assert result[(f'module.svc["{key}"].aws_security_group.this_name_prefix[0]', ADMIN)] == "fail"


def test_unreadable_sources_are_a_note_not_a_crash(tmp_path: Path) -> None:
    path = _write(tmp_path, _module_plan(), with_sources=True)
    (tmp_path / "modules" / "sg" / "broken.tf").write_text('locals {\n  x = "unterminated\n')
    plan, _ = load_plan_resources(path)
    assert any("broken.tf" in note and "could not be read as HCL" in note for note in plan.notes)


def test_tf_dir_flag(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    _write(sources, _module_plan(), with_sources=True)
    plan_only = tmp_path / "elsewhere"
    plan_only.mkdir()
    (plan_only / "plan.json").write_text((sources / "plan.json").read_text())
    result = run_cli("scan", "plan", str(plan_only / "plan.json"), "--tf-dir", str(sources), "--format", "json")
    assert result.code == 1, result.err
    findings = json.loads(result.out)["findings"]
    assert {(f["resource"]["address"], f["status"]) for f in findings if f["policy_id"] == ADMIN} == {
        ('module.svc["a"].aws_security_group.this_name_prefix[0]', "fail"),
        ('module.svc["b"].aws_security_group.this_name_prefix[0]', "fail"),
    }
    bad = run_cli("scan", "plan", str(plan_only / "plan.json"), "--tf-dir", str(tmp_path / "missing"))
    assert bad.code == 2 and "--tf-dir" in bad.err and "Traceback" not in bad.err


def test_hcl2_is_imported_only_when_sources_are_read(tmp_path: Path) -> None:
    plan_only = tmp_path / "p"
    plan_only.mkdir()
    (plan_only / "plan.json").write_text(json.dumps(_module_plan()))
    code = (
        "import sys; from pathlib import Path; from hipaacheck.sources.terraform import load_plan_resources; "
        f"load_plan_resources(Path({str(plan_only / 'plan.json')!r})); "
        "print('hcl2' in sys.modules, 'boto3' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "False False", out


def test_registry_module_sources_come_from_modules_json(tmp_path: Path) -> None:
    # A registry module (its call's source is not a path) with two groups; the rule's local names
    # one of them. `terraform init` recorded where the module's sources are.
    m = "module.svc"
    changes = [
        change(f"{m}.aws_security_group.{name}", {"ingress": []}, unknown={"id": True}, module=m) for name in "ab"
    ]
    changes.append(
        change(
            f"{m}.aws_security_group_rule.ssh",
            {"type": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]},
            unknown={"security_group_id": True},
            module=m,
        )
    )
    module = {
        "resources": [
            config_resource("aws_security_group.a"),
            config_resource("aws_security_group.b"),
            config_resource("aws_security_group_rule.ssh", security_group_id=ref("local.sg_id")),
        ]
    }
    call = {"source": "example-org/security-group/aws", "module": module}
    doc = plan_doc(changes, {"resources": [], "module_calls": {"svc": call}})
    (tmp_path / "plan.json").write_text(json.dumps(doc))
    (tmp_path / "main.tf").write_text('module "svc" {\n  source = "example-org/security-group/aws"\n}\n')
    installed = tmp_path / ".terraform" / "modules" / "svc"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text("locals {\n  sg_id = aws_security_group.b.id\n}\n")
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(
        json.dumps(
            {"Modules": [{"Key": "", "Source": "", "Dir": "."}, {"Key": "svc", "Dir": ".terraform/modules/svc"}]}
        )
    )
    _, resources = load_plan_resources(tmp_path / "plan.json")
    by_address = {r.address: r for r in resources}
    assert by_address[f"{m}.aws_security_group.b"].attrs["internet_exposed_ports"] == [22]
    assert by_address[f"{m}.aws_security_group.a"].attrs["internet_exposed_ports"] == []
    assert f"{m}.aws_security_group_rule.ssh" not in by_address
    # Without modules.json the module's sources are not found: the rule is not pinned.
    (tmp_path / ".terraform" / "modules" / "modules.json").unlink()
    _, resources = load_plan_resources(tmp_path / "plan.json")
    by_address = {r.address: r for r in resources}
    assert by_address[f"{m}.aws_security_group_rule.ssh"].attrs["internet_exposed_ports"] == [22]
    assert by_address[f"{m}.aws_security_group.a"].gap_for("internet_exposed_ports") is not None
