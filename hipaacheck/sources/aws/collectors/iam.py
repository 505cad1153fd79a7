"""IAM policies (customer managed, default version; inline on roles, users and groups) and principals.

One paginated get_account_authorization_details call holds them all, and
also each user's, group's and role's AttachedManagedPolicies: the same list
ListAttached{User,Group,Role}Policies returns, without one call per
principal. AWS managed policies are not read as documents, as a plan never
holds them either; attaching AdministratorAccess or IAMFullAccess is a
finding on the principal (iam_principal).
"""

from __future__ import annotations

from typing import Any

from ....derive.managed_policies import admin_managed_policy
from ....derive.policy_document import DocumentError, identity_policy_facts
from ....models import Resource
from ..builder import LiveBuilder, Where, placeholder
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context

CALLS = calls(
    Call(
        "iam",
        "get_account_authorization_details",
        "iam:GetAccountAuthorizationDetails",
        (ALL_FIELDS,),
        paginate=True,
    ),
)
# The one listing of IAM; the identities collector asks with the same filter, so it is fetched once.
AUTH_FILTER = ["LocalManagedPolicy", "Role", "User", "Group"]
_FACTS = ("allows_admin", "admin_statements", "allows_not_action")
# detail list, inline policy list, kind, owner name key, principal type
_INLINE = (
    ("RoleDetailList", "RolePolicyList", "role-inline", "RoleName", "role"),
    ("UserDetailList", "UserPolicyList", "user-inline", "UserName", "user"),
    ("GroupDetailList", "GroupPolicyList", "group-inline", "GroupName", "group"),
)


def _facts(b: LiveBuilder, document: Any) -> bool | None:
    """Fill the policy's facts; return whether it grants administrator rights (None: unreadable)."""
    try:
        facts = identity_policy_facts(document if document is not None else "{}")
    except DocumentError as exc:
        b.error(_FACTS, f"policy document: {exc}")
        return None
    b.set("allows_admin", facts.allows_admin)
    b.set("admin_statements", facts.admin_statements)
    b.set("allows_not_action", facts.allows_not_action)
    return facts.allows_admin


def collect(ctx: Context) -> list[Resource]:
    # IAM is global: resources carry no region.
    where = Where(ctx.where.account, "", ctx.where.partition)
    details = ctx.fetch.call(
        CALLS["get_account_authorization_details"],
        ctx.where.region,
        Filter=AUTH_FILTER,
    )
    if details.error:
        return [_regionless(placeholder(t, ctx.where, details.error)) for t in ("iam_policy", "iam_principal")]
    resources = []
    customer: dict[str, tuple[str, bool | None]] = {}  # customer managed policy ARN -> (name, grants admin)
    for policy in details.data.get("Policies", []):
        arn = str(policy.get("Arn"))
        name = policy.get("PolicyName") or arn.rsplit("/", 1)[-1]  # moto leaves PolicyName out
        b = LiveBuilder("iam_policy", arn, where)
        b.set("policy_name", name)
        b.set("kind", "managed")
        versions = [v for v in policy.get("PolicyVersionList") or [] if v.get("IsDefaultVersion")]
        customer[arn] = (name, _facts(b, versions[0].get("Document") if versions else None))
        resources.append(_regionless(b.build(name)))
    for list_key, policies_key, kind, owner_key, principal_type in _INLINE:
        for owner in details.data.get(list_key, []):
            resources.append(_principal(owner, principal_type, str(owner.get(owner_key)), where, customer))
            for inline in owner.get(policies_key) or []:
                name = inline.get("PolicyName")
                b = LiveBuilder("iam_policy", f"{owner.get('Arn')}/inline-policy/{name}", where)
                b.set("policy_name", name)
                b.set("kind", kind)
                b.set("attached_to", owner.get(owner_key))
                _facts(b, inline.get("PolicyDocument"))
                resources.append(_regionless(b.build(name)))
    return resources


def _principal(
    owner: dict[str, Any], principal_type: str, name: str, where: Where, customer: dict[str, tuple[str, bool | None]]
) -> Resource:
    """A user, group or role with its AttachedManagedPolicies (AWS managed and customer managed)."""
    b = LiveBuilder("iam_principal", str(owner.get("Arn")), where)
    b.set("principal_type", principal_type)
    b.set("principal_name", name)
    arns = [str(p.get("PolicyArn")) for p in owner.get("AttachedManagedPolicies") or [] if isinstance(p, dict)]
    admin: list[str] = []
    unreadable: list[str] = []
    for arn in arns:
        aws_managed = admin_managed_policy(arn)
        policy_name, grants_admin = customer.get(arn, (arn, False))
        if aws_managed is not None or grants_admin:
            admin.append(aws_managed or policy_name)
        elif grants_admin is None:
            unreadable.append(policy_name)
    b.set("managed_policy_arns", arns)
    b.set("admin_managed_policies", admin)
    if admin or not unreadable:
        b.set("has_admin_managed_policy", bool(admin))
    else:
        b.error(["has_admin_managed_policy"], f"attached policy {unreadable[0]} could not be read")
    return _regionless(b.build(name))


def _regionless(resource: Resource) -> Resource:
    resource.region = None
    return resource


COLLECTOR = Collector("iam", ("iam_policy", "iam_principal"), CALLS, collect, scope="global")
