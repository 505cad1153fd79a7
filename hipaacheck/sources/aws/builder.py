"""Build one canonical resource from API results; a failed read becomes error gaps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...display import MAX_NAME, redact, short
from ...models import Gap, GapKind, Resource
from ...resource_types import RESOURCE_TYPES, quarantine_malformed
from .calls import ALL_FIELDS, Call, Result

SOURCE = "aws"


@dataclass(frozen=True, slots=True)
class Where:
    """The account and region resources are collected in."""

    account: str
    region: str
    partition: str = "aws"

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if regional else ''}:"
            f"{self.account if account else ''}:{resource}"
        )


def tag_map(tags: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """[{Key, Value}, ...] (most services) or {k: v} (a few) -> {k: v}."""
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    result: dict[str, str] = {}
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict) and key in tag:
            result[str(tag[key])] = str(tag.get(value, ""))
    return result


class LiveBuilder:
    def __init__(self, canonical_type: str, address: str, where: Where) -> None:
        self.type = canonical_type
        self.address = address
        self.where = where
        self.attrs: dict[str, Any] = {}
        self.gaps: dict[str, Gap] = {}
        self.name: str | None = None  # the natural name, when it is known before build()
        self.key = ""  # what a later batched call (e.g. tags) knows this resource by

    def set(self, path: str, value: Any) -> None:
        if value is None:
            return
        node = self.attrs
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def setdefault(self, values: dict[str, Any]) -> None:
        for path, value in values.items():
            self.set(path, value)

    def error(self, paths: Iterable[str], reason: str) -> None:
        for path in paths:
            if path == ALL_FIELDS:
                for name in RESOURCE_TYPES[self.type].model_fields:
                    self.gaps[name] = Gap(GapKind.ERROR, reason)
            else:
                self.gaps[path] = Gap(GapKind.ERROR, reason)

    def unknown(self, path: str, reason: str) -> None:
        self.gaps[path] = Gap(GapKind.UNKNOWN, reason)

    def failed(self, spec: Call, result: Result) -> bool:
        """Mark the call's fields when its read failed; True if it did."""
        if result.error is None:
            return False
        self.error(spec.fields, result.error)
        return True

    def tags(self, tags: dict[str, str] | None) -> None:
        if tags is not None:
            self.attrs["tags"] = tags

    def build(self, natural_name: str | None = None) -> Resource:
        # A value of an unexpected shape from AWS must not decide a check.
        for path, problem in quarantine_malformed(self.type, self.attrs).items():
            self.gaps[path] = Gap(GapKind.ERROR, f"unexpected value from AWS ({problem})")
        tags = self.attrs.get("tags") or {}
        natural_name = natural_name or self.name
        name = tags.get("Name") if isinstance(tags.get("Name"), str) and tags.get("Name") else natural_name
        return Resource(
            type=self.type,
            # Names (tags) and addresses are shown in every report: never a credential-shaped string.
            address=redact(self.address),
            source=SOURCE,
            attrs=self.attrs,
            gaps=self.gaps,
            name=short(name, MAX_NAME) if name is not None else None,
            region=self.where.region,
            account=self.where.account,
        )


def placeholder(canonical_type: str, where: Where, reason: str) -> Resource:
    """Stands for every resource of a type in a region whose listing failed: all checks report error."""
    b = LiveBuilder(canonical_type, f"aws://{where.account}/{where.region}/{canonical_type}/*", where)
    b.error([ALL_FIELDS], reason)
    return b.build(f"every {canonical_type} in {where.region} (not listed)")


# Canonical types that describe a change, which only a plan holds.
PLAN_ONLY_TYPES = ("data_store_deletion",)


def plan_only(canonical_type: str, where: Where) -> Resource:
    """Stands for a plan-only type in a live scan: its checks are skipped, and say why."""
    b = LiveBuilder(canonical_type, f"aws://{where.account}/{canonical_type}", where)
    reason = "only a Terraform plan shows what a change deletes; a live scan sees what exists"
    for name in RESOURCE_TYPES[canonical_type].model_fields:
        b.gaps[name] = Gap(GapKind.NOT_MANAGED, reason)
    resource = b.build(f"{canonical_type} (plan only)")
    resource.region = None
    return resource
