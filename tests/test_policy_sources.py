"""Bucket policies rendered by aws_iam_policy_document data sources deferred to apply (issue 12 item 4)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaacheck.engine import evaluate
from hipaacheck.sources.terraform import load_plan_resources
from hipaacheck.sources.terraform.policy_blocks import conditions, constant, principals, tuple_elements
from hipaacheck.sources.terraform.policy_sources import POLICY_DOCUMENT, document_for
from hipaacheck.sources.terraform.raw import UNKNOWN
from hipaacheck.sources.terraform.references import Linker

from .conftest import FIXTURES
from .plan_cases import case_plan, locals_lookup

SCENARIO = FIXTURES / "realworld_modules"
CLAIMS = "module.claims_bucket.aws_s3_bucket.this[0]"
TRAIL = "module.trail_bucket.aws_s3_bucket.this"


def _verdicts(plan: Path, policies: list[Any]) -> dict[tuple[str, str], str]:
    _, resources = load_plan_resources(plan)
    return {(f.resource.address, f.policy_id): f.status.value for f in evaluate(policies, resources)}


def test_the_data_source_is_deferred_in_the_committed_plan() -> None:
    text = (SCENARIO / "plan.json").read_text()
    assert '"mode":"data","type":"aws_iam_policy_document"' in text.replace(" ", "")


def test_tls_policy_rendered_by_a_policy_document_passes_on_a_new_bucket(builtin_policies: list[Any]) -> None:
    result = _verdicts(SCENARIO / "plan.json", builtin_policies)
    assert result[(CLAIMS, "s3-bucket-denies-insecure-transport")] == "pass"
    assert result[(CLAIMS, "s3-bucket-not-public")] == "pass"


def test_a_trail_bucket_allowing_only_cloudtrail_fails_tls_and_is_not_public(builtin_policies: list[Any]) -> None:
    result = _verdicts(SCENARIO / "plan.json", builtin_policies)
    assert result[(TRAIL, "s3-bucket-denies-insecure-transport")] == "fail"
    assert result[(TRAIL, "s3-bucket-not-public")] == "pass"


def test_without_sources_a_deny_needs_its_element_text_but_an_allow_does_not(
    tmp_path: Path, builtin_policies: list[Any]
) -> None:
    # Plan JSON lists references, not "${arn}/*": a Deny's exact coverage stays unknown; the
    # trail's Allow statements name a service principal, so "not public" is decided either way.
    shutil.copy(SCENARIO / "plan.json", tmp_path / "plan.json")
    result = _verdicts(tmp_path / "plan.json", builtin_policies)
    assert result[(CLAIMS, "s3-bucket-denies-insecure-transport")] == "unknown"
    assert result[(CLAIMS, "s3-bucket-not-public")] == "pass"  # a Deny never makes a policy public
    assert result[(TRAIL, "s3-bucket-not-public")] == "pass"
    assert result[(TRAIL, "s3-bucket-denies-insecure-transport")] == "fail"


def _bucket_with_policy_document(json_text: str | None, *, read_change: bool) -> dict[str, Any]:
    from .conftest import change, config_resource, plan_doc, ref

    doc = plan_doc(
        [
            change("aws_s3_bucket.b", {"tags": {"phi": "true"}}, unknown={"id": True, "bucket": True, "arn": True}),
            change("aws_s3_bucket_policy.b", {}, unknown={"bucket": True, "policy": True}),
        ],
        {
            "resources": [
                config_resource(
                    "aws_s3_bucket_policy.b",
                    bucket=ref("aws_s3_bucket.b.id", "aws_s3_bucket.b"),
                    policy=ref("data.aws_iam_policy_document.p.json", "data.aws_iam_policy_document.p"),
                )
            ]
        },
    )
    data = {"address": "data.aws_iam_policy_document.p", "mode": "data", "type": "aws_iam_policy_document", "name": "p"}
    if read_change:
        doc["resource_changes"].append(
            data | {"change": {"actions": ["read"], "after": {"json": json_text}, "after_unknown": {}}}
        )
    else:
        doc["prior_state"] = {"values": {"root_module": {"resources": [data | {"values": {"json": json_text}}]}}}
    return doc


def test_a_document_read_during_plan_supplies_the_statements(builtin_policies: list[Any]) -> None:
    import json

    from hipaacheck.sources.terraform.adapters import adapt_plan
    from hipaacheck.sources.terraform.plan import Plan

    public = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}
    )
    for read_change in (False, True):
        resources = adapt_plan(Plan(_bucket_with_policy_document(public, read_change=read_change)))
        result = {(f.resource.address, f.policy_id): f.status.value for f in evaluate(builtin_policies, resources)}
        assert result[("aws_s3_bucket.b", "s3-bucket-not-public")] == "fail", read_change
        assert result[("aws_s3_bucket.b", "s3-bucket-denies-insecure-transport")] == "fail", read_change


def test_a_deferred_document_allowing_everyone_on_its_own_bucket_is_public(builtin_policies: list[Any]) -> None:
    from hipaacheck.sources.terraform.adapters import adapt_plan
    from hipaacheck.sources.terraform.plan import Plan

    doc = _bucket_with_policy_document(None, read_change=True)
    doc["resource_changes"][-1]["change"]["after_unknown"] = {"json": True}
    statement = {
        "actions": {"constant_value": ["s3:GetObject"]},
        "principals": [{"type": {"constant_value": "AWS"}, "identifiers": {"constant_value": ["*"]}}],
        "resources": {"references": ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]},
    }
    doc["configuration"]["root_module"]["resources"].append(
        {
            "address": "data.aws_iam_policy_document.p",
            "mode": "data",
            "type": "aws_iam_policy_document",
            "name": "p",
            "expressions": {"statement": [statement]},
        }
    )
    resources = adapt_plan(Plan(doc))
    result = {(f.resource.address, f.policy_id): f.status.value for f in evaluate(builtin_policies, resources)}
    assert result[("aws_s3_bucket.b", "s3-bucket-not-public")] == "fail"
    # A principal from a variable could be anything: nothing is guessed.
    statement["principals"][0]["identifiers"] = {"references": ["var.readers"]}
    resources = adapt_plan(Plan(doc))
    result = {(f.resource.address, f.policy_id): f.status.value for f in evaluate(builtin_policies, resources)}
    assert result[("aws_s3_bucket.b", "s3-bucket-not-public")] == "unknown"


# ---------------------------------------------------------------- which document, read how (a case table)

DOCUMENT_CASES = yaml.safe_load((Path(__file__).parent / "policy_document_cases.yaml").read_text(encoding="utf-8"))


class _CaseSources:
    """The .tf text of the case's data blocks, as hcl_sources.TerraformSources.data_block gives it."""

    def __init__(self, blocks: dict[str, dict[str, Any]]) -> None:
        self.blocks = blocks

    def data_block(self, config_module: str, data_type: str, name: str) -> dict[str, Any] | None:
        assert data_type == POLICY_DOCUMENT
        return self.blocks.get(config_module, {}).get(name)


@pytest.mark.parametrize("case", DOCUMENT_CASES, ids=[c["name"] for c in DOCUMENT_CASES])
def test_policy_document_case(case: dict[str, Any]) -> None:
    plan = case_plan(case)
    sources = _CaseSources(case["sources"]) if "sources" in case else None
    linker = Linker(plan, locals_lookup(case), sources)
    resources = {r.address: r for r in plan.resources}
    holder = resources[case.get("holder", "aws_s3_bucket_policy.p")]
    bucket = resources[case.get("bucket", "aws_s3_bucket.b")]
    rebuilt = document_for(linker, holder, bucket)
    expected = case["expect"]
    if expected is None:
        assert rebuilt is None
        return
    assert rebuilt is not None
    if "raw" in expected:
        assert rebuilt.document == expected["raw"]
    else:
        assert rebuilt.document == {"Version": "2012-10-17", "Statement": expected["statements"]}
    assert rebuilt.deny_uncertain is expected.get("deny_uncertain", False)


# ---------------------------------------------------------------- one block as the plan writes it

_KNOWN_AFTER_APPLY = ["(known after apply)"]


def _c(value: Any) -> dict[str, Any]:
    return {"constant_value": value}


def _r(*references: Any) -> dict[str, Any]:
    return {"references": list(references)}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (_c(["s3:*"]), ["s3:*"]),
        (_c(None), None),
        ({"constant_value": "x", "references": []}, "x"),
        ({"constant_value": "x", "references": ["var.x"]}, UNKNOWN),
        (_r("var.x"), UNKNOWN),
        ("x", UNKNOWN),
    ],
)
def test_constant(expression: Any, expected: Any) -> None:
    result = constant(expression)
    if expected is UNKNOWN:
        assert result is UNKNOWN
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"plain"', ['"plain"']),
        ("aws_s3_bucket.b.arn", ["aws_s3_bucket.b.arn"]),
        ("${aws_s3_bucket.b.arn}", ["aws_s3_bucket.b.arn"]),
        ('${[a, "b/${c}"]}', ["a", '"b/${c}"']),
        (' ${[a, "b"]} ', ["a", '"b"']),
        ("${[]}", []),
        ("${[a, , b]}", ["a", "b"]),
        # A template before the next element: commas are found in the text itself.
        ('${["${a.arn}/*", a.arn, "x:${a.id}/y", "z"]}', ['"${a.arn}/*"', "a.arn", '"x:${a.id}/y"', '"z"']),
        ("${[f(a, b), [c, d], {e = f}, g]}", ["f(a, b)", "[c, d]", "{e = f}", "g"]),
        ('${["a,b", "c\\",d", "${f("}", 1)}", e]}', ['"a,b"', '"c\\",d"', '"${f("}", 1)}"', "e"]),
        ('${["%{if x}a,b%{endif}", c]}', ['"%{if x}a,b%{endif}"', "c"]),
        # Quotes inside an interpolation or a directive open strings of their own.
        ('${["${join(",", x)}", b]}', ['"${join(",", x)}"', "b"]),
        ('${["%{if a == ","}y%{endif}", b]}', ['"%{if a == ","}y%{endif}"', "b"]),
        ('${["${"x"}", b]}', ['"${"x"}"', "b"]),
        ('${["a\\\\", b]}', ['"a\\\\"', "b"]),  # an escaped backslash ends the string
        ("${[a,bc]}", ["a", "bc"]),
        ("${[aws_s3_bucket.X[0].arn, b]}", ["aws_s3_bucket.X[0].arn", "b"]),
        ("${[f(X, y), b]}", ["f(X, y)", "b"]),
        ("${local.arns[0]}", ["local.arns[0]"]),
    ],
)
def test_tuple_elements(text: str, expected: list[str]) -> None:
    assert tuple_elements(text) == expected


def _principal(kind: Any, identifiers: Any) -> dict[str, Any]:
    return {"type": kind, "identifiers": identifiers}


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([_principal(_c("AWS"), _c(["arn:aws:iam::1:root"]))], {"AWS": ["arn:aws:iam::1:root"]}),
        (
            [_principal(_c("AWS"), _c(["a"])), _principal(_c("AWS"), _c(["b"])), _principal(_c("Service"), _c(["s"]))],
            {"AWS": ["a", "b"], "Service": ["s"]},
        ),
        ([_principal(_c("*"), _c(["*"]))], "*"),
        ([_principal(_c("*"), _c(["arn:aws:iam::1:root"]))], None),
        # A managed resource's ARN is never "*": known after apply, but not anyone.
        ([_principal(_c("AWS"), _r("aws_iam_role.r.arn", "aws_iam_role.r"))], {"AWS": _KNOWN_AFTER_APPLY}),
        ([_principal(_c("AWS"), _r("var.readers"))], None),
        ([_principal(_c("AWS"), _r("local.readers"))], None),
        ([_principal(_c("AWS"), _r("data.aws_iam_role.r.arn"))], None),
        ([_principal(_c("AWS"), _r("module.m.role_arn"))], None),
        ([_principal(_c("AWS"), _r("each.value"))], None),
        ([_principal(_c("AWS"), _r("aws_iam_role.r.arn", 3))], None),
        ([_principal(_c("AWS"), _r())], None),
        ([_principal(_c("AWS"), "text")], None),
        ([{"type": _c("AWS")}], None),
        ([_principal(_r("var.kind"), _c(["*"]))], None),
        ([_principal(_c("AWS"), _c("*"))], None),
        ([_principal(_c("AWS"), _c(["a", 1]))], None),
        (["block"], None),
        ([], {}),
        (_c([]), None),
    ],
)
def test_principals(blocks: Any, expected: Any) -> None:
    assert principals(blocks) == expected


def _condition(test: Any, variable: Any, values: Any) -> dict[str, Any]:
    return {"test": test, "variable": variable, "values": values}


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        (
            [_condition(_c("Bool"), _c("aws:SecureTransport"), _c(["false"]))],
            {"Bool": {"aws:SecureTransport": ["false"]}},
        ),
        (
            [
                _condition(_c("StringEquals"), _c("aws:SourceVpce"), _c(["vpce-1"])),
                _condition(_c("StringEquals"), _c("aws:SourceVpce"), _c(["vpce-2"])),
                _condition(_c("StringEquals"), _c("aws:PrincipalOrgID"), _c(["o-1"])),
                _condition(_c("NumericLessThan"), _c("s3:TlsVersion"), _c([1.2])),
            ],
            {
                "StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"], "aws:PrincipalOrgID": ["o-1"]},
                "NumericLessThan": {"s3:TlsVersion": ["1.2"]},
            },
        ),
        # The key and the operator decide what a condition limits, not its value.
        (
            [_condition(_c("StringEquals"), _c("aws:SourceVpce"), _r("aws_vpc_endpoint.s3.id"))],
            {"StringEquals": {"aws:SourceVpce": _KNOWN_AFTER_APPLY}},
        ),
        ([_condition(_r("var.test"), _c("aws:SourceVpce"), _c(["v"]))], None),
        ([_condition(_c("StringEquals"), _r("var.key"), _c(["v"]))], None),
        ([_condition(_c("StringEquals"), _c("aws:SourceVpce"), _c("v"))], None),
        (["block"], None),
        ([], {}),
        (_c([]), None),
    ],
)
def test_conditions(blocks: Any, expected: Any) -> None:
    assert conditions(blocks) == expected
