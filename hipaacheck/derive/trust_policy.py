"""What a role's trust policy (assume_role_policy) admits: the STS profile of the shared policy reader.

Read by the plan and the live source alike (iam_role). Only Allow statements
that let someone assume the role count: their Action (or NotAction) reaches
sts:AssumeRole, sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML.

**Public.** What resource_policy calls public is public here too, with the
same reading of conditions (``allows_everyone``, ``is_limited``): Principal
``"*"``, ``{"AWS": "*"}``, ``"*"`` under any principal type, or NotPrincipal,
with no condition that ties the request to an organisation, account,
principal or network. An AWS principal with a wildcard (``arn:aws:iam::*:root``)
is everyone too. A web identity provider that anyone on the internet can get
a token from is public unless a condition narrows it to the owner's tokens:

* CI providers shared by every customer (GitHub Actions
  ``token.actions.githubusercontent.com``, GitLab ``gitlab.com``, HCP
  Terraform ``app.terraform.io``): a positive condition on ``<provider>:sub``
  whose every value fixes the owner (``repo:octo-org/...``; ``repo:*`` and
  ``*`` do not). GitHub's own guidance and AWS's: without ``sub`` any
  repository on GitHub can assume the role. ``repository_owner`` /
  ``repository`` (GitHub) with fixed values narrow it too.
* Cognito identity pools and the public social providers
  (``cognito-identity.amazonaws.com``, ``accounts.google.com``,
  ``graph.facebook.com``, ``www.amazon.com``): a fixed ``<provider>:aud``.

Other federated principals (the account's own SAML providers, an EKS
cluster's OIDC provider) and service principals are not public: their
tokens come from something the account controls.

**Cross-account without an external id.** An AWS principal of another
account (a 12-digit id, or an ARN whose account field is another account)
must be narrowed by ``sts:ExternalId`` under a positive operator with fixed
values, or by ``aws:PrincipalOrgID`` (the other account is then in the same
organisation, not a third party that can be confused into acting for
someone else). The role's own account may be unknown (a plan before apply,
without ``allowed_account_ids``): every named account is then "maybe
other", reported in ``undetermined_accounts``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .patterns import has_wildcard, matches, split_action
from .policy_document import parse_document, statements
from .resource_policy import _POSITIVE, _is_fixed, allows_everyone, is_limited

ASSUME_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
# Providers whose tokens anyone can obtain: the condition key suffix that must pin the owner.
_SHARED_CI = {"token.actions.githubusercontent.com", "gitlab.com", "app.terraform.io"}
_SHARED_AUDIENCE = {"cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"}
_GITHUB_OWNER_KEYS = ("repository_owner", "repository", "repository_owner_id", "repository_id")
# "repo:octo-org/", "project_path:group/", "organization:acme:" -- a claim name then a fixed owner.
_FIXED_OWNER = re.compile(r"^[a-z_]+:[^*?/:$]+[/:]")
_ACCOUNT = re.compile(r"^\d{12}$")
_ARN_ACCOUNT = re.compile(r"^arn:[a-z-]+:(?:iam|sts)::(?P<account>[^:]*):")
_ORG_KEYS = frozenset({"aws:principalorgid", "aws:principalorgpaths"})
_EXTERNAL_ID = "sts:externalid"


@dataclass(frozen=True, slots=True)
class TrustFacts:
    public: bool
    public_statements: tuple[str, ...]
    trusted_accounts: tuple[str, ...]  # accounts named other than the role's own (all of them when it is unknown)
    without_external_id: tuple[str, ...]  # of those, trusted with no external id / organisation condition
    undetermined_accounts: tuple[str, ...]  # named accounts that may be the role's own (own account unknown)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _assumes(statement: dict[str, Any]) -> bool:
    def hit(pattern: str, action: str) -> bool:
        service, name = split_action(pattern)
        want_service, want_name = split_action(action)
        return matches(service, want_service, fold_case=True) and matches(name, want_name, fold_case=True)

    if "NotAction" in statement:
        excluded = [str(a) for a in _as_list(statement["NotAction"])]
        return not all(any(hit(p, a) for p in excluded) for a in ASSUME_ACTIONS)
    patterns = [str(a) for a in _as_list(statement.get("Action", []))]
    return any(hit(p, a) for p in patterns for a in ASSUME_ACTIONS)


def _conditions(statement: dict[str, Any]) -> list[tuple[str, str, Any]]:
    condition = statement.get("Condition")
    found: list[tuple[str, str, Any]] = []
    for operator, operands in condition.items() if isinstance(condition, dict) else ():
        for key, values in operands.items() if isinstance(operands, dict) else ():
            found.append((str(operator).removeprefix("ForAnyValue:"), str(key).lower(), values))
    return found


def _fixed_values(operator: str, values: Any, check: Any = None) -> bool:
    texts = _as_list(values)
    if operator not in _POSITIVE or not texts or not all(isinstance(t, str) for t in texts):
        return False
    return all(_is_fixed("", t) if check is None else check(t) for t in texts)


def _owner_fixed(text: str) -> bool:
    prefix = re.split(r"[*?]", text, maxsplit=1)[0]
    return "${" not in text and _FIXED_OWNER.match(prefix) is not None


def _provider_host(federated: str) -> str:
    """The provider a Federated principal names: an OIDC provider ARN ends with its host."""
    if federated.startswith("arn:") and ":oidc-provider/" in federated:
        return federated.split(":oidc-provider/", 1)[1].split("/", 1)[0].lower()
    return federated.lower()


def _web_identity_public(statement: dict[str, Any], host: str) -> bool:
    conditions = _conditions(statement)
    if host in _SHARED_CI:
        for operator, key, values in conditions:
            if key == f"{host}:sub" and _fixed_values(operator, values, _owner_fixed):
                return False
            if (
                host == "token.actions.githubusercontent.com"
                and key in {f"{host}:{k}" for k in _GITHUB_OWNER_KEYS}
                and _fixed_values(operator, values)
            ):
                return False
        return True
    if host in _SHARED_AUDIENCE:
        return not any(key == f"{host}:aud" and _fixed_values(op, values) for op, key, values in conditions)
    return False


def _account_of(principal: str) -> str | None:
    if _ACCOUNT.match(principal):
        return principal
    match = _ARN_ACCOUNT.match(principal)
    return match["account"] if match else None


def _narrowed_for_third_parties(statement: dict[str, Any]) -> bool:
    for operator, key, values in _conditions(statement):
        if key == _EXTERNAL_ID and _fixed_values(operator, values):
            return True
        if key in _ORG_KEYS and _fixed_values(operator, values):
            return True
    return False


def trust_policy_facts(document: Any, own_account: str | None) -> TrustFacts:
    """Read a role's trust policy. Raises DocumentError for a document that is not a policy."""
    public: list[str] = []
    trusted: list[str] = []
    bare: list[str] = []
    undetermined: list[str] = []
    for i, statement in enumerate(statements(parse_document(document))):
        if statement["Effect"] != "Allow" or not _assumes(statement):
            continue
        label = str(statement.get("Sid") or i)
        principal = statement.get("Principal")
        principals = principal if isinstance(principal, dict) else {}
        aws = [str(p) for p in _as_list(principals.get("AWS", []))]
        everyone = allows_everyone(statement) or any(has_wildcard(p) for p in aws)
        if everyone and not is_limited(statement):
            public.append(label)
            continue
        federated = [str(p) for p in _as_list(principals.get("Federated", []))]
        if any(_web_identity_public(statement, _provider_host(f)) for f in federated):
            public.append(label)
        narrowed = _narrowed_for_third_parties(statement)
        for item in aws:
            account = _account_of(item)
            if account is None or account == own_account:
                continue
            if own_account is None and account not in undetermined:
                undetermined.append(account)
            if account not in trusted:
                trusted.append(account)
            if not narrowed and account not in bare:
                bare.append(account)
    return TrustFacts(bool(public), tuple(public), tuple(trusted), tuple(bare), tuple(undetermined))
