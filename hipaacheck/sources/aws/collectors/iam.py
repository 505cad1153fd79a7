"""IAM policies: customer managed (default version) and inline on roles, users and groups.

One paginated get_account_authorization_details call holds them all; AWS
managed policies are left out, as a plan never holds them either.
"""

from __future__ import annotations

from typing import Any

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
_FACTS = ("allows_admin", "admin_statements", "allows_not_action")
# detail list, inline policy list, kind, owner name key
_INLINE = (
    ("RoleDetailList", "RolePolicyList", "role-inline", "RoleName"),
    ("UserDetailList", "UserPolicyList", "user-inline", "UserName"),
    ("GroupDetailList", "GroupPolicyList", "group-inline", "GroupName"),
)


def _facts(b: LiveBuilder, document: Any) -> None:
    try:
        facts = identity_policy_facts(document if document is not None else "{}")
    except DocumentError as exc:
        b.error(_FACTS, f"policy document: {exc}")
        return
    b.set("allows_admin", facts.allows_admin)
    b.set("admin_statements", facts.admin_statements)
    b.set("allows_not_action", facts.allows_not_action)


def collect(ctx: Context) -> list[Resource]:
    # IAM is global: resources carry no region.
    where = Where(ctx.where.account, "", ctx.where.partition)
    details = ctx.fetch.call(
        CALLS["get_account_authorization_details"],
        ctx.where.region,
        Filter=["LocalManagedPolicy", "Role", "User", "Group"],
    )
    if details.error:
        return [_regionless(placeholder("iam_policy", ctx.where, details.error))]
    resources = []
    for policy in details.data.get("Policies", []):
        arn = str(policy.get("Arn"))
        name = policy.get("PolicyName") or arn.rsplit("/", 1)[-1]  # moto leaves PolicyName out
        b = LiveBuilder("iam_policy", arn, where)
        b.set("policy_name", name)
        b.set("kind", "managed")
        versions = [v for v in policy.get("PolicyVersionList") or [] if v.get("IsDefaultVersion")]
        _facts(b, versions[0].get("Document") if versions else None)
        resources.append(_regionless(b.build(name)))
    for list_key, policies_key, kind, owner_key in _INLINE:
        for owner in details.data.get(list_key, []):
            for inline in owner.get(policies_key) or []:
                name = inline.get("PolicyName")
                b = LiveBuilder("iam_policy", f"{owner.get('Arn')}/inline-policy/{name}", where)
                b.set("policy_name", name)
                b.set("kind", kind)
                b.set("attached_to", owner.get(owner_key))
                _facts(b, inline.get("PolicyDocument"))
                resources.append(_regionless(b.build(name)))
    return resources


def _regionless(resource: Resource) -> Resource:
    resource.region = None
    return resource


COLLECTOR = Collector("iam", ("iam_policy",), CALLS, collect, scope="global")
