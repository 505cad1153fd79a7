"""Managed policies attached to IAM principals in a plan, as the plan shapes them (unknowns, lists, strays)."""

from __future__ import annotations

import json
from typing import Any

from hipaacheck.models import GapKind, Resource
from hipaacheck.sources.terraform.adapters import adapt_plan
from hipaacheck.sources.terraform.plan import Plan

from .conftest import change, config_resource, plan_doc, ref

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def principals(changes: list[dict[str, Any]], config: list[dict[str, Any]] | None = None) -> dict[str, Resource]:
    doc = plan_doc(changes, {"resources": config or []})
    return {r.address: r for r in adapt_plan(Plan(doc)) if r.type == "iam_principal"}


def role(name: str = "app", **after: Any) -> dict[str, Any]:
    return change(f"aws_iam_role.{name}", {"name": name, **after}, unknown={"arn": True, "id": True})


def test_govcloud_administrator_access_is_administrator_access() -> None:
    found = principals(
        [
            role(),
            change(
                "aws_iam_role_policy_attachment.a", {"role": "app", "policy_arn": ADMIN.replace("aws", "aws-us-gov", 1)}
            ),
        ]
    )
    assert found["aws_iam_role.app"].attrs["admin_managed_policies"] == ["AdministratorAccess"]


def test_an_attachment_to_a_role_that_cannot_be_pinned_down_fails_where_it_stands() -> None:
    # Two roles could be the target: wherever it lands, AdministratorAccess is attached.
    found = principals(
        [
            role("a"),
            role("b"),
            change("aws_iam_role_policy_attachment.x", {"policy_arn": ADMIN}, unknown={"role": True}),
        ],
        [config_resource("aws_iam_role_policy_attachment.x", role=ref("aws_iam_role.a.name", "aws_iam_role.b.name"))],
    )
    assert found["aws_iam_role_policy_attachment.x"].attrs["has_admin_managed_policy"] is True
    assert found["aws_iam_role.a"].attrs["has_admin_managed_policy"] is False


def test_an_untraceable_policy_arn_known_only_after_apply_is_unknown() -> None:
    found = principals(
        [role(), change("aws_iam_role_policy_attachment.x", {"role": "app"}, unknown={"policy_arn": True})],
        [config_resource("aws_iam_role_policy_attachment.x", policy_arn=ref("var.policy_arn"))],
    )
    gap = found["aws_iam_role.app"].gap_for("has_admin_managed_policy")
    assert gap is not None and gap.kind is GapKind.UNKNOWN


def test_a_known_administrator_policy_settles_it_beside_an_unknown_one() -> None:
    found = principals(
        [
            role(),
            change("aws_iam_role_policy_attachment.x", {"role": "app"}, unknown={"policy_arn": True}),
            change("aws_iam_role_policy_attachment.y", {"role": "app", "policy_arn": ADMIN}),
        ],
        [config_resource("aws_iam_role_policy_attachment.x", policy_arn=ref("var.policy_arn"))],
    )
    assert found["aws_iam_role.app"].attrs["has_admin_managed_policy"] is True


def test_managed_policy_arns_not_written_is_not_unknown() -> None:
    found = principals(
        [change("aws_iam_role.app", {"name": "app"}, unknown={"managed_policy_arns": True})],
        [config_resource("aws_iam_role.app", name={"constant_value": "app"})],
    )
    assert found["aws_iam_role.app"].attrs["has_admin_managed_policy"] is False


def test_managed_policy_arns_written_and_known_only_after_apply_is_unknown() -> None:
    found = principals(
        [change("aws_iam_role.app", {"name": "app"}, unknown={"managed_policy_arns": True})],
        [config_resource("aws_iam_role.app", managed_policy_arns=ref("var.arns"))],
    )
    gap = found["aws_iam_role.app"].gap_for("has_admin_managed_policy")
    assert gap is not None and gap.kind is GapKind.UNKNOWN


def test_legacy_attachment_with_an_unknown_user_list_fails_on_itself() -> None:
    found = principals(
        [change("aws_iam_policy_attachment.legacy", {"name": "l", "policy_arn": ADMIN}, unknown={"users": True})]
    )
    assert found["aws_iam_policy_attachment.legacy"].attrs["has_admin_managed_policy"] is True


def test_exclusive_attachments_list_their_policies() -> None:
    found = principals(
        [
            role(),
            change(
                "aws_iam_role_policy_attachments_exclusive.app",
                {
                    "role_name": "app",
                    "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/IAMFullAccess"],
                },
            ),
        ]
    )
    assert found["aws_iam_role.app"].attrs["admin_managed_policies"] == ["IAMFullAccess"]


def test_a_harmless_attachment_outside_the_plan_adds_no_finding() -> None:
    found = principals(
        [
            change(
                "aws_iam_role_policy_attachment.x",
                {"role": "existing", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            )
        ]
    )
    assert found == {}


def _customer(key: str, action: str) -> dict[str, Any]:
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    )
    return change(f'aws_iam_policy.case["{key}"]', {"name": key, "policy": document}, unknown={"arn": True}, index=key)


def test_a_customer_managed_administrator_policy_attached_fails_the_principal() -> None:
    found = principals(
        [
            role(),
            _customer("admin", "*"),
            change("aws_iam_role_policy_attachment.x", {"role": "app"}, unknown={"policy_arn": True}),
        ],
        [
            config_resource(
                "aws_iam_role_policy_attachment.x",
                policy_arn=ref(
                    'aws_iam_policy.case["admin"].arn', 'aws_iam_policy.case["admin"]', "aws_iam_policy.case"
                ),
            )
        ],
    )
    assert found["aws_iam_role.app"].attrs["admin_managed_policies"] == ['aws_iam_policy.case["admin"]']


def test_which_customer_policy_is_attached_decides_only_when_they_differ() -> None:
    # aws_iam_policy.case[each.key]: any instance may be the one; unknown only if they disagree.
    attach = change("aws_iam_role_policy_attachment.x", {"role": "app"}, unknown={"policy_arn": True})
    config = [
        config_resource(
            "aws_iam_role_policy_attachment.x",
            policy_arn=ref("aws_iam_policy.case[each.key].arn", "aws_iam_policy.case"),
        )
    ]
    mixed = principals([role(), _customer("admin", "*"), _customer("reader", "s3:Get*"), attach], config)
    gap = mixed["aws_iam_role.app"].gap_for("has_admin_managed_policy")
    assert gap is not None and gap.kind is GapKind.UNKNOWN
    clean = principals([role(), _customer("reader", "s3:Get*"), _customer("writer", "s3:Put*"), attach], config)
    assert clean["aws_iam_role.app"].attrs["has_admin_managed_policy"] is False
