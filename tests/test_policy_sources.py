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
