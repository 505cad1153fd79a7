"""Seed the network edge of a small account: names starting ok- are compliant, bad- are not.

Used by tests/aws/test_edge_live.py (in-process moto) and, through seed_edge(), by the
permissions recording test, so every edge collector call is recorded.
"""

from __future__ import annotations

from typing import Any

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"
CERTIFICATE = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/edge/access"


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def _tag(name: str, **extra: str) -> list[dict[str, Any]]:
    return [{"Key": "Name", "Value": name}, *({"Key": k, "Value": v} for k, v in extra.items())]


def seed_vpcs() -> dict[str, str]:
    """ok-vpc: flow log, default group closed; bad-vpc: neither. moto's default VPC is left as AWS makes it."""
    ec2 = client("ec2")
    ids = {}
    for name, cidr in (("ok-vpc", "10.80.0.0/16"), ("bad-vpc", "10.81.0.0/16")):
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": _tag(name)}])
        ids[name] = vpc["Vpc"]["VpcId"]
    ec2.create_flow_logs(
        ResourceIds=[ids["ok-vpc"]],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="/edge/flow-logs",
        DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs",
    )
    # A subnet flow log does not cover its VPC.
    bad_subnet = ec2.create_subnet(VpcId=ids["bad-vpc"], CidrBlock="10.81.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_flow_logs(
        ResourceIds=[bad_subnet],
        ResourceType="Subnet",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="/edge/flow-logs",
        DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs",
    )
    (group,) = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [ids["ok-vpc"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    if group["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
    ec2.create_tags(Resources=[group["GroupId"]], Tags=_tag("ok-default-group"))
    (bad_group,) = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [ids["bad-vpc"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    ec2.create_tags(Resources=[bad_group["GroupId"]], Tags=_tag("bad-default-group"))
    # Instances: a private subnet, and one that maps public addresses on launch.
    private = ec2.create_subnet(VpcId=ids["ok-vpc"], CidrBlock="10.80.1.0/24")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=ids["bad-vpc"], CidrBlock="10.81.2.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    for name, subnet, phi in (
        ("ok-private-worker", private, "true"),
        ("bad-public-worker", public, "true"),
        ("ok-status-page", public, "false"),  # public, but declared free of ePHI: out of scope
    ):
        ec2.run_instances(
            ImageId="ami-12345678",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet,
            MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
            TagSpecifications=[{"ResourceType": "instance", "Tags": _tag(name, phi=phi)}],
        )
    ids["private-subnet"], ids["public-subnet"] = private, public
    return ids


def _distribution(name: str, **config: Any) -> dict[str, Any]:
    return {
        "CallerReference": name,
        "Comment": name,
        "Enabled": True,
        "DefaultCacheBehavior": {
            "TargetOriginId": "origin",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
        **config,
    }


def _custom_origin(policy: str) -> dict[str, Any]:
    return {
        "Quantity": 1,
        "Items": [
            {
                "Id": "origin",
                "DomainName": "portal-origin.example.com",
                "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": policy},
            }
        ],
    }


def seed_cloudfront() -> None:
    cloudfront = client("cloudfront")
    cloudfront.create_distribution(
        DistributionConfig=_distribution(
            "ok-portal-cdn",
            Origins=_custom_origin("https-only"),
            Logging={"Enabled": True, "IncludeCookies": False, "Bucket": "edge-logs.s3.amazonaws.com", "Prefix": "cf/"},
            ViewerCertificate={
                "ACMCertificateArn": CERTIFICATE,
                "SSLSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021",
            },
            WebACLId=f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/portal/0000",
        )
    )
    bad = _distribution(
        "bad-portal-cdn",
        Origins=_custom_origin("match-viewer"),
        ViewerCertificate={"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1.2_2021"},
    )
    bad["CacheBehaviors"] = {
        "Quantity": 1,
        "Items": [
            {
                "PathPattern": "/public/*",
                "TargetOriginId": "origin",
                "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            }
        ],
    }
    cloudfront.create_distribution(DistributionConfig=bad)


def seed_api_gateway() -> None:
    rest = client("apigateway")
    api = rest.create_rest_api(name="edge-claims-api")["id"]
    root = rest.get_resources(restApiId=api)["items"][0]["id"]
    rest.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    rest.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = rest.create_deployment(restApiId=api)["id"]
    for name in ("ok-prod", "bad-prod", "bad-override"):
        rest.create_stage(
            restApiId=api, stageName=name, deploymentId=deployment, cacheClusterEnabled=True, cacheClusterSize="0.5"
        )
    logs = [
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": LOG_GROUP},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
    ]
    encrypted = [
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
        {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "true"},
    ]
    rest.update_stage(restApiId=api, stageName="ok-prod", patchOperations=logs + encrypted)
    # Caches in the clear, no access logs. (moto's default for dataEncrypted is true, AWS's is false: say it.)
    rest.update_stage(
        restApiId=api,
        stageName="bad-prod",
        patchOperations=[encrypted[0], {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "false"}],
    )
    # Stage-wide encryption, but one method caches without it.
    rest.update_stage(
        restApiId=api,
        stageName="bad-override",
        patchOperations=logs
        + encrypted
        + [
            {"op": "replace", "path": "/~1/GET/caching/enabled", "value": "true"},
            {"op": "replace", "path": "/~1/GET/caching/dataEncrypted", "value": "false"},
        ],
    )
    rest.create_domain_name(
        domainName="ok-api.example.com",
        regionalCertificateArn=CERTIFICATE,
        securityPolicy="TLS_1_2",
        endpointConfiguration={"types": ["REGIONAL"]},
    )
    rest.create_domain_name(
        domainName="bad-api.example.com",
        regionalCertificateArn=CERTIFICATE,
        securityPolicy="TLS_1_0",
        endpointConfiguration={"types": ["REGIONAL"]},
    )
    v2 = client("apigatewayv2")
    http = v2.create_api(Name="edge-portal-http", ProtocolType="HTTP")["ApiId"]
    v2.create_stage(
        ApiId=http, StageName="ok-http", AccessLogSettings={"DestinationArn": LOG_GROUP, "Format": "$context.requestId"}
    )
    v2.create_stage(ApiId=http, StageName="bad-http")
    v2.create_domain_name(
        DomainName="ok-portal-api.example.com",
        DomainNameConfigurations=[
            {"CertificateArn": CERTIFICATE, "SecurityPolicy": "TLS_1_2", "EndpointType": "REGIONAL"}
        ],
    )


def seed_load_balancers(ids: dict[str, str]) -> None:
    ec2 = client("ec2")
    subnets = [
        ec2.create_subnet(VpcId=ids["ok-vpc"], CidrBlock=f"10.80.{10 + i}.0/24", AvailabilityZone=f"{REGION}{z}")[
            "Subnet"
        ]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    elb = client("elbv2")
    arns = {
        name: elb.create_load_balancer(Name=name, Subnets=subnets, Scheme=scheme, Type=kind)["LoadBalancers"][0][
            "LoadBalancerArn"
        ]
        for name, scheme, kind in (
            ("ok-edge-alb", "internet-facing", "application"),
            ("bad-edge-alb", "internet-facing", "application"),
            ("ok-internal-nlb", "internal", "network"),
        )
    }
    for name in ("ok-edge-alb", "ok-internal-nlb"):
        attributes = [
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": "edge-logs"},
            {"Key": "deletion_protection.enabled", "Value": "true"},
        ]
        if name == "ok-edge-alb":
            attributes.append({"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"})
        elb.modify_load_balancer_attributes(LoadBalancerArn=arns[name], Attributes=attributes)
    waf = client("wafv2")
    acl = waf.create_web_acl(
        Name="edge-portal",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "edge"},
    )["Summary"]["ARN"]
    waf.associate_web_acl(WebACLArn=acl, ResourceArn=arns["ok-edge-alb"])


def seed_edge() -> None:
    ids = seed_vpcs()
    seed_cloudfront()
    seed_api_gateway()
    seed_load_balancers(ids)
