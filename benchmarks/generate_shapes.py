#!/usr/bin/env python3
"""Generate plans of N resources in two join-heavy shapes real projects have (issue 12 item 6).

* ``count``: N/4 buckets ``aws_s3_bucket.b[i]`` in the root module, each with
  three split sub-resources written ``bucket = aws_s3_bucket.b[count.index].id``
  (references ``["aws_s3_bucket.b", "count.index"]``): every child must find
  its own instance among all of them.
* ``modules``: ``module.svc["sNNNNN"]`` instances (for_each) in the style of
  public modules: ``aws_security_group.this_name_prefix[0]`` with rules whose
  ``security_group_id = local.sg_id`` (plan JSON has no locals: the module
  scope decides), a count-gated bucket whose sub-resources use
  ``local.bucket_id``, a bucket policy rendered by an ``aws_iam_policy_document``
  deferred to apply, a parameter group reached through a local, and a nested
  log-bucket module whose logging resource gets the bucket through an input.

Every resource carries the full attribute set of hashicorp/aws 5.100.0, as in
generate_plan.py. Deterministic. Usage: python benchmarks/generate_shapes.py SHAPE N OUTPUT.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

PROVIDER = "registry.terraform.io/hashicorp/aws"
SCHEMA: dict[str, dict[str, list[str]]] = json.loads((Path(__file__).parent / "provider_attributes.json").read_text())


def _change(module: str, rtype: str, name: str, after: dict[str, Any], index: int | str | None = None,
            unknown: dict[str, Any] | None = None, mode: str = "managed") -> dict[str, Any]:
    key = "" if index is None else f"[{index}]" if isinstance(index, int) else f'["{index}"]'
    address = f"{rtype}.{name}{key}" if mode == "managed" else f"data.{rtype}.{name}{key}"
    unknown = {"id": True, "arn": True, "tags_all": True, **(unknown or {})}
    full: dict[str, Any] = {}
    if mode == "managed":
        full = {attr: None for attr in SCHEMA[rtype]["attributes"] if attr not in unknown}
        full.update({block: [] for block in SCHEMA[rtype]["blocks"] if block not in unknown})
    full.update(after)
    change: dict[str, Any] = {
        "address": f"{module}.{address}" if module else address,
        "mode": mode,
        "type": rtype,
        "name": name,
        "provider_name": PROVIDER,
        "change": {"actions": ["create"] if mode == "managed" else ["read"], "before": None, "after": full,
                   "after_unknown": unknown, "before_sensitive": False, "after_sensitive": {}},
    }
    if module:
        change["module_address"] = module
    if index is not None:
        change["index"] = index
    return change


def _ref(*refs: str) -> dict[str, Any]:
    return {"references": list(refs)}


def _config(rtype: str, name: str, mode: str = "managed", **expressions: Any) -> dict[str, Any]:
    prefix = "data." if mode == "data" else ""
    return {"address": f"{prefix}{rtype}.{name}", "mode": mode, "type": rtype, "name": name,
            "provider_config_key": "aws", "expressions": expressions, "schema_version": 0}


PAB = {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True, "restrict_public_buckets": True}
SSE = {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": None}],
                 "bucket_key_enabled": True}]}


def count_shape(n: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    buckets = max(1, n // 4)
    changes: list[dict[str, Any]] = []
    parts = {
        "aws_s3_bucket_versioning": {"versioning_configuration": [{"status": "Enabled", "mfa_delete": None}]},
        "aws_s3_bucket_public_access_block": PAB,
        "aws_s3_bucket_server_side_encryption_configuration": SSE,
    }
    for i in range(buckets):
        changes.append(_change("", "aws_s3_bucket", "b", {"bucket_prefix": f"claims-{i}-", "tags": {"phi": "true"}}, i,
                               {"bucket": True}))
        for rtype, after in parts.items():
            changes.append(_change("", rtype, "b", after, i, {"bucket": True}))
    bucket = _ref("aws_s3_bucket.b", "count.index")
    resources = [{**_config("aws_s3_bucket", "b"), "count_expression": {"constant_value": buckets}}]
    resources += [{**_config(rtype, "b", bucket=bucket), "count_expression": {"constant_value": buckets}} for rtype in parts]
    return changes, {"resources": resources}


def _service(key: str) -> list[dict[str, Any]]:
    m = f'module.svc["{key}"]'
    logs = f"{m}.module.logs"
    return [
        _change(m, "aws_security_group", "this_name_prefix", {"name_prefix": f"{key}-"}, 0, {"name": True}),
        _change(m, "aws_security_group_rule", "ingress", {"type": "ingress", "protocol": "tcp", "from_port": 443,
                "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}, "https", {"security_group_id": True}),
        _change(m, "aws_security_group_rule", "ingress", {"type": "ingress", "protocol": "tcp", "from_port": 5432,
                "to_port": 5432, "cidr_blocks": ["10.0.0.0/16"]}, "postgres", {"security_group_id": True}),
        _change(m, "aws_s3_bucket", "this", {"bucket_prefix": f"{key}-", "tags": {"phi": "true"}}, 0, {"bucket": True}),
        _change(m, "aws_s3_bucket_public_access_block", "this", PAB, 0, {"bucket": True}),
        _change(m, "aws_s3_bucket_versioning", "this", {"versioning_configuration": [{"status": "Enabled"}]}, 0,
                {"bucket": True}),
        _change(m, "aws_iam_policy_document", "tls", {"statement": []}, None, {"json": True, "minified_json": True},
                mode="data"),
        _change(m, "aws_s3_bucket_policy", "this", {}, 0, {"bucket": True, "policy": True}),
        _change(m, "aws_db_parameter_group", "this", {"family": "postgres16", "parameter": [
            {"name": "rds.force_ssl", "value": "1", "apply_method": "immediate"}]}, 0, {"name": True}),
        _change(m, "aws_db_instance", "this", {"engine": "postgres", "engine_version": "16.3", "storage_encrypted": True,
                "tags": {"phi": "true"}}, None, {"parameter_group_name": True}),
        _change(logs, "aws_s3_bucket", "this", {"bucket_prefix": f"{key}-logs-"}, None, {"bucket": True}),
        _change(logs, "aws_s3_bucket_logging", "source", {"target_prefix": "s3/"}, None,
                {"bucket": True, "target_bucket": True}),
    ]


def modules_shape(n: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    i = 0
    while len(changes) < n:
        changes.extend(_service(f"s{i:05d}"))
        i += 1
    changes = changes[:n]
    tls = [{"actions": {"constant_value": ["s3:*"]}, "effect": {"constant_value": "Deny"},
            "principals": [{"identifiers": {"constant_value": ["*"]}, "type": {"constant_value": "*"}}],
            "resources": _ref("aws_s3_bucket.this[0].arn", "aws_s3_bucket.this[0]", "aws_s3_bucket.this",
                              "aws_s3_bucket.this[0].arn", "aws_s3_bucket.this[0]", "aws_s3_bucket.this"),
            "condition": [{"test": {"constant_value": "Bool"}, "variable": {"constant_value": "aws:SecureTransport"},
                           "values": {"constant_value": ["false"]}}]}]
    logs_module = {
        "resources": [
            _config("aws_s3_bucket", "this"),
            _config("aws_s3_bucket_logging", "source", bucket=_ref("var.source_bucket"),
                    target_bucket=_ref("aws_s3_bucket.this.id", "aws_s3_bucket.this")),
        ],
        "variables": {"source_bucket": {}},
    }
    module = {
        "resources": [
            _config("aws_security_group", "this"),
            _config("aws_security_group", "this_name_prefix"),
            _config("aws_security_group_rule", "ingress", security_group_id=_ref("local.sg_id")),
            _config("aws_s3_bucket", "this"),
            _config("aws_s3_bucket_public_access_block", "this", bucket=_ref("local.bucket_id")),
            _config("aws_s3_bucket_versioning", "this", bucket=_ref("local.bucket_id")),
            _config("aws_iam_policy_document", "tls", mode="data", statement=tls),
            _config("aws_s3_bucket_policy", "this", bucket=_ref("aws_s3_bucket.this[0].id", "aws_s3_bucket.this[0]",
                    "aws_s3_bucket.this"), policy=_ref("data.aws_iam_policy_document.tls.json",
                    "data.aws_iam_policy_document.tls")),
            _config("aws_db_parameter_group", "this"),
            _config("aws_db_instance", "this", parameter_group_name=_ref("local.parameter_group_name_id")),
        ],
        "module_calls": {"logs": {"source": "./modules/log-bucket", "module": logs_module,
                                  "expressions": {"source_bucket": _ref("local.bucket_id")}}},
    }
    root = {"module_calls": {"svc": {"source": "./modules/service", "for_each_expression": _ref("local.services"),
                                     "module": module}}}
    return changes, root


SHAPES = {"count": count_shape, "modules": modules_shape}


def generate(shape: str, n: int) -> dict[str, Any]:
    changes, root = SHAPES[shape](n)
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER,
                                        "expressions": {"region": {"constant_value": "us-east-1"}}}},
            "root_module": root,
        },
        "timestamp": "2026-11-30T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shape", choices=sorted(SHAPES))
    parser.add_argument("n", type=int)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(generate(args.shape, args.n), separators=(",", ":")))


if __name__ == "__main__":
    main()
