"""What a CloudTrail trail records, from its event selectors (both sources' shapes, one rule).

Sources translate their shapes (Terraform's ``event_selector`` /
``advanced_event_selector`` blocks, ``GetEventSelectors``) into the small
types below, and every verdict is computed here.

CloudTrail's rules (User Guide, "Logging management events" and "Logging
data events", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html
and .../logging-data-events-with-cloudtrail.html):

* A trail with no selectors logs every management event, reads and writes,
  and no data events.
* Basic selectors: ``IncludeManagementEvents`` (default true) with
  ``ReadWriteType`` (default All); ``ExcludeManagementEventSources`` drops
  whole services (KMS, RDS Data API). Data resources list S3 object ARN
  prefixes (``arn:aws:s3:::bucket/``), or ``arn:aws:s3`` for every bucket.
* Advanced selectors replace basic ones. A selector matches the events for
  which every field selector holds (they are ANDed); a management selector
  has ``eventCategory = Management``, and a ``readOnly`` field narrows it to
  reads or writes. Data selectors carry ``resources.type`` and, to limit
  them, ``resources.ARN``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ALL = "All"
READ_ONLY = "ReadOnly"
WRITE_ONLY = "WriteOnly"
# Management events are recorded, but only from some event sources (or with other filters).
PARTIAL = "Partial"

_S3_OBJECT = "AWS::S3::Object"


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """One field condition of an advanced selector."""

    field: str
    equals: tuple[str, ...] = ()
    not_equals: tuple[str, ...] = ()
    starts_with: tuple[str, ...] = ()
    # NotStartsWith, EndsWith, NotEndsWith: a filter this module does not try to interpret.
    other: bool = False


@dataclass(frozen=True, slots=True)
class BasicSelector:
    read_write_type: str | None = None  # None = All
    include_management_events: bool | None = None  # None = true
    excluded_sources: tuple[str, ...] = ()
    # (data resource type, values)
    data_resources: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _kind(read_write: str | None) -> str:
    return read_write or ALL


def _combine(kinds: set[str]) -> str | None:
    if ALL in kinds or {READ_ONLY, WRITE_ONLY} <= kinds:
        return ALL
    for kind in (READ_ONLY, WRITE_ONLY, PARTIAL):
        if kind in kinds:
            return kind
    return None


def _read_write(fields: Sequence[FieldSelector]) -> str | None:
    """All, ReadOnly or WriteOnly from a selector's readOnly fields; None if it matches no event."""
    kind = ALL
    for f in fields:
        if f.field != "readOnly":
            continue
        if f.other or f.starts_with:
            return PARTIAL
        values = {v.lower() for v in f.equals} or {"true", "false"}
        values -= {v.lower() for v in f.not_equals}
        if not values:
            return None
        narrowed = ALL if values >= {"true", "false"} else READ_ONLY if values == {"true"} else WRITE_ONLY
        if kind == ALL:
            kind = narrowed
        elif narrowed not in (ALL, kind):
            return None  # readOnly = true AND readOnly = false: nothing
    return kind


def _category_matches(fields: Sequence[FieldSelector], category: str) -> bool:
    found = False
    for f in fields:
        if f.field != "eventCategory":
            continue
        found = True
        if f.other or f.starts_with:
            return False
        if f.equals and category not in f.equals:
            return False
        if category in f.not_equals:
            return False
    return found


def management_events(basic: Sequence[BasicSelector], advanced: Sequence[Sequence[FieldSelector]] | None) -> str | None:
    """All, ReadOnly, WriteOnly, Partial (some event sources excluded), or None when none are logged.

    ``advanced``: the trail's advanced selectors (each a list of field
    selectors), or None when it has none (then ``basic`` applies).
    """
    kinds: set[str] = set()
    if advanced is not None:
        for fields in advanced:
            if not _category_matches(fields, "Management"):
                continue
            kind = _read_write(fields)
            if kind is None:
                continue
            narrowing = [f for f in fields if f.field not in ("eventCategory", "readOnly")]
            kinds.add(PARTIAL if narrowing else kind)
        return _combine(kinds)
    if not basic:
        return ALL  # no selectors at all: CloudTrail logs every management event
    for selector in basic:
        if selector.include_management_events is False:
            continue
        kinds.add(PARTIAL if selector.excluded_sources else _kind(selector.read_write_type))
    return _combine(kinds)


def s3_object_event_prefixes(
    basic: Sequence[BasicSelector], advanced: Sequence[Sequence[FieldSelector]] | None
) -> list[str]:
    """S3 object ARN prefixes whose data events (reads and writes) the trail logs.

    ``arn:aws:s3`` (no bucket) stands for every bucket. A prefix logged only
    for reads in one selector and only for writes in another counts; one
    logged only for reads does not: access to ePHI is both.
    """
    by_kind: dict[str, set[str]] = {ALL: set(), READ_ONLY: set(), WRITE_ONLY: set()}
    if advanced is not None:
        for fields in advanced:
            if not _category_matches(fields, "Data"):
                continue
            types = [f for f in fields if f.field == "resources.type"]
            if not types or any(f.other or f.starts_with or _S3_OBJECT not in f.equals for f in types):
                continue
            kind = _read_write(fields)
            arns = [f for f in fields if f.field == "resources.ARN"]
            others = [
                f for f in fields if f.field not in ("eventCategory", "resources.type", "readOnly", "resources.ARN")
            ]
            if kind not in by_kind or others or any(f.other or f.not_equals for f in arns):
                continue  # narrowed to some events or principals: not the bucket's whole record
            if not arns:
                by_kind[kind].add("arn:aws:s3")
                continue
            for f in arns:
                # Equals names single objects, never a whole bucket: only StartsWith can cover one.
                by_kind[kind].update(f.starts_with)
    else:
        for selector in basic:
            kind = _kind(selector.read_write_type)
            if kind not in by_kind:
                continue
            for resource_type, values in selector.data_resources:
                if resource_type == _S3_OBJECT:
                    by_kind[kind].update(values)
    both = by_kind[ALL] | (by_kind[READ_ONLY] & by_kind[WRITE_ONLY])
    return sorted(both)


_EVERY_BUCKET = re.compile(r"^arn:[a-z-]+:s3(:::)?$")


def covers_bucket(prefix: str, bucket: str) -> bool:
    """The ARN prefix covers every object of the bucket: ``arn:aws:s3`` or ``arn:aws:s3:::bucket/``."""
    if _EVERY_BUCKET.match(prefix):
        return True
    head, sep, rest = prefix.partition(":::")
    return bool(sep) and re.fullmatch(r"arn:[a-z-]+:s3", head) is not None and rest == f"{bucket}/"


@dataclass(frozen=True, slots=True)
class TrailDataEvents:
    """What one trail contributes to a bucket's object-level logging."""

    logging: bool | None  # None: not known
    reaches_bucket_region: bool  # multi-region, or in the bucket's region
    prefixes: tuple[str, ...] | None  # None: not known


def object_events_logged(bucket: str, trails: Iterable[TrailDataEvents]) -> bool | None:
    """Some logging trail records the bucket's object reads and writes; None when that cannot be told."""
    unsure = False
    for trail in trails:
        if not trail.reaches_bucket_region or trail.logging is False:
            continue
        if trail.prefixes is None:
            unsure = True
            continue
        if any(covers_bucket(p, bucket) for p in trail.prefixes):
            if trail.logging is True:
                return True
            unsure = True
    return None if unsure else False


def protects_account(
    multi_region: bool | None, logging: bool | None, global_events: bool | None, management: str | None
) -> bool:
    """A trail that counts for the account: multi-region, logging, global events, all management events."""
    return multi_region is True and logging is True and global_events is True and management == ALL


def account_shortfall(
    multi_region: bool | None, logging: bool | None, global_events: bool | None, management: str | None
) -> str:
    """Why a trail does not count for the account, in words (for the finding's evidence)."""
    if multi_region is not True:
        return "single-region"
    if logging is not True:
        return "not logging"
    if global_events is not True:
        return "no global service events"
    if management != ALL:
        return f"management events: {management or 'none'}"
    return "counts"


def shortfall_note(shortfalls: Sequence[tuple[str, str]]) -> str:
    """'no trail counts: audit (single-region); data (management events: none)'."""
    # The nearest misses first: a multi-region trail that falls short says the most.
    ordered = sorted(shortfalls, key=lambda item: item[1] == "single-region")
    shown = "; ".join(f"{name} ({why})" for name, why in ordered[:5])
    more = f"; and {len(shortfalls) - 5} more" if len(shortfalls) > 5 else ""
    return f"no trail counts: {shown}{more}"
