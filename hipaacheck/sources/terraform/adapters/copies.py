"""Copies of data: RDS DB and cluster snapshots, EBS snapshots and machine images (AMIs).

A copy has the encryption of what it was taken from, which AWS reports only after apply:
the plan reads it from the source (the DB instance or cluster, the volume, the snapshot
or image it copies) when that is in the plan, using the source's own canonical reading
(so defaults and restores are judged once). Public comes from the sharing sub-resources:
``shared_accounts = ["all"]``, ``aws_ami_launch_permission`` with group "all".
"""

from __future__ import annotations

from ....models import Gap, GapKind, Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved, describe
from .builder import Builder, known_str, to_bool, to_str_list
from .compute import ebs_volumes
from .database import db_clusters, db_instances
from .joins import JoinSpec, join

# A fact about a source: True/False, or the gap that stands for it.
Fact = bool | Gap


def _facts(resources: list[Resource], path: str) -> dict[str, Fact]:
    found: dict[str, Fact] = {}
    for r in resources:
        gap = r.gap_for(path)
        value = r.attrs.get(path)
        found[r.address] = gap if gap is not None else value if isinstance(value, bool) else Gap(GapKind.UNKNOWN, "")
    return found


def _from_source(b: Builder, source: PlanResource | Unresolved | None, facts: dict[str, Fact], what: str) -> None:
    """encrypted = the source's encryption, or unknown (with the reason) when it cannot be read here."""
    if isinstance(source, PlanResource) and source.address in facts:
        fact = facts[source.address]
        if isinstance(fact, bool):
            b.set("encrypted", fact)
            b.notes["encrypted"] = f"a {what} has the encryption of its source, {source.address}"
            return
        reason = fact.reason or "known only after apply"
        b.gaps["encrypted"] = Gap(fact.kind, f"the encryption of {source.address}: {reason}")
        return
    if isinstance(source, Unresolved):
        where = describe(source.candidates) if source.candidates else "a resource outside this plan"
        b.unknown("encrypted", f"the {what}'s source ({where}) is known only after apply: {source.reason}")
        return
    b.unknown("encrypted", f"the {what}'s source is not in this plan: AWS reports its encryption after apply")


def _take_encrypted(b: Builder, attribute: str) -> bool:
    """The copy's own encrypted attribute when it is known; False when it is computed."""
    value = to_bool(b.resource.raw.get(attribute))
    if isinstance(value, bool):
        b.set("encrypted", value)
        return True
    return False


def _shared_accounts(b: Builder) -> None:
    accounts = b.take("shared_accounts", "shared_accounts", to_str_list, default=[])
    if accounts is UNKNOWN:
        b.unknown("public", f"{b.resource.address}.shared_accounts is known only after apply")
    elif isinstance(accounts, list):
        b.set("public", "all" in accounts)


def db_snapshots(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    kinds = (
        ("aws_db_snapshot", "instance", "db_snapshot_identifier", "db_instance_identifier", "encrypted"),
        (
            "aws_db_cluster_snapshot",
            "cluster",
            "db_cluster_snapshot_identifier",
            "db_cluster_identifier",
            "storage_encrypted",
        ),
    )
    if not any(plan.of_type(t) for t, *_ in kinds):
        return []
    sources = {
        "instance": (
            ("aws_db_instance",),
            ("identifier", "id"),
            _facts(db_instances(plan, linker), "storage_encrypted"),
        ),
        "cluster": (
            ("aws_rds_cluster",),
            ("cluster_identifier", "id"),
            _facts(db_clusters(plan, linker), "storage_encrypted"),
        ),
    }
    for tf_type, kind, identifier, source_attr, encrypted_attr in kinds:
        for resource in plan.of_type(tf_type):
            b = Builder(plan, resource, "db_snapshot")
            b.tags()
            b.set("kind", kind)
            b.take("identifier", identifier, known_str)
            b.take("source_identifier", source_attr, known_str)
            b.take("kms_key_id", "kms_key_id", known_str)
            if not _take_encrypted(b, encrypted_attr):
                parent_types, keys, facts = sources[kind]
                _from_source(b, linker.parent(resource, source_attr, parent_types, keys), facts, "DB snapshot")
            _shared_accounts(b)
            resources.append(b.build(name=known_str(resource.raw.get(identifier))))
    return resources


def _snapshot_encryption(plan: Plan, linker: Linker) -> dict[str, Builder]:
    builders: dict[str, Builder] = {}
    snapshots = plan.of_type("aws_ebs_snapshot")
    copies = plan.of_type("aws_ebs_snapshot_copy")
    volumes = _facts(ebs_volumes(plan, linker), "encrypted") if snapshots else {}
    for resource in snapshots:
        b = Builder(plan, resource, "ebs_snapshot")
        b.take("volume_id", "volume_id", known_str)
        if not _take_encrypted(b, "encrypted"):
            source = linker.parent(resource, "volume_id", ("aws_ebs_volume",), ("id",))
            _from_source(b, source, volumes, "snapshot")
        builders[resource.address] = b
    for resource in copies:
        b = Builder(plan, resource, "ebs_snapshot")
        if to_bool(resource.raw.get("encrypted")) is True:
            b.set("encrypted", True)  # the copy asks to be encrypted
        else:
            # Unset or false: a copy of an encrypted snapshot is encrypted, of a plain one plain.
            source = linker.parent(
                resource, "source_snapshot_id", ("aws_ebs_snapshot", "aws_ebs_snapshot_copy"), ("id",)
            )
            if isinstance(source, PlanResource) and source.address in builders:
                _copy_fact(b, builders[source.address], source.address)
            else:
                _from_source(b, source, {}, "snapshot copy")
        builders[resource.address] = b
    return builders


def _copy_fact(b: Builder, source: Builder, address: str) -> None:
    if "encrypted" in source.gaps:
        b.gaps["encrypted"] = source.gaps["encrypted"]
    elif isinstance(source.attrs.get("encrypted"), bool):
        b.set("encrypted", source.attrs["encrypted"])
        b.notes["encrypted"] = f"a copy has the encryption of its source, {address}"


def ebs_snapshots(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for b in _snapshot_encryption(plan, linker).values():
        b.tags()
        b.take("kms_key_id", "kms_key_id", known_str)
        # aws_snapshot_create_volume_permission names one account: Terraform cannot make a snapshot public.
        b.set("public", False)
        b.notes["public"] = (
            "Terraform shares a snapshot with named accounts only (createVolumePermission group all is not settable)"
        )
        resources.append(b.build())
    return resources


_IMAGE_TYPES = ("aws_ami", "aws_ami_copy", "aws_ami_from_instance")
LAUNCH_PERMISSION = JoinSpec("aws_ami_launch_permission", "image_id", _IMAGE_TYPES, ("id",))


def _launch_public(permission: PlanResource) -> bool | None:
    group = permission.raw.get("group")
    return None if group is UNKNOWN else group == "all"


_SNAPSHOT_TYPES = ("aws_ebs_snapshot", "aws_ebs_snapshot_copy")


def _snapshot_fact(source: Builder | None) -> Fact:
    if source is None:
        return Gap(GapKind.UNKNOWN, "a block device's snapshot is known only after apply")
    if "encrypted" in source.gaps:
        return source.gaps["encrypted"]
    return source.attrs.get("encrypted") is True


def _image_devices(b: Builder, snapshots: dict[str, Builder], linker: Linker) -> None:
    devices = b.resource.raw.get("ebs_block_device")
    if devices is UNKNOWN:
        b.unknown("encrypted", f"{b.resource.address}.ebs_block_device is known only after apply")
        return
    if not isinstance(devices, list) or not devices:
        b.set("encrypted", False)
        b.notes["encrypted"] = "no EBS block device is configured: nothing of the image is EBS-encrypted"
        return
    verdicts: list[Fact] = []
    pending = False  # a device restores a snapshot named only at apply
    for i, device in enumerate(devices):
        if not isinstance(device, dict):
            verdicts.append(Gap(GapKind.ERROR, f"malformed value in the plan ({b.resource.address}.ebs_block_device)"))
            continue
        # Read through raw: a snapshot_id known only after apply is absent from the block itself.
        encrypted = to_bool(b.resource.raw.get(f"ebs_block_device.{i}.encrypted"))
        snapshot = b.resource.raw.get(f"ebs_block_device.{i}.snapshot_id")
        if encrypted is True:
            verdicts.append(True)
        elif snapshot is UNKNOWN:
            pending = True
        elif snapshot in (None, ""):
            verdicts.append(encrypted is True)  # an empty volume, encrypted only when it asks to be
        else:
            # The volume is restored from the snapshot, with the snapshot's encryption.
            parent = linker.parent(b.resource, f"ebs_block_device.{i}.snapshot_id", _SNAPSHOT_TYPES, ("id",))
            verdicts.append(_snapshot_fact(snapshots.get(parent.address) if isinstance(parent, PlanResource) else None))
    if pending:
        verdicts.extend(_configured_snapshots(b, snapshots, linker))
    _combine(b, verdicts)


def _configured_snapshots(b: Builder, snapshots: dict[str, Builder], linker: Linker) -> list[Fact]:
    """The snapshots every configured block restores.

    ebs_block_device is a set: the plan's blocks are not in the configuration's order, so
    every configured snapshot is judged (each is one of the image's devices).
    """
    blocks = linker.plan.expressions(b.resource).get("ebs_block_device")
    facts: list[Fact] = []
    for block in blocks if isinstance(blocks, list) else []:
        expression = block.get("snapshot_id") if isinstance(block, dict) else None
        references = expression.get("references") if isinstance(expression, dict) else None
        if not references:
            continue
        found = linker.follow_references(references, b.resource.module, _SNAPSHOT_TYPES)
        facts.append(_snapshot_fact(snapshots.get(found[0].address) if len(found) == 1 else None))
    return facts or [Gap(GapKind.UNKNOWN, "a block device's snapshot is known only after apply")]


def _combine(b: Builder, verdicts: list[Fact]) -> None:
    if any(v is False for v in verdicts):
        b.set("encrypted", False)
        return
    gaps = [v for v in verdicts if isinstance(v, Gap)]
    if gaps:
        b.gaps["encrypted"] = Gap(gaps[0].kind, f"{b.resource.address}: {gaps[0].reason}")
    else:
        b.set("encrypted", True)


def machine_images(plan: Plan, linker: Linker) -> list[Resource]:
    if not plan.of_type(*_IMAGE_TYPES):
        return []
    snapshots = _snapshot_encryption(plan, linker)
    permissions = join(linker, LAUNCH_PERMISSION)
    builders: dict[str, Builder] = {}
    for resource in plan.of_type(*_IMAGE_TYPES):
        b = Builder(plan, resource, "machine_image")
        b.tags()
        b.take("image_name", "name", known_str)
        if resource.type == "aws_ami":
            _image_devices(b, snapshots, linker)
        elif resource.type == "aws_ami_copy" and to_bool(resource.raw.get("encrypted")) is True:
            b.set("encrypted", True)
        builders[resource.address] = b
    for resource in plan.of_type("aws_ami_copy"):
        b = builders[resource.address]
        if "encrypted" in b.attrs:
            continue
        source = linker.parent(resource, "source_ami_id", _IMAGE_TYPES, ("id",))
        if isinstance(source, PlanResource) and source.address in builders:
            _copy_fact(b, builders[source.address], source.address)
        else:
            _from_source(b, source, {}, "image copy")
    for resource in plan.of_type("aws_ami_from_instance"):
        builders[resource.address].unknown(
            "encrypted", f"{resource.address}: the image has the encryption of the instance's volumes, read at apply"
        )
    for b in builders.values():
        public: list[bool | None] = [_launch_public(p) for p in permissions.children(b.resource)]
        for child in permissions.children(b.resource):
            b.absorb(child, "public")
        maybe = permissions.maybe(b.resource)
        if True in public:
            b.set("public", True)
        elif None in public or maybe:
            b.unknown("public", "a launch permission's group or image is known only after apply")
        else:
            b.set("public", False)
    resources = [b.build(name=known_str(b.resource.raw.get("name"))) for b in builders.values()]
    resources.extend(_public_orphans(plan, permissions.homeless()))
    return resources


def _public_orphans(plan: Plan, unpinned: list[tuple[PlanResource, Unresolved]]) -> list[Resource]:
    """A launch permission for everyone whose image is not known before apply fails on its own address."""
    found = []
    for child, unresolved in unpinned:
        if _launch_public(child) is not True:
            continue
        b = Builder(plan, child, "machine_image")
        b.set("public", True)
        b.not_managed("encrypted", f"{child.address} is the launch permission of an image not known before apply")
        b.not_managed("image_name", "image not known before apply")
        targets = describe(unresolved.candidates) if unresolved.candidates else "an image outside this plan"
        found.append(b.build(name=f"launch permission of one of {targets}"))
    return found
