"""Facts that span collectors, set once everything is collected (as the plan adapter's joins do).

* s3_bucket.receives_logs: another bucket's S3 server access logs are
  delivered to the bucket (the only log buckets exempt from access logging:
  logging them into themselves would loop; a trail's or load balancer's log
  bucket is judged like any other, as in the plan adapter);
  s3_bucket.log_destination: any of those, a trail or a load balancer delivers
  logs to the bucket. When some sender could not be read, a bucket not already
  known to receive logs gets an error gap instead of false.
* account.multi_region_trail_logging: a multi-region trail with global
  service events is logging and records every management event (the same
  test as the plan adapter's, derive.cloudtrail.protects_account).
* s3_bucket.object_level_logging: some logging trail records the bucket's
  object reads and writes (derive.cloudtrail.object_events_logged).
* backup_plan_protected on the data stores: some AWS Backup selection of the
  store's region covers it (collectors/backup.py, derive.backup_selection).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...derive.cloudtrail import (
    TrailDataEvents,
    account_shortfall,
    object_events_logged,
    protects_account,
    shortfall_note,
)
from ...models import Gap, GapKind, Resource
from .calls import Fetcher
from .collectors.backup import link_protection
from .collectors.logs import TRAIL_CALLS, management_events, s3_data_events
from .context import Facts


def link(resources: Sequence[Resource], facts: Facts, fetch: Fetcher) -> None:
    by_type: dict[str, list[Resource]] = {}
    for resource in resources:
        by_type.setdefault(resource.type, []).append(resource)
    _receives_logs(by_type.get("s3_bucket", []), by_type.get("cloudtrail", []), facts)
    for account in by_type.get("account", []):
        _multi_region_trail(account, by_type.get("cloudtrail", []), facts, fetch)
    _object_level_logging(by_type.get("s3_bucket", []), by_type.get("cloudtrail", []), facts, fetch)
    link_protection(resources, facts)


def _receives_logs(buckets: list[Resource], trails: list[Resource], facts: Facts) -> None:
    access: set[str] = set()
    access_unread: list[str] = []
    for bucket in buckets:
        target = bucket.attrs.get("logging", {}).get("target_bucket")
        if target:
            access.add(target)
        gap = bucket.gap_for("logging.target_bucket")
        if gap is not None:
            access_unread.append(f"{bucket.attrs.get('bucket')}: {gap.reason}")
    destinations = access | set(facts.log_buckets)
    unread = [*access_unread, *facts.log_sources_unread]
    for trail in trails:
        if trail.attrs.get("s3_bucket_name"):
            destinations.add(trail.attrs["s3_bucket_name"])
        elif (trail_gap := trail.gap_for("s3_bucket_name")) is not None:
            unread.append(trail_gap.reason)
    for bucket in buckets:
        name = bucket.attrs.get("bucket")
        if name is None:
            continue  # a placeholder for buckets that could not be listed
        for field, names, problems in (
            ("receives_logs", access, access_unread),
            ("log_destination", destinations, unread),
        ):
            if name in names:
                bucket.attrs[field] = True
            elif problems:
                bucket.gaps[field] = Gap(GapKind.ERROR, f"log destinations could not all be read ({problems[0]})")
            else:
                bucket.attrs[field] = False


def _qualifies(attrs: dict[str, Any]) -> bool:
    return protects_account(
        attrs.get("multi_region"),
        attrs.get("logging"),
        attrs.get("include_global_service_events"),
        attrs.get("management_events"),
    )


_TRAIL_FIELDS = ("multi_region", "logging", "include_global_service_events", "management_events")


def _foreign(facts: Facts, fetch: Fetcher) -> list[tuple[str, dict[str, Any] | None, str | None]]:
    """Multi-region trails whose home region was not scanned: (arn, attrs or None, why not read)."""
    found: list[tuple[str, dict[str, Any] | None, str | None]] = []
    for arn, home in sorted(facts.foreign_trails.items()):
        status = fetch.call(TRAIL_CALLS["get_trail_status"], home, Name=arn)
        selectors = fetch.call(TRAIL_CALLS["get_event_selectors"], home, TrailName=arn)
        error = status.error or selectors.error
        if error:
            found.append((arn, None, error))
            continue
        attrs = {
            # Only multi-region trails with global service events are recorded as foreign.
            "multi_region": True,
            "include_global_service_events": True,
            "logging": status.data.get("IsLogging") is True,
            "management_events": management_events(selectors.data),
            "s3_data_events": s3_data_events(selectors.data),
        }
        found.append((arn, attrs, None))
    return found


def _multi_region_trail(account: Resource, trails: list[Resource], facts: Facts, fetch: Fetcher) -> None:
    if any(_qualifies(t.attrs) for t in trails):
        account.attrs["multi_region_trail_logging"] = True
        return
    unread = [gap.reason for t in trails for field in _TRAIL_FIELDS if (gap := t.gap_for(field)) is not None]
    # A multi-region trail whose home region was not scanned still protects the account.
    for _, attrs, error in _foreign(facts, fetch):
        if error:
            unread.append(error)
        elif attrs is not None and _qualifies(attrs):
            account.attrs["multi_region_trail_logging"] = True
            return
    if unread:
        account.gaps["multi_region_trail_logging"] = Gap(GapKind.ERROR, unread[0])
    else:
        account.attrs["multi_region_trail_logging"] = False
        if trails:
            account.notes["multi_region_trail_logging"] = shortfall_note(
                [(str(t.name), account_shortfall(*(t.attrs.get(f) for f in _TRAIL_FIELDS))) for t in trails]
            )


def _object_level_logging(buckets: list[Resource], trails: list[Resource], facts: Facts, fetch: Fetcher) -> None:
    """s3_bucket.object_level_logging from every trail's data event selectors (derive.cloudtrail decides)."""
    sources: list[tuple[dict[str, Any], str | None, str | None]] = [(t.attrs, t.region, _trail_gap(t)) for t in trails]
    sources += [(attrs or {}, None, error) for _, attrs, error in _foreign(facts, fetch)]
    for bucket in buckets:
        name = bucket.attrs.get("bucket")
        if not isinstance(name, str):
            continue  # a placeholder for buckets that could not be listed
        contributions = [
            TrailDataEvents(
                logging=None if error else attrs.get("logging"),
                reaches_bucket_region=attrs.get("multi_region") is True or region == bucket.region or bool(error),
                prefixes=None if error else tuple(attrs.get("s3_data_events") or ()),
            )
            for attrs, region, error in sources
        ]
        logged = object_events_logged(name, contributions)
        if logged is None:
            reason = next((e for _, _, e in sources if e), "a trail's logging status could not be read")
            bucket.gaps["object_level_logging"] = Gap(GapKind.ERROR, f"trails could not all be read ({reason})")
        else:
            bucket.attrs["object_level_logging"] = logged


def _trail_gap(trail: Resource) -> str | None:
    for field in ("logging", "s3_data_events", "multi_region"):
        gap = trail.gap_for(field)
        if gap is not None:
            return gap.reason
    return None
