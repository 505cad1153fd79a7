"""Fuzzing plan JSON through the real CLI: a report or one clean line, never a crash or a hang.

Inputs are the fixture plans and the 40 corpus plans, mutated: keys dropped,
values swapped for other types, nulls where objects are expected, deep
nesting, huge and odd strings (lone surrogates, RTL overrides, NUL),
duplicated entries, renamed keys, wrong format versions, dangling
references, resource_changes entries that are not objects, and byte-level
damage (truncation, BOMs, UTF-16, invalid UTF-8).

A second property pins the safety rule: a resource whose deciding value is
malformed is never a ``pass``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .fuzzing import (
    LARGE_RUN,
    ODD_TEXT,
    Counter,
    Path_,
    all_paths,
    assert_clean_outcome,
    budget,
    byte_mutation,
    check_report_json,
    deep,
    plan_texts,
    replace,
    run_main,
    structural_mutation,
    weird_values,
)

PLAN_EXAMPLES = 300
DECIDING_EXAMPLES = 200
# Terraform types some adapter reads: mutations aim at these more often.
READ_TYPES = frozenset(
    (
        "aws_alb",
        "aws_alb_listener",
        "aws_cloudtrail",
        "aws_cloudwatch_log_group",
        "aws_db_instance",
        "aws_db_parameter_group",
        "aws_dynamodb_table",
        "aws_ebs_encryption_by_default",
        "aws_ebs_volume",
        "aws_efs_file_system",
        "aws_elasticache_replication_group",
        "aws_elb",
        "aws_guardduty_detector",
        "aws_iam_account_password_policy",
        "aws_iam_group_policy",
        "aws_iam_policy",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_iam_user_policy",
        "aws_instance",
        "aws_kms_key",
        "aws_launch_template",
        "aws_lb",
        "aws_lb_listener",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_rds_cluster_parameter_group",
        "aws_s3_account_public_access_block",
        "aws_s3_bucket",
        "aws_s3_bucket_acl",
        "aws_s3_bucket_logging",
        "aws_s3_bucket_object_lock_configuration",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_replication_configuration",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "aws_security_group",
        "aws_security_group_rule",
        "aws_sns_topic",
        "aws_sqs_queue",
        "aws_vpc_security_group_ingress_rule",
    )
)
REPORTS = ("sarif", "junit", "markdown", "table")


@cache
def base_paths(name: str) -> list[Path_]:
    return all_paths(json.loads(dict(plan_texts())[name]))


def _entries(document: Any) -> list[Any]:
    changes = document.get("resource_changes") if isinstance(document, dict) else None
    return changes if isinstance(changes, list) else []


@st.composite
def plan_shape_mutation(draw: st.DrawFn) -> tuple[str, Any]:
    """Mutations that need to know a plan's shape (random paths rarely hit them)."""
    kind = draw(
        st.sampled_from(
            [
                "format_version",
                "entry-not-object",
                "duplicate-entry",
                "dangling-reference",
                "no-resource-changes",
                "markers",
                "policy-string",
                "change-body",
                "planned-values",
                "after-field",
                "after-field",
                "after-field",
            ]
        )
    )
    pick = draw(st.integers(0, 10_000))
    inner = draw(st.booleans())
    value = draw(weird_values())
    index = draw(st.integers(0, 10_000))
    version = draw(st.sampled_from(["2.0", "1.999", "0.1", "", "1", ".1", "v1.2", "1.2\u0000", 1.2, 1, None, ["1.2"]]))
    reference = draw(
        st.sampled_from(
            [
                "aws_s3_bucket.nope",
                "aws_s3_bucket.nope[7]",
                'module.gone["x"].out',
                "var.missing",
                "module.a.module.b.c",
                "aws_s3_bucket.x[",
                "each.key",
                "",
                "\ud800.x",
            ]
        )
    )

    def mutate(document: Any) -> Any:
        if not isinstance(document, dict):
            return document
        entries = _entries(document)
        read = [
            e for e in entries if isinstance(e, dict) and isinstance(e.get("type"), str) and e["type"] in READ_TYPES
        ]
        pool = read if read and kind in ("after-field", "markers", "policy-string", "duplicate-entry") else entries
        entry = pool[index % len(pool)] if pool else None
        body = entry.get("change") if isinstance(entry, dict) else None
        if kind == "format_version":
            document["format_version"] = version
        elif kind == "entry-not-object" and entries:
            entries[index % len(entries)] = value
        elif kind == "duplicate-entry" and isinstance(entry, dict):
            twin = json.loads(json.dumps(entry))
            if isinstance(twin.get("change"), dict):
                twin["change"]["after"] = value if isinstance(value, dict) else twin["change"].get("after")
            entries.append(twin)
        elif kind == "dangling-reference":
            _point_references(document.get("configuration"), reference, index)
        elif kind == "no-resource-changes":
            document.pop("resource_changes", None)
            if index % 2:
                document["planned_values"] = value
        elif kind == "markers" and isinstance(body, dict):
            which = ("after_unknown", "after_sensitive")[index % 2]
            body[which] = value if index % 3 else deep(950, "dict")
        elif kind == "policy-string" and isinstance(body, dict) and isinstance(body.get("after"), dict):
            text = value if isinstance(value, str) else json.dumps(value)
            body["after"]["policy"] = "[" * 5000 + "]" * 5000 if index % 4 == 0 else text
        elif kind == "change-body" and isinstance(entry, dict):
            entry["change"] = value
        elif kind == "after-field" and isinstance(body, dict) and isinstance(body.get("after"), dict):
            _swap_field(body["after"], value, pick, inner)
        elif kind == "planned-values":
            document["planned_values"] = {"root_module": {"resources": value, "child_modules": value}}
            document.pop("resource_changes", None)
        return document

    return f"{kind} ({str(value)[:40]!r}, {index})", mutate


def _swap_field(after: dict[str, Any], value: Any, pick: int, inner: bool) -> None:
    """Swap one attribute of a resource's ``after`` (or one level inside a nested block) for ``value``."""
    keys = sorted(after)
    if not keys:
        return
    key = keys[pick % len(keys)]
    nested = after[key]
    if inner and isinstance(nested, list) and nested and isinstance(nested[0], dict) and nested[0]:
        inner_keys = sorted(nested[0])
        nested[0][inner_keys[pick % len(inner_keys)]] = value
    else:
        after[key] = value


def _point_references(node: Any, reference: str, index: int) -> None:
    """Replace the references of some configuration expressions with one that names nothing."""
    stack = [node]
    seen = 0
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("references"), list):
                seen += 1
                if seen % 3 == index % 3:
                    current["references"] = [reference, reference + ".id"]
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _outputs(folder: Path) -> dict[str, Path]:
    return {fmt: folder / f"report.{fmt}" for fmt in REPORTS}


def _scan(capsys: pytest.CaptureFixture[str], plan: Path, outputs: dict[str, Path]) -> Any:
    for path in outputs.values():
        path.unlink(missing_ok=True)
    reports = [x for fmt, path in outputs.items() for x in ("--report", f"{fmt}={path}")]
    return run_main(capsys, ["scan", "plan", str(plan), "--format", "json", *reports])


def _check_outputs(result: Any, outputs: dict[str, Path], what: str) -> None:
    assert_clean_outcome(result, what)
    if result.code == 2:
        assert not any(p.exists() for p in outputs.values()), what  # nothing written for bad input
        return
    report = check_report_json(result.out)
    # adapt_plan's safety net turns an adapter crash into error findings; the fuzzer wants none.
    assert not [n for n in report["notes"] if "resources could not be read" in n], (what, report["notes"])
    expected = {0: "pass", 1: "fail", 3: "incomplete"}[result.code]
    assert report["result"] == expected, what
    json.loads(outputs["sarif"].read_text(encoding="utf-8"))
    ET.fromstring(outputs["junit"].read_bytes())
    assert outputs["markdown"].read_text(encoding="utf-8").startswith("## hipaacheck:")
    assert outputs["table"].read_text(encoding="utf-8").startswith("hipaacheck:")


plan_counter = Counter("plans")


@budget(PLAN_EXAMPLES)
@given(data=st.data())
def test_fuzzed_plans_give_a_report_or_one_line(
    data: st.DataObject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = data.draw(st.sampled_from([n for n, _ in plan_texts()]), label="base plan")
    document = json.loads(dict(plan_texts())[name])
    steps: list[str] = [name]
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        if data.draw(st.booleans()):
            label, mutate = data.draw(plan_shape_mutation())
        else:
            label, mutate = data.draw(structural_mutation(base_paths(name), focus=("resource_changes",)))
        steps.append(label)
        document = mutate(document)
    raw = json.dumps(document).encode("utf-8")
    label, raw = data.draw(byte_mutation(raw))
    steps.append(label)
    plan = tmp_path / "plan.json"
    plan.write_bytes(raw)
    result = _scan(capsys, plan, _outputs(tmp_path))
    plan_counter.add(result.code)
    _check_outputs(result, _outputs(tmp_path), " / ".join(steps))


# ---------------------------------------------------------------- malformed deciding values

# (Terraform type, raw path, policy): a compliant resource of the fixture plan
# whose listed value decides the policy. Malformed, it must not pass.
DECIDING = [
    ("aws_db_instance", ("storage_encrypted",), "rds-instance-storage-encrypted"),
    ("aws_db_instance", ("publicly_accessible",), "rds-instance-not-public"),
    ("aws_db_instance", ("deletion_protection",), "rds-instance-deletion-protection"),
    ("aws_db_instance", ("backup_retention_period",), "rds-instance-backup-retention"),
    ("aws_db_instance", ("enabled_cloudwatch_logs_exports",), "rds-instance-log-exports"),
    ("aws_kms_key", ("enable_key_rotation",), "kms-key-rotation"),
    ("aws_kms_key", ("is_enabled",), "kms-key-enabled"),
    ("aws_ebs_volume", ("encrypted",), "ebs-volume-encrypted"),
    ("aws_efs_file_system", ("encrypted",), "efs-file-system-encrypted"),
    ("aws_cloudwatch_log_group", ("retention_in_days",), "cloudwatch-log-group-retention"),
    ("aws_cloudtrail", ("enable_log_file_validation",), "cloudtrail-log-file-validation"),
    ("aws_sns_topic", ("kms_master_key_id",), "sns-topic-kms-encryption"),
    ("aws_elasticache_replication_group", ("at_rest_encryption_enabled",), "elasticache-at-rest-encryption"),
    ("aws_elasticache_replication_group", ("transit_encryption_enabled",), "elasticache-transit-encryption"),
    ("aws_dynamodb_table", ("deletion_protection_enabled",), "dynamodb-deletion-protection"),
    ("aws_dynamodb_table", ("point_in_time_recovery", 0, "enabled"), "dynamodb-point-in-time-recovery"),
    ("aws_dynamodb_table", ("server_side_encryption", 0, "enabled"), "dynamodb-table-kms-encryption"),
    ("aws_lb_listener", ("protocol",), "lb-listener-encrypted"),
    ("aws_lb_listener", ("ssl_policy",), "lb-listener-tls12-policy"),
    ("aws_instance", ("metadata_options", 0, "http_tokens"), "ec2-instance-imdsv2"),
    ("aws_iam_policy", ("policy",), "iam-policy-no-admin"),
    ("aws_s3_bucket_policy", ("policy",), "s3-bucket-denies-insecure-transport"),
    ("aws_s3_bucket_versioning", ("versioning_configuration", 0, "status"), "s3-bucket-versioning"),
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        ("rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"),
        "s3-bucket-kms-encryption",
    ),
    ("aws_security_group", ("ingress", 0, "cidr_blocks"), "security-group-no-internet-admin-ports"),
    ("aws_security_group", ("ingress", 0, "from_port"), "security-group-no-internet-admin-ports"),
    ("aws_security_group", ("ingress", 0, "protocol"), "security-group-no-internet-data-ports"),
    ("aws_security_group", ("ingress",), "security-group-no-internet-data-ports"),
    ("aws_security_group_rule", ("cidr_blocks",), "security-group-no-internet-data-ports"),
    ("aws_vpc_security_group_ingress_rule", ("cidr_ipv4",), "security-group-no-internet-data-ports"),
    ("aws_db_parameter_group", ("parameter",), "rds-instance-tls-enforced"),
]
# Split resources decide a check on their parent: (attribute naming it, parent types, parent value keys).
PARENTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]] | str] = {
    "aws_s3_bucket_policy": ("bucket", ("aws_s3_bucket",), ("bucket", "id")),
    "aws_s3_bucket_versioning": ("bucket", ("aws_s3_bucket",), ("bucket", "id")),
    "aws_s3_bucket_server_side_encryption_configuration": ("bucket", ("aws_s3_bucket",), ("bucket", "id")),
    "aws_security_group_rule": ("security_group_id", ("aws_security_group",), ("id",)),
    "aws_vpc_security_group_ingress_rule": ("security_group_id", ("aws_security_group",), ("id",)),
    "aws_db_parameter_group": "aws_db_instance.claims",  # the instance names the group
}


@cache
def _finding_address(policy: str, index: int) -> str:
    """The address of the resource whose finding the entry at ``index`` of the compliant plan decides."""
    from hipaacheck.sources.terraform.plan import Plan
    from hipaacheck.sources.terraform.references import Linker

    text, original = _compliant(policy)
    entry = original["resource_changes"][index]
    if entry["type"] not in PARENTS:
        return str(entry["address"])
    spec = PARENTS[entry["type"]]
    if isinstance(spec, str):
        return spec
    plan = Plan(json.loads(text))
    child = next(r for r in plan.resources if r.address == entry["address"])
    parent = Linker(plan).parent(child, *spec)
    assert parent is not None and hasattr(parent, "address"), entry["address"]
    return str(parent.address)


def _baseline_statuses(capsys: pytest.CaptureFixture[str], plan: Path) -> dict[tuple[str, str], str]:
    result = run_main(capsys, ["scan", "plan", str(plan), "--format", "json"])
    report = json.loads(result.out)
    return {(f["policy_id"], f["resource"]["address"]): f["status"] for f in report["findings"]}


# Resources that decide a policy in the fixture besides the value under test: dropped for that policy.
# (EBS encryption by default encrypts every new volume whatever the volume says.)
WITHOUT = {"ebs-volume-encrypted": "aws_ebs_encryption_by_default"}


@cache
def _compliant(policy: str = "") -> tuple[str, dict[str, Any]]:
    document = json.loads(dict(plan_texts())["compliant/plan.json"])
    if policy in WITHOUT:
        document["resource_changes"] = [e for e in document["resource_changes"] if e["type"] != WITHOUT[policy]]
    text = json.dumps(document)
    return text, json.loads(text)


def _malformed_for(current: Any) -> st.SearchStrategy[Any]:
    """Values of the wrong type for ``current``; not null (unset, the provider default) and not the
    documented normalisations ("true"/"false" strings for booleans, integral numbers for integers)."""

    text_bool = isinstance(current, str) and current.lower() in ("true", "false")  # provider 5.x "true"

    def wrong(value: Any) -> bool:
        if value is None or type(value) is type(current):
            return False
        if text_bool and (isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))):
            return False
        if isinstance(current, bool) and isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return False
        if isinstance(current, int) and not isinstance(current, bool):
            if isinstance(value, float) and value.is_integer():
                return False
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return False
        if isinstance(current, str) and isinstance(value, dict):
            return True  # a policy document given as an object is read as one: see below
        return True

    return weird_values().filter(wrong)


# Only resources where the value really decides: an HTTP listener passes by redirecting, whatever its protocol.
ONLY: dict[tuple[str, Path_], Any] = {
    ("aws_lb_listener", ("protocol",)): lambda after: after.get("protocol") == "HTTPS",
}


def _targets(document: dict[str, Any], tf_type: str, path: Path_) -> list[int]:
    only = ONLY.get((tf_type, path), lambda after: True)
    return [
        i
        for i, entry in enumerate(_entries(document))
        if isinstance(entry, dict)
        and entry.get("type") == tf_type
        and _value_at(entry["change"]["after"], path) is not None
        and only(entry["change"]["after"])
    ]


def _value_at(node: Any, path: Path_) -> Any:
    for part in path:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


decided = Counter("deciding values")


@budget(DECIDING_EXAMPLES)
@given(data=st.data())
def test_a_malformed_deciding_value_is_never_a_pass(
    data: st.DataObject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tf_type, path, policy = data.draw(st.sampled_from(DECIDING), label="deciding value")
    text, original = _compliant(policy)
    targets = _targets(original, tf_type, path)
    assert targets, f"the compliant fixture has no {tf_type} with {path}"
    index = targets[data.draw(st.integers(0, len(targets) - 1))]
    current = _value_at(original["resource_changes"][index]["change"]["after"], path)
    value = data.draw(_malformed_for(current), label="malformed value")
    if policy in ("iam-policy-no-admin", "s3-bucket-denies-insecure-transport") and isinstance(value, dict):
        value = {"Statement": value}  # an object is read as the document: make it a malformed one
    document = json.loads(text)
    entry = document["resource_changes"][index]
    replace(entry["change"]["after"], path, value)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(document), encoding="utf-8")
    result = run_main(capsys, ["scan", "plan", str(plan), "--format", "json"])
    assert_clean_outcome(result, f"{tf_type}.{path} = {value!r}")
    assert result.code != 2, result.err
    address = _finding_address(policy, index)
    findings = [
        f
        for f in json.loads(result.out)["findings"]
        if f["policy_id"] == policy and f["resource"]["address"].startswith(address)
    ]
    assert findings, (policy, address)
    decided.add(result.code)
    for finding in findings:
        assert finding["status"] != "pass", (tf_type, path, value, finding["message"])


def test_every_deciding_value_passes_when_well_formed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The property above means something only if each listed finding is a pass to begin with."""
    for tf_type, path, policy in DECIDING:
        text, original = _compliant(policy)
        plan = tmp_path / "plan.json"
        plan.write_text(text, encoding="utf-8")
        statuses = _baseline_statuses(capsys, plan)
        for index in _targets(original, tf_type, path):
            address = _finding_address(policy, index)
            mine = {s for (p, a), s in statuses.items() if p == policy and a.startswith(address)}
            assert mine == {"pass"}, (policy, address, mine)


def test_odd_text_is_in_the_strategies() -> None:
    assert "\ud800" in ODD_TEXT and any("\u202e" in t for t in ODD_TEXT)


def test_fuzz_plan_counts(request: pytest.FixtureRequest) -> None:
    """Runs last in this file: how many inputs each property tried, for the record."""
    for counter, normal in ((plan_counter, PLAN_EXAMPLES), (decided, DECIDING_EXAMPLES)):
        if counter.runs:
            request.node.user_properties.append((f"fuzz_{counter.name}", counter.line()))
            print(counter.line())
            assert counter.runs >= (LARGE_RUN or normal) * 0.5  # filtered draws may discard some


# ---------------------------------------------------------------- a few inputs through a real process

PATHOLOGICAL = {
    "lone surrogates": json.dumps(
        {"format_version": "1.2", "resource_changes": [{"address": "\ud800", "x": "\udfff"}]}
    ),
    "huge integer": '{"format_version": "1.2", "resource_changes": [' + "7" * 10_000 + "]}",
    "NUL bytes": '{"format_version": "1.2",\x00 "resource_changes": []}',
    "NaN and Infinity": '{"format_version": "1.2", "resource_changes": [{"change": {"after": NaN}}], "x": -Infinity}',
    "truncated": json.dumps({"format_version": "1.2", "resource_changes": []})[:-7],
    "a list": "[1, 2, 3]",
    "RTL override": json.dumps({"format_version": "1.2\u202e", "resource_changes": []}),
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_plans_in_a_real_process(tmp_path: Path, text: str) -> None:
    from ..conftest import run_cli

    plan = tmp_path / "plan.json"
    plan.write_bytes(text.encode("utf-8", "surrogatepass"))
    result = run_cli("scan", "plan", str(plan), "--format", "json")
    assert_clean_outcome(result, text[:80])
    if result.code != 2:
        check_report_json(result.out)
