"""Containers and analytics stores: EKS clusters, ECR repositories, ECS task definitions, Redshift
clusters, OpenSearch (and Elasticsearch) domains, DocumentDB clusters.

Every type is read from a Terraform plan and from a live account into these fields; the derived
facts (is the endpoint open to the internet, does a variable look like a secret, is the TLS policy
1.2) come from hipaacheck.derive.containers in both sources.
"""

from __future__ import annotations

from .base import Tagged, doc


class EksCluster(Tagged):
    name: str | None = doc("Cluster name.")
    secrets_encrypted: bool | None = doc(
        "Envelope encryption of Kubernetes secrets: an encryption_config whose resources include "
        '"secrets" with a KMS key.'
    )
    secrets_kms_key_arn: str | None = doc("KMS key that envelope-encrypts the secrets.")
    endpoint_public_access: bool | None = doc("The API server endpoint is reachable from outside the VPC.")
    public_access_cidrs: list[str] | None = doc(
        "Ranges allowed to reach the public endpoint (AWS: 0.0.0.0/0 if unset)."
    )
    endpoint_open_to_internet: bool | None = doc(
        "The public endpoint admits the internet: public access on and the allowed ranges cover every public "
        "address, or include a public range of /8 or wider (derive.network's notion of the internet)."
    )
    log_types: list[str] | None = doc("Control-plane log types sent to CloudWatch Logs (api, audit, authenticator, …).")


class EcrRepository(Tagged):
    name: str | None = doc("Repository name.")
    scan_on_push: bool | None = doc(
        "Images are scanned when pushed: the repository's scan_on_push, or a registry scanning rule "
        "(SCAN_ON_PUSH or CONTINUOUS_SCAN) whose filter matches the repository."
    )
    scan_source: str | None = doc("What decided scan_on_push: repository, or registry:<scan type>.")
    image_tag_mutability: str | None = doc("MUTABLE or IMMUTABLE.")
    encryption_type: str | None = doc("AES256 (the default), KMS or KMS_DSSE.")
    kms_key: str | None = doc("KMS key for KMS encryption.")


class EcsTaskDefinition(Tagged):
    family: str | None = doc("Task definition family.")
    container_names: list[str] | None = doc("Names of the containers.")
    plaintext_secret_variables: list[str] | None = doc(
        "container/VARIABLE names of environment variables whose name (PASSWORD, SECRET, TOKEN, API_KEY, "
        "PRIVATE_KEY, …) or value (an AWS access key, a private key) looks like a secret. Names only: the "
        "values are never read into the canonical form."
    )
    containers_without_logging: list[str] | None = doc("Containers with no logConfiguration.")


class RedshiftCluster(Tagged):
    identifier: str | None = doc("Cluster identifier.")
    encrypted: bool | None = doc("Storage encrypted at rest.")
    kms_key_id: str | None = doc("KMS key for encryption at rest.")
    publicly_accessible: bool | None = doc("The cluster has a public endpoint.")
    parameter_group: str | None = doc("Name of the cluster parameter group.")
    require_ssl: bool | None = doc(
        "The parameter group sets require_ssl = true (the default groups default.redshift-1.0 have it false)."
    )
    audit_logging: bool | None = doc(
        "Audit logging on (to S3 or CloudWatch Logs): the cluster's logging block, aws_redshift_logging, or "
        "DescribeLoggingStatus."
    )


class OpensearchDomain(Tagged):
    name: str | None = doc("Domain name.")
    engine: str | None = doc("OpenSearch or Elasticsearch.")
    encrypt_at_rest: bool | None = doc("Encryption at rest enabled.")
    kms_key_id: str | None = doc("KMS key for encryption at rest.")
    node_to_node_encryption: bool | None = doc("TLS between the domain's nodes.")
    enforce_https: bool | None = doc("The endpoint refuses plain HTTP.")
    tls_security_policy: str | None = doc("The endpoint's TLS policy, e.g. Policy-Min-TLS-1-2-2019-07.")
    https_tls12: bool | None = doc("HTTPS enforced with a Policy-Min-TLS-1-2-* policy (TLS 1.0/1.1 refused).")
    in_vpc: bool | None = doc("The domain is in a VPC (no public endpoint).")
    audit_logs: bool | None = doc("AUDIT_LOGS are published to CloudWatch Logs.")


class DocdbCluster(Tagged):
    identifier: str | None = doc("Cluster identifier.")
    storage_encrypted: bool | None = doc("Storage encrypted at rest.")
    kms_key_id: str | None = doc("KMS key for encryption at rest.")
    parameter_group: str | None = doc("Name of the cluster parameter group.")
    tls_enabled: bool | None = doc(
        "The cluster parameter group's tls parameter requires TLS (enabled, tls1.2+, tls1.3+, fips-140-3); "
        "the default groups have tls = enabled."
    )
