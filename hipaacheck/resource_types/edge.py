"""The network edge: VPCs, CloudFront distributions, API Gateway stages and domains, load balancers.

Each type is read from a Terraform plan and from a live account into these
same fields (sources/terraform/adapters/edge*.py, sources/aws/collectors/edge*.py);
the derived booleans are computed once, in derive/edge.py, for both.
"""

from __future__ import annotations

from .base import Tagged, doc


class Vpc(Tagged):
    vpc_id: str | None = doc("VPC id (known after apply for a new VPC).")
    is_default: bool | None = doc("The region's default VPC (aws_default_vpc in a plan; IsDefault live).")
    flow_logs_enabled: bool | None = doc(
        "A flow log is attached to the VPC itself (aws_flow_log.vpc_id in a plan; an ACTIVE flow log whose "
        "ResourceId is the VPC live). Any traffic type counts; subnet or interface flow logs do not cover the VPC."
    )


class CloudfrontDistribution(Tagged):
    enabled: bool | None = doc("The distribution serves requests.")
    viewer_protocol_policies: list[str] | None = doc(
        "viewer_protocol_policy of the default and of every ordered cache behavior."
    )
    viewer_https_only: bool | None = doc(
        "Every cache behavior is https-only or redirect-to-https (derive.edge.viewer_https_only)."
    )
    uses_default_certificate: bool | None = doc("The *.cloudfront.net certificate (which forces TLSv1).")
    minimum_protocol_version: str | None = doc(
        "The effective minimum TLS version viewers may negotiate: TLSv1 with the default certificate, whatever "
        "the configuration says (derive.edge.effective_minimum_protocol)."
    )
    custom_origin_protocol_policies: list[str] | None = doc(
        "origin_protocol_policy of every custom origin (S3 REST origins with OAC/OAI have none)."
    )
    origins_https_only: bool | None = doc("Every custom origin is reached with https-only (S3 origins pass).")
    logging_enabled: bool | None = doc("Standard (legacy) access logging to S3 is configured.")
    web_acl_id: str | None = doc("The WAF web ACL (WAFv2 ARN) protecting the distribution.")


class ApiGatewayStage(Tagged):
    api_kind: str | None = doc("rest (API Gateway v1), http or websocket (API Gateway v2).")
    api_id: str | None = doc("The API the stage belongs to.")
    stage_name: str | None = doc("Stage name.")
    access_logging_enabled: bool | None = doc("access_log_settings names a destination (CloudWatch Logs or Firehose).")
    cache_cluster_enabled: bool | None = doc("REST only: the stage runs a cache cluster.")
    cache_data_encrypted: bool | None = doc(
        "REST only: the stage-wide method settings (*/*) encrypt cached data and no method enables caching "
        "without encryption (derive.edge.cache_encrypted)."
    )


class ApiGatewayDomain(Tagged):
    domain_name: str | None = doc("The custom domain name.")
    api_kind: str | None = doc("rest (aws_api_gateway_domain_name) or v2 (aws_apigatewayv2_domain_name).")
    security_policy: str | None = doc(
        "TLS security policy: TLS_1_0, TLS_1_2, or an enhanced SecurityPolicy_TLS1x_* policy. Unset is the "
        "service default (TLS_1_0 for REST domains)."
    )


class LoadBalancer(Tagged):
    lb_type: str | None = doc("application, network or gateway.")
    internal: bool | None = doc("Internal (not internet-facing).")
    access_logs_enabled: bool | None = doc("Access logs are delivered to S3 (access_logs.s3.enabled).")
    drop_invalid_header_fields: bool | None = doc("ALB only: invalid HTTP headers are dropped.")
    deletion_protection: bool | None = doc("Deletion protection is on.")
    waf_web_acl_associated: bool | None = doc(
        "A WAFv2 web ACL is associated (aws_wafv2_web_acl_association; wafv2:GetWebACLForResource). "
        "WAF Classic (end of life) is not counted."
    )
