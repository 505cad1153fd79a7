"""Seed containers and analytics resources into moto: ok-* compliant, bad-* not.

moto 5 models EKS, ECR, ECS, Redshift and OpenSearch/Elasticsearch well enough for these
collectors, with two gaps that tests/aws/test_containers_live.py covers with botocore Stubber
responses instead: Redshift ModifyClusterParameterGroup is not implemented (so no group can set
require_ssl = true), and RDS refuses engine "docdb" (so no DocumentDB cluster can be created).
"""

from __future__ import annotations

from typing import Any

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks-cluster"
# Never to appear in any output of a scan.
CANARY = "CANARY-live-db-password-0000"
PHI = {"phi": "true"}


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def seed_eks() -> None:
    eks = client("eks")
    eks.create_cluster(
        name="ok-private",
        roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": ["subnet-1"], "endpointPublicAccess": False, "endpointPrivateAccess": True},
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
        logging={"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": True}]},
        tags=PHI,
    )
    eks.create_cluster(
        name="ok-public-office",
        roleArn=ROLE,
        resourcesVpcConfig={
            "subnetIds": ["subnet-1"],
            "endpointPublicAccess": True,
            "publicAccessCidrs": ["203.0.113.0/24", "198.51.100.7/32"],
        },
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
        logging={"clusterLogging": [{"types": ["api", "audit", "authenticator", "scheduler"], "enabled": True}]},
    )
    # moto leaves endpointPublicAccess and publicAccessCidrs out when they are not given: the
    # collector must apply AWS's defaults (public, 0.0.0.0/0), not read the absence as private.
    eks.create_cluster(name="bad-defaults", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    eks.create_cluster(
        name="bad-split-internet",
        roleArn=ROLE,
        resourcesVpcConfig={
            "subnetIds": ["subnet-1"],
            "endpointPublicAccess": True,
            "publicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"],
        },
        logging={"clusterLogging": [{"types": ["api", "authenticator"], "enabled": True}]},
    )


def seed_ecr() -> None:
    ecr = client("ecr")
    ecr.put_registry_scanning_configuration(
        scanType="BASIC",
        rules=[
            {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "claims-*", "filterType": "WILDCARD"}]}
        ],
    )
    ecr.create_repository(
        repositoryName="ok-images",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KEY},
        tags=[{"Key": "phi", "Value": "true"}],
    )
    ecr.create_repository(
        repositoryName="claims-worker",
        imageTagMutability="IMMUTABLE",
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KEY},
    )
    ecr.create_repository(repositoryName="bad-images")


def _logs(prefix: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/claims", "awslogs-region": REGION, "awslogs-stream-prefix": prefix},
    }


def seed_ecs() -> None:
    ecs = client("ecs")
    ecs.register_task_definition(
        family="ok-worker",
        containerDefinitions=[
            {
                "name": "worker",
                "image": "claims-worker:1.4.2",
                "memory": 512,
                "environment": [
                    {"name": "DB_HOST", "value": "claims.internal"},
                    {
                        "name": "DB_PASSWORD_SECRET_ARN",
                        "value": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:claims/db-password",
                    },
                ],
                "secrets": [
                    {"name": "DB_PASSWORD", "valueFrom": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:claims/db"}
                ],
                "logConfiguration": _logs("worker"),
            }
        ],
        tags=[{"key": "phi", "value": "true"}],
    )
    ecs.register_task_definition(
        family="bad-worker",
        containerDefinitions=[
            {
                "name": "worker",
                "image": "claims-worker:1.4.2",
                "memory": 512,
                "environment": [
                    {"name": "DB_PASSWORD", "value": CANARY},
                    {"name": "UPLOAD_KEY_ID", "value": "AKIAIOSFODNN7CANARY1"},
                    {"name": "LOG_LEVEL", "value": "info"},
                ],
                "logConfiguration": _logs("worker"),
            },
            {"name": "metrics-sidecar", "image": "metrics:2", "memory": 128, "essential": False},
        ],
    )


def seed_redshift() -> None:
    redshift = client("redshift")
    redshift.create_cluster_parameter_group(
        ParameterGroupName="claims-tls", ParameterGroupFamily="redshift-1.0", Description="TLS (see the Stubber test)"
    )
    common = {"NodeType": "ra3.xlplus", "MasterUsername": "warehouse", "MasterUserPassword": "Dummy-Passw0rd"}
    redshift.create_cluster(
        ClusterIdentifier="ok-warehouse",
        Encrypted=True,
        KmsKeyId=KEY,
        PubliclyAccessible=False,
        ClusterParameterGroupName="claims-tls",
        Tags=[{"Key": "phi", "Value": "true"}],
        **common,
    )
    redshift.enable_logging(ClusterIdentifier="ok-warehouse", BucketName="claims-warehouse-audit-logs")
    redshift.create_cluster(ClusterIdentifier="bad-defaults", PubliclyAccessible=True, **common)


def seed_opensearch() -> None:
    search = client("opensearch")
    search.create_domain(
        DomainName="ok-search",
        EngineVersion="OpenSearch_2.13",
        EncryptionAtRestOptions={"Enabled": True, "KmsKeyId": KEY},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
        VPCOptions={"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
        LogPublishingOptions={
            "AUDIT_LOGS": {
                "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/opensearch/audit",
                "Enabled": True,
            }
        },
        TagList=[{"Key": "phi", "Value": "true"}],
    )
    search.create_domain(DomainName="bad-defaults", EngineVersion="OpenSearch_2.13")
    client("es").create_elasticsearch_domain(
        DomainName="bad-legacy",
        ElasticsearchVersion="7.10",
        EncryptionAtRestOptions={"Enabled": True},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"},
    )


def seed_neptune() -> None:
    """A Neptune cluster: listed by rds:DescribeDBClusters, but neither a db_cluster nor a docdb_cluster."""
    client("neptune").create_db_cluster(DBClusterIdentifier="graph", Engine="neptune")


def seed_containers() -> None:
    seed_eks()
    seed_ecr()
    seed_ecs()
    seed_redshift()
    seed_opensearch()
    seed_neptune()
