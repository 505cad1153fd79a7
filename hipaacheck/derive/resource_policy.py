"""One reader for resource policies: S3, SQS, SNS, KMS, EFS, Lambda and Secrets Manager.

It answers two questions about a policy document attached to a resource,
given that resource's ARN:

**Is it public?** As S3 defines it ("The meaning of public", Amazon S3 User
Guide): an Allow to every principal (``Principal "*"`` or ``{"AWS": "*"}``,
or an Allow with ``NotPrincipal``) is public unless one of its conditions
limits it. A condition limits only when all of these hold:

* the operator is positive: StringEquals, StringEqualsIgnoreCase, StringLike,
  ArnEquals, ArnLike, IpAddress, optionally as ``ForAnyValue:``. Negated
  operators (StringNotEquals, NotIpAddress, ArnNotLike, ...) admit everyone
  who is not listed; ``...IfExists`` admits a request that lacks the key (an
  anonymous request has no aws:PrincipalOrgID); ``ForAllValues:`` is true
  when the key is missing; Null, Bool, Numeric and Date tie the request to
  no one;
* the key names a network, an organisation, an account or a principal
  (``LIMITING_KEYS``). aws:username is not one: user names repeat across
  accounts, so "alice" is anyone's alice;
* every value is fixed: no ``*``, no ``?`` and no policy variable
  (``aws:SourceVpc "vpc-*"`` and ``aws:PrincipalArn "arn:aws:iam::*:role/*"``
  admit everyone), except the documented S3 case of
  ``s3:DataAccessPointArn`` with a fixed account and a wildcard access point;
* for aws:SourceIp / aws:VpcSourceIp (IpAddress only), no range is /0 to /7
  and together they do not cover the internet (0.0.0.0/1 + 128.0.0.0/1).

Deny statements are not read for this (S3 does not either). Resource and
Action of an Allow do not make it less public: S3 refuses a policy whose
resources are outside the bucket, and any action granted to everyone on
ePHI is the breach.

**Does it deny requests without TLS?** A Deny qualifies when it

* applies to every principal: ``Principal "*"`` or ``{"AWS": "*"}``; a Deny
  with NotPrincipal spares someone and never qualifies;
* applies to every data action of the service (``ServiceProfile.data_actions``:
  for S3, every object read and write action of the Service Authorization
  Reference): ``s3:*``, ``*`` or patterns that match each of them; with
  NotAction, it qualifies only if no NotAction pattern matches one of them;
* applies to every data resource: for S3, every object, ``<bucket-arn>/*``.
  A Resource on the bucket ARN alone covers no object request. Resource
  patterns are matched segment by segment (IAM: a wildcard does not span
  ARN segments), so ``arn:aws:s3:::*`` and ``arn:aws:s3:::prefix-*/*`` count,
  and ``*`` covers everything. With NotResource, it qualifies only if no
  NotResource pattern can match any object of the bucket;
* has ``aws:SecureTransport`` false under Bool or BoolIfExists as its only
  condition: conditions are ANDed, so any other condition narrows the Deny
  to a subset of the plain-HTTP requests.

Each service is one ``ServiceProfile`` (``SERVICES``): its data actions, which
ARNs hold its data, and its few service-specific rules:

* ``implicit_resource``: a statement without Resource or NotResource applies to
  the resource the policy is attached to (EFS writes its default policy so; S3
  refuses such a statement, so its profile keeps the default False);
* ``limiting_bools``: service condition keys that, under ``Bool`` with the
  single value true, tie an Allow to a network: EFS's
  ``elasticfilesystem:AccessedViaMountTarget`` admits only clients that mount
  through a mount target, which has private VPC addresses only (the default
  policy EFS applies when none is set has exactly this condition);
* ``limiting_keys``: service keys that name a fixed account, like
  ``LIMITING_KEYS``: KMS's ``kms:CallerAccount``;
* ``service_principals_public``: an Allow to a service principal
  (``{"Service": "s3.amazonaws.com"}``) without a limiting condition is
  public: any account's bucket or topic could then invoke the function (the
  confused deputy; AWS Security Hub Lambda.1 fails it). Only Lambda sets it.

Matching is plain pattern matching against the given ARN: a caller that
knows the ARN only symbolically (a plan, before apply) passes the same
symbol in ``resource_arn`` and in the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .network import BadAddress, covers_internet, parse_cidr
from .patterns import arn_covers, arn_matches, has_wildcard, matches, overlaps, split_action
from .policy_document import parse_document, statements

LIMITING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceVpce",
        "aws:SourceVpc",
        "aws:SourceIp",
        "aws:VpcSourceIp",
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:userid",
        "s3:DataAccessPointAccount",
        "s3:DataAccessPointArn",
    )
)
_IP_KEYS = frozenset({"aws:sourceip", "aws:vpcsourceip"})
_POSITIVE = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"})
_IP_POSITIVE = "IpAddress"
# IAM condition operators are case sensitive; a key is not (IAM User Guide, condition element).
_TLS_OPERATORS = frozenset({"Bool", "BoolIfExists"})
_TLS_KEY = "aws:securetransport"
# A single aws:SourceIp range this wide (/0 to /7) limits nothing (issue 11).
_WIDEST_LIMITING_PREFIX = 7
_ACCESS_POINT = re.compile(r"^arn:[a-z-]+:s3:[a-z0-9-]+:\d{12}:accesspoint/.+$")


@dataclass(frozen=True, slots=True)
class ServiceProfile:
    """What a service's resource policy must deny to protect the data the resource holds."""

    name: str
    # Every action that reads or writes the data (a TLS Deny must cover each one).
    data_actions: tuple[str, ...]
    # From the ARN the policy is attached to: the ARN prefixes of the data (True: every ARN
    # that starts with it; False: that ARN exactly).
    data_resources: Callable[[str], tuple[tuple[str, bool], ...]]
    # The ARN start of the resource type, for a resource whose ARN is known only after apply.
    arn_prefix: str = "arn:aws:s3:::"
    implicit_resource: bool = False
    limiting_bools: frozenset[str] = frozenset()
    # Service keys that name a fixed account or principal, like LIMITING_KEYS (lower case).
    limiting_keys: frozenset[str] = frozenset()
    service_principals_public: bool = False


# S3 actions whose resource type is "object" (Service Authorization Reference, Amazon S3):
# each reads or writes an object, its versions, metadata, ACL, tags or locks.
S3_OBJECT_ACTIONS = tuple(
    f"s3:{name}"
    for name in (
        "AbortMultipartUpload",
        "BypassGovernanceRetention",
        "DeleteObject",
        "DeleteObjectTagging",
        "DeleteObjectVersion",
        "DeleteObjectVersionTagging",
        "GetObject",
        "GetObjectAcl",
        "GetObjectAttributes",
        "GetObjectLegalHold",
        "GetObjectRetention",
        "GetObjectTagging",
        "GetObjectTorrent",
        "GetObjectVersion",
        "GetObjectVersionAcl",
        "GetObjectVersionAttributes",
        "GetObjectVersionForReplication",
        "GetObjectVersionTagging",
        "GetObjectVersionTorrent",
        "InitiateReplication",
        "ListMultipartUploadParts",
        "PutObject",
        "PutObjectAcl",
        "PutObjectLegalHold",
        "PutObjectRetention",
        "PutObjectTagging",
        "PutObjectVersionAcl",
        "PutObjectVersionTagging",
        "ReplicateDelete",
        "ReplicateObject",
        "ReplicateTags",
        "RestoreObject",
    )
)

S3 = ServiceProfile("s3", S3_OBJECT_ACTIONS, lambda bucket_arn: ((f"{bucket_arn}/", True),))


def _unnamed_prefix(service: str, resource_type: str) -> str:
    # Region and account are unknown too: only a pattern with a wildcard there can match.
    return f"arn:aws:{service}:\x00region:\x00account:{resource_type}"


def _itself(arn: str) -> tuple[tuple[str, bool], ...]:
    """Services whose data is the resource itself: the queue, topic, file system, key, function or secret."""
    return ((arn, False),)


# Data actions per service (Service Authorization Reference): each reads or writes what the resource holds.
SQS = ServiceProfile(
    "sqs",
    tuple(
        f"sqs:{a}" for a in ("SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "PurgeQueue")
    ),
    _itself,
    arn_prefix=_unnamed_prefix("sqs", ""),
)
SNS = ServiceProfile("sns", ("sns:Publish", "sns:Subscribe"), _itself, arn_prefix=_unnamed_prefix("sns", ""))
EFS = ServiceProfile(
    "efs",
    tuple(f"elasticfilesystem:{a}" for a in ("ClientMount", "ClientWrite", "ClientRootAccess")),
    _itself,
    arn_prefix=_unnamed_prefix("elasticfilesystem", "file-system/"),
    implicit_resource=True,
    limiting_bools=frozenset({"elasticfilesystem:accessedviamounttarget"}),
)
# KMS, Lambda and Secrets Manager answer only over HTTPS: only "public" is read for them.
KMS = ServiceProfile(
    "kms",
    tuple(
        f"kms:{a}"
        for a in ("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom")
    ),
    _itself,
    arn_prefix=_unnamed_prefix("kms", "key/"),
    implicit_resource=True,
    # kms:CallerAccount names the account of the caller (AWS managed keys' own policies use it).
    limiting_keys=frozenset({"kms:calleraccount"}),
)
LAMBDA = ServiceProfile(
    "lambda",
    ("lambda:InvokeFunction", "lambda:InvokeFunctionUrl"),
    _itself,
    arn_prefix=_unnamed_prefix("lambda", "function:"),
    service_principals_public=True,
)
SECRETSMANAGER = ServiceProfile(
    "secretsmanager",
    ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"),
    _itself,
    arn_prefix=_unnamed_prefix("secretsmanager", "secret:"),
    implicit_resource=True,
)
SERVICES: dict[str, ServiceProfile] = {
    "s3": S3,
    "sqs": SQS,
    "sns": SNS,
    "efs": EFS,
    "kms": KMS,
    "lambda": LAMBDA,
    "secretsmanager": SECRETSMANAGER,
}


@dataclass(frozen=True, slots=True)
class ResourcePolicyFacts:
    public: bool
    public_statements: tuple[str, ...]
    # None: only the resource's ARN, known after apply, can tell (see resource_policy_facts).
    denies_insecure_transport: bool | None
    tls_statements: tuple[str, ...]


# Stands for an ARN that is not known yet: no literal in a document can match it, a wildcard can.
_UNNAMED = "\x00name-known-after-apply"


def resource_policy_facts(
    document: Any, resource_arn: str | None, service: ServiceProfile = S3, *, arn_prefix: str | None = None
) -> ResourcePolicyFacts:
    """Read a policy attached to ``resource_arn``. Raises DocumentError for a document that is not a policy.

    ``resource_arn`` None: the ARN is known only after apply. A Deny whose resource
    patterns cover any name (``arn:aws:s3:::*/*``, ``*``) still qualifies; one that
    would qualify only for some names makes ``denies_insecure_transport`` None.
    """
    public: list[str] = []
    tls: list[str] = []
    maybe_tls = False
    unnamed = (arn_prefix if arn_prefix is not None else service.arn_prefix) + _UNNAMED
    for i, statement in enumerate(statements(parse_document(document))):
        label = str(statement.get("Sid") or i)
        if (
            statement["Effect"] == "Allow"
            and allows_everyone(statement, service)
            and not is_limited(statement, service)
        ):
            public.append(label)
        if statement["Effect"] != "Deny":
            continue
        if denies_insecure_transport(statement, resource_arn or unnamed, service):
            tls.append(label)
        elif resource_arn is None and denies_insecure_transport(statement, None, service):
            maybe_tls = maybe_tls or _may_cover(statement, unnamed)
    verdict: bool | None = True if tls else (None if maybe_tls else False)
    return ResourcePolicyFacts(bool(public), tuple(public), verdict, tuple(tls))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_everyone(principal: Any, *, strict: bool) -> bool:
    """Principal "*" or {"AWS": "*"}; ``strict=False`` also takes "*" under any principal type."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    keys = ["AWS"] if strict else list(principal)
    return any("*" in _as_list(principal.get(key)) for key in keys)


def allows_everyone(statement: dict[str, Any], service: ServiceProfile = S3) -> bool:
    # Allow + NotPrincipal grants everyone but the few it names.
    if "NotPrincipal" in statement or _is_everyone(statement.get("Principal"), strict=False):
        return True
    principal = statement.get("Principal")
    # A service principal acts for any account's resources unless a condition names which.
    return service.service_principals_public and isinstance(principal, dict) and "Service" in principal


def is_limited(statement: dict[str, Any], service: ServiceProfile = S3) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    for operator, operands in condition.items():
        if not isinstance(operands, dict):
            continue
        for key, values in operands.items():
            if condition_limits(str(operator), str(key), values, service.limiting_keys) or _service_bool_limits(
                str(operator), str(key), values, service
            ):
                return True
    return False


def _service_bool_limits(operator: str, key: str, values: Any, service: ServiceProfile) -> bool:
    """A service key (ServiceProfile.limiting_bools) under Bool, true and nothing else."""
    if operator != "Bool" or key.lower() not in service.limiting_bools:
        return False
    texts = [str(v).lower() for v in _as_list(values)]
    return bool(texts) and all(t == "true" for t in texts)


def condition_limits(operator: str, key: str, values: Any, service_keys: frozenset[str] = frozenset()) -> bool:
    """One (operator, key, values) entry ties an Allow to a fixed network, organisation or principal."""
    base = operator.removeprefix("ForAnyValue:")
    key = key.lower()
    if key not in LIMITING_KEYS and key not in service_keys:
        return False
    texts = [v for v in _as_list(values) if isinstance(v, str)]
    if not texts or len(texts) != len(_as_list(values)):
        return False
    if key in _IP_KEYS:
        return base == _IP_POSITIVE and _ranges_limit(texts)
    if base not in _POSITIVE:
        return False
    return all(_is_fixed(key, text) for text in texts)


def _is_fixed(key: str, value: str) -> bool:
    if "${" in value or not value:
        return False
    if key == "s3:dataaccesspointarn":
        # S3: a wildcard access point name under a fixed account does not make a policy public.
        return _ACCESS_POINT.match(value) is not None
    return not has_wildcard(value)


def _ranges_limit(texts: list[str]) -> bool:
    try:
        ranges = [parse_cidr(text) for text in texts]
    except BadAddress:
        return False
    return not covers_internet(ranges, _WIDEST_LIMITING_PREFIX)


def _action_matches(pattern: str, action: str) -> bool:
    service, name = split_action(pattern)
    wanted_service, wanted_name = split_action(action)
    return matches(service, wanted_service, fold_case=True) and matches(name, wanted_name, fold_case=True)


def denies_insecure_transport(
    statement: dict[str, Any], resource_arn: str | None, service: ServiceProfile = S3
) -> bool:
    """A Deny statement refuses every plain-HTTP request for the resource's data (module docstring).

    ``resource_arn`` None leaves the resources out of the question (they are read later).
    """
    if statement.get("Effect") != "Deny" or "NotPrincipal" in statement:
        return False
    if not _is_everyone(statement.get("Principal"), strict=True):
        return False
    if not _only_insecure_transport(statement.get("Condition")):
        return False
    if not _covers_actions(statement, service):
        return False
    return resource_arn is None or _covers_resources(statement, resource_arn, service)


def _may_cover(statement: dict[str, Any], unnamed: str) -> bool:
    """Some ARN of the resource's service could match the statement's resources (a name known at apply)."""
    if "NotResource" in statement or ("Resource" not in statement):
        return True
    service = unnamed.split(":")[2]
    for pattern in (str(r) for r in _as_list(statement["Resource"])):
        parts = pattern.split(":")
        if pattern == "*" or (len(parts) > 2 and matches(parts[2], service, fold_case=True)):
            return True
    return False


def _only_insecure_transport(condition: Any) -> bool:
    if not isinstance(condition, dict) or len(condition) != 1:
        return False
    ((operator, operands),) = condition.items()
    if operator not in _TLS_OPERATORS or not isinstance(operands, dict) or len(operands) != 1:
        return False
    ((key, values),) = operands.items()
    # Bool with several values matches any of them: one "false" makes plain HTTP match.
    return str(key).lower() == _TLS_KEY and any(str(v).lower() == "false" for v in _as_list(values))


def _covers_actions(statement: dict[str, Any], service: ServiceProfile) -> bool:
    if "NotAction" in statement:
        excluded = tuple(str(a) for a in _as_list(statement["NotAction"]))
        return not _any_action_matched(excluded, service.data_actions)
    patterns = tuple(str(a) for a in _as_list(statement.get("Action", [])))
    return _every_action_matched(patterns, service.data_actions)


@lru_cache(maxsize=1024)
def _any_action_matched(patterns: tuple[str, ...], actions: tuple[str, ...]) -> bool:
    return any(_action_matches(p, a) for p in patterns for a in actions)


@lru_cache(maxsize=1024)
def _every_action_matched(patterns: tuple[str, ...], actions: tuple[str, ...]) -> bool:
    # Policies repeat the same Action lists across buckets: each list is matched once.
    return all(any(_action_matches(p, a) for p in patterns) for a in actions)


def _covers_resources(statement: dict[str, Any], resource_arn: str, service: ServiceProfile) -> bool:
    data = service.data_resources(resource_arn)
    if service.implicit_resource and "Resource" not in statement and "NotResource" not in statement:
        return True  # the statement is about the resource it is attached to
    if "NotResource" in statement:
        excluded = [str(r) for r in _as_list(statement["NotResource"])]
        return not any(overlaps(p, arn) if prefix else matches(p, arn) for p in excluded for arn, prefix in data)
    patterns = [str(r) for r in _as_list(statement.get("Resource", []))]
    return all(any(arn_covers(p, arn) if prefix else arn_matches(p, arn) for p in patterns) for arn, prefix in data)
