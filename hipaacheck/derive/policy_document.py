"""Facts from IAM and resource policy documents (JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Conditions that keep an Allow to Principal "*" from being public: they tie
# the request to a network, an organisation or an account.
_LIMITING_CONDITION_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceVpce",
        "aws:SourceVpc",
        "aws:SourceIp",
        "aws:VpcSourceIp",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:PrincipalArn",
        "aws:userid",
        "aws:username",
        "s3:DataAccessPointAccount",
        "s3:DataAccessPointArn",
    )
)


class DocumentError(ValueError):
    pass


def parse_document(document: Any) -> dict[str, Any]:
    """A policy document from a JSON string (Terraform, boto3) or an already-parsed dict."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise DocumentError(f"policy is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise DocumentError("policy is not a JSON object")
    if _depth(document) > MAX_DEPTH:
        # A real policy is a few levels deep; reading a deeper one (str() of a nested
        # list recurses) could exhaust the stack.
        raise DocumentError(f"policy is nested more than {MAX_DEPTH} levels deep")
    return document


MAX_DEPTH = 32


def _depth(document: Any) -> int:
    """How deeply lists and objects nest; a loop, not recursion."""
    deepest = 0
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


_STRING_OR_LIST = ("Action", "NotAction", "Resource", "NotResource")


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements, checked as far as a verdict depends on them: IAM itself rejects the rest."""
    raw = document.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    for statement in items:
        if not isinstance(statement, dict):
            raise DocumentError("policy Statement entries must be objects")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise DocumentError("a policy statement's Effect must be Allow or Deny")
        for key in _STRING_OR_LIST:
            value = statement.get(key)
            if value is not None and not (
                isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            ):
                raise DocumentError(f"a policy statement's {key} must be a string or a list of strings")
    return items


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal_is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(v == "*" or (isinstance(v, list) and "*" in v) for v in principal.values())
    return False


def _condition_keys(statement: dict[str, Any]) -> set[str]:
    condition = statement.get("Condition")
    keys: set[str] = set()
    if isinstance(condition, dict):
        for operands in condition.values():
            if isinstance(operands, dict):
                keys.update(str(k).lower() for k in operands)
    return keys


@dataclass(frozen=True, slots=True)
class ResourcePolicyFacts:
    public: bool
    denies_insecure_transport: bool


def resource_policy_facts(document: Any) -> ResourcePolicyFacts:
    doc = parse_document(document)
    public = False
    denies_insecure = False
    for statement in statements(doc):
        effect = statement.get("Effect")
        everyone = _principal_is_everyone(statement.get("Principal"))
        if effect == "Allow" and everyone and not (_condition_keys(statement) & _LIMITING_CONDITION_KEYS):
            public = True
        if effect == "Deny" and everyone and _denies_without_tls(statement):
            denies_insecure = True
    return ResourcePolicyFacts(public, denies_insecure)


def _denies_without_tls(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    for operator, operands in condition.items():
        if not isinstance(operands, dict) or str(operator) not in ("Bool", "BoolIfExists"):
            continue
        for key, value in operands.items():
            if str(key).lower() == "aws:securetransport" and any(str(v).lower() == "false" for v in _as_list(value)):
                actions = [str(a) for a in _as_list(statement.get("Action", []))]
                return any(a in ("*", "s3:*") for a in actions)
    return False


@dataclass(frozen=True, slots=True)
class IdentityPolicyFacts:
    allows_admin: bool
    admin_statements: list[str]
    allows_not_action: bool


def identity_policy_facts(document: Any) -> IdentityPolicyFacts:
    doc = parse_document(document)
    admin: list[str] = []
    not_action = False
    for i, statement in enumerate(statements(doc)):
        if statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            not_action = True
        actions = [str(a) for a in _as_list(statement.get("Action", []))]
        resources = [str(r) for r in _as_list(statement.get("Resource", []))]
        if "*" in actions and "*" in resources:
            admin.append(str(statement.get("Sid") or i))
    return IdentityPolicyFacts(bool(admin), admin, not_action)
