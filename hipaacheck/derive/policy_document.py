"""Policy documents (JSON): parsing shared by every reader, and the facts of identity policies.

Resource policies (bucket policies and the like) are read by resource_policy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .patterns import arn_pattern_is_everything, matches, split_action


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


# IAM's shortest action names (GetRole, GetUser, TagRole, TagUser) have seven letters: a name
# pattern of stars and at most that many "?" matches every IAM action.
_SHORTEST_IAM_ACTION = 7


def _names_every_action(name: str) -> bool:
    return "*" in name and set(name) <= {"*", "?"} and name.count("?") <= _SHORTEST_IAM_ACTION


def _grants_everything(pattern: str) -> bool:
    """ "*", "*:*" and the like: every action of every service."""
    service, name = split_action(pattern)
    return set(service) == {"*"} and set(name) == {"*"}


def _grants_all_of_iam(pattern: str) -> bool:
    """ "iam:*", "IAM:*", "i*:*" ...: every IAM action, so the holder can grant itself anything."""
    service, name = split_action(pattern)
    return matches(service, "iam", fold_case=True) and _names_every_action(name)


def _on_every_resource(statement: dict[str, Any], service: str | None) -> bool:
    """Resource "*" (or a pattern as wide), or NotResource that does not exclude everything.

    NotResource with an Allow grants every resource but the few it names: that is still
    the whole account for an administrator.
    """
    if "NotResource" in statement:
        excluded = [str(r) for r in _as_list(statement["NotResource"])]
        return not any(arn_pattern_is_everything(r, service) for r in excluded)
    return any(arn_pattern_is_everything(str(r), service) for r in _as_list(statement.get("Resource", [])))


def _admin_kind(statement: dict[str, Any]) -> str | None:
    """Why an Allow statement amounts to administrator rights, or None.

    * every action ("*", "*:*") on every resource;
    * every IAM action ("iam:*") on every IAM resource: it can attach AdministratorAccess
      to its own principal (privilege escalation);
    * NotAction on every resource, unless the NotAction list excludes all of IAM: what is
      left includes IAM (and so escalation), e.g. NotAction "s3:*".
    """
    if "NotAction" in statement:
        excluded = [str(a) for a in _as_list(statement["NotAction"])]
        if not any(_grants_all_of_iam(a) for a in excluded) and _on_every_resource(statement, "iam"):
            return "NotAction leaves IAM"
        return None
    actions = [str(a) for a in _as_list(statement.get("Action", []))]
    if any(_grants_everything(a) for a in actions) and _on_every_resource(statement, None):
        return "* on *"
    if any(_grants_all_of_iam(a) for a in actions) and _on_every_resource(statement, "iam"):
        return "iam:* on *"
    return None


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
        if _admin_kind(statement) is not None:
            admin.append(str(statement.get("Sid") or i))
    return IdentityPolicyFacts(bool(admin), admin, not_action)
