"""One derivation, two sources: the documents and rules of real plans, deployed to moto, read the same.

The fixture scenarios resource_policies, admin_rights and internet_ranges are real plans
(scripts/generate-fixtures). Here their planned values (the very policy JSON and rules the
provider rendered) are created in a moto account, the account is scanned live, and every
derived fact must equal the plan scan's. The expected verdicts themselves are in each
scenario's expected.yaml; the names in the .tf sources say what AWS makes of each case
(pub-/priv-, tls-ok-/tls-no-, fail_/pass_), and that is checked here too.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from hipaacheck.models import Resource
from hipaacheck.sources.terraform import load_plan_resources

from ..conftest import FIXTURES
from .conftest import ACCOUNT, REGION, live_scan


def _changes(scenario: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any], list[Resource]]:
    """(address -> planned values, configuration resources by address, canonical plan resources)."""
    path = FIXTURES / scenario / "plan.json"
    plan = json.loads(path.read_text())
    after = {rc["address"]: rc["change"]["after"] for rc in plan["resource_changes"] if rc["mode"] == "managed"}
    config = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    _, resources = load_plan_resources(path)
    return after, config, resources


def _fact(resource: Resource, path: str) -> Any:
    """The derived value at a dotted path, or the kind of gap that stands in its place."""
    gap = resource.gap_for(path)
    if gap is not None:
        return f"<{gap.kind.value}>"
    node: Any = resource.attrs
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _of_type(resources: list[Resource], type_name: str, key: str) -> dict[str, Resource]:
    return {str(r.attrs.get(key)): r for r in resources if r.type == type_name and r.attrs.get(key)}


def _same_named(address: str, resource_type: str) -> str:
    """aws_s3_bucket_policy.case["x"] -> aws_s3_bucket.case["x"]."""
    return resource_type + "." + address.split(".", 1)[1]


def test_bucket_policies_read_the_same_in_a_plan_and_a_live_account(mocked: None) -> None:
    after, _, plan_resources = _changes("resource_policies")
    s3 = boto3.client("s3", region_name=REGION)
    for address, values in after.items():
        if address.startswith("aws_s3_bucket_policy."):
            name = after[_same_named(address, "aws_s3_bucket")]["bucket"]
            s3.create_bucket(Bucket=name)
            s3.put_bucket_policy(Bucket=name, Policy=values["policy"])
    live = _of_type(live_scan().resources, "s3_bucket", "bucket")
    planned = _of_type(plan_resources, "s3_bucket", "bucket")
    assert len(planned) == 36 and set(live) == set(planned)
    for name, resource in planned.items():
        facts = ("policy.public", "policy.denies_insecure_transport")
        assert [_fact(resource, f) for f in facts] == [_fact(live[name], f) for f in facts], name
        # S3's meaning of public and the TLS-only rule, as the bucket names state them.
        assert _fact(resource, "policy.public") is ("-pub-" in name), name
        assert _fact(resource, "policy.denies_insecure_transport") is ("-tls-ok-" in name), name


def test_live_takes_the_stricter_of_the_reader_and_get_bucket_policy_status(mocked: None) -> None:
    # moto's GetBucketPolicyStatus calls StringLike aws:SourceVpc "vpc-*" not public; S3 and the
    # reader call it public: the live scan keeps "public".
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="claims-vpc-wildcard")
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::claims-vpc-wildcard/*",
        "Condition": {"StringLike": {"aws:SourceVpc": "vpc-*"}},
    }
    s3.put_bucket_policy(
        Bucket="claims-vpc-wildcard", Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    assert s3.get_bucket_policy_status(Bucket="claims-vpc-wildcard")["PolicyStatus"]["IsPublic"] is False
    bucket = _of_type(live_scan().resources, "s3_bucket", "bucket")["claims-vpc-wildcard"]
    assert _fact(bucket, "policy.public") is True


def _policy_arn(values: dict[str, Any], config: dict[str, Any], after: dict[str, Any]) -> str:
    if values.get("policy_arn"):
        return str(values["policy_arn"])
    target = config["expressions"]["policy_arn"]["references"][1]  # aws_iam_policy.case["..."]
    return f"arn:aws:iam::{ACCOUNT}:policy/{after[target]['name']}"


def test_admin_rights_read_the_same_in_a_plan_and_a_live_account(mocked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # AdministratorAccess & co.
    after, config, plan_resources = _changes("admin_rights")
    iam = boto3.client("iam", region_name=REGION)
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    for address, values in after.items():
        kind = address.split(".")[0]
        if kind == "aws_iam_policy":
            iam.create_policy(PolicyName=values["name"], PolicyDocument=values["policy"])
        elif kind == "aws_iam_role":
            iam.create_role(RoleName=values["name"], AssumeRolePolicyDocument=trust)
            for arn in values.get("managed_policy_arns") or []:
                iam.attach_role_policy(RoleName=values["name"], PolicyArn=arn)
        elif kind == "aws_iam_user":
            iam.create_user(UserName=values["name"])
        elif kind == "aws_iam_group":
            iam.create_group(GroupName=values["name"])
    iam.create_role(RoleName="break-glass", AssumeRolePolicyDocument=trust)  # exists outside the plan
    for address, values in after.items():
        kind = address.split(".")[0]
        if not kind.endswith("policy_attachment"):
            continue
        arn = _policy_arn(values, config[address.split("[")[0]], after)
        if kind == "aws_iam_role_policy_attachment":
            iam.attach_role_policy(RoleName=values["role"], PolicyArn=arn)
        elif kind == "aws_iam_user_policy_attachment":
            iam.attach_user_policy(UserName=values["user"], PolicyArn=arn)
        elif kind == "aws_iam_group_policy_attachment":
            iam.attach_group_policy(GroupName=values["group"], PolicyArn=arn)
        else:  # aws_iam_policy_attachment
            for user in values["users"]:
                iam.attach_user_policy(UserName=user, PolicyArn=arn)
    live_resources = live_scan().resources
    planned = _of_type(plan_resources, "iam_policy", "policy_name")
    live = _of_type(live_resources, "iam_policy", "policy_name")
    assert len(planned) == 12
    for name, resource in planned.items():
        assert _fact(resource, "allows_admin") is _fact(live[name], "allows_admin") is name.startswith("fail-"), name
    planned_principals = _of_type(plan_resources, "iam_principal", "principal_name")
    live_principals = _of_type(live_resources, "iam_principal", "principal_name")
    assert len(planned_principals) == 8 and set(planned_principals) <= set(live_principals)
    for name, resource in planned_principals.items():
        fact = "has_admin_managed_policy"
        expected = name.startswith("fail-") or name == "break-glass"
        assert _fact(resource, fact) is _fact(live_principals[name], fact) is expected, name


def test_security_group_sources_read_the_same_in_a_plan_and_a_live_account(mocked: None) -> None:
    after, config, plan_resources = _changes("internet_ranges")
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    ids: dict[str, str] = {}
    for address, values in after.items():
        if address.startswith("aws_security_group."):
            group = ec2.create_security_group(GroupName=values["name"], Description="fixture", VpcId=vpc)
            ids[address] = group["GroupId"]
            permissions: Any = [
                {
                    "IpProtocol": rule["protocol"],
                    "FromPort": rule["from_port"],
                    "ToPort": rule["to_port"],
                    "IpRanges": [{"CidrIp": c} for c in rule["cidr_blocks"]],
                    "Ipv6Ranges": [{"CidrIpv6": c} for c in rule["ipv6_cidr_blocks"]],
                }
                for rule in values.get("ingress") or []
            ]
            if permissions:
                ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=permissions)
    for address, values in after.items():
        if address.startswith(("aws_security_group_rule.", "aws_vpc_security_group_ingress_rule.")):
            group = config[address]["expressions"]["security_group_id"]["references"][1]
            cidrs = values.get("cidr_blocks") or [values["cidr_ipv4"]]
            protocol = values.get("protocol") or values["ip_protocol"]
            permission: Any = {
                "IpProtocol": protocol,
                "FromPort": values["from_port"],
                "ToPort": values["to_port"],
                "IpRanges": [{"CidrIp": c} for c in cidrs],
            }
            ec2.authorize_security_group_ingress(GroupId=ids[group], IpPermissions=[permission])
    live = _of_type(live_scan().resources, "security_group", "group_name")
    planned = _of_type(plan_resources, "security_group", "group_name")
    assert len(planned) == 11
    for name, resource in planned.items():
        facts = ("internet_exposed_ports", "internet_all_traffic")
        assert [_fact(resource, f) for f in facts] == [_fact(live[name], f) for f in facts], name
        exposed = bool(_fact(resource, "internet_exposed_ports")) or _fact(resource, "internet_all_traffic")
        assert exposed is name.startswith("fail-"), name


def test_a_denied_policy_status_leaves_only_a_public_verdict_standing(mocked: None) -> None:
    # Without S3's own answer a "not public" from the reader is not proven (error); a "public"
    # cannot become less public, so it stands.

    s3 = boto3.client("s3", region_name=REGION)
    documents = {
        "claims-open": {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::claims-open/*",
        },
        "claims-org": {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::claims-org/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        },
    }
    for name, statement in documents.items():
        s3.create_bucket(Bucket=name)
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))

    def deny(**_: Any) -> Any:
        parsed = {
            "Error": {"Code": "AccessDenied", "Message": "not authorized"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }
        return type("Http", (), {"status_code": 403})(), parsed

    def on_session(session: boto3.Session) -> None:
        session.events.register("before-call.s3.GetBucketPolicyStatus", deny)

    from hipaacheck.sources.aws.options import ScanOptions
    from hipaacheck.sources.aws.runner import scan_account

    scan = scan_account(ScanOptions(regions=(REGION,), workers=4), on_session)
    buckets = _of_type(scan.resources, "s3_bucket", "bucket")
    assert _fact(buckets["claims-open"], "policy.public") is True
    assert _fact(buckets["claims-org"], "policy.public") == "<error>"
    assert _fact(buckets["claims-org"], "policy.denies_insecure_transport") is False
