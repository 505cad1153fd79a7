"""Whether a database's parameter group forces TLS."""

from __future__ import annotations

from collections.abc import Mapping

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

    A parameter the group does not set keeps its engine default.
    """
    family = engine_family(engine)
    if family in ("postgres", "sqlserver"):
        return parameters.get(_FORCE_SSL, "").strip() == "1" or (
            family == "postgres" and _FORCE_SSL not in parameters and default_tls_enforced(engine, version)
        )
    if family == "mysql":
        return parameters.get(_REQUIRE_SECURE, "").strip().upper() in ("1", "ON")
    return False


def default_tls_enforced(engine: str, version: str | None) -> bool:
    """Default parameter groups: RDS for PostgreSQL 15 and later sets rds.force_ssl = 1."""
    if engine.lower() != "postgres":
        return False
    if not version:
        return True  # RDS picks a current default major version (15 or later)
    major = version.split(".")[0]
    return major.isascii() and major.isdigit() and len(major) <= 6 and int(major) >= 15
