"""Whether a database's parameter group forces TLS."""

from __future__ import annotations

from collections.abc import Mapping

from .service_defaults import default_parameter_group_tls

_FORCE_SSL = "rds.force_ssl"
_REQUIRE_SECURE = "require_secure_transport"


def engine_family(engine: str) -> str:
    engine = engine.lower()
    if "postgres" in engine:
        return "postgres"
    if "mysql" in engine or "mariadb" in engine:
        return "mysql"
    if engine.startswith("sqlserver"):
        return "sqlserver"
    return engine


def tls_enforced_by_parameters(engine: str, version: str | None, parameters: Mapping[str, str]) -> bool:
    """Given the parameter name -> value pairs set in a (cluster) parameter group.

    A parameter the group does not set keeps its engine default (a custom
    group starts from the family's defaults).
    """
    family = engine_family(engine)
    if family in ("postgres", "sqlserver"):
        if _FORCE_SSL in parameters:
            return parameters[_FORCE_SSL].strip() == "1"
        return default_tls_enforced(engine, version)
    if family == "mysql":
        if _REQUIRE_SECURE in parameters:
            return parameters[_REQUIRE_SECURE].strip().upper() in ("1", "ON")
        return default_tls_enforced(engine, version)
    return False


def default_tls_enforced(engine: str, version: str | None) -> bool:
    """Default parameter groups: PostgreSQL 15+ (rds.force_ssl) and MariaDB 11.8+ (require_secure_transport)."""
    return default_parameter_group_tls(engine, version) is not None


def transit_encryption_enforced(enabled: bool | None, mode: str | None) -> bool:
    """ElastiCache refuses plaintext clients: transit encryption on, in "required" mode.

    "preferred" (the first step of turning TLS on for a running cluster) accepts
    both encrypted and plaintext connections. ``mode`` None means the API did
    not report one, which happens only for clusters from before modes existed,
    where enabling transit encryption always meant TLS-only.
    """
    return enabled is True and (mode is None or mode.lower() == "required")
