"""EBS volumes, security groups (exposure via derive.network), EC2 instances, region settings."""

from __future__ import annotations

from typing import Any

from ....derive.network import BadAddress, internet_exposure
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context

CALLS = calls(
    Call("ec2", "describe_volumes", "ec2:DescribeVolumes", (ALL_FIELDS,), paginate=True),
    Call("ec2", "describe_security_groups", "ec2:DescribeSecurityGroups", (ALL_FIELDS,), paginate=True),
    Call("ec2", "describe_instances", "ec2:DescribeInstances", (ALL_FIELDS,), paginate=True),
)
REGION_CALLS = calls(
    Call("ec2", "get_ebs_encryption_by_default", "ec2:GetEbsEncryptionByDefault", ("ebs_encryption_by_default",)),
    Call("guardduty", "list_detectors", "guardduty:ListDetectors", ("guardduty_enabled",), paginate=True),
    Call("guardduty", "get_detector", "guardduty:GetDetector", ("guardduty_enabled",)),
    # InvalidAccessException: "Account is not subscribed to AWS Security Hub" in the region.
    Call(
        "securityhub",
        "describe_hub",
        "securityhub:DescribeHub",
        ("securityhub_enabled",),
        frozenset({"InvalidAccessException", "ResourceNotFoundException"}),
    ),
)
C = CALLS | REGION_CALLS
PROBE = C["get_ebs_encryption_by_default"]  # the first call in a region: tells whether it answers at all


def collect_volumes(ctx: Context) -> list[Resource]:
    listing = ctx.fetch.call(C["describe_volumes"], ctx.where.region)
    if listing.error:
        return [placeholder("ebs_volume", ctx.where, listing.error)]
    resources = []
    for volume in listing.data.get("Volumes", []):
        volume_id = volume.get("VolumeId")
        b = LiveBuilder("ebs_volume", ctx.where.arn("ec2", f"volume/{volume_id}"), ctx.where)
        b.tags(tag_map(volume.get("Tags")))
        b.set("encrypted", volume.get("Encrypted") is True)
        b.set("kms_key_id", volume.get("KmsKeyId"))
        b.set("size", volume.get("Size"))
        attachments = [a for a in volume.get("Attachments") or [] if isinstance(a, dict) and a.get("InstanceId")]
        if attachments:
            b.set("attached_to", ctx.where.arn("ec2", f"instance/{attachments[0]['InstanceId']}"))
        resources.append(b.build(volume_id))
    return resources


def _rule(permission: dict[str, Any], origin: str) -> dict[str, Any]:
    return {
        "protocol": str(permission.get("IpProtocol", "")),
        "from_port": permission.get("FromPort"),
        "to_port": permission.get("ToPort"),
        "cidr_ipv4": [str(r["CidrIp"]) for r in permission.get("IpRanges") or [] if "CidrIp" in r],
        "cidr_ipv6": [str(r["CidrIpv6"]) for r in permission.get("Ipv6Ranges") or [] if "CidrIpv6" in r],
        "source_security_groups": [
            str(p["GroupId"]) for p in permission.get("UserIdGroupPairs") or [] if "GroupId" in p
        ],
        "origin": origin,
    }


def collect_security_groups(ctx: Context) -> list[Resource]:
    listing = ctx.fetch.call(C["describe_security_groups"], ctx.where.region)
    if listing.error:
        return [placeholder("security_group", ctx.where, listing.error)]
    resources = []
    for group in listing.data.get("SecurityGroups", []):
        group_id = group.get("GroupId")
        arn = group.get("SecurityGroupArn") or ctx.where.arn("ec2", f"security-group/{group_id}")
        b = LiveBuilder("security_group", arn, ctx.where)
        b.tags(tag_map(group.get("Tags")))
        b.set("group_name", group.get("GroupName"))
        b.set("vpc_id", group.get("VpcId"))
        # Every VPC's default group is named "default", a name no other group may take.
        b.set("is_default", group.get("GroupName") == "default")
        b.set("ingress_rule_count", len(group.get("IpPermissions") or []))
        b.set("egress_rule_count", len(group.get("IpPermissionsEgress") or []))
        rules = [_rule(p, str(group_id)) for p in group.get("IpPermissions") or [] if isinstance(p, dict)]
        b.set("ingress", rules)
        try:
            exposure = internet_exposure(rules)
        except BadAddress as exc:
            b.error(["internet_exposed_ports", "internet_all_traffic"], f"unexpected source from AWS ({exc})")
        else:
            b.set("internet_exposed_ports", exposure.ports)
            b.set("internet_all_traffic", exposure.all_traffic)
        resources.append(b.build(group.get("GroupName")))
    return resources


def collect_instances(ctx: Context) -> list[Resource]:
    listing = ctx.fetch.call(C["describe_instances"], ctx.where.region)
    if listing.error:
        return [placeholder("ec2_instance", ctx.where, listing.error)]
    resources = []
    for reservation in listing.data.get("Reservations", []):
        for instance in reservation.get("Instances") or []:
            if (instance.get("State") or {}).get("Name") in ("terminated", "shutting-down"):
                continue
            instance_id = instance.get("InstanceId")
            b = LiveBuilder("ec2_instance", ctx.where.arn("ec2", f"instance/{instance_id}"), ctx.where)
            b.tags(tag_map(instance.get("Tags")))
            options = instance.get("MetadataOptions") or {}
            b.set("metadata.http_tokens", options.get("HttpTokens"))
            b.set("metadata.http_endpoint", options.get("HttpEndpoint"))
            b.set("public_ip", bool(instance.get("PublicIpAddress")))
            resources.append(b.build(instance_id))
    return resources


def collect_region(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    b = LiveBuilder("account_region", f"account/{ctx.where.account}/{region}", ctx.where)
    b.set("region", region)
    default = ctx.fetch.call(PROBE, region)
    if not b.failed(PROBE, default):
        b.set("ebs_encryption_by_default", default.data.get("EbsEncryptionByDefault") is True)
    detectors = ctx.fetch.call(C["list_detectors"], region)
    if not b.failed(C["list_detectors"], detectors):
        enabled = False
        for detector_id in detectors.data.get("DetectorIds", []):
            detector = ctx.fetch.call(C["get_detector"], region, DetectorId=detector_id)
            if b.failed(C["get_detector"], detector):
                break
            enabled = enabled or detector.data.get("Status") == "ENABLED"
        if "guardduty_enabled" not in b.gaps or enabled:
            b.gaps.pop("guardduty_enabled", None)  # one enabled detector settles it
            b.set("guardduty_enabled", enabled)
    hub = ctx.fetch.call(C["describe_hub"], region)
    if not b.failed(C["describe_hub"], hub):
        b.set("securityhub_enabled", hub.ok and bool(hub.data.get("HubArn")))
    return [b.build(region)]


def collect(ctx: Context) -> list[Resource]:
    return collect_volumes(ctx) + collect_security_groups(ctx) + collect_instances(ctx)


COLLECTOR = Collector("ec2", ("ebs_volume", "security_group", "ec2_instance"), CALLS, collect)
REGION_COLLECTOR = Collector("region settings", ("account_region",), REGION_CALLS, collect_region)
