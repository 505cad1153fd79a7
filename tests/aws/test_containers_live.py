"""Live scans of the container and analytics types (moto in-process), judged by the same policies as plans.

One seeded account, one scan, many assertions. Where moto lacks an API (Redshift
ModifyClusterParameterGroup, DocumentDB clusters), the collectors run against botocore Stubber
responses shaped by botocore's own service model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.stub import Stubber

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import Resource
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.aws.builder import Where
from hipaacheck.sources.aws.calls import Fetcher
from hipaacheck.sources.aws.collectors import analytics, containers
from hipaacheck.sources.aws.context import Context, Facts
from hipaacheck.sources.aws.permissions import actions, all_calls

from .conftest import ACCOUNT, REGION, in_process_moto, of_type
from .seed_containers import CANARY, seed_containers
from .test_permissions import IRREGULAR, Recorder

POLICIES = load_policies([builtin_policy_dir()])
TYPES = ("eks_cluster", "ecr_repository", "ecs_task_definition", "redshift_cluster", "opensearch_domain")


@pytest.fixture(scope="module")
def scanned() -> Iterator[tuple[list[Resource], dict[tuple[str, str], str], Recorder, Any]]:
    with in_process_moto():
        seed_containers()
        recorder = Recorder()
        scan = _scan(recorder)
        findings = evaluate(POLICIES, scan.resources)
        statuses = {(f.policy_id, str(f.resource.name)): f.status.value for f in findings}
        yield scan.resources, statuses, recorder, (scan, findings)


def _scan(recorder: Recorder) -> Any:
    from hipaacheck.sources.aws.options import ScanOptions
    from hipaacheck.sources.aws.runner import scan_account

    return scan_account(ScanOptions(regions=(REGION,), workers=4), recorder.attach)


def test_every_seeded_resource_is_collected(scanned: Any) -> None:
    resources, _, _, (scan, _) = scanned
    assert not scan.notes, scan.notes  # no read failed: every collector path ran
    assert set(of_type(resources, "eks_cluster")) == {
        "ok-private",
        "ok-public-office",
        "bad-defaults",
        "bad-split-internet",
    }
    assert set(of_type(resources, "ecr_repository")) == {"ok-images", "claims-worker", "bad-images"}
    assert set(of_type(resources, "ecs_task_definition")) == {"ok-worker:1", "bad-worker:1"}
    assert set(of_type(resources, "redshift_cluster")) == {"ok-warehouse", "bad-defaults"}
    assert set(of_type(resources, "opensearch_domain")) == {"ok-search", "bad-defaults", "bad-legacy"}
    # Neptune shares the RDS API but is not an RDS cluster (nor a DocumentDB one).
    assert "graph" not in of_type(resources, "db_cluster")
    assert "graph" not in of_type(resources, "docdb_cluster")


EXPECTED = {
    "eks-secrets-encryption": {"ok-private": "pass", "ok-public-office": "pass", "bad-defaults": "fail"},
    "eks-endpoint-not-public": {
        "ok-private": "pass",
        "ok-public-office": "pass",
        "bad-defaults": "fail",  # AWS's default: public, 0.0.0.0/0 (moto omits both)
        "bad-split-internet": "fail",  # 0.0.0.0/1 + 128.0.0.0/1
    },
    "eks-control-plane-audit-logs": {"ok-private": "pass", "ok-public-office": "pass", "bad-split-internet": "fail"},
    "ecr-scan-on-push": {"ok-images": "pass", "claims-worker": "pass", "bad-images": "fail"},
    "ecr-immutable-tags": {"ok-images": "pass", "claims-worker": "pass", "bad-images": "fail"},
    "ecr-kms-encryption": {"ok-images": "pass", "bad-images": "fail"},
    "ecs-task-no-plaintext-secrets": {"ok-worker:1": "pass", "bad-worker:1": "fail"},
    "ecs-task-logging": {"ok-worker:1": "pass", "bad-worker:1": "fail"},
    "redshift-cluster-encrypted": {"ok-warehouse": "pass", "bad-defaults": "fail"},
    "redshift-cluster-not-public": {"ok-warehouse": "pass", "bad-defaults": "fail"},
    # moto cannot set require_ssl (ModifyClusterParameterGroup is missing): see the Stubber test.
    "redshift-cluster-require-ssl": {"ok-warehouse": "fail", "bad-defaults": "fail"},
    "redshift-cluster-audit-logging": {"ok-warehouse": "pass", "bad-defaults": "fail"},
    "opensearch-encrypted-at-rest": {"ok-search": "pass", "bad-defaults": "fail", "bad-legacy": "pass"},
    "opensearch-node-to-node-encryption": {"ok-search": "pass", "bad-defaults": "fail"},
    "opensearch-https-tls12": {"ok-search": "pass", "bad-defaults": "fail", "bad-legacy": "fail"},
    "opensearch-in-vpc": {"ok-search": "pass", "bad-legacy": "fail"},
    "opensearch-audit-logs": {"ok-search": "pass", "bad-legacy": "fail"},
}


@pytest.mark.parametrize("policy", sorted(EXPECTED))
def test_live_verdicts(scanned: Any, policy: str) -> None:
    _, statuses, _, _ = scanned
    for name, status in EXPECTED[policy].items():
        assert statuses.get((policy, name)) == status, (policy, name, statuses.get((policy, name)))


def test_live_fields_match_the_plan_shapes(scanned: Any) -> None:
    resources, _, _, _ = scanned
    eks = of_type(resources, "eks_cluster")
    assert eks["bad-defaults"].attrs["public_access_cidrs"] == ["0.0.0.0/0"]
    assert eks["ok-private"].attrs["secrets_kms_key_arn"].startswith("arn:aws:kms:")
    assert eks["ok-private"].attrs["tags"] == {"phi": "true"}
    ecr = of_type(resources, "ecr_repository")
    assert ecr["claims-worker"].attrs["scan_source"] == "registry:BASIC"
    assert ecr["ok-images"].attrs["tags"] == {"phi": "true"}
    ecs = of_type(resources, "ecs_task_definition")
    assert ecs["bad-worker:1"].attrs["plaintext_secret_variables"] == ["worker/DB_PASSWORD", "worker/UPLOAD_KEY_ID"]
    assert ecs["bad-worker:1"].attrs["containers_without_logging"] == ["metrics-sidecar"]
    assert ecs["ok-worker:1"].attrs["tags"] == {"phi": "true"}
    domains = of_type(resources, "opensearch_domain")
    assert domains["bad-legacy"].attrs["engine"] == "Elasticsearch"
    assert domains["ok-search"].attrs["tags"] == {"phi": "true"}


def test_the_secret_value_never_reaches_a_finding(scanned: Any) -> None:
    resources, _, _, (_, findings) = scanned
    text = json.dumps([(r.address, r.name, r.attrs, {k: g.reason for k, g in r.gaps.items()}) for r in resources])
    text += json.dumps([(f.message, f.resource.address) for f in findings])
    assert CANARY not in text and "AKIAIOSFODNN7CANARY1" not in text
    assert "DB_PASSWORD" in text  # the name is the evidence


def test_every_call_is_declared_and_in_the_permissions_policy(scanned: Any) -> None:
    _, _, recorder, _ = scanned
    mine = {svc for svc, _, _ in recorder.calls} & {"eks", "ecr", "ecs", "redshift", "opensearch"}
    assert mine == {"eks", "ecr", "ecs", "redshift", "opensearch"}
    allowed = set(actions())
    declared = {(c.service, c.operation) for c in all_calls()}
    needed = {IRREGULAR.get((svc, op), f"{signing}:{op}") for svc, op, signing in recorder.calls}
    assert needed <= allowed, sorted(needed - allowed)
    assert not {(svc, op) for svc, op, _ in recorder.calls if (svc, xform_name(op)) not in declared}
    new_actions = {
        "eks:ListClusters",
        "eks:DescribeCluster",
        "ecr:DescribeRepositories",
        "ecr:GetRegistryScanningConfiguration",
        "ecr:ListTagsForResource",
        "ecs:ListTaskDefinitions",
        "ecs:DescribeTaskDefinition",
        "redshift:DescribeClusters",
        "redshift:DescribeClusterParameters",
        "redshift:DescribeLoggingStatus",
        "es:ListDomainNames",
        "es:DescribeDomain",
        "es:ListTags",
        "rds:DescribeDBClusterParameters",
    }
    # rds:DescribeDBClusterParameters is exercised by the Stubber test (moto has no DocumentDB clusters).
    assert new_actions - {"rds:DescribeDBClusterParameters"} <= needed
    assert new_actions <= allowed


# ---- botocore Stubber: what moto cannot model ------------------------------------------------------


def _context(clients: dict[str, Any]) -> Context:
    fetch = Fetcher(lambda service, region: clients[service], max_attempts=1)
    return Context(fetch=fetch, where=Where(ACCOUNT, REGION), facts=Facts(), regions=(REGION,))


def _cluster(ident: str, group: str, **extra: Any) -> dict[str, Any]:
    return {
        "ClusterIdentifier": ident,
        "Encrypted": True,
        "PubliclyAccessible": False,
        "ClusterParameterGroups": [{"ParameterGroupName": group, "ParameterApplyStatus": "in-sync"}],
        **extra,
    }


def test_redshift_require_ssl_through_the_parameter_group() -> None:
    """ModifyClusterParameterGroup is missing in moto: DescribeClusterParameters answers are stubbed."""
    client = boto3.client("redshift", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_response(
            "describe_clusters",
            {
                "Clusters": [
                    _cluster("tls", "claims-tls"),
                    _cluster("dflt", "default.redshift-1.0"),
                    _cluster("gone", "missing-group"),
                ]
            },
        )
        stub.add_response(
            "describe_cluster_parameters",
            {"Parameters": [{"ParameterName": "require_ssl", "ParameterValue": "TRUE", "Source": "user"}]},
            {"ParameterGroupName": "claims-tls"},
        )
        stub.add_response("describe_logging_status", {"LoggingEnabled": True}, {"ClusterIdentifier": "tls"})
        # A default group answers with its defaults, require_ssl false; one that vanished is an error.
        stub.add_client_error(
            "describe_cluster_parameters",
            "ClusterParameterGroupNotFound",
            expected_params={"ParameterGroupName": "default.redshift-1.0"},
        )
        stub.add_response("describe_logging_status", {"LoggingEnabled": False}, {"ClusterIdentifier": "dflt"})
        stub.add_client_error(
            "describe_cluster_parameters",
            "ClusterParameterGroupNotFound",
            expected_params={"ParameterGroupName": "missing-group"},
        )
        stub.add_response("describe_logging_status", {"LoggingEnabled": True}, {"ClusterIdentifier": "gone"})
        resources = {r.name: r for r in analytics.collect_redshift(_context({"redshift": client}))}
        stub.assert_no_pending_responses()
    assert resources["tls"].attrs["require_ssl"] is True
    assert resources["tls"].attrs["audit_logging"] is True
    assert resources["dflt"].attrs["require_ssl"] is False
    assert resources["gone"].gaps["require_ssl"].kind.value == "error"
    statuses = {(f.policy_id, f.resource.name): f.status.value for f in evaluate(POLICIES, list(resources.values()))}
    assert statuses[("redshift-cluster-require-ssl", "tls")] == "pass"
    assert statuses[("redshift-cluster-require-ssl", "dflt")] == "fail"
    assert statuses[("redshift-cluster-require-ssl", "gone")] == "error"


def _docdb(ident: str, group: str, engine: str = "docdb", encrypted: bool = True) -> dict[str, Any]:
    return {
        "DBClusterIdentifier": ident,
        "DBClusterArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{ident}",
        "Engine": engine,
        "StorageEncrypted": encrypted,
        "DBClusterParameterGroup": group,
        "TagList": [{"Key": "phi", "Value": "true"}],
    }


def test_docdb_clusters_and_their_tls_parameter() -> None:
    """moto refuses engine docdb: DescribeDBClusters / DescribeDBClusterParameters are stubbed."""
    client = boto3.client("rds", region_name=REGION)
    clusters = [
        _docdb("ok-documents", "claims-tls13"),
        _docdb("ok-default-group", "default.docdb5.0"),
        _docdb("bad-documents", "claims-tls-off", encrypted=False),
        _docdb("ledger", "default.aurora-postgresql16", engine="aurora-postgresql"),
        _docdb("graph", "default.neptune1.3", engine="neptune"),
    ]
    with Stubber(client) as stub:
        stub.add_response("describe_db_clusters", {"DBClusters": clusters})
        stub.add_response(
            "describe_db_cluster_parameters",
            {"Parameters": [{"ParameterName": "tls", "ParameterValue": "tls1.3+"}]},
            {"DBClusterParameterGroupName": "claims-tls13"},
        )
        stub.add_response(
            "describe_db_cluster_parameters",
            {"Parameters": [{"ParameterName": "tls", "ParameterValue": "enabled", "Source": "system"}]},
            {"DBClusterParameterGroupName": "default.docdb5.0"},
        )
        stub.add_response(
            "describe_db_cluster_parameters",
            {"Parameters": [{"ParameterName": "tls", "ParameterValue": "disabled"}]},
            {"DBClusterParameterGroupName": "claims-tls-off"},
        )
        resources = {r.name: r for r in analytics.collect_docdb(_context({"rds": client}))}
        stub.assert_no_pending_responses()
    assert set(resources) == {"ok-documents", "ok-default-group", "bad-documents"}
    statuses = {(f.policy_id, f.resource.name): f.status.value for f in evaluate(POLICIES, list(resources.values()))}
    assert statuses[("docdb-tls-enabled", "ok-documents")] == "pass"
    assert statuses[("docdb-tls-enabled", "ok-default-group")] == "pass"
    assert statuses[("docdb-tls-enabled", "bad-documents")] == "fail"
    assert statuses[("docdb-storage-encrypted", "ok-documents")] == "pass"
    assert statuses[("docdb-storage-encrypted", "bad-documents")] == "fail"


def test_rds_collector_leaves_documentdb_and_neptune_to_their_own_types() -> None:
    from hipaacheck.sources.aws.collectors import rds

    client = boto3.client("rds", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_response(
            "describe_db_clusters",
            {
                "DBClusters": [
                    _docdb("docs", "default.docdb5.0"),
                    _docdb("graph", "default.neptune1.3", engine="neptune"),
                ]
            },
        )
        assert rds.collect_clusters(_context({"rds": client})) == []


def test_ecr_enhanced_scanning_ignores_the_repository_setting() -> None:
    """An ENHANCED registry whose filter misses a repository: its own scanOnPush no longer counts."""
    client = boto3.client("ecr", region_name=REGION)
    repo = {
        "repositoryArn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/billing-api",
        "repositoryName": "billing-api",
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfiguration": {"encryptionType": "KMS"},
    }
    matched = {
        **repo,
        "repositoryArn": repo["repositoryArn"].replace("billing-api", "prod/claims"),
        "repositoryName": "prod/claims",
    }
    with Stubber(client) as stub:
        stub.add_response("describe_repositories", {"repositories": [repo, matched]})
        stub.add_response(
            "get_registry_scanning_configuration",
            {
                "registryId": ACCOUNT,
                # No wildcard: a filter matches every repository whose name contains it.
                "scanningConfiguration": {
                    "scanType": "ENHANCED",
                    "rules": [
                        {
                            "scanFrequency": "CONTINUOUS_SCAN",
                            "repositoryFilters": [{"filter": "claims", "filterType": "WILDCARD"}],
                        }
                    ],
                },
            },
        )
        stub.add_response("list_tags_for_resource", {"tags": []}, {"resourceArn": repo["repositoryArn"]})
        stub.add_response("list_tags_for_resource", {"tags": []}, {"resourceArn": matched["repositoryArn"]})
        resources = {r.name: r for r in containers.collect_ecr(_context({"ecr": client}))}
    assert resources["billing-api"].attrs["scan_on_push"] is False
    assert resources["prod/claims"].attrs["scan_on_push"] is True


def test_a_denied_read_is_an_error_on_its_checks_only() -> None:
    """AccessDenied on the registry scanning rules or the logging status: those checks error, the rest decide."""
    ecr = boto3.client("ecr", region_name=REGION)
    redshift = boto3.client("redshift", region_name=REGION)
    repo = {
        "repositoryArn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/claims-api",
        "repositoryName": "claims-api",
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": False},
        "encryptionConfiguration": {"encryptionType": "AES256"},
    }
    with Stubber(ecr) as ecr_stub, Stubber(redshift) as redshift_stub:
        ecr_stub.add_response("describe_repositories", {"repositories": [repo]})
        ecr_stub.add_client_error("get_registry_scanning_configuration", "AccessDeniedException", "denied")
        ecr_stub.add_response("list_tags_for_resource", {"tags": []}, {"resourceArn": repo["repositoryArn"]})
        redshift_stub.add_response("describe_clusters", {"Clusters": [_cluster("wh", "default.redshift-1.0")]})
        redshift_stub.add_client_error(
            "describe_cluster_parameters",
            "ClusterParameterGroupNotFound",
            expected_params={"ParameterGroupName": "default.redshift-1.0"},
        )
        redshift_stub.add_client_error("describe_logging_status", "AccessDenied", "denied")
        context = _context({"ecr": ecr, "redshift": redshift})
        resources = containers.collect_ecr(context) + analytics.collect_redshift(context)
    statuses = {f.policy_id: f.status.value for f in evaluate(POLICIES, resources)}
    assert statuses["ecr-scan-on-push"] == "error"  # the repository says no, but a registry rule may scan it
    assert statuses["ecr-immutable-tags"] == "pass"
    assert statuses["ecr-kms-encryption"] == "fail"
    assert statuses["redshift-cluster-audit-logging"] == "error"
    assert statuses["redshift-cluster-require-ssl"] == "fail"
    assert statuses["redshift-cluster-encrypted"] == "pass"
