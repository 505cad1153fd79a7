"""Each adapter join, from small plan documents shaped as terraform show -json writes them."""

from __future__ import annotations

import json
from typing import Any

from hipaacheck.models import GapKind, Resource
from hipaacheck.sources.terraform.adapters import adapt_plan
from hipaacheck.sources.terraform.plan import Plan

from .conftest import change, config_resource, plan_doc, ref


def adapt(doc: dict[str, Any]) -> dict[str, Resource]:
    return {r.address: r for r in adapt_plan(Plan(doc))}


def bucket(address: str = "aws_s3_bucket.phi", **after: Any) -> dict[str, Any]:
    return change(address, {"bucket": after.pop("bucket", None), **after}, unknown={"id": True, "arn": True})


SSE = {
    "rule": [
        {
            "apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": None}],
            "bucket_key_enabled": True,
        }
    ]
}


def test_split_encryption_joins_through_reference_when_bucket_id_is_unknown() -> None:
    doc = plan_doc(
        [
            bucket(),
            change(
                "aws_s3_bucket_server_side_encryption_configuration.phi",
                {"bucket": None, **SSE},
                unknown={
                    "bucket": True,
                    "rule": [{"apply_server_side_encryption_by_default": [{"kms_master_key_id": True}]}],
                },
            ),
        ],
        {
            "resources": [
                config_resource(
                    "aws_s3_bucket_server_side_encryption_configuration.phi",
                    bucket=ref("aws_s3_bucket.phi.id", "aws_s3_bucket.phi"),
                )
            ]
        },
    )
    phi = adapt(doc)["aws_s3_bucket.phi"]
    assert phi.attrs["encryption"]["algorithm"] == "aws:kms"
    assert phi.gap_for("encryption.kms_key_id").kind is GapKind.UNKNOWN  # type: ignore[union-attr]


def test_inline_and_split_styles_give_the_same_bucket() -> None:
    inline = plan_doc(
        [
            change(
                "aws_s3_bucket.b",
                {
                    "bucket": "claims",
                    "server_side_encryption_configuration": [SSE],
                    "versioning": [{"enabled": True, "mfa_delete": False}],
                    "logging": [{"target_bucket": "logs", "target_prefix": "x/"}],
                },
            )
        ]
    )
    split = plan_doc(
        [
            change(
                "aws_s3_bucket.b",
                {"bucket": "claims"},
                unknown={"versioning": True, "logging": True, "server_side_encryption_configuration": True},
            ),
            change("aws_s3_bucket_server_side_encryption_configuration.b", {"bucket": "claims", **SSE}),
            change(
                "aws_s3_bucket_versioning.b",
                {"bucket": "claims", "versioning_configuration": [{"status": "Enabled", "mfa_delete": None}]},
            ),
            change("aws_s3_bucket_logging.b", {"bucket": "claims", "target_bucket": "logs"}),
        ]
    )
    a, b = adapt(inline)["aws_s3_bucket.b"].attrs, adapt(split)["aws_s3_bucket.b"].attrs
    for field in ("encryption", "logging"):
        assert a[field] == b[field], field
    assert a["versioning"]["enabled"] is b["versioning"]["enabled"] is True


def test_missing_sub_resources_mean_s3_defaults() -> None:
    attrs = adapt(plan_doc([bucket(bucket="claims")]))["aws_s3_bucket.phi"].attrs
    assert attrs["encryption"] == {"algorithm": "AES256"}  # SSE-S3 since 2023, not "unencrypted"
    assert attrs["versioning"] == {"enabled": False}
    assert attrs["public_access_block"] == {"all_enabled": False}
    assert attrs["policy"]["denies_insecure_transport"] is False


def test_unresolvable_split_resource_makes_the_field_unknown() -> None:
    doc = plan_doc(
        [
            bucket(),
            change(
                "aws_s3_bucket_versioning.v",
                {"versioning_configuration": [{"status": "Enabled"}]},
                unknown={"bucket": True},
            ),
        ],
        {"resources": [config_resource("aws_s3_bucket_versioning.v", bucket=ref("local.name"))]},
    )
    gap = adapt(doc)["aws_s3_bucket.phi"].gap_for("versioning.enabled")
    assert gap is not None and gap.kind is GapKind.UNKNOWN


def test_count_instances_join_to_the_same_index() -> None:
    changes = [bucket(f"aws_s3_bucket.b[{i}]", bucket=None) | {"index": i} for i in range(2)]
    changes += [
        change(
            f"aws_s3_bucket_versioning.v[{i}]",
            {"versioning_configuration": [{"status": "Enabled" if i else "Suspended"}]},
            unknown={"bucket": True},
            index=i,
        )
        for i in range(2)
    ]
    doc = plan_doc(
        changes,
        {
            "resources": [
                config_resource(
                    "aws_s3_bucket_versioning.v",
                    bucket=ref("aws_s3_bucket.b[count.index].id", "aws_s3_bucket.b", "count.index"),
                )
            ]
        },
    )
    result = adapt(doc)
    assert result["aws_s3_bucket.b[0]"].attrs["versioning"]["enabled"] is False
    assert result["aws_s3_bucket.b[1]"].attrs["versioning"]["enabled"] is True


def test_reference_through_module_output_and_for_each() -> None:
    module = 'module.tenant["a"]'
    changes = [
        change(f"{module}.aws_s3_bucket.this", {"bucket": None}, unknown={"bucket": True, "id": True}, module=module),
        change(
            'module.tenant["b"].aws_s3_bucket.this',
            {"bucket": None},
            unknown={"bucket": True, "id": True},
            module='module.tenant["b"]',
        ),
        change(
            "aws_s3_bucket_public_access_block.a",
            {
                "block_public_acls": True,
                "ignore_public_acls": True,
                "block_public_policy": True,
                "restrict_public_buckets": True,
            },
            unknown={"bucket": True},
        ),
    ]
    root = {
        "resources": [
            config_resource(
                "aws_s3_bucket_public_access_block.a", bucket=ref('module.tenant["a"].bucket_id', 'module.tenant["a"]')
            )
        ],
        "module_calls": {
            "tenant": {
                "source": "./modules/t",
                "module": {
                    "outputs": {"bucket_id": {"expression": ref("aws_s3_bucket.this.id", "aws_s3_bucket.this")}},
                    "resources": [config_resource("aws_s3_bucket.this")],
                },
            }
        },
    }
    result = adapt(plan_doc(changes, root))
    assert result[f"{module}.aws_s3_bucket.this"].attrs["public_access_block"]["all_enabled"] is True
    assert result['module.tenant["b"].aws_s3_bucket.this'].attrs["public_access_block"]["all_enabled"] is False


def test_bucket_policy_facts() -> None:
    policy = {
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"},
        ]
    }
    doc = plan_doc(
        [bucket(bucket="c"), change("aws_s3_bucket_policy.p", {"bucket": "c", "policy": json.dumps(policy)})]
    )
    attrs = adapt(doc)["aws_s3_bucket.phi"].attrs
    assert attrs["policy"] == {"present": True, "public": True, "denies_insecure_transport": True}


def test_security_group_rules_from_separate_resources() -> None:
    doc = plan_doc(
        [
            change("aws_security_group.db", {"name": "db", "ingress": []}, unknown={"id": True}),
            change(
                "aws_security_group_rule.pg",
                {
                    "type": "ingress",
                    "protocol": "tcp",
                    "from_port": 5432,
                    "to_port": 5432,
                    "cidr_blocks": ["0.0.0.0/0"],
                },
                unknown={"security_group_id": True},
            ),
            change(
                "aws_vpc_security_group_ingress_rule.redis",
                {"ip_protocol": "tcp", "from_port": 6379, "to_port": 6379, "cidr_ipv6": "::/0"},
                unknown={"security_group_id": True},
            ),
            change(
                "aws_security_group_rule.out",
                {"type": "egress", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]},
                unknown={"security_group_id": True},
            ),
        ],
        {
            "resources": [
                config_resource(
                    "aws_security_group_rule.pg",
                    security_group_id=ref("aws_security_group.db.id", "aws_security_group.db"),
                ),
                config_resource(
                    "aws_vpc_security_group_ingress_rule.redis",
                    security_group_id=ref("aws_security_group.db.id", "aws_security_group.db"),
                ),
                config_resource(
                    "aws_security_group_rule.out",
                    security_group_id=ref("aws_security_group.db.id", "aws_security_group.db"),
                ),
            ]
        },
    )
    attrs = adapt(doc)["aws_security_group.db"].attrs
    assert attrs["internet_exposed_ports"] == [5432, 6379]
    assert attrs["internet_all_traffic"] is False
    assert len(attrs["ingress"]) == 2


def test_rds_tls_from_parameter_group_by_name_and_default() -> None:
    doc = plan_doc(
        [
            change(
                "aws_db_instance.a",
                {"engine": "postgres", "engine_version": "14.9", "parameter_group_name": "claims-pg"},
            ),
            change(
                "aws_db_parameter_group.pg",
                {
                    "name": "claims-pg",
                    "parameter": [{"name": "rds.force_ssl", "value": "1", "apply_method": "immediate"}],
                },
            ),
            change(
                "aws_db_instance.b",
                {"engine": "mysql", "engine_version": "8.0", "parameter_group_name": "default.mysql8.0"},
            ),
            change(
                "aws_db_instance.c",
                {"engine": "postgres", "engine_version": "16.3"},
                unknown={"parameter_group_name": True},
            ),
            change(
                "aws_db_instance.d",
                {"engine": "postgres", "engine_version": "14.1", "parameter_group_name": "elsewhere"},
            ),
        ]
    )
    result = adapt(doc)
    assert result["aws_db_instance.a"].attrs["tls_enforced"] is True
    assert result["aws_db_instance.b"].attrs["tls_enforced"] is False
    assert result["aws_db_instance.c"].gap_for("tls_enforced") is not None  # unknown group
    assert result["aws_db_instance.d"].gap_for("tls_enforced").kind is GapKind.UNKNOWN  # type: ignore[union-attr]


def test_listener_joins_load_balancer_and_sees_redirect() -> None:
    doc = plan_doc(
        [
            change("aws_lb.web", {"internal": False}, unknown={"arn": True}),
            change(
                "aws_lb_listener.http",
                {
                    "protocol": "HTTP",
                    "port": 80,
                    "default_action": [{"type": "redirect", "redirect": [{"protocol": "HTTPS", "port": "443"}]}],
                },
                unknown={"load_balancer_arn": True},
            ),
        ],
        {"resources": [config_resource("aws_lb_listener.http", load_balancer_arn=ref("aws_lb.web.arn", "aws_lb.web"))]},
    )
    attrs = adapt(doc)["aws_lb_listener.http"].attrs
    assert attrs["redirects_to_https"] is True and attrs["encrypted"] is False
    assert attrs["load_balancer_internal"] is False


def test_ebs_default_encryption_encrypts_volumes_in_the_plan() -> None:
    doc = plan_doc(
        [
            change("aws_ebs_volume.v", {"size": 10}, unknown={"encrypted": True}),
            change("aws_ebs_encryption_by_default.on", {"enabled": True}),
        ]
    )
    assert adapt(doc)["aws_ebs_volume.v"].attrs["encrypted"] is True
    alone = plan_doc([change("aws_ebs_volume.v", {"size": 10}, unknown={"encrypted": True})])
    assert adapt(alone)["aws_ebs_volume.v"].gap_for("encrypted").kind is GapKind.UNKNOWN  # type: ignore[union-attr]


def test_string_booleans_are_normalised() -> None:
    doc = plan_doc(
        [
            change(
                "aws_elasticache_replication_group.r",
                {"at_rest_encryption_enabled": "true", "transit_encryption_enabled": False},
            )
        ]
    )
    attrs = adapt(doc)["aws_elasticache_replication_group.r"].attrs
    assert attrs["at_rest_encryption"] is True and attrs["transit_encryption"] is False


def test_iam_admin_in_managed_and_inline_policies() -> None:
    admin = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    doc = plan_doc(
        [
            change("aws_iam_policy.admin", {"name": "admin", "policy": admin}),
            change("aws_iam_user_policy.u", {"name": "u", "user": "bob", "policy": admin}),
            change("aws_iam_role.r", {"name": "r", "inline_policy": [{"name": "i", "policy": admin}]}),
            change("aws_iam_policy.later", {"name": "later"}, unknown={"policy": True}),
        ]
    )
    # The inline user policy is also an iam_user finding of its own (user bob is outside the plan): keep the policies.
    result = {r.address: r for r in adapt_plan(Plan(doc)) if r.type == "iam_policy"}
    for address in ("aws_iam_policy.admin", "aws_iam_user_policy.u", "aws_iam_role.r.inline_policy[0]"):
        assert result[address].attrs["allows_admin"] is True, address
    assert result["aws_iam_policy.later"].gap_for("allows_admin").kind is GapKind.UNKNOWN  # type: ignore[union-attr]


def test_account_settings_not_in_the_plan_are_not_managed() -> None:
    account = adapt(plan_doc([change("aws_iam_account_password_policy.p", {"minimum_password_length": 14})]))["account"]
    assert account.attrs["password_policy"]["minimum_length"] == 14
    assert account.gap_for("s3_public_access_block.all_enabled").kind is GapKind.NOT_MANAGED  # type: ignore[union-attr]
    assert account.gap_for("multi_region_trail_logging").kind is GapKind.NOT_MANAGED  # type: ignore[union-attr]


def test_pure_deletes_are_not_evaluated_but_replacements_are() -> None:
    doc = plan_doc(
        [
            change("aws_sqs_queue.gone", {}, actions=("delete",)),
            change("aws_sqs_queue.new", {"name": "n", "sqs_managed_sse_enabled": True}, actions=("delete", "create")),
        ]
    )
    result = adapt(doc)
    assert "aws_sqs_queue.gone" not in result
    assert result["aws_sqs_queue.new"].action == "replace"


def test_sensitive_values_are_marked() -> None:
    doc = plan_doc(
        [
            change(
                "aws_db_instance.db", {"engine": "postgres", "kms_key_id": "arn:secret"}, sensitive={"kms_key_id": True}
            )
        ]
    )
    assert "kms_key_id" in adapt(doc)["aws_db_instance.db"].sensitive


def test_malformed_value_becomes_an_error_gap() -> None:
    doc = plan_doc([change("aws_db_instance.db", {"engine": "postgres", "backup_retention_period": {"oops": 1}})])
    gap = adapt(doc)["aws_db_instance.db"].gap_for("backup_retention_period")
    assert gap is not None and gap.kind is GapKind.ERROR


def test_a_changed_part_marks_its_unchanged_parent_updated() -> None:
    doc = plan_doc(
        [
            change("aws_s3_bucket.b", {"bucket": "claims"}, actions=("no-op",)),
            change("aws_s3_bucket_logging.b", {"bucket": "claims", "target_bucket": "logs"}),
            change("aws_s3_bucket.quiet", {"bucket": "quiet"}, actions=("no-op",)),
            change("aws_iam_account_password_policy.p", {"minimum_password_length": 14}, actions=("update",)),
        ]
    )
    result = adapt(doc)
    assert result["aws_s3_bucket.b"].action == "update"
    assert result["aws_s3_bucket.quiet"].action == "no-op"
    assert result["account"].action == "update"
    assert result["account/us-east-1"].action is None  # nothing regional is managed
