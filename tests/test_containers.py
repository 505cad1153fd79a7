"""The container and analytics types: shared derivations on their variants, and the plan joins
(parameter group -> cluster, logging resource -> cluster, registry rules -> repository) including
references that cannot be pinned before apply. The live side of the same variants is in
tests/aws/test_containers_live.py."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from hipaacheck.derive.containers import (
    containers_without_logging,
    docdb_tls_enabled,
    ecr_filter_matches,
    ecr_registry_scans,
    eks_endpoint_open_to_internet,
    opensearch_https_tls12,
    plaintext_secret_variables,
    redshift_require_ssl,
    variable_looks_secret,
)
from hipaacheck.derive.network import BadAddress
from hipaacheck.derive.service_defaults import SERVICE_DEFAULTS
from hipaacheck.models import GapKind, Resource
from hipaacheck.sources.terraform.adapters import adapt_plan
from hipaacheck.sources.terraform.plan import Plan

from .conftest import FIXTURES, change, config_resource, plan_doc, ref, run_cli


@pytest.mark.parametrize(
    ("cidrs", "open_"),
    [
        (["0.0.0.0/0"], True),
        (["0.0.0.0/1", "128.0.0.0/1"], True),  # the internet in halves
        (["::/0"], True),
        (["16.0.0.0/4"], True),  # one public range of /8 or wider
        (["10.0.0.0/8", "192.168.0.0/16"], False),  # private ranges
        (["203.0.113.0/24", "198.51.100.7/32"], False),
    ],
)
def test_eks_endpoint_uses_the_shared_notion_of_the_internet(cidrs: list[str], open_: bool) -> None:
    assert eks_endpoint_open_to_internet(True, cidrs) is open_
    assert eks_endpoint_open_to_internet(False, cidrs) is False  # no public endpoint at all


def test_eks_endpoint_rejects_a_range_that_is_not_one() -> None:
    with pytest.raises(BadAddress):
        eks_endpoint_open_to_internet(True, ["everywhere"])


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("claims-*", "claims-worker", True),
        ("claims-*", "old-claims-worker", False),
        ("*", "anything/at/all", True),
        ("claims", "prod/claims-api", True),  # no wildcard: the name contains the filter
        ("prod/*/api", "prod/claims/api", True),
        ("a?c", "abc", False),  # '?' is no wildcard in ECR filters
        ("claims.*", "claimsX", False),  # regex characters are literal
    ],
)
def test_ecr_filters(pattern: str, name: str, matches: bool) -> None:
    assert ecr_filter_matches(pattern, name) is matches


def test_ecr_manual_rules_do_not_scan() -> None:
    assert not ecr_registry_scans("claims-worker", [("MANUAL", ["*"])])
    assert ecr_registry_scans("claims-worker", [("MANUAL", ["*"]), ("CONTINUOUS_SCAN", ["claims-*"])])


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("DB_PASSWORD", "hunter2", True),
        ("dbPassword", "hunter2", True),  # camelCase
        ("api-key", "k", True),
        ("STRIPE_SECRET", "sk_live_x", True),
        ("GITHUB_TOKEN", "x", True),
        ("SSH_PRIVATE_KEY", "x", True),
        ("UPLOAD_KEY_ID", "AKIAIOSFODNN7EXAMPLE", True),  # an access key id by shape
        ("DATABASE_URL", "postgres://claims:pw@db:5432/claims", True),  # a password in a URL
        ("SIGNING", "-----BEGIN RSA PRIVATE KEY-----", True),
        ("DB_PASSWORD_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:x", False),  # a pointer
        ("DB_PASSWORD_FILE", "/run/secrets/db", False),
        ("DB_PASSWORD", "", False),  # empty: nothing to leak
        ("LOG_LEVEL", "info", False),
        ("DATABASE_URL", "postgres://db:5432/claims", False),
    ],
)
def test_secret_looking_variables(name: str, value: str, secret: bool) -> None:
    assert variable_looks_secret(name, value) is secret


def test_container_definitions_report_names_only() -> None:
    definitions = [
        {
            "name": "app",
            "environment": [{"name": "DB_PASSWORD", "value": "CANARY-x"}],
            "logConfiguration": {"logDriver": "awslogs"},
        },
        {"name": "sidecar", "environment": [{"name": "PORT", "value": 9000}]},
        {"environment": [], "logConfiguration": {"options": {}}},  # no name, a config without a driver
    ]
    assert plaintext_secret_variables(definitions) == ["app/DB_PASSWORD"]
    assert containers_without_logging(definitions) == ["sidecar", "#2"]
    with pytest.raises(ValueError):
        plaintext_secret_variables({"name": "not a list"})


def test_parameter_group_derivations_and_their_defaults() -> None:
    assert redshift_require_ssl({}) is SERVICE_DEFAULTS["redshift.require_ssl"].value is False
    assert redshift_require_ssl({"require_ssl": "TRUE"}) is True
    assert redshift_require_ssl({"require_ssl": "false"}) is False
    assert docdb_tls_enabled({}) is SERVICE_DEFAULTS["docdb.tls"].value is True
    for value, on in (
        ("enabled", True),
        ("tls1.2+", True),
        ("tls1.3+", True),
        ("fips-140-3", True),
        ("disabled", False),
    ):
        assert docdb_tls_enabled({"tls": value}) is on
    for key in ("redshift.require_ssl", "docdb.tls", "eks.public_access_cidrs", "ecr.encryption_type"):
        assert SERVICE_DEFAULTS[key].source.split(": ")[1].startswith("https://docs.aws.amazon.com/")


@pytest.mark.parametrize(
    ("enforce", "policy", "ok"),
    [
        (True, "Policy-Min-TLS-1-2-2019-07", True),
        (True, "Policy-Min-TLS-1-2-PFS-2023-10", True),
        (True, "Policy-Min-TLS-1-0-2019-07", False),
        (False, "Policy-Min-TLS-1-2-2019-07", False),
        (True, None, False),
    ],
)
def test_opensearch_tls12(enforce: bool, policy: str | None, ok: bool) -> None:
    assert opensearch_https_tls12(enforce, policy) is ok


# ---- plan joins ---------------------------------------------------------------------------------


def adapt(doc: dict[str, Any]) -> dict[str, Resource]:
    return {r.address: r for r in adapt_plan(Plan(doc))}


def _redshift(address: str, group: Any = None, **after: Any) -> dict[str, Any]:
    values = {"cluster_identifier": address.split(".")[1], "encrypted": True, "publicly_accessible": False}
    values["cluster_parameter_group_name"] = group
    return change(
        address,
        {**values, **after},
        unknown={"logging": True, "id": True} | ({"cluster_parameter_group_name": True} if group is None else {}),
    )


def _group(address: str, ptype: str, **parameters: str) -> dict[str, Any]:
    return change(
        address,
        {"name": None, "parameter": [{"name": k, "value": v} for k, v in parameters.items()]},
        unknown={"name": True},
    )


def test_parameter_group_by_reference_each_with_its_own_group() -> None:
    """count-indexed clusters join their own group; a reference to any of several groups is unknown unless all agree."""
    doc = plan_doc(
        [
            _redshift("aws_redshift_cluster.a"),
            _redshift("aws_redshift_cluster.b"),
            _group("aws_redshift_parameter_group.tls", "redshift", require_ssl="true"),
            _group("aws_redshift_parameter_group.plain", "redshift", require_ssl="false"),
        ],
        {
            "resources": [
                config_resource(
                    "aws_redshift_cluster.a",
                    cluster_parameter_group_name=ref(
                        "aws_redshift_parameter_group.tls.name", "aws_redshift_parameter_group.tls"
                    ),
                ),
                # b picks one of the two groups by a variable: either could be it.
                config_resource(
                    "aws_redshift_cluster.b",
                    cluster_parameter_group_name=ref(
                        "var.tls",
                        "aws_redshift_parameter_group.tls.name",
                        "aws_redshift_parameter_group.tls",
                        "aws_redshift_parameter_group.plain.name",
                        "aws_redshift_parameter_group.plain",
                    ),
                ),
                config_resource("aws_redshift_parameter_group.tls"),
                config_resource("aws_redshift_parameter_group.plain"),
            ],
            "variables": {"tls": {}},
        },
    )
    found = adapt(doc)
    assert found["aws_redshift_cluster.a"].attrs["require_ssl"] is True
    gap = found["aws_redshift_cluster.b"].gap_for("require_ssl")
    assert gap is not None and gap.kind is GapKind.UNKNOWN


def test_logging_resource_that_may_name_either_cluster_decides_neither() -> None:
    doc = plan_doc(
        [
            _redshift("aws_redshift_cluster.a", "default.redshift-1.0"),
            _redshift("aws_redshift_cluster.b", "default.redshift-1.0"),
            change(
                "aws_redshift_logging.l",
                {"cluster_identifier": None, "log_destination_type": "cloudwatch"},
                unknown={"cluster_identifier": True},
            ),
        ],
        {
            "resources": [
                config_resource("aws_redshift_cluster.a"),
                config_resource("aws_redshift_cluster.b"),
                config_resource(
                    "aws_redshift_logging.l",
                    cluster_identifier=ref(
                        "var.pick",
                        "aws_redshift_cluster.a.id",
                        "aws_redshift_cluster.a",
                        "aws_redshift_cluster.b.id",
                        "aws_redshift_cluster.b",
                    ),
                ),
            ]
        },
    )
    found = adapt(doc)
    for address in ("aws_redshift_cluster.a", "aws_redshift_cluster.b"):
        assert found[address].attrs["require_ssl"] is False  # the default group
        gap = found[address].gap_for("audit_logging")
        assert gap is not None and gap.kind is GapKind.UNKNOWN, address


def test_docdb_tls_parameter_known_only_after_apply_is_unknown() -> None:
    doc = plan_doc(
        [
            change(
                "aws_docdb_cluster.c",
                {"cluster_identifier": "c", "storage_encrypted": True, "db_cluster_parameter_group_name": None},
                unknown={"db_cluster_parameter_group_name": True},
            ),
            change(
                "aws_docdb_cluster_parameter_group.g",
                {"name": "g", "parameter": [{"name": "tls", "value": None}]},
                unknown={"parameter": [{"value": True}]},
            ),
        ],
        {
            "resources": [
                config_resource(
                    "aws_docdb_cluster.c",
                    db_cluster_parameter_group_name=ref(
                        "aws_docdb_cluster_parameter_group.g.name", "aws_docdb_cluster_parameter_group.g"
                    ),
                ),
                config_resource("aws_docdb_cluster_parameter_group.g"),
            ]
        },
    )
    gap = adapt(doc)["aws_docdb_cluster.c"].gap_for("tls_enabled")
    assert gap is not None and gap.kind is GapKind.UNKNOWN


def test_restored_docdb_cluster_takes_the_snapshot_encryption() -> None:
    doc = plan_doc(
        [
            change(
                "aws_docdb_cluster.c",
                {"cluster_identifier": "c", "snapshot_identifier": "snap-1", "storage_encrypted": None},
            )
        ],
        {"resources": [config_resource("aws_docdb_cluster.c", snapshot_identifier={"constant_value": "snap-1"})]},
    )
    gap = adapt(doc)["aws_docdb_cluster.c"].gap_for("storage_encrypted")
    assert gap is not None and gap.kind is GapKind.UNKNOWN


def test_eks_public_cidrs_known_only_after_apply_stay_unknown() -> None:
    doc = plan_doc(
        [
            change(
                "aws_eks_cluster.c",
                {
                    "name": "c",
                    "vpc_config": [{"endpoint_public_access": True, "public_access_cidrs": None}],
                    "encryption_config": [],
                },
                unknown={"vpc_config": [{"public_access_cidrs": True}]},
            )
        ],
        {"resources": [config_resource("aws_eks_cluster.c", vpc_config=[{"public_access_cidrs": ref("var.office")}])]},
    )
    gap = adapt(doc)["aws_eks_cluster.c"].gap_for("endpoint_open_to_internet")
    assert gap is not None and gap.kind is GapKind.UNKNOWN


def test_ecs_definitions_that_are_not_json_are_an_error_not_a_pass() -> None:
    doc = plan_doc([change("aws_ecs_task_definition.t", {"family": "t", "container_definitions": "[{not json"})])
    task = adapt(doc)["aws_ecs_task_definition.t"]
    for field in ("plaintext_secret_variables", "containers_without_logging"):
        gap = task.gap_for(field)
        assert gap is not None and gap.kind is GapKind.ERROR


def test_a_malformed_encryption_config_is_an_error_on_that_cluster_only() -> None:
    doc = plan_doc(
        [
            change(
                "aws_eks_cluster.bad", {"name": "bad", "encryption_config": [{"resources": "secrets", "provider": {}}]}
            ),
            change(
                "aws_eks_cluster.odd", {"name": "odd", "encryption_config": [{"resources": ["secrets"], "provider": 7}]}
            ),
            change(
                "aws_eks_cluster.ok", {"name": "ok", "encryption_config": [], "enabled_cluster_log_types": ["audit"]}
            ),
        ]
    )
    found = adapt(doc)
    for address in ("aws_eks_cluster.bad", "aws_eks_cluster.odd"):
        gap = found[address].gap_for("secrets_encrypted")
        assert gap is not None and gap.kind is GapKind.ERROR, address
    assert found["aws_eks_cluster.ok"].attrs["secrets_encrypted"] is False


def test_enhanced_registry_in_the_plan_overrides_the_repository_setting() -> None:
    doc = plan_doc(
        [
            change(
                "aws_ecr_repository.r",
                {
                    "name": "billing-api",
                    "image_scanning_configuration": [{"scan_on_push": True}],
                    "encryption_configuration": [],
                },
            ),
            change(
                "aws_ecr_registry_scanning_configuration.s",
                {
                    "scan_type": "ENHANCED",
                    "rule": [
                        {
                            "scan_frequency": "CONTINUOUS_SCAN",
                            "repository_filter": [{"filter": "claims", "filter_type": "WILDCARD"}],
                        }
                    ],
                },
            ),
        ]
    )
    repo = adapt(doc)["aws_ecr_repository.r"]
    assert repo.attrs["scan_on_push"] is False
    assert repo.attrs["encryption_type"] == "AES256"


# ---- the canary: a plaintext DB_PASSWORD never reaches any output --------------------------------

CANARIES = ("CANARY-ecs-db-password-0000", "AKIAIOSFODNN7CANARY0", "CANARY-url-password-0000")
PLAN = FIXTURES / "containers" / "plan.json"


def test_the_canaries_are_in_the_plan() -> None:
    text = PLAN.read_text()
    assert all(canary in text for canary in CANARIES)  # otherwise the test below proves nothing


FORMATS = ("table", "json", "sarif", "junit", "markdown", "asff", "ocsf", "csv")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One scan written in every format, with GitHub annotations and step summary, plus the evidence pack."""
    out = tmp_path_factory.mktemp("containers-outputs")
    reports = [f"--report={fmt}={out / ('report.' + fmt)}" for fmt in FORMATS]
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(out / "summary.md")}
    env["GITHUB_OUTPUT"] = str(out / "github-output")
    scan = run_cli("scan", "plan", str(PLAN), "--show-passed", "--asff-account", "123456789012", *reports, env=env)
    assert scan.code == 1, scan.err
    pack = run_cli(
        "report", str(out / "report.json"), "--html", str(out / "pack.html"), "--markdown", str(out / "pack.md")
    )
    assert pack.code == 0, pack.err
    texts = {path.name: path.read_text() for path in out.iterdir() if path.is_file()}
    texts["stdout"], texts["stderr"] = scan.out, scan.err + pack.out + pack.err
    return texts


def test_no_output_shows_a_plaintext_secret(outputs: dict[str, str]) -> None:
    assert {f"report.{fmt}" for fmt in FORMATS} | {"summary.md", "pack.html", "pack.md"} <= set(outputs)
    for name, text in outputs.items():
        for canary in CANARIES:
            assert canary not in text, (name, canary)
    for name in ("stdout", "report.json", "report.sarif", "pack.html"):
        assert "DB_PASSWORD" in outputs[name], name  # the variable's name is the evidence
    assert "ecs-task-no-plaintext-secrets" in outputs["pack.md"]


def test_json_evidence_names_the_variables(outputs: dict[str, str]) -> None:
    report = json.loads(outputs["report.json"])
    finding = next(
        f for f in report["findings"] if f["policy_id"] == "ecs-task-no-plaintext-secrets" and f["status"] == "fail"
    )
    assert "worker/DB_PASSWORD" in json.dumps(finding)
