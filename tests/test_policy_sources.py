"""Bucket policies rendered by aws_iam_policy_document data sources deferred to apply (issue 12 item 4)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hipaacheck.engine import evaluate
from hipaacheck.sources.terraform import load_plan_resources

from .conftest import FIXTURES

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
