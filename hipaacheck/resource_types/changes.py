"""What a change does, as opposed to what exists: data stores a Terraform plan destroys."""

from __future__ import annotations

from .base import Tagged, doc


class DataStoreDeletion(Tagged):
    """A data store a plan deletes, or replaces (the delete half). Values are those before the change.

    Only a plan shows a change: a live scan has one placeholder whose fields
    are not managed, so the policies on this type are skipped there with that reason.
    """

    resource_type: str | None = doc("Terraform type of the store, e.g. aws_dynamodb_table.")
    store: str | None = doc("hipaacheck's canonical type of the store, e.g. dynamodb_table.")
    replaced: bool | None = doc("A new object replaces it (delete half of a replacement), else a pure delete.")
    data_lost: str | None = doc(
        "What data the change destroys, in words; absent when the data survives (a final snapshot is "
        "taken, deletion protection or a non-empty bucket makes the delete fail)."
    )
    data_kept_by: str | None = doc("Why the data survives, when it does.")
