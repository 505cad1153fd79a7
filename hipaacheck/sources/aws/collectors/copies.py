"""Copies of data the account owns: manual RDS DB and cluster snapshots, EBS snapshots, AMIs.

Public is what AWS says about sharing: the restore attribute of a DB snapshot lists "all",
a snapshot's createVolumePermission or an image's launchPermission has the group "all".
"""

from __future__ import annotations

from typing import Any

from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context

RDS_CALLS = calls(
    Call("rds", "describe_db_snapshots", "rds:DescribeDBSnapshots", (ALL_FIELDS,), paginate=True),
    Call("rds", "describe_db_cluster_snapshots", "rds:DescribeDBClusterSnapshots", (ALL_FIELDS,), paginate=True),
    Call("rds", "describe_db_snapshot_attributes", "rds:DescribeDBSnapshotAttributes", ("public", "shared_accounts")),
    Call(
        "rds",
        "describe_db_cluster_snapshot_attributes",
        "rds:DescribeDBClusterSnapshotAttributes",
        ("public", "shared_accounts"),
    ),
)
EC2_CALLS = calls(
    Call("ec2", "describe_snapshots", "ec2:DescribeSnapshots", (ALL_FIELDS,), paginate=True),
    Call("ec2", "describe_snapshot_attribute", "ec2:DescribeSnapshotAttribute", ("public",)),
    Call("ec2", "describe_images", "ec2:DescribeImages", (ALL_FIELDS,)),
    Call("ec2", "describe_image_attribute", "ec2:DescribeImageAttribute", ("public",)),
)

# (listing, list key, attributes call, its id parameter, result key, snapshot id key, source key)
_DB_KINDS = (
    (
        "instance",
        "describe_db_snapshots",
        "DBSnapshots",
        "describe_db_snapshot_attributes",
        "DBSnapshotIdentifier",
        "DBSnapshotAttributesResult",
        "DBSnapshotArn",
        "DBInstanceIdentifier",
        "Encrypted",
    ),
    (
        "cluster",
        "describe_db_cluster_snapshots",
        "DBClusterSnapshots",
        "describe_db_cluster_snapshot_attributes",
        "DBClusterSnapshotIdentifier",
        "DBClusterSnapshotAttributesResult",
        "DBClusterSnapshotArn",
        "DBClusterIdentifier",
        "StorageEncrypted",
    ),
)


def restore_accounts(attributes: dict[str, Any]) -> list[str]:
    """The accounts (or "all") in the "restore" attribute of a DB (cluster) snapshot."""
    for attribute in attributes.get("DBSnapshotAttributes") or attributes.get("DBClusterSnapshotAttributes") or []:
        if isinstance(attribute, dict) and attribute.get("AttributeName") == "restore":
            return [str(v) for v in attribute.get("AttributeValues") or []]
    return []


def collect_db_snapshots(ctx: Context) -> list[Resource]:
    region, resources = ctx.where.region, []
    for kind, listing_op, key, attributes_op, id_key, result_key, arn_key, source_key, encrypted_key in _DB_KINDS:
        # Manual snapshots only: automated ones cannot be shared, and AWS deletes them on its own.
        listing = ctx.fetch.call(RDS_CALLS[listing_op], region, SnapshotType="manual")
        if listing.error:
            resources.append(placeholder("db_snapshot", ctx.where, listing.error))
            continue
        for item in listing.data.get(key, []):
            identifier = item.get(id_key)
            b = LiveBuilder(
                "db_snapshot", item.get(arn_key) or ctx.where.arn("rds", f"snapshot:{identifier}"), ctx.where
            )
            b.tags(tag_map(item.get("TagList")))
            b.set("kind", kind)
            b.set("identifier", identifier)
            b.set("source_identifier", item.get(source_key))
            b.set("encrypted", item.get(encrypted_key) is True)
            b.set("kms_key_id", item.get("KmsKeyId"))
            attributes = ctx.fetch.call(RDS_CALLS[attributes_op], region, **{id_key: identifier})
            if not b.failed(RDS_CALLS[attributes_op], attributes):
                accounts = restore_accounts(attributes.data.get(result_key) or {})
                b.set("shared_accounts", accounts)
                b.set("public", "all" in accounts)
            resources.append(b.build(identifier))
    return resources


def _group_all(permissions: Any) -> bool:
    return any(isinstance(p, dict) and p.get("Group") == "all" for p in permissions or [])


def collect_ebs_snapshots(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    listing = ctx.fetch.call(EC2_CALLS["describe_snapshots"], region, OwnerIds=["self"])
    if listing.error:
        return [placeholder("ebs_snapshot", ctx.where, listing.error)]
    resources = []
    for item in listing.data.get("Snapshots", []):
        snapshot_id = item.get("SnapshotId")
        b = LiveBuilder("ebs_snapshot", ctx.where.arn("ec2", f"snapshot/{snapshot_id}", account=False), ctx.where)
        b.tags(tag_map(item.get("Tags")))
        b.set("volume_id", item.get("VolumeId"))
        b.set("encrypted", item.get("Encrypted") is True)
        b.set("kms_key_id", item.get("KmsKeyId"))
        spec = EC2_CALLS["describe_snapshot_attribute"]
        attribute = ctx.fetch.call(spec, region, SnapshotId=snapshot_id, Attribute="createVolumePermission")
        if not b.failed(spec, attribute):
            b.set("public", _group_all(attribute.data.get("CreateVolumePermissions")))
        resources.append(b.build(snapshot_id))
    return resources


def collect_images(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    listing = ctx.fetch.call(EC2_CALLS["describe_images"], region, Owners=["self"])
    if listing.error:
        return [placeholder("machine_image", ctx.where, listing.error)]
    resources = []
    for item in listing.data.get("Images", []):
        image_id = item.get("ImageId")
        b = LiveBuilder("machine_image", ctx.where.arn("ec2", f"image/{image_id}", account=False), ctx.where)
        b.tags(tag_map(item.get("Tags")))
        b.set("image_name", item.get("Name"))
        devices = [d.get("Ebs") for d in item.get("BlockDeviceMappings") or [] if isinstance(d, dict) and d.get("Ebs")]
        # No EBS device: nothing of the image is EBS-encrypted (an instance-store image lives in S3).
        b.set("encrypted", bool(devices) and all(isinstance(d, dict) and d.get("Encrypted") is True for d in devices))
        if item.get("Public") is True:
            b.set("public", True)  # DescribeImages says so: the launch permission need not be read
        else:
            spec = EC2_CALLS["describe_image_attribute"]
            attribute = ctx.fetch.call(spec, region, ImageId=image_id, Attribute="launchPermission")
            if not b.failed(spec, attribute):
                b.set("public", _group_all(attribute.data.get("LaunchPermissions")))
        resources.append(b.build(item.get("Name") or image_id))
    return resources


DB_SNAPSHOTS = Collector("rds-snapshots", ("db_snapshot",), RDS_CALLS, collect_db_snapshots)
EBS_SNAPSHOTS = Collector(
    "ebs-snapshots", ("ebs_snapshot",), calls(*list(EC2_CALLS.values())[:2]), collect_ebs_snapshots
)
IMAGES = Collector("images", ("machine_image",), calls(*list(EC2_CALLS.values())[2:]), collect_images)
