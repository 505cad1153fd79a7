"""EBS volumes (standalone, instance block devices, launch templates), EC2 instances, EFS."""

from __future__ import annotations

from ....derive.service_defaults import SERVICE_DEFAULTS, UNKNOWABLE
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .backup import set_protection
from .builder import Builder, known_str, to_bool, to_int
from .edge_instances import public_ip


def _default_encryption_regions(plan: Plan) -> set[str | None]:
    """Regions (by provider) where this plan turns on EBS encryption by default."""
    regions: set[str | None] = set()
    for setting in plan.of_type("aws_ebs_encryption_by_default"):
        if (
            to_bool(
                setting.raw.get(
                    "enabled",
                )
            )
            is True
            or setting.raw.get("enabled") is None
        ):
            regions.add(plan.provider_region(setting.provider_key))
    return regions


def _volume(
    b: Builder, prefix: str, encrypted_by_default: bool, attached_to: str | None, linker: Linker | None = None
) -> Resource:
    raw_path = f"{prefix}encrypted"
    # Launch templates write an unset `encrypted` as "" (a string attribute).
    unset = b.resource.raw.get(raw_path) == "" or b.is_unset(raw_path)
    encrypted = None if unset else b.take("encrypted", raw_path, to_bool)
    if encrypted is not True and encrypted_by_default:
        # Account default encryption in the same plan encrypts the volume whatever it says.
        b.gaps.pop("encrypted", None)
        b.set("encrypted", True)
    elif unset:
        # Not "unencrypted": the AMI's (or snapshot's) encryption and the account default decide.
        b.unknown("encrypted", f"{b.address}: {UNKNOWABLE['ec2.block_device.encrypted'].reason}")
    b.take("kms_key_id", f"{prefix}kms_key_id", known_str)
    b.take("size", f"{prefix}{'volume_size' if prefix else 'size'}", to_int)
    if attached_to:
        b.set("attached_to", attached_to)
    _device_protection(b, linker)
    return b.build()


def _device_protection(b: Builder, linker: Linker | None) -> None:
    """A volume is judged by its own selection; an instance's device by the instance's (AWS Backup's
    EC2 backups take every attached volume). A launch template holds no volume to back up."""
    if linker is None:
        return
    if b.resource.type == "aws_launch_template":
        b.not_managed(
            "backup_plan_protected",
            "a launch template's device is not a volume yet; the instances launched from it are judged instead",
        )
        return
    set_protection(b, linker)


def ebs_volumes(plan: Plan, linker: Linker) -> list[Resource]:
    defaults = _default_encryption_regions(plan)
    resources = []
    for resource in plan.of_type("aws_ebs_volume"):
        b = Builder(plan, resource, "ebs_volume")
        b.tags()
        resources.append(_volume(b, "", plan.provider_region(resource.provider_key) in defaults, None, linker))
    for resource in plan.of_type("aws_instance"):
        by_default = plan.provider_region(resource.provider_key) in defaults
        for block in ("root_block_device", "ebs_block_device"):
            resources.extend(_devices(plan, resource, block, "", by_default, linker))
    for resource in plan.of_type("aws_launch_template"):
        by_default = plan.provider_region(resource.provider_key) in defaults
        resources.extend(_devices(plan, resource, "block_device_mappings", "ebs.0.", by_default, linker))
    return resources


def _devices(
    plan: Plan, resource: PlanResource, block: str, inner: str, by_default: bool, linker: Linker
) -> list[Resource]:
    devices = resource.raw.get(block)
    if devices is UNKNOWN:
        # Root volumes exist even when their settings are computed: report the unknown, do not drop it.
        if block != "root_block_device":
            return []
        b = Builder(plan, resource, "ebs_volume", f"{resource.address}.{block}[0]")
        b.set("attached_to", resource.address)
        if by_default:
            b.set("encrypted", True)
        else:
            b.unknown("encrypted", f"{resource.address}.{block} is known only after apply")
        _device_protection(b, linker)
        return [b.build()]
    if devices is not None and not isinstance(devices, list):
        # A volume is there (a root volume always is), but how it is set up cannot be read.
        b = Builder(plan, resource, "ebs_volume", f"{resource.address}.{block}")
        b.set("attached_to", resource.address)
        b.error("encrypted", f"malformed value in the plan ({resource.address}.{block} is not a list of blocks)")
        _device_protection(b, linker)
        return [b.build()]
    result = []
    for i, device in enumerate(devices or []):
        if not isinstance(device, dict) or (inner and not device.get("ebs")):
            continue
        b = Builder(plan, resource, "ebs_volume", f"{resource.address}.{block}[{i}]")
        result.append(_volume(b, f"{block}.{i}.{inner}", by_default, resource.address, linker))
    return result


def ec2_instances(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_instance", "aws_launch_template"):
        b = Builder(plan, resource, "ec2_instance")
        b.tags()
        b.take("metadata.http_tokens", "metadata_options.0.http_tokens", known_str)
        b.take("metadata.http_endpoint", "metadata_options.0.http_endpoint", known_str)
        public_ip(plan, linker, b)
        resources.append(b.build())
    return resources


def efs_file_systems(plan: Plan, linker: Linker) -> list[Resource]:
    policies = _efs_backup_policies(plan, linker)
    resources = []
    for resource in plan.of_type("aws_efs_file_system"):
        b = Builder(plan, resource, "efs_file_system")
        b.tags()
        b.take("encrypted", "encrypted", to_bool, default=False, unset=False)
        b.take("kms_key_id", "kms_key_id", known_str)
        set_protection(b, linker)
        _backup_policy(b, policies.get(resource.address))
        resources.append(b.build())
    return resources


def _efs_backup_policies(plan: Plan, linker: Linker) -> dict[str, PlanResource | str]:
    """File system address -> its aws_efs_backup_policy, or why one may join it (not known before apply)."""
    joined: dict[str, PlanResource | str] = {}
    for policy in plan.of_type("aws_efs_backup_policy"):
        parent = linker.parent(policy, "file_system_id", ("aws_efs_file_system",), ("id",))
        if isinstance(parent, Unresolved):
            for candidate in parent.candidates:
                joined.setdefault(candidate.address, f"{policy.address}: {parent.reason}")
        elif parent is not None:
            joined[parent.address] = policy
    return joined


def _backup_policy(b: Builder, policy: PlanResource | str | None) -> None:
    if policy is None:
        if b.action not in ("create", "replace"):
            # An existing file system's backup policy may have been set outside this configuration.
            b.not_managed("backup_policy_enabled", "the file system's backup policy is not managed by this plan")
            return
        # Created through the API, as Terraform does: off, except for One Zone file systems.
        one_zone = b.resource.raw.get("availability_zone_name") not in (None, "") and b.plan.configured(
            b.resource, "availability_zone_name"
        )
        default = SERVICE_DEFAULTS["efs.backup_policy:one_zone" if one_zone else "efs.backup_policy"]
        b.default("backup_policy_enabled", default.value, default.rule)
        return
    if isinstance(policy, str):
        b.unknown("backup_policy_enabled", policy)
        return
    b.absorb(policy, "backup_policy_enabled")
    status = policy.raw.get("backup_policy.0.status")
    if status is UNKNOWN:
        b.unknown("backup_policy_enabled", f"{policy.address}.backup_policy is known only after apply")
    elif isinstance(status, str):
        b.set("backup_policy_enabled", status.upper() in ("ENABLED", "ENABLING"))
    else:
        b.error("backup_policy_enabled", f"malformed value in the plan ({policy.address}.backup_policy)")
