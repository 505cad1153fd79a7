"""Which parent a policy, permission, rotation or launch permission joins, and what it makes of it.

Small plan documents shaped as terraform show -json writes them: deletes of the attaching
resource, parents known only after apply, two policies for one parent, values known at apply.
The real plans are fixtures/terraform/copies and secrets_policies.
"""

from __future__ import annotations

import json
from typing import Any

from hipaacheck.models import GapKind, Resource
from hipaacheck.sources.terraform.adapters import adapt_plan
from hipaacheck.sources.terraform.plan import Plan

from .conftest import change, config_resource, plan_doc, ref

PUBLIC = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]})
PRIVATE = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sqs:*", "Resource": "*"}]}
)
TLS = json.dumps(
    {
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    }
)


def adapt(doc: dict[str, Any]) -> dict[str, Resource]:
    return {r.address: r for r in adapt_plan(Plan(doc))}


def queue(address: str = "aws_sqs_queue.claims", **after: Any) -> dict[str, Any]:
    return change(
        address,
        {"name": address.split(".")[-1], "sqs_managed_sse_enabled": True, **after},
        unknown={"id": True, "url": True, "arn": True},
    )


def gap(resource: Resource, path: str) -> GapKind | None:
    found = resource.gap_for(path)
    return found.kind if found else None


def test_a_queue_policy_joins_its_queue_by_reference_and_wins_over_the_inline_policy() -> None:
    doc = plan_doc(
        [queue(policy=PUBLIC), change("aws_sqs_queue_policy.claims", {"policy": TLS}, unknown={"queue_url": True})],
        {
            "resources": [
                config_resource(
                    "aws_sqs_queue_policy.claims",
                    queue_url=ref("aws_sqs_queue.claims.id", "aws_sqs_queue.claims"),
                    policy={},
                )
            ]
        },
    )
    claims = adapt(doc)["aws_sqs_queue.claims"]
    assert claims.attrs["policy"] == {"present": True, "public": False, "denies_insecure_transport": True}


def test_a_deleted_queue_policy_no_longer_makes_the_queue_public() -> None:
    doc = plan_doc(
        [
            queue(),
            change("aws_sqs_queue_policy.gone", None, actions=("delete",))
            | {
                "change": {
                    "actions": ["delete"],
                    "before": {"queue_url": "https://sqs/claims", "policy": PUBLIC},
                    "after": None,
                    "after_unknown": {},
                }
            },
        ]
    )
    claims = adapt(doc)["aws_sqs_queue.claims"]
    assert claims.attrs["policy"] == {"present": False, "public": False, "denies_insecure_transport": False}


def test_a_policy_whose_queue_is_known_only_after_apply() -> None:
    # No configuration to follow: the policy may belong to either queue. Both become unknown for
    # what it could change, and, being public, it fails on its own address.
    doc = plan_doc(
        [
            queue("aws_sqs_queue.a"),
            queue("aws_sqs_queue.b"),
            change("aws_sqs_queue_policy.p", {"policy": PUBLIC}, unknown={"queue_url": True}),
        ]
    )
    result = adapt(doc)
    for name in ("aws_sqs_queue.a", "aws_sqs_queue.b"):
        assert gap(result[name], "policy.public") is GapKind.UNKNOWN
        assert gap(result[name], "policy.denies_insecure_transport") is GapKind.UNKNOWN
    orphan = result["aws_sqs_queue_policy.p"]
    assert orphan.type == "sqs_queue" and orphan.attrs["policy"]["public"] is True
    assert gap(orphan, "encrypted") is GapKind.NOT_MANAGED


def test_a_private_policy_of_an_unknown_queue_adds_no_resource() -> None:
    doc = plan_doc(
        [queue("aws_sqs_queue.a"), change("aws_sqs_queue_policy.p", {"policy": PRIVATE}, unknown={"queue_url": True})]
    )
    assert "aws_sqs_queue_policy.p" not in adapt(doc)


def test_two_policies_for_one_queue_leave_the_result_to_apply_order() -> None:
    config = {
        "resources": [
            config_resource(
                f"aws_sqs_queue_policy.{n}", queue_url=ref("aws_sqs_queue.claims.url", "aws_sqs_queue.claims")
            )
            for n in ("one", "two")
        ]
    }
    doc = plan_doc(
        [
            queue(),
            change("aws_sqs_queue_policy.one", {"policy": PUBLIC}, unknown={"queue_url": True}),
            change("aws_sqs_queue_policy.two", {"policy": PRIVATE}, unknown={"queue_url": True}),
        ],
        config,
    )
    assert gap(adapt(doc)["aws_sqs_queue.claims"], "policy.public") is GapKind.UNKNOWN


def test_a_policy_known_only_after_apply_is_unknown_and_a_malformed_one_is_an_error() -> None:
    later = queue("aws_sqs_queue.a")
    later["change"]["after_unknown"]["policy"] = True
    doc = plan_doc([later, queue("aws_sqs_queue.b", policy="{not json")])
    doc["configuration"]["root_module"]["resources"] = [config_resource("aws_sqs_queue.a", policy=ref("local.p"))]
    result = adapt(doc)
    assert gap(result["aws_sqs_queue.a"], "policy.public") is GapKind.UNKNOWN
    assert gap(result["aws_sqs_queue.b"], "policy.public") is GapKind.ERROR


def function(name: str) -> dict[str, Any]:
    return change(f"aws_lambda_function.{name}", {"function_name": name}, unknown={"arn": True})


def permission(name: str, function_name: str, **after: Any) -> dict[str, Any]:
    values = {"function_name": function_name, "action": "lambda:InvokeFunction", "statement_id": name, **after}
    unknown = {k: True for k, v in after.items() if v is None}
    return change(f"aws_lambda_permission.{name}", values, unknown=unknown)


def test_lambda_permissions_join_by_function_name_and_conditions_decide() -> None:
    doc = plan_doc(
        [
            function("a"),
            function("b"),
            function("c"),
            function("d"),
            permission("a", "a", principal="*"),
            permission("b", "b", principal="s3.amazonaws.com", source_arn="arn:aws:s3:::claims"),
            permission("c", "c", principal="events.amazonaws.com"),
            permission("d", "d", principal="111122223333"),
        ]
    )
    result = adapt(doc)
    public = {n: result[f"aws_lambda_function.{n}"].attrs["policy"]["public"] for n in "abcd"}
    assert public == {"a": True, "b": False, "c": True, "d": False}


def test_a_source_arn_known_only_after_apply() -> None:
    # Leaving the unknown condition out can only make a statement look more public: an account
    # principal is private either way; a service principal is unknown until the ARN is known.
    doc = plan_doc(
        [
            function("a"),
            function("b"),
            permission("a", "a", principal="111122223333", source_arn=None),
            permission("b", "b", principal="s3.amazonaws.com", source_arn=None),
        ]
    )
    result = adapt(doc)
    assert result["aws_lambda_function.a"].attrs["policy"]["public"] is False
    assert gap(result["aws_lambda_function.b"], "policy.public") is GapKind.UNKNOWN


def test_a_deleted_permission_and_url_are_gone() -> None:
    deleted = {"actions": ["delete"], "after": None, "after_unknown": {}}
    doc = plan_doc(
        [
            function("a"),
            permission("gone", "a", principal="*")
            | {"change": {**deleted, "before": {"function_name": "a", "principal": "*"}}},
            change("aws_lambda_function_url.gone", None)
            | {"change": {**deleted, "before": {"function_name": "a", "authorization_type": "NONE"}}},
        ]
    )
    attrs = adapt(doc)["aws_lambda_function.a"].attrs
    assert attrs["policy"] == {"present": False, "public": False} and attrs["url_configured"] is False


def test_an_open_url_of_an_unknown_function_fails_on_its_own_address() -> None:
    doc = plan_doc(
        [
            function("a"),
            change("aws_lambda_function_url.u", {"authorization_type": "NONE"}, unknown={"function_name": True}),
            permission("p", None, principal="*") | {},
        ]
    )
    doc["resource_changes"][-1]["change"]["after_unknown"]["function_name"] = True
    result = adapt(doc)
    assert gap(result["aws_lambda_function.a"], "url_auth_type") is GapKind.UNKNOWN
    assert gap(result["aws_lambda_function.a"], "policy.public") is GapKind.UNKNOWN
    assert result["aws_lambda_function_url.u"].attrs["url_auth_type"] == "NONE"
    assert result["aws_lambda_permission.p"].attrs["policy"]["public"] is True


def test_secret_rotation_joins_by_reference_or_is_unknown() -> None:
    secret = {"name": None, "kms_key_id": None}
    doc = plan_doc(
        [
            change("aws_secretsmanager_secret.a", secret, unknown={"id": True, "arn": True, "policy": True}),
            change("aws_secretsmanager_secret.b", secret, unknown={"id": True, "arn": True, "policy": True}),
            change("aws_secretsmanager_secret_rotation.a", {}, unknown={"secret_id": True}),
        ],
        {
            "resources": [
                config_resource(
                    "aws_secretsmanager_secret_rotation.a",
                    secret_id=ref("aws_secretsmanager_secret.a.id", "aws_secretsmanager_secret.a"),
                )
            ]
        },
    )
    result = adapt(doc)
    assert result["aws_secretsmanager_secret.a"].attrs["rotation_enabled"] is True
    assert result["aws_secretsmanager_secret.b"].attrs["rotation_enabled"] is False
    unpinned = plan_doc(doc["resource_changes"])
    result = adapt(unpinned)
    assert gap(result["aws_secretsmanager_secret.a"], "rotation_enabled") is GapKind.UNKNOWN
    assert gap(result["aws_secretsmanager_secret.b"], "rotation_enabled") is GapKind.UNKNOWN


def test_secret_keys() -> None:
    doc = plan_doc(
        [
            change("aws_secretsmanager_secret.aws", {"kms_key_id": "alias/aws/secretsmanager"}),
            change(
                "aws_secretsmanager_secret.arn",
                {"kms_key_id": "arn:aws:kms:us-east-1:111122223333:alias/aws/secretsmanager"},
            ),
            change("aws_secretsmanager_secret.cmk", {"kms_key_id": "alias/claims"}),
            change("aws_secretsmanager_secret.ref", {"kms_key_id": None}, unknown={"kms_key_id": True}),
            change("aws_secretsmanager_secret.alias", {"kms_key_id": None}, unknown={"kms_key_id": True}),
            change("aws_kms_key.k", {}, unknown={"arn": True}),
            change("aws_secretsmanager_secret.looked_up", {"kms_key_id": "arn:aws:kms:us-east-1:111122223333:key/1"}),
            change("aws_secretsmanager_secret.by_var", {"kms_key_id": "arn:aws:kms:us-east-1:111122223333:key/2"}),
        ],
        {
            "resources": [
                # The AWS managed key's ARN, looked up by its alias: still AWS managed.
                {
                    "address": "data.aws_kms_alias.sm",
                    "mode": "data",
                    "type": "aws_kms_alias",
                    "name": "sm",
                    "expressions": {"name": {"constant_value": "alias/aws/secretsmanager"}},
                },
                {
                    "address": "data.aws_kms_key.v",
                    "mode": "data",
                    "type": "aws_kms_key",
                    "name": "v",
                    "expressions": {"key_id": ref("var.key")},
                },
                config_resource(
                    "aws_secretsmanager_secret.looked_up",
                    kms_key_id=ref("data.aws_kms_alias.sm.target_key_arn", "data.aws_kms_alias.sm"),
                ),
                config_resource(
                    "aws_secretsmanager_secret.by_var", kms_key_id=ref("data.aws_kms_key.v.arn", "data.aws_kms_key.v")
                ),
                config_resource("aws_secretsmanager_secret.ref", kms_key_id=ref("aws_kms_key.k.arn", "aws_kms_key.k")),
                config_resource(
                    "aws_secretsmanager_secret.alias",
                    kms_key_id=ref("data.aws_kms_alias.sm.arn", "data.aws_kms_alias.sm"),
                ),
            ]
        },
    )
    result = adapt(doc)
    cmk = {n: result[f"aws_secretsmanager_secret.{n}"].attrs.get("kms_cmk") for n in ("aws", "arn", "cmk", "ref")}
    assert cmk == {"aws": False, "arn": False, "cmk": True, "ref": True}
    assert result["aws_secretsmanager_secret.looked_up"].attrs["kms_cmk"] is False
    assert gap(result["aws_secretsmanager_secret.by_var"], "kms_cmk") is GapKind.UNKNOWN
    # Its key ARN (known only after apply) comes from the alias/aws/secretsmanager lookup.
    assert result["aws_secretsmanager_secret.alias"].attrs["kms_cmk"] is False


def test_launch_permissions() -> None:
    image = {"name": "img", "ebs_block_device": [{"device_name": "/dev/xvda", "encrypted": True, "snapshot_id": ""}]}
    doc = plan_doc(
        [
            change("aws_ami.a", image, unknown={"id": True}),
            change("aws_ami.b", image, unknown={"id": True}),
            change("aws_ami_launch_permission.all", {"group": "all"}, unknown={"image_id": True}),
            change("aws_ami_launch_permission.later", {"group": None}, unknown={"image_id": True, "group": True}),
        ],
        {
            "resources": [
                config_resource("aws_ami_launch_permission.all", image_id=ref("aws_ami.a.id", "aws_ami.a")),
                config_resource("aws_ami_launch_permission.later", image_id=ref("aws_ami.b.id", "aws_ami.b")),
            ]
        },
    )
    result = adapt(doc)
    assert result["aws_ami.a"].attrs["public"] is True and result["aws_ami.a"].attrs["encrypted"] is True
    assert gap(result["aws_ami.b"], "public") is GapKind.UNKNOWN
    unpinned = adapt(plan_doc(doc["resource_changes"]))
    assert result["aws_ami.a"].attrs["public"] is True
    assert gap(unpinned["aws_ami.a"], "public") is GapKind.UNKNOWN
    assert unpinned["aws_ami_launch_permission.all"].attrs["public"] is True  # fails on its own address


def test_shared_accounts_known_only_after_apply() -> None:
    doc = plan_doc(
        [
            change(
                "aws_db_snapshot.s",
                {"db_instance_identifier": "x", "encrypted": True},
                unknown={"shared_accounts": True},
            )
        ]
    )
    doc["configuration"]["root_module"]["resources"] = [
        config_resource("aws_db_snapshot.s", shared_accounts=ref("var.accounts"))
    ]
    snapshot = adapt(doc)["aws_db_snapshot.s"]
    assert snapshot.attrs["encrypted"] is True and gap(snapshot, "public") is GapKind.UNKNOWN


def test_a_public_permission_for_a_function_outside_the_plan_still_fails() -> None:
    # A qualified ARN (an alias) or an existing function: the permission joins nothing here,
    # and a public one fails on its own address instead of vanishing.
    alias = "arn:aws:lambda:us-east-1:111122223333:function:a:live"
    doc = plan_doc(
        [
            function("a"),
            permission("open", alias, principal="*"),
            permission("scoped", alias, principal="111122223333"),
            change("aws_sqs_queue_policy.existing", {"queue_url": "https://sqs/existing", "policy": PUBLIC}),
        ]
    )
    result = adapt(doc)
    assert result["aws_lambda_function.a"].attrs["policy"]["public"] is False
    assert result["aws_lambda_permission.open"].attrs["policy"]["public"] is True
    assert "aws_lambda_permission.scoped" not in result
    assert result["aws_sqs_queue_policy.existing"].attrs["policy"]["public"] is True
