"""Address -> file:line of the resource block, through local modules, nested blocks and account settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipaacheck.models import Evidence, Finding, Resource, Severity, Status
from hipaacheck.report import Location
from hipaacheck.sources.terraform.locations import SourceLocator, parse_address, scan_blocks

from ..conftest import FIXTURES, ROOT


def _finding(address: str, *keys: str) -> Finding:
    resource = Resource(type="x", address=address, source="terraform-plan", attrs={})
    evidence = tuple(Evidence(key, "false", "true") for key in keys)
    return Finding("p", "t", Severity.HIGH, Status.FAIL, ("164.312(b)",), resource, "m", "fix", evidence)


def _where(locator: SourceLocator, address: str, *keys: str) -> tuple[str, int] | None:
    location = locator.locate(_finding(address, *keys))
    return (location.file, location.line) if location else None


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ('module.a["x.y"].module.b.aws_s3_bucket.this[0]', (["a", "b"], "aws_s3_bucket", "this", "")),
        ("aws_instance.x.root_block_device[0]", ([], "aws_instance", "x", "root_block_device[0]")),
        ("module.q[1].aws_sqs_queue.this", (["q"], "aws_sqs_queue", "this", "")),
        ("data.aws_iam_policy_document.x", None),
        ("arn:aws:s3:::claims", None),
        ("account/us-east-1", None),
    ],
)
def test_parse_address(address: str, expected: object) -> None:
    assert parse_address(address) == expected


def test_noncompliant_addresses_map_to_the_lines_of_their_blocks() -> None:
    tf = FIXTURES / "noncompliant"
    locator = SourceLocator(tf, ROOT)
    prefix = "fixtures/terraform/noncompliant/"
    # Each expected line was read from the .tf file: the `resource "TYPE" "NAME" {` line.
    assert _where(locator, "aws_s3_bucket.claims") == (prefix + "s3.tf", 5)
    assert _where(locator, "aws_s3_bucket.edi_archive") == (prefix + "s3.tf", 84)
    assert _where(locator, "aws_db_instance.claims") == (prefix + "databases.tf", 19)
    assert _where(locator, "aws_lb_listener.http") == (prefix + "alb.tf", 18)
    # Nested blocks: the block inside the resource (root_block_device { at line 15).
    assert _where(locator, "aws_instance.edi_gateway.root_block_device[0]") == (prefix + "compute.tf", 15)
    assert _where(locator, "aws_launch_template.portal.block_device_mappings[0]") == (prefix + "compute.tf", 57)
    # A nested index beyond what is written falls back to the resource line.
    assert _where(locator, "aws_instance.edi_gateway.ebs_block_device[3]") == (prefix + "compute.tf", 3)
    # Account settings: the resource that manages the failing field.
    assert _where(locator, "account", "password_policy.minimum_length") == (prefix + "account.tf", 2)
    assert _where(locator, "account", "s3_public_access_block.all_enabled") == (prefix + "account.tf", 19)
    assert _where(locator, "account", "multi_region_trail_logging") == (prefix + "logging.tf", 3)
    assert _where(locator, "account/us-east-1", "ebs_encryption_by_default") == (prefix + "account.tf", 14)
    assert _where(locator, "account/us-east-1", "guardduty_enabled") == (prefix + "account.tf", 27)
    # Not declared anywhere: no location rather than a wrong one.
    assert _where(locator, "aws_s3_bucket.nowhere") is None
    assert _where(locator, "account", "root_mfa_enabled") is None


def test_module_addresses_follow_local_module_sources() -> None:
    locator = SourceLocator(FIXTURES / "modules_unknowns", ROOT)
    prefix = "fixtures/terraform/modules_unknowns/"
    assert _where(locator, 'module.tenant["b"].aws_s3_bucket.this') == (prefix + "modules/phi_bucket/main.tf", 17)
    assert _where(locator, 'module.tenant["a"].module.access_logs.aws_s3_bucket.this') == (
        prefix + "modules/log_bucket/main.tf",
        5,
    )
    assert _where(locator, "module.audit.module.archive.aws_s3_bucket.this") == (
        prefix + "modules/log_bucket/main.tf",
        5,
    )
    assert _where(locator, "module.claim_queue[1].aws_sqs_queue.this") == (prefix + "modules/claim_queue/main.tf", 11)
    assert _where(locator, "module.audit.aws_cloudwatch_log_group.debug") == (prefix + "modules/audit/main.tf", 13)
    assert _where(locator, "aws_s3_bucket_versioning.export[1]") == (prefix + "main.tf", 72)
    assert _where(locator, "module.nope.aws_s3_bucket.this") is None


def test_registry_module_points_at_the_module_call(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        '# header\n\nmodule "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.0.0"\n}\n'
    )
    locator = SourceLocator(tmp_path, tmp_path)
    location = locator.locate(_finding('module.vpc.aws_flow_log.this["x"]'))
    assert location == Location("main.tf", 3, 6)


def test_strings_comments_and_heredocs_do_not_confuse_the_block_scanner(tmp_path: Path) -> None:
    text = "\n".join(
        [
            'resource "aws_iam_policy" "a" {',  # 1
            "  policy = <<-EOT",  # 2
            '    { "Statement": [ { "Effect": "Allow" } ] }',  # 3
            '    resource "aws_s3_bucket" "fake" {',  # 4: inside a heredoc, not a block
            "    EOT",  # 5
            '  name = "a { b"  # } a comment with a brace',  # 6
            '  /* resource "x" "y" { */',  # 7
            '  description = "${jsonencode({ a = "}" })}"',  # 8
            "}",  # 9
            '// resource "aws_s3_bucket" "commented" {',  # 10
            "resource aws_s3_bucket legacy_labels {",  # 11
            '  bucket = "x"',  # 12
            "}",  # 13
            'resource "aws_sns_topic" "one_line" {}',  # 14
        ]
    )
    assert [(start, end) for start, end, _ in scan_blocks(text)] == [(1, 9), (11, 13), (14, 14)]
    (tmp_path / "main.tf").write_text(text)
    locator = SourceLocator(tmp_path, tmp_path)
    assert _where(locator, "aws_iam_policy.a") == ("main.tf", 1)
    assert _where(locator, "aws_s3_bucket.legacy_labels") == ("main.tf", 11)
    assert _where(locator, "aws_sns_topic.one_line") == ("main.tf", 14)
    assert _where(locator, "aws_s3_bucket.fake") is None
    assert _where(locator, "aws_s3_bucket.commented") is None


def test_files_outside_the_source_root_get_no_location(tmp_path: Path) -> None:
    tf = tmp_path / "infra"
    tf.mkdir()
    (tf / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n}\n')
    elsewhere = tmp_path / "other-root"
    elsewhere.mkdir()
    assert SourceLocator(tf, elsewhere).locate(_finding("aws_sqs_queue.q")) is None
    assert SourceLocator(tf, tmp_path).locate(_finding("aws_sqs_queue.q")) == Location("infra/main.tf", 1, 2)
