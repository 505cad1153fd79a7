"""Secrets Manager secrets and Lambda functions, with the sub-resources that configure them.

A secret's rotation (aws_secretsmanager_secret_rotation) and policy
(aws_secretsmanager_secret_policy, else the inline ``policy``) join it by value or by
reference; a function's permissions (aws_lambda_permission, one statement each, as
Lambda writes them into its policy) and URL (aws_lambda_function_url) join it by name.
``derive.resource_policy`` judges every policy, as for the live source.
"""

from __future__ import annotations

from typing import Any

from ....derive.policy_document import DocumentError
from ....derive.resource_policy import LAMBDA, SECRETSMANAGER, resource_policy_facts
from ....models import Resource
from ..plan import Plan, PlanResource, strip_indexes
from ..raw import UNKNOWN
from ..references import Linker, Unresolved, describe
from .builder import Builder, known_str
from .joins import JoinSpec, join
from .resource_policies import PolicyTarget

ROTATION = JoinSpec(
    "aws_secretsmanager_secret_rotation", "secret_id", ("aws_secretsmanager_secret",), ("id", "arn", "name")
)
SECRET = PolicyTarget(
    "secretsmanager_secret",
    ("aws_secretsmanager_secret",),
    "policy",
    JoinSpec("aws_secretsmanager_secret_policy", "secret_arn", ("aws_secretsmanager_secret",), ("arn", "id")),
    SECRETSMANAGER,
    False,
    {"present": False, "public": False},
    "no resource policy: only principals of the owner account that IAM allows can read the secret",
)
_CMK_TYPES = ("aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_replica_external_key")


def _is_aws_managed(key: str) -> bool:
    return key.startswith("alias/aws/") or ":alias/aws/" in key


_KEY_LOOKUPS = {"aws_kms_alias": "name", "aws_kms_key": "key_id"}


def _looked_up_key(plan: Plan, resource: PlanResource, references: list[Any]) -> bool | None:
    """A key read from data.aws_kms_alias / data.aws_kms_key: True when AWS managed, None when not told."""
    module = plan.config_modules.get(strip_indexes(resource.module)) or {}
    blocks = {
        f"data.{b.get('type')}.{b.get('name')}": b
        for b in module.get("resources") or []
        if isinstance(b, dict) and b.get("mode") == "data"
    }
    found: bool | None = False
    for reference in references:
        parts = str(reference).split(".")
        if len(parts) < 3 or parts[0] != "data" or parts[1] not in _KEY_LOOKUPS:
            continue
        block = blocks.get(".".join(parts[:3]).split("[")[0]) or {}
        expression = (block.get("expressions") or {}).get(_KEY_LOOKUPS[parts[1]])
        name = expression.get("constant_value") if isinstance(expression, dict) else None
        if not isinstance(name, str):
            return None  # the data source names its key through a variable: which key is not in the plan
        if _is_aws_managed(name):
            return True
    return found


def _kms_cmk(b: Builder, linker: Linker) -> None:
    key = b.take("kms_key_id", "kms_key_id", known_str)
    expression = linker.plan.expressions(b.resource).get("kms_key_id")
    references = expression.get("references") if isinstance(expression, dict) else None
    looked_up = _looked_up_key(linker.plan, b.resource, references) if references else False
    if key is None:
        b.set("kms_cmk", False)
        b.notes["kms_cmk"] = "no kms_key_id: Secrets Manager uses the AWS managed key aws/secretsmanager"
    elif looked_up is True or (isinstance(key, str) and _is_aws_managed(key)):
        # An alias/aws/ name, or the key ARN a data source looked up for one, is AWS managed.
        b.set("kms_cmk", False)
    elif looked_up is None:
        b.unknown("kms_cmk", f"{b.resource.address}.kms_key_id comes from a key lookup the plan does not name")
    elif isinstance(key, str):
        # A key ID, ARN or alias someone created; only alias/aws/ names are AWS managed.
        b.set("kms_cmk", True)
    else:
        keys = linker.follow_references(references, b.resource.module, _CMK_TYPES) if references else []
        if keys:
            b.set("kms_cmk", True)
            b.notes["kms_cmk"] = f"encrypted with {', '.join(k.address for k in keys)}, a customer managed key"
        else:
            b.unknown("kms_cmk", f"{b.resource.address}.kms_key_id is known only after apply")


def secretsmanager_secrets(plan: Plan, linker: Linker) -> list[Resource]:
    rotations = join(linker, ROTATION)
    resources = []
    for resource in plan.of_type("aws_secretsmanager_secret"):
        b = Builder(plan, resource, "secretsmanager_secret")
        b.tags()
        b.take("secret_name", "name", known_str)
        _kms_cmk(b, linker)
        own = rotations.children(resource)
        for child in own:
            b.absorb(child, "rotation_enabled")
        if own:
            b.set("rotation_enabled", True)
        elif rotations.maybe(resource):
            reasons = "; ".join(f"{c.address} may rotate this secret: {u.reason}" for c, u in rotations.maybe(resource))
            b.unknown("rotation_enabled", reasons)
        else:
            b.set("rotation_enabled", False)
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources


PERMISSION = JoinSpec(
    "aws_lambda_permission", "function_name", ("aws_lambda_function",), ("function_name", "arn", "id")
)
FUNCTION_URL = JoinSpec(
    "aws_lambda_function_url", "function_name", ("aws_lambda_function",), ("function_name", "arn", "id")
)

# aws_lambda_permission argument -> the condition Lambda writes into the function policy for it.
_CONDITIONS = (
    ("source_arn", "ArnLike", "AWS:SourceArn"),
    ("source_account", "StringEquals", "AWS:SourceAccount"),
    ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
    ("function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
    ("event_source_token", "StringEquals", "lambda:EventSourceToken"),
)


def permission_statement(values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The policy statement Lambda writes for one permission; True when a part is known only after apply.

    Unknown conditions are left out: a condition only narrows an Allow, so a statement
    that is not public without them is not public with them.
    """
    principal = values.get("principal")
    uncertain = principal is UNKNOWN or values.get("action") is UNKNOWN
    if principal == "*":
        who: Any = "*"
    elif isinstance(principal, str) and ".amazonaws.com" in principal:
        who = {"Service": principal}
    else:
        who = {"AWS": principal if isinstance(principal, str) else "unknown"}
    condition: dict[str, dict[str, str]] = {}
    for argument, operator, key in _CONDITIONS:
        value = values.get(argument)
        if value is UNKNOWN:
            uncertain = True
        elif isinstance(value, str) and value:
            condition.setdefault(operator, {})[key] = value
    action = values.get("action")
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": who,
        "Action": action if isinstance(action, str) else "lambda:InvokeFunction",
        "Resource": "*",
    }
    if condition:
        statement["Condition"] = condition
    return statement, uncertain


def _function_policy(b: Builder, permissions: list[PlanResource], maybe: list[tuple[PlanResource, Unresolved]]) -> None:
    if not permissions and not maybe:
        b.set("policy.present", False)
        b.set("policy.public", False)
        b.notes["policy"] = (
            "no aws_lambda_permission: only principals of the owner account that IAM allows can invoke it"
        )
        return
    b.set("policy.present", True if permissions else None)
    public, uncertain = _permissions_public(permissions)
    for child in permissions:
        b.absorb(child, "policy")
    if public:
        b.set("policy.public", True)
    elif uncertain:
        b.unknown("policy.public", f"a permission of {b.resource.address} is built from values known only after apply")
    elif maybe:
        b.unknown("policy.public", "; ".join(f"{c.address} may apply to this function: {u.reason}" for c, u in maybe))
    else:
        b.set("policy.public", False)


def _permissions_public(permissions: list[PlanResource]) -> tuple[bool, bool]:
    """(some permission is public, some permission is known only after apply and may be)."""
    statements, uncertain = [], False
    for permission in permissions:
        values = {k: permission.raw.get(k) for k in ("principal", "action", *(a for a, _, _ in _CONDITIONS))}
        statement, unsure = permission_statement(values)
        if unsure:
            if _public({"Statement": [statement]}):
                uncertain = True
            continue
        statements.append(statement)
    return _public({"Version": "2012-10-17", "Statement": statements}), uncertain


def _public(document: dict[str, Any]) -> bool:
    try:
        return resource_policy_facts(document, None, LAMBDA).public
    except DocumentError:
        return True  # never: the statements are built here; a surprise must not read as private


def _function_url(b: Builder, urls: list[PlanResource], maybe: bool) -> None:
    for url in urls:
        b.absorb(url, "url_auth_type")
    if urls:
        b.set("url_configured", True)
        types = [u.raw.get("authorization_type") for u in urls]
        if UNKNOWN in types:
            b.unknown("url_auth_type", "a function URL's authorization_type is known only after apply")
        else:
            b.set("url_auth_type", "NONE" if "NONE" in types else next(t for t in types if isinstance(t, str)))
    elif maybe:
        b.unknown("url_configured", "a function URL whose function is known only after apply may be this one's")
        b.unknown("url_auth_type", "a function URL whose function is known only after apply may be this one's")
    else:
        b.set("url_configured", False)


def lambda_functions(plan: Plan, linker: Linker) -> list[Resource]:
    permissions = join(linker, PERMISSION)
    urls = join(linker, FUNCTION_URL)
    resources = []
    for resource in plan.of_type("aws_lambda_function"):
        b = Builder(plan, resource, "lambda_function")
        b.tags()
        b.take("function_name", "function_name", known_str)
        _function_policy(b, permissions.children(resource), permissions.maybe(resource))
        _function_url(b, urls.children(resource), bool(urls.maybe(resource)))
        resources.append(b.build(name=known_str(resource.raw.get("function_name"))))
    resources.extend(_orphans(plan, permissions.homeless(), urls.homeless()))
    return resources


def _orphans(
    plan: Plan, permissions: list[tuple[PlanResource, Unresolved]], urls: list[tuple[PlanResource, Unresolved]]
) -> list[Resource]:
    """A public permission or an open URL whose function is not known before apply fails on its own address."""
    found = []
    for child, unresolved in permissions + urls:
        b = Builder(plan, child, "lambda_function")
        if child.type == "aws_lambda_permission":
            if _permissions_public([child])[0] is not True:
                continue
            b.set("policy.present", True)
            b.set("policy.public", True)
            kept = "policy"
        else:
            if child.raw.get("authorization_type") != "NONE":
                continue
            b.set("url_configured", True)
            b.set("url_auth_type", "NONE")
            kept = "url"
        for other in ("function_name", "policy", "url_configured", "url_auth_type"):
            if not other.startswith(kept):
                b.not_managed(other, f"{child.address} belongs to a function not known before apply")
        targets = describe(unresolved.candidates) if unresolved.candidates else "a function outside this plan"
        found.append(b.build(name=f"{child.type.removeprefix('aws_lambda_')} of one of {targets}"))
    return found
