"""One test per crash or unsafe verdict the fuzzers found, through the real CLI (in-process).

Each names its cause. The rule they pin: bad input is a report whose
affected checks are ``error`` (never ``pass``), or exit 2 with one line on
stderr — never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..conftest import Run, change, config_resource, plan_doc, ref
from .fuzzing import assert_clean_outcome, check_report_json, deep, run_main

Scan = Callable[..., tuple[Run, dict[str, Any]]]


@pytest.fixture
def scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Scan:
    """Write a plan document (or raw text) and scan it in every format; return the run and the JSON report."""

    def run(document: Any, *extra: str) -> tuple[Run, dict[str, Any]]:
        plan = tmp_path / "plan.json"
        if isinstance(document, bytes):
            plan.write_bytes(document)
        else:
            plan.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
        reports = [
            x for fmt in ("sarif", "junit", "markdown", "table") for x in ("--report", f"{fmt}={tmp_path}/r.{fmt}")
        ]
        result = run_main(capsys, ["scan", "plan", str(plan), "--format", "json", *reports, *extra])
        assert_clean_outcome(result, str(document)[:200])
        report = check_report_json(result.out) if result.code != 2 else {}
        if report:
            assert not [n for n in report["notes"] if "could not be read" in n], report["notes"]
        return result, report

    return run


def statuses(report: dict[str, Any], address_prefix: str) -> dict[str, str]:
    return {
        f["policy_id"]: f["status"] for f in report["findings"] if f["resource"]["address"].startswith(address_prefix)
    }


def messages(report: dict[str, Any], policy: str) -> list[str]:
    return [f["message"] for f in report["findings"] if f["policy_id"] == policy]


# ---------------------------------------------------------------- plan document shape


@pytest.mark.parametrize(
    "planned_values",
    [True, "text", [1], {"root_module": {"resources": 5}}, {"root_module": {"resources": [], "child_modules": 7}}],
    ids=["bool", "string", "list", "resources-int", "child-modules-int"],
)
def test_planned_values_of_the_wrong_shape(scan: Scan, planned_values: Any) -> None:
    """Cause: `(planned_values or {}).get(...)` and `for x in module.get("resources") or []` assumed shapes."""
    result, report = scan({"format_version": "1.2", "planned_values": planned_values})
    # only the synthetic account-level resources: account, account_region, the region's config_recorder
    assert result.code == 0 and report["resources"] == 3


@pytest.mark.parametrize(
    "configuration",
    [
        {"root_module": {"resources": 5}},
        {"root_module": {"module_calls": {"a": {"module": {"resources": "x", "module_calls": 3}}}}},
        {"provider_config": {"aws": {"expressions": ["region"]}}, "root_module": {}},
    ],
    ids=["resources-int", "module-resources-string", "provider-expressions-list"],
)
def test_configuration_of_the_wrong_shape(scan: Scan, configuration: Any) -> None:
    """Cause: the configuration walk and provider_region assumed lists and objects where the plan had others."""
    document = plan_doc([change("aws_kms_key.k", {"enable_key_rotation": True})])
    document["configuration"] = configuration
    _, report = scan(document)
    assert statuses(report, "aws_kms_key.k")["kms-key-rotation"] == "pass"


def test_deeply_nested_modules_do_not_recurse() -> None:
    """Cause: module configuration was indexed recursively; nesting comes from the input.

    Built in Python, deeper than the recursion limit: only a loop can walk it.
    """
    from hipaacheck.sources.terraform.plan import Plan

    depth = sys.getrecursionlimit() + 500
    module: dict[str, Any] = {"resources": []}
    root = module
    for i in range(depth):
        child: dict[str, Any] = {"resources": []}
        module["module_calls"] = {f"m{i}": {"module": child}}
        module = child
    plan = Plan(plan_doc([change("aws_kms_key.k", {"enable_key_rotation": True})], root))
    assert len(plan.config_modules) == depth + 1


def test_an_integer_of_thousands_of_digits_is_one_line(scan: Scan) -> None:
    """Cause: json.loads raises ValueError (not JSONDecodeError) past Python's 4300-digit limit."""
    result, _ = scan('{"format_version": "1.2", "resource_changes": [], "x": ' + "9" * 5000 + "}")
    assert result.code == 2 and "not a Terraform plan (Exceeds the limit" in result.err


@pytest.mark.parametrize(
    "text", ["1" * 200_000, "²", "٣" * 30, "-" * 10], ids=["long", "superscript", "arabic", "dashes"]
)
def test_digit_strings_that_int_rejects(scan: Scan, text: str) -> None:
    """Cause: to_int() trusted str.isdigit(): int('²') and int() of 200,000 digits raise ValueError."""
    document = plan_doc([change("aws_kms_key.k", {"deletion_window_in_days": text, "enable_key_rotation": True})])
    result, report = scan(document)
    assert result.code == 0 and statuses(report, "aws_kms_key.k")["kms-key-rotation"] == "pass"


# ---------------------------------------------------------------- text no output can encode


def test_lone_surrogates_reach_no_output(scan: Scan, tmp_path: Path) -> None:
    """Cause: a JSON escape like \\ud800 decodes to a lone surrogate; writing it as UTF-8 raised."""
    after = {"bucket": "claims\ud800", "tags": {"Name": "\udfffname", "phi": "true", "\ud800key": "v"}}
    document = plan_doc([change('aws_s3_bucket.b["\ud800"]', after)])
    result, report = scan(json.dumps(document))  # ensure_ascii: the file holds "\ud800" escapes
    assert result.code == 1
    bucket = next(f for f in report["findings"] if f["resource"]["type"] == "s3_bucket")
    assert bucket["resource"]["name"] == "\ufffdname" and "\ufffd" in bucket["resource"]["address"]
    for fmt in ("sarif", "junit", "markdown", "table"):
        (tmp_path / f"r.{fmt}").read_text(encoding="utf-8")  # valid UTF-8


def test_output_sinks_escape_what_they_cannot_encode(tmp_path: Path) -> None:
    """The second line of defence: a report with a lone surrogate is written, escaped, not a crash."""
    from hipaacheck.output import write_atomic

    path = tmp_path / "report.json"
    write_atomic(path, '{"name": "a\ud800b"}')
    assert json.loads(path.read_text(encoding="utf-8")) == {"name": "a\ud800b"}  # \ud800 escape: still JSON


# ---------------------------------------------------------------- adapters


def test_malformed_trail_event_selectors_are_errors_not_crashes(scan: Scan) -> None:
    """Cause: `for f in s.get("field_selector") or []` and `f.get(...)` on ints; a list read_write_type in a set."""
    trails = [
        change("aws_cloudtrail.a", {"name": "a", "event_selector": [{"data_resource": 5}]}),
        change("aws_cloudtrail.b", {"name": "b", "advanced_event_selector": [{"field_selector": [5]}]}),
        change("aws_cloudtrail.c", {"name": "c", "event_selector": [{"read_write_type": ["All"]}]}),
        change("aws_cloudtrail.d", {"name": "d", "event_selector": 7}),
    ]
    result, report = scan(plan_doc(trails))
    assert result.code in (1, 3)
    assert {f["resource"]["address"] for f in report["findings"]} >= {f"aws_cloudtrail.{n}" for n in "abcd"}


def test_replication_rules_that_are_not_a_list(scan: Scan) -> None:
    """Cause: `for r in rules or []` on an int."""
    document = plan_doc([change("aws_s3_bucket.b", {"bucket": "b", "replication_configuration": [{"rules": 5}]})])
    result, report = scan(document)
    assert result.code == 1 and report["resources"] >= 1


def test_a_canned_acl_that_is_not_text_is_an_error(scan: Scan) -> None:
    """Cause: `canned in {...}` with a list raised TypeError (unhashable); a dict would have been 'not public'."""
    bucket = change("aws_s3_bucket.b", {"bucket": "b", "tags": {"phi": "true"}})
    acl = change("aws_s3_bucket_acl.b", {"bucket": "b", "acl": ["public-read"]})
    _, report = scan(plan_doc([bucket, acl]))
    assert statuses(report, "aws_s3_bucket.b")["s3-bucket-not-public"] == "error"


@pytest.mark.parametrize(
    "rule",
    [
        {"cidr_blocks": "0.0.0.0/0", "from_port": 22, "to_port": 22, "protocol": "tcp"},
        {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": [22], "protocol": "tcp"},
        {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": ["tcp"]},
        {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": 6},
        {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": deep(900, "list")},
    ],
    ids=["cidr-string", "port-list", "protocol-list", "protocol-int", "protocol-deep"],
)
def test_a_malformed_ingress_rule_is_an_error_not_closed(scan: Scan, rule: dict[str, Any]) -> None:
    """Cause: malformed cidrs, ports and protocols were skipped as 'not open': SSH to the world passed."""
    group = change("aws_security_group.g", {"name": "g", "ingress": [rule]})
    _, report = scan(plan_doc([group]))
    assert statuses(report, "aws_security_group.g")["security-group-no-internet-admin-ports"] == "error"
    assert any("malformed value in the plan" in m for m in messages(report, "security-group-no-internet-admin-ports"))


def test_a_separate_rule_with_a_malformed_cidr_is_an_error(scan: Scan) -> None:
    group = change("aws_security_group.g", {"name": "g", "id": "sg-1"})
    rule = change(
        "aws_vpc_security_group_ingress_rule.r",
        {"security_group_id": "sg-1", "cidr_ipv4": ["0.0.0.0/0"], "ip_protocol": "tcp", "from_port": 22, "to_port": 22},
    )
    _, report = scan(plan_doc([group, rule]))
    assert statuses(report, "aws_security_group.g")["security-group-no-internet-admin-ports"] == "error"


def test_malformed_parameter_group_is_an_error_not_the_default(scan: Scan) -> None:
    """Cause: a parameter list that was not a list read as 'no parameters', so PostgreSQL 16's default passed."""
    group = change(
        "aws_db_parameter_group.p", {"name": "pg", "family": "postgres16", "parameter": {"rds.force_ssl": 0}}
    )
    db = change(
        "aws_db_instance.d",
        {"identifier": "d", "engine": "postgres", "engine_version": "16.4", "parameter_group_name": "pg"},
    )
    root = {"resources": [config_resource("aws_db_instance.d", parameter_group_name=ref("aws_db_parameter_group.p"))]}
    _, report = scan(plan_doc([group, db], root))
    assert statuses(report, "aws_db_instance.d")["rds-instance-tls-enforced"] == "error"


def test_a_malformed_root_volume_is_reported(scan: Scan) -> None:
    """Cause: a root_block_device that was not a list produced no volume at all, so no check ran."""
    instance = change("aws_instance.i", {"root_block_device": {"encrypted": False}})
    _, report = scan(plan_doc([instance]))
    assert statuses(report, "aws_instance.i.root_block_device")["ebs-volume-encrypted"] == "error"


def test_a_logging_target_that_is_not_a_name_is_an_error(scan: Scan) -> None:
    bucket = change("aws_s3_bucket.b", {"bucket": "b"})
    logging = change("aws_s3_bucket_logging.b", {"bucket": "b", "target_bucket": ["logs"]})
    _, report = scan(plan_doc([bucket, logging]))
    assert statuses(report, "aws_s3_bucket.b")["s3-bucket-access-logging"] == "error"


@pytest.mark.parametrize(
    "document",
    [
        {"Statement": {}},
        {"Statement": [{"Action": "*", "Resource": "*"}]},
        {"Statement": [{"Effect": "Allow", "Action": {"x": "*"}, "Resource": "*"}]},
        {"Statement": [{"Effect": "Allow", "Action": [["*"]], "Resource": "*"}]},
    ],
    ids=["empty-statement", "no-effect", "action-object", "action-nested"],
)
def test_an_iam_document_iam_would_reject_is_an_error(scan: Scan, document: dict[str, Any]) -> None:
    """Cause: a statement without Effect, or with an Action of the wrong type, read as 'grants nothing': a pass."""
    policy = change("aws_iam_policy.p", {"name": "p", "policy": json.dumps(document)})
    _, report = scan(plan_doc([policy]))
    assert statuses(report, "aws_iam_policy.p")["iam-policy-no-admin"] == "error"


def test_a_deeply_nested_policy_string_is_an_error(scan: Scan) -> None:
    """Cause: str() of a deeply nested Action list recursed; the document is parsed from its own string."""
    action = "[" * 900 + '"*"' + "]" * 900
    text = '{"Statement": [{"Effect": "Allow", "Action": ' + action + ', "Resource": "*"}]}'
    policy = change("aws_iam_policy.p", {"name": "p", "policy": text})
    document = json.dumps(plan_doc([policy]))
    for run in (lambda: scan(document), lambda: call_in_a_deep_stack(lambda: scan(document))):
        _, report = run()
        assert statuses(report, "aws_iam_policy.p")["iam-policy-no-admin"] == "error"
        # Parsed with stack to spare, the depth check refuses it; in a deep stack, the parser itself.
        assert "nested more than 32 levels" in messages(report, "iam-policy-no-admin")[0] or (
            "not valid JSON" in messages(report, "iam-policy-no-admin")[0]
        )


def test_malformed_tags_make_the_scope_an_error_not_unknown(scan: Scan) -> None:
    """Cause: a scope that could not be read turned a failure into 'unknown', which never gates."""
    db = change("aws_db_instance.d", {"identifier": "d", "engine": "mysql", "storage_encrypted": False, "tags": [1]})
    result, report = scan(plan_doc([db]))
    assert statuses(report, "aws_db_instance.d")["rds-instance-storage-encrypted"] == "error"
    assert result.code == 3  # incomplete, not a silent pass


# ---------------------------------------------------------------- recursion


def call_in_a_deep_stack(function: Callable[[], Any], spare: int = 250) -> Any:
    """Run ``function`` with only ``spare`` frames left before the recursion limit (as under pytest and hypothesis)."""

    def descend(n: int) -> Any:
        return function() if n <= 0 else descend(n - 1)

    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return descend(sys.getrecursionlimit() - depth - spare)


@pytest.mark.parametrize("marker", ["after_sensitive", "after_unknown"])
def test_deep_marker_trees_do_not_recurse(marker: str) -> None:
    """Cause: _any_true() walked after_sensitive / after_unknown recursively."""
    from hipaacheck.sources.terraform.raw import RawValues

    tree = {"tags": deep(sys.getrecursionlimit() + 500, "dict")}
    raw = RawValues({"tags": {"a": "b"}}, tree if marker == "after_unknown" else None, tree)
    assert raw.is_sensitive("tags") is False and raw.is_unknown("tags") is False  # no true leaf anywhere
    tree["tags"]["d"] = True
    assert raw.is_sensitive("tags") is True


def test_a_deep_plan_document_is_one_line(scan: Scan) -> None:
    result, _ = scan('{"format_version": "1.2", "resource_changes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert result.code == 2 and "nested too deeply" in result.err


def test_a_deep_terraform_version_is_not_printed(scan: Scan) -> None:
    """Cause: str(document["terraform_version"]) of a deep list recursed."""
    document = plan_doc([])
    document["terraform_version"] = deep(900, "list")
    text = json.dumps(document)
    _, report = scan(text)
    assert report["source"]["terraform_version"] == ""


# ---------------------------------------------------------------- error messages


def test_a_yaml_reader_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Cause: PyYAML's ReaderError (a NUL byte) prints on two lines; exit 2 promises one."""
    waivers = tmp_path / "waivers.yaml"
    waivers.write_bytes(b"\x00waivers: []\n")
    plan = Path(__file__).resolve().parents[2] / "fixtures" / "terraform" / "compliant" / "plan.json"
    result = run_main(capsys, ["scan", "plan", str(plan), "--waivers", str(waivers)])
    assert_clean_outcome(result, "NUL")
    assert result.code == 2 and "unacceptable character #x0000" in result.err


def test_an_error_naming_a_credential_is_redacted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "x.yaml").write_text("AKIAIOSFODNN7EXAMPLE: 1\n", encoding="utf-8")
    result = run_main(capsys, ["policies", "validate", str(folder)])
    assert result.code == 2 and "AKIAIOSFODNN7EXAMPLE" not in result.err and "(redacted)" in result.err


# ---------------------------------------------------------------- cost on huge text


@pytest.mark.parametrize("text", ["x" * 2_000_000, "secret_" * 300_000, "a" * 2_000_000 + " password=x"])
def test_redaction_is_linear_on_long_strings(text: str) -> None:
    """Cause: a credential pattern with a lazy prefix ([a-z0-9_.-]*?secret) was quadratic: a 190 MB tag hung."""
    import time

    from hipaacheck.display import redact

    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 5  # linear: ~0.2 s; quadratic would take hours


def test_a_huge_name_tag_is_shown_short(scan: Scan) -> None:
    document = plan_doc(
        [change("aws_s3_bucket.b", {"bucket": "b", "tags": {"Name": "n" * 5_000_000 + "AKIAIOSFODNN7EXAMPLE"}})]
    )
    _, report = scan(document)
    names = {f["resource"]["name"] for f in report["findings"] if f["resource"]["type"] == "s3_bucket"}
    assert names == {"n" * 199 + "…"}
