"""Data stores a plan destroys -> data_store_deletion.

The plan says which objects a change deletes (Plan.deletions, with their
"before" values); this adapter decides, store by store, whether the data
goes with them. The facts behind each rule:

* RDS DeleteDBInstance / DeleteDBCluster take a final snapshot unless
  SkipFinalSnapshot is true (Terraform: skip_final_snapshot, default false),
  and refuse to run while deletion protection is on. A read replica's data
  stays in its source.
* DynamoDB DeleteTable removes every item (and its PITR history); it refuses
  while deletion protection is on.
* EFS DeleteFileSystem and EC2 DeleteVolume remove the data; Terraform's
  aws_ebs_volume.final_snapshot = true snapshots the volume first.
* S3 DeleteBucket fails on a bucket that still holds objects; Terraform's
  force_destroy = true empties it first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....models import Resource
from ..plan import Plan, PlanResource
from ..references import Linker
from .builder import Builder, known_str, to_bool

# (what is lost, what keeps it) from the "before" values: exactly one is None.
Verdict = tuple[str | None, str | None]


def _rds(kind: str) -> Callable[[PlanResource], Verdict]:
    def verdict(store: PlanResource) -> Verdict:
        raw = store.raw
        if to_bool(raw.get("deletion_protection")) is True:
            return None, "deletion protection is on: RDS refuses the delete"
        source = raw.get("replicate_source_db") or raw.get("replication_source_identifier")
        if isinstance(source, str) and source:
            return None, f"a read replica: the data stays in its source {source!r}"
        if to_bool(raw.get("skip_final_snapshot")) is True:
            return f"the {kind}'s data: skip_final_snapshot = true, so no final snapshot is taken", None
        snapshot = raw.get("final_snapshot_identifier")
        if isinstance(snapshot, str) and snapshot:
            return None, f"final snapshot {snapshot!r}"
        return None, "skip_final_snapshot is false and no final_snapshot_identifier is set: RDS refuses the delete"

    return verdict


def _dynamodb(store: PlanResource) -> Verdict:
    if to_bool(store.raw.get("deletion_protection_enabled")) is True:
        return None, "deletion protection is on: DynamoDB refuses the delete"
    return "every item of the table, and its point-in-time recovery history", None


def _efs(store: PlanResource) -> Verdict:
    return "every file in the file system", None


def _ebs(store: PlanResource) -> Verdict:
    if to_bool(store.raw.get("final_snapshot")) is True:
        return None, "final_snapshot = true: a snapshot is taken before the delete"
    return "the volume's data (no final snapshot)", None


def _s3(store: PlanResource) -> Verdict:
    if to_bool(store.raw.get("force_destroy")) is True:
        return "every object in the bucket: force_destroy = true empties it before the delete", None
    return None, "force_destroy is false: S3 refuses to delete a bucket that still holds objects"


# Terraform type -> (canonical store type, rule)
_STORES: dict[str, tuple[str, Callable[[PlanResource], Verdict]]] = {
    "aws_db_instance": ("db_instance", _rds("database")),
    "aws_rds_cluster": ("db_cluster", _rds("cluster")),
    "aws_dynamodb_table": ("dynamodb_table", _dynamodb),
    "aws_efs_file_system": ("efs_file_system", _efs),
    "aws_ebs_volume": ("ebs_volume", _ebs),
    "aws_s3_bucket": ("s3_bucket", _s3),
}


def data_store_deletions(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for store in plan.deleted(*_STORES):
        canonical, rule = _STORES[store.type]
        b = Builder(plan, store, "data_store_deletion")
        b.set("resource_type", store.type)
        b.set("store", canonical)
        b.set("replaced", store.action == "replace")
        if store.raw.problem:
            b.error("data_lost", f"malformed value in the plan ({store.raw.problem})")
            b.error("tags", f"malformed value in the plan ({store.raw.problem})")
        else:
            b.tags()
            lost, kept = rule(store)
            b.set("data_lost", lost)
            b.set("data_kept_by", kept)
            if lost is not None:
                verb = "replaces" if store.action == "replace" else "deletes"
                b.notes["data_lost"] = f"this plan {verb} {store.address}"
        resources.append(b.build(name=_name(store)))
    return resources


def _name(store: PlanResource) -> str | None:
    for attribute in ("identifier", "cluster_identifier", "name", "bucket", "creation_token"):
        value: Any = known_str(store.raw.get(attribute))
        if value:
            return str(value)
    return None
