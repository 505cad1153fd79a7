#!/usr/bin/env python3
"""Generate a realistic Terraform plan JSON (format 1.2, as terraform 1.11 writes it) of N resources.

Deterministic: the same N and seed give the same bytes. The plan is a
billing platform of many tenants, each a `module.tenant["tNNNN"]` instance
(for_each) holding the shapes real plans have: a new S3 bucket whose id is
unknown with five split sub-resources joined through configuration
references, a Postgres instance with a parameter group and a sensitive
password, a security group with separate rules (count), a KMS key, queue,
topic, log group, DynamoDB table, EBS volume, load balancer and listener and
an IAM policy. Roughly one tenant in three is misconfigured, so findings mix
pass, fail and unknown.

Usage: python benchmarks/generate_plan.py N OUTPUT.json [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

PROVIDER = "registry.terraform.io/hashicorp/aws"
# Attribute and block names per type, from `terraform providers schema -json`
# of hashicorp/aws 5.100.0: every attribute appears in a real plan, null when unset.
SCHEMA: dict[str, dict[str, list[str]]] = json.loads((Path(__file__).parent / "provider_attributes.json").read_text())


# Set per tenant by _tenant(): most resources of a plan against a live account already exist.
_EXISTING = False


def _change(module: str, rtype: str, name: str, after: dict[str, Any], unknown: dict[str, Any] | None = None,
            sensitive: dict[str, Any] | None = None, index: int | None = None) -> dict[str, Any]:
    local = f"{rtype}.{name}" + (f"[{index}]" if index is not None else "")
    unknown = {"id": True, "arn": True, "tags_all": True, **(unknown or {})}
    action = "create"
    if _EXISTING:
        # An existing resource: every value is known and the plan shows it unchanged.
        action = "no-op"
        tenant = module.split('"')[1]
        ident = f"{tenant}-{name}-{index or 0}"
        after = {**after, "id": ident, "arn": f"arn:aws:{rtype[4:].split('_')[0]}:us-east-1:111122223333:{ident}"}
        if rtype == "aws_s3_bucket":
            after["bucket"] = ident
        if "bucket" in unknown and rtype.startswith("aws_s3_bucket_"):
            after["bucket"] = f"{tenant}-claims-0"
        unknown = {}
    full: dict[str, Any] = {attr: None for attr in SCHEMA[rtype]["attributes"] if attr not in unknown}
    full.update({block: [] for block in SCHEMA[rtype]["blocks"] if block not in unknown})
    full.update(after)
    after = full
    change: dict[str, Any] = {
        "address": f"{module}.{local}",
        "module_address": module,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": PROVIDER,
        "change": {
            "actions": [action],
            "before": after if action == "no-op" else None,
            "after": after,
            "after_unknown": unknown,
            "before_sensitive": False,
            "after_sensitive": {"tags": {}, "tags_all": {}, **(sensitive or {})},
        },
    }
    if index is not None:
        change["index"] = index
    return change


def _tenant(key: str, rng: random.Random) -> list[dict[str, Any]]:
    global _EXISTING
    module = f'module.tenant["{key}"]'
    bad = rng.random() < 0.33
    _EXISTING = rng.random() < 0.6
    tags = {"tenant": key, "phi": "true", "Name": f"{key}-claims"}
    sse = "AES256" if bad else "aws:kms"
    rules = []
    for i, (port, cidr) in enumerate([(443, "10.0.0.0/16"), (22 if bad else 5432, "0.0.0.0/0" if bad else "10.0.0.0/16")]):
        rules.append(_change(module, "aws_security_group_rule", "ingress", {
            "type": "ingress", "protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": [cidr],
            "ipv6_cidr_blocks": None, "description": "tenant ingress", "self": False,
        }, {"security_group_id": True, "source_security_group_id": True}, index=i))
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*" if bad else ["s3:GetObject"], "Resource": "*"}]}
    tls_only = {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{key}-claims-0", f"arn:aws:s3:::{key}-claims-0/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]}
    return [
        _change(module, "aws_kms_key", "phi", {"description": f"{key} phi", "enable_key_rotation": not bad, "is_enabled": True,
                                                "deletion_window_in_days": 30, "key_usage": "ENCRYPT_DECRYPT",
                                                "customer_master_key_spec": "SYMMETRIC_DEFAULT", "tags": tags},
                {"key_id": True, "policy": True}),
        _change(module, "aws_s3_bucket", "claims", {"bucket": None, "bucket_prefix": f"{key}-claims-", "force_destroy": False, "tags": tags},
                {"bucket": True, "versioning": True, "logging": True, "server_side_encryption_configuration": True, "grant": True,
                 "acl": True, "policy": True, "bucket_domain_name": True, "region": True}),
        _change(module, "aws_s3_bucket_server_side_encryption_configuration", "claims", {
            "expected_bucket_owner": None,
            "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": sse, "kms_master_key_id": None}], "bucket_key_enabled": True}],
        }, {"bucket": True, "rule": [{"apply_server_side_encryption_by_default": [{"kms_master_key_id": not bad}]}]}),
        _change(module, "aws_s3_bucket_public_access_block", "claims", {
            "block_public_acls": True, "ignore_public_acls": True, "block_public_policy": not bad, "restrict_public_buckets": True,
        }, {"bucket": True}),
        _change(module, "aws_s3_bucket_versioning", "claims", {"versioning_configuration": [{"status": "Suspended" if bad else "Enabled", "mfa_delete": None}]},
                {"bucket": True}),
        _change(module, "aws_s3_bucket_logging", "claims", {"target_prefix": f"{key}/", "target_bucket": "platform-access-logs"}, {"bucket": True}),
        _change(module, "aws_s3_bucket_policy", "claims", {"policy": json.dumps(tls_only)}, {"bucket": True, "policy": True}),
        _change(module, "aws_db_parameter_group", "claims", {"family": "postgres16", "name": f"{key}-claims-pg",
                                                              "parameter": [{"name": "rds.force_ssl", "value": "0" if bad else "1", "apply_method": "immediate"}]}),
        _change(module, "aws_db_instance", "claims", {
            "identifier": f"{key}-claims", "engine": "postgres", "engine_version": "16.4", "instance_class": "db.t4g.medium",
            "storage_encrypted": not bad, "publicly_accessible": False, "backup_retention_period": 1 if bad else 14,
            "deletion_protection": not bad, "enabled_cloudwatch_logs_exports": [] if bad else ["postgresql"],
            "iam_database_authentication_enabled": True, "parameter_group_name": f"{key}-claims-pg", "multi_az": True,
            "password": "bench-password-not-real", "username": "claims", "tags": tags,
        }, {"kms_key_id": True, "endpoint": True, "address": True}, {"password": True}),
        _change(module, "aws_security_group", "db", {"name": f"{key}-db", "description": "db", "ingress": [], "tags": tags},
                {"vpc_id": True, "egress": True, "owner_id": True}),
        *rules,
        _change(module, "aws_sqs_queue", "claims", {"name": f"{key}-claims", "sqs_managed_sse_enabled": not bad, "kms_master_key_id": None, "tags": tags},
                {"url": True}),
        _change(module, "aws_sns_topic", "alerts", {"name": f"{key}-alerts", "kms_master_key_id": None if bad else "alias/aws/sns", "tags": tags}),
        _change(module, "aws_cloudwatch_log_group", "app", {"name": f"/billing/{key}", "retention_in_days": 30 if bad else 365, "tags": tags},
                {"kms_key_id": not bad}),
        _change(module, "aws_dynamodb_table", "sessions", {
            "name": f"{key}-sessions", "billing_mode": "PAY_PER_REQUEST", "hash_key": "id", "deletion_protection_enabled": not bad,
            "server_side_encryption": [{"enabled": not bad, "kms_key_arn": None}], "point_in_time_recovery": [{"enabled": not bad}], "tags": tags,
        }, {"server_side_encryption": [{"kms_key_arn": True}]}),
        _change(module, "aws_ebs_volume", "scratch", {"availability_zone": "us-east-1a", "size": 50, "encrypted": not bad, "type": "gp3", "tags": tags},
                {"kms_key_id": True}),
        _change(module, "aws_lb", "portal", {"name": f"{key}-portal", "internal": False, "load_balancer_type": "application", "tags": tags},
                {"dns_name": True}),
        _change(module, "aws_lb_listener", "https", {
            "port": 443, "protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-2016-08" if bad else "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificate_arn": "arn:aws:acm:us-east-1:111122223333:certificate/bench",
            "default_action": [{"type": "forward", "redirect": []}],
        }, {"load_balancer_arn": True, "default_action": [{"target_group_arn": True}]}),
        _change(module, "aws_iam_policy", "worker", {"name": f"{key}-worker", "path": "/", "policy": json.dumps(policy), "tags": tags}),
        _change(module, "aws_efs_file_system", "edi", {"encrypted": not bad, "tags": tags}, {"kms_key_id": True}),
        _change(module, "aws_elasticache_replication_group", "cache", {
            "replication_group_id": f"{key}-cache", "description": "cache", "engine": "redis",
            "at_rest_encryption_enabled": "false" if bad else "true", "transit_encryption_enabled": not bad, "tags": tags,
        }, {"kms_key_id": True}),
    ]


def _ref(*refs: str) -> dict[str, Any]:
    return {"references": list(refs)}


def _config_resource(rtype: str, name: str, **expressions: Any) -> dict[str, Any]:
    return {"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name,
            "provider_config_key": "aws", "expressions": expressions, "schema_version": 0}


def _configuration() -> dict[str, Any]:
    bucket = _ref("aws_s3_bucket.claims.id", "aws_s3_bucket.claims")
    module = {
        "resources": [
            _config_resource("aws_kms_key", "phi"),
            _config_resource("aws_s3_bucket", "claims", bucket_prefix={"references": ["var.name"]}),
            _config_resource("aws_s3_bucket_server_side_encryption_configuration", "claims", bucket=bucket,
                             rule=[{"apply_server_side_encryption_by_default": [{"kms_master_key_id": _ref("aws_kms_key.phi.arn", "aws_kms_key.phi")}]}]),
            _config_resource("aws_s3_bucket_public_access_block", "claims", bucket=bucket),
            _config_resource("aws_s3_bucket_versioning", "claims", bucket=bucket),
            _config_resource("aws_s3_bucket_logging", "claims", bucket=bucket, target_bucket={"constant_value": "platform-access-logs"}),
            _config_resource("aws_s3_bucket_policy", "claims", bucket=bucket, policy=_ref("aws_s3_bucket.claims.arn", "aws_s3_bucket.claims")),
            _config_resource("aws_db_parameter_group", "claims"),
            _config_resource("aws_db_instance", "claims", parameter_group_name=_ref("aws_db_parameter_group.claims.name", "aws_db_parameter_group.claims"),
                             kms_key_id=_ref("aws_kms_key.phi.arn", "aws_kms_key.phi")),
            _config_resource("aws_security_group", "db"),
            {**_config_resource("aws_security_group_rule", "ingress", security_group_id=_ref("aws_security_group.db.id", "aws_security_group.db")),
             "count_expression": {"constant_value": 2}},
            _config_resource("aws_sqs_queue", "claims"),
            _config_resource("aws_sns_topic", "alerts"),
            _config_resource("aws_cloudwatch_log_group", "app", kms_key_id=_ref("aws_kms_key.phi.arn", "aws_kms_key.phi")),
            _config_resource("aws_dynamodb_table", "sessions", server_side_encryption=[{}], point_in_time_recovery=[{}]),
            _config_resource("aws_ebs_volume", "scratch"),
            _config_resource("aws_lb", "portal"),
            _config_resource("aws_lb_listener", "https", load_balancer_arn=_ref("aws_lb.portal.arn", "aws_lb.portal")),
            _config_resource("aws_iam_policy", "worker"),
            _config_resource("aws_efs_file_system", "edi", kms_key_id=_ref("aws_kms_key.phi.arn", "aws_kms_key.phi")),
            _config_resource("aws_elasticache_replication_group", "cache"),
        ],
        "variables": {"name": {}},
    }
    return {
        "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER, "expressions": {"region": {"constant_value": "us-east-1"}}}},
        "root_module": {"module_calls": {"tenant": {"source": "./modules/tenant", "for_each_expression": _ref("local.tenants"),
                                                    "expressions": {"name": _ref("each.key")}, "module": module}}},
    }


def generate(n: int, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    changes: list[dict[str, Any]] = []
    tenant = 0
    while len(changes) < n:
        changes.extend(_tenant(f"t{tenant:05d}", rng))
        tenant += 1
    changes = changes[:n]
    # planned_values repeats every resource's known values, grouped by module, as terraform writes it.
    modules: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        modules.setdefault(change["module_address"], []).append({
            "address": change["address"], "mode": "managed", "type": change["type"], "name": change["name"],
            **({"index": change["index"]} if "index" in change else {}),
            "provider_name": PROVIDER, "schema_version": 0,
            "values": change["change"]["after"], "sensitive_values": change["change"]["after_sensitive"],
        })
    existing = [c for c in changes if c["change"]["actions"] == ["no-op"]]
    prior: dict[str, list[dict[str, Any]]] = {}
    for change in existing:
        prior.setdefault(change["module_address"], []).append({
            "address": change["address"], "mode": "managed", "type": change["type"], "name": change["name"],
            "provider_name": PROVIDER, "schema_version": 0, "values": change["change"]["before"],
            "sensitive_values": change["change"]["after_sensitive"],
        })
    return {
        "format_version": "1.2",
        "prior_state": {"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": {"child_modules": [
            {"address": address, "resources": resources} for address, resources in prior.items()
        ]}}},
        "terraform_version": "1.11.4",
        "variables": {},
        "planned_values": {"root_module": {"child_modules": [
            {"address": address, "resources": resources} for address, resources in modules.items()
        ]}},
        "resource_changes": changes,
        "configuration": _configuration(),
        "timestamp": "2026-11-26T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    # Terraform writes compact JSON on one line.
    args.output.write_text(json.dumps(generate(args.n, args.seed), separators=(",", ":")))


if __name__ == "__main__":
    main()
