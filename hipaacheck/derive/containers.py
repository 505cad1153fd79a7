"""Derived facts of the container and analytics types, computed once for the plan and the live source.

Both sources hand these functions the same shapes: ECS container definitions are the ECS API's
JSON in both (a plan's container_definitions is that JSON as a string), parameter groups are
{name: value} maps, EKS ranges are CIDR strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..display import looks_secret
from .network import covers_internet, parse_cidr
from .service_defaults import SERVICE_DEFAULTS


class Malformed(ValueError):
    """A value of a shape the service never returns: the derived field is an error, not a guess."""


# ---- EKS -------------------------------------------------------------------------------------------


def eks_secrets_key(configs: Iterable[tuple[Sequence[str], str | None]]) -> str | None:
    """The KMS key that envelope-encrypts Kubernetes secrets: from (resources, key ARN) pairs."""
    for resources, key in configs:
        if "secrets" in resources and key:
            return key
    return None


def eks_endpoint_open_to_internet(public_access: bool, cidrs: Sequence[str]) -> bool:
    """Public endpoint access on, and the allowed ranges admit the internet (derive.network's notion).

    Raises BadAddress for a range that is not one.
    """
    return public_access and covers_internet([parse_cidr(c) for c in cidrs])


# ---- ECR -------------------------------------------------------------------------------------------

SCANNING_FREQUENCIES = frozenset({"SCAN_ON_PUSH", "CONTINUOUS_SCAN"})


def ecr_filter_matches(pattern: str, repository: str) -> bool:
    """An ECR registry scanning filter: '*' is the only wildcard (zero or more characters); a filter
    without one matches every repository whose name contains it (Amazon ECR User Guide, Filter wildcards)."""
    if "*" not in pattern:
        return pattern in repository
    regex = ".*".join(re.escape(piece) for piece in pattern.split("*"))
    return re.fullmatch(regex, repository) is not None


def ecr_registry_scans(repository: str, rules: Iterable[tuple[str, Sequence[str]]]) -> bool:
    """A registry scanning rule (scan frequency, wildcard filters) scans this repository's pushes."""
    return any(
        frequency in SCANNING_FREQUENCIES and any(ecr_filter_matches(f, repository) for f in filters)
        for frequency, filters in rules
    )


# ---- ECS -------------------------------------------------------------------------------------------

# Words in a variable's name that say it carries a credential. Matched on the upper-cased name split
# at non-alphanumerics, so DB_PASSWORD, dbPassword (PASSWORD inside a word) and API-KEY all count.
_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_?KEY|"
    r"CLIENT_?SECRET|CONNECTION_?STRING|DSN|SIGNING_?KEY|ENCRYPTION_?KEY"
)
# A value that names where the secret is kept, not the secret: a Secrets Manager or SSM ARN, or a
# path to a mounted file. Such a variable is a pointer, and the policy's remedy is already applied.
_REFERENCE_VALUE = re.compile(r"^(arn:aws[a-z-]*:(secretsmanager|ssm|kms):|/run/secrets/|/var/run/secrets/)")
# A URL with a password in it (postgres://user:password@host/db).
_URL_WITH_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)


def variable_looks_secret(name: str, value: str) -> bool:
    if not value or _REFERENCE_VALUE.match(value):
        return False
    normalised = re.sub(r"[^A-Z0-9]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).upper())
    return (
        _SECRET_NAME.search(normalised) is not None
        or looks_secret(value)
        or _URL_WITH_PASSWORD.search(value) is not None
    )


def _containers(definitions: Any) -> list[dict[str, Any]]:
    if not isinstance(definitions, list) or not all(isinstance(c, dict) for c in definitions):
        raise Malformed("container definitions are not a list of objects")
    return definitions


def container_names(definitions: Any) -> list[str]:
    return [str(c.get("name") or f"#{i}") for i, c in enumerate(_containers(definitions))]


def plaintext_secret_variables(definitions: Any) -> list[str]:
    """container/VARIABLE for every plaintext environment variable that looks like a secret.

    Only names leave this function: the values are read to recognise credential shapes, never kept.
    """
    found: list[str] = []
    for index, container in enumerate(_containers(definitions)):
        environment = container.get("environment") or []
        if not isinstance(environment, list):
            raise Malformed("a container's environment is not a list")
        for variable in environment:
            if not isinstance(variable, dict):
                raise Malformed("an environment variable is not an object")
            name, value = variable.get("name"), variable.get("value")
            if (
                isinstance(name, str)
                and isinstance(value, str | int | float)
                and variable_looks_secret(name, str(value))
            ):
                found.append(f"{container.get('name') or f'#{index}'}/{name}")
    return found


def containers_without_logging(definitions: Any) -> list[str]:
    """Containers with no logConfiguration (a log driver): their output reaches no audit trail."""
    missing = []
    for index, container in enumerate(_containers(definitions)):
        config = container.get("logConfiguration")
        if not isinstance(config, dict) or not config.get("logDriver"):
            missing.append(str(container.get("name") or f"#{index}"))
    return missing


# ---- Redshift, DocumentDB ---------------------------------------------------------------------------

DEFAULT_GROUP_PREFIX = "default."


def redshift_require_ssl(parameters: Mapping[str, str]) -> bool:
    """require_ssl from the group's parameters; unset keeps the default (false: SSL optional)."""
    value = parameters.get("require_ssl")
    if value is None:
        return bool(SERVICE_DEFAULTS["redshift.require_ssl"].value)
    return value.strip().lower() == "true"


# Values of DocumentDB's tls parameter that refuse plaintext connections.
_DOCDB_TLS_ON = frozenset({"enabled", "tls1.2+", "tls1.3+", "fips-140-3"})


def docdb_tls_enabled(parameters: Mapping[str, str]) -> bool:
    """The tls parameter from the group; unset keeps the default (enabled)."""
    value = parameters.get("tls")
    if value is None:
        return bool(SERVICE_DEFAULTS["docdb.tls"].value)
    return value.strip().lower() in _DOCDB_TLS_ON


# ---- OpenSearch -------------------------------------------------------------------------------------

_TLS12_POLICY = re.compile(r"^Policy-Min-TLS-1-[23]-")


def opensearch_https_tls12(enforce_https: bool, policy: str | None) -> bool:
    """HTTPS enforced with a policy whose minimum is TLS 1.2 (Policy-Min-TLS-1-2-2019-07, -PFS-2023-10…)."""
    return enforce_https and policy is not None and _TLS12_POLICY.match(policy) is not None


AUDIT_LOGS = "AUDIT_LOGS"
