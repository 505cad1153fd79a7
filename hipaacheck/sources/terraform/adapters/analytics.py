"""Redshift clusters (parameter group and logging joins), OpenSearch/Elasticsearch domains, DocumentDB clusters."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ....derive.containers import (
    AUDIT_LOGS,
    DEFAULT_GROUP_PREFIX,
    docdb_tls_enabled,
    opensearch_https_tls12,
    redshift_require_ssl,
)
from ....derive.service_defaults import SERVICE_DEFAULTS, UNKNOWABLE
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .builder import Builder, known_str, to_bool

Derive = Callable[[Mapping[str, str]], bool]


def _group_parameters(b: Builder, field: str, group: PlanResource) -> dict[str, str] | None:
    parameters = group.raw.get("parameter")
    if parameters is UNKNOWN or group.raw.is_unknown("parameter", partial=True):
        b.unknown(field, f"{group.address}.parameter is known only after apply")
        return None
    values: dict[str, str] = {}
    for parameter in parameters or []:
        name, value = (parameter.get("name"), parameter.get("value")) if isinstance(parameter, dict) else (None, None)
        if not isinstance(name, str) or not isinstance(value, str | int | float | bool):
            b.error(field, f"malformed value in the plan ({group.address}.parameter)")
            return None
        values[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def fold_parameter_group(
    b: Builder, linker: Linker, attribute: str, group_type: str, field: str, derive: Derive
) -> None:
    """Fold the cluster's parameter group (joined by name) onto ``field`` through ``derive``.

    No group in the configuration, or a default.* group, is the service's default group; a group this
    plan does not manage is unknown; a reference that could land on several groups decides only when
    every candidate (and, if it may name something outside the plan, the default) agrees.
    """
    resource = b.resource
    name = b.take("parameter_group", attribute, known_str)
    if name is UNKNOWN and not b.plan.configured(resource, attribute):
        b.gaps.pop("parameter_group", None)
        b.set(field, derive({}))
        b.notes[field] = "no parameter group is set: the service's default group applies"
        return
    parent = linker.parent(resource, attribute, (group_type,), ("name", "id"))
    if isinstance(parent, Unresolved):
        outcomes: set[bool | None] = set()
        for group in parent.candidates:
            trial = Builder(b.plan, group, b.type)
            values = _group_parameters(trial, field, group)
            outcomes.add(derive(values) if values is not None else None)
        if parent.open or not parent.candidates:
            outcomes.add(None)  # a group outside this plan could say anything
        if len(outcomes) == 1 and None not in outcomes:
            b.set(field, outcomes.pop())
        elif outcomes <= {False, None} and False in outcomes and not parent.open:
            b.set(field, False)
        else:
            b.unknown(field, parent.reason)
        return
    if parent is not None:
        values = _group_parameters(b, field, parent)
        if values is not None:
            b.set(field, derive(values))
        b.absorb(parent, field)
        return
    if name is UNKNOWN:
        return
    if name is None or name.startswith(DEFAULT_GROUP_PREFIX):
        b.set(field, derive({}))
        return
    shown = "(sensitive)" if "parameter_group" in b.sensitive else repr(name)
    b.unknown(field, f"parameter group {shown} is not managed by this plan, so its parameters are not visible")


def _restored(b: Builder) -> bool:
    """Created from a snapshot: the snapshot's encryption decides, not the create default."""
    value = b.resource.raw.get("snapshot_identifier")
    if value is UNKNOWN:
        return b.plan.configured(b.resource, "snapshot_identifier")
    return isinstance(value, str) and bool(value)


# ---- Redshift ----------------------------------------------------------------------------------------


def redshift_clusters(plan: Plan, linker: Linker) -> list[Resource]:
    builders: dict[str, Builder] = {}
    for resource in plan.of_type("aws_redshift_cluster"):
        b = Builder(plan, resource, "redshift_cluster")
        b.tags()
        b.take("identifier", "cluster_identifier", known_str)
        # Provider 5.x writes its schema defaults (encrypted = false, publicly_accessible = true) into the plan.
        if b.take("encrypted", "encrypted", to_bool, default=False) is False and _restored(b):
            b.attrs.pop("encrypted")
            b.unknown("encrypted", f"{resource.address}: {UNKNOWABLE['rds.storage_encrypted:restored'].reason}")
        b.take("kms_key_id", "kms_key_id", known_str)
        if "kms_key_id" in b.gaps and not plan.configured(resource, "kms_key_id"):
            b.gaps.pop("kms_key_id")
        b.take("publicly_accessible", "publicly_accessible", to_bool, default=True)
        fold_parameter_group(
            b,
            linker,
            "cluster_parameter_group_name",
            "aws_redshift_parameter_group",
            "require_ssl",
            redshift_require_ssl,
        )
        _inline_logging(b)
        builders[resource.address] = b
    _logging_resources(plan, linker, builders)
    return [b.build(name=known_str(b.resource.raw.get("cluster_identifier"))) for b in builders.values()]


def _inline_logging(b: Builder) -> None:
    enabled = b.resource.raw.get("logging.0.enable")
    if enabled is UNKNOWN and b.plan.configured(b.resource, "logging"):
        b.unknown("audit_logging", f"{b.resource.address}.logging.enable is known only after apply")
        return
    b.set("audit_logging", to_bool(enabled) is True)


def _logging_resources(plan: Plan, linker: Linker, builders: dict[str, Builder]) -> None:
    """aws_redshift_logging turns audit logging on for the cluster it names."""
    for logging in plan.of_type("aws_redshift_logging"):
        parent = linker.parent(logging, "cluster_identifier", ("aws_redshift_cluster",), ("cluster_identifier", "id"))
        if isinstance(parent, Unresolved):
            # Logging only turns a failure into a pass: every candidate that would fail is undecided.
            for candidate in parent.candidates:
                target = builders.get(candidate.address)
                if target is not None and target.attrs.get("audit_logging") is False:
                    target.attrs.pop("audit_logging")
                    target.unknown("audit_logging", f"{logging.address} may turn logging on ({parent.reason})")
            continue
        if parent is None or parent.address not in builders:
            continue
        target = builders[parent.address]
        target.attrs.pop("audit_logging", None)
        target.gaps.pop("audit_logging", None)
        target.set("audit_logging", True)
        target.notes["audit_logging"] = f"audit logging from {logging.address}"
        target.absorb(logging, "audit_logging")


# ---- OpenSearch ----------------------------------------------------------------------------------------

_DOMAIN_TYPES = ("aws_opensearch_domain", "aws_elasticsearch_domain")


def opensearch_domains(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type(*_DOMAIN_TYPES):
        b = Builder(plan, resource, "opensearch_domain")
        b.tags()
        b.take("name", "domain_name", known_str)
        b.set("engine", "Elasticsearch" if resource.type == "aws_elasticsearch_domain" else "OpenSearch")
        b.take_or_default(
            "encrypt_at_rest", "encrypt_at_rest.0.enabled", to_bool, SERVICE_DEFAULTS["opensearch.encrypt_at_rest"]
        )
        if b.attrs.get("encrypt_at_rest") is True:
            b.take("kms_key_id", "encrypt_at_rest.0.kms_key_id", known_str)
            b.gaps.pop("kms_key_id", None)  # unset: the AWS managed key, named after apply
        b.take_or_default(
            "node_to_node_encryption",
            "node_to_node_encryption.0.enabled",
            to_bool,
            SERVICE_DEFAULTS["opensearch.node_to_node_encryption"],
        )
        _https(b)
        vpc = resource.raw.get("vpc_options")
        if vpc is UNKNOWN:
            b.unknown("in_vpc", f"{resource.address}.vpc_options is known only after apply")
        else:
            b.set("in_vpc", bool(vpc))
        _audit_logs(b)
        resources.append(b.build(name=known_str(resource.raw.get("domain_name"))))
    return resources


def _https(b: Builder) -> None:
    address = b.resource.address
    enforce = b.take_or_default(
        "enforce_https",
        "domain_endpoint_options.0.enforce_https",
        to_bool,
        SERVICE_DEFAULTS["opensearch.enforce_https"],
    )
    if enforce is UNKNOWN:
        b.unknown("https_tls12", f"{address}.domain_endpoint_options.enforce_https is known only after apply")
        return
    if enforce is not True:
        b.set("https_tls12", False)
        return
    policy = b.take("tls_security_policy", "domain_endpoint_options.0.tls_security_policy", known_str)
    if policy is UNKNOWN:
        reason = UNKNOWABLE["opensearch.tls_security_policy"].reason
        b.unknown("tls_security_policy", reason)
        b.unknown("https_tls12", reason)
        return
    b.set("https_tls12", opensearch_https_tls12(True, policy))


def _audit_logs(b: Builder) -> None:
    options = b.resource.raw.get("log_publishing_options")
    if options is UNKNOWN:
        b.unknown("audit_logs", f"{b.resource.address}.log_publishing_options is known only after apply")
        return
    audit = [o for o in options or [] if isinstance(o, dict) and o.get("log_type") == AUDIT_LOGS]
    # "enabled" defaults to true in the block; an explicit false publishes nothing.
    b.set("audit_logs", any(to_bool(o.get("enabled", True)) is not False for o in audit))


# ---- DocumentDB ----------------------------------------------------------------------------------------


def docdb_clusters(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_docdb_cluster"):
        b = Builder(plan, resource, "docdb_cluster")
        b.tags()
        b.take("identifier", "cluster_identifier", known_str)
        b.take_or_default(
            "storage_encrypted",
            "storage_encrypted",
            to_bool,
            SERVICE_DEFAULTS["docdb.storage_encrypted"],
            UNKNOWABLE["rds.storage_encrypted:restored"] if _restored(b) else None,
        )
        b.take("kms_key_id", "kms_key_id", known_str)
        if "kms_key_id" in b.gaps and not plan.configured(resource, "kms_key_id"):
            b.gaps.pop("kms_key_id")
        fold_parameter_group(
            b,
            linker,
            "db_cluster_parameter_group_name",
            "aws_docdb_cluster_parameter_group",
            "tls_enabled",
            docdb_tls_enabled,
        )
        resources.append(b.build(name=known_str(resource.raw.get("cluster_identifier"))))
    return resources
