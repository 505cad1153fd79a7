"""Facts that span collectors, set once everything is collected (as the plan adapter's joins do).

* s3_bucket.receives_logs: another bucket's S3 server access logs are
  delivered to the bucket (the only log buckets exempt from access logging:
  logging them into themselves would loop; a trail's or load balancer's log
  bucket is judged like any other, as in the plan adapter). When some
  bucket's logging could not be read, a bucket not already known to receive
  logs gets an error gap instead of false.
* account.multi_region_trail_logging: a multi-region trail with global
  service events is logging (the same test as the plan adapter's).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...models import Gap, GapKind, Resource
from .calls import Call, Fetcher
from .collectors.logs import TRAIL_CALLS
from .context import Facts


def link(resources: Sequence[Resource], facts: Facts, fetch: Fetcher) -> None:
    by_type: dict[str, list[Resource]] = {}
    for resource in resources:
        by_type.setdefault(resource.type, []).append(resource)
    _receives_logs(by_type.get("s3_bucket", []))
    for account in by_type.get("account", []):
        _multi_region_trail(account, by_type.get("cloudtrail", []), facts, fetch)


def _receives_logs(buckets: list[Resource]) -> None:
    receivers: set[str] = set()
    unread: list[str] = []
    for bucket in buckets:
        target = bucket.attrs.get("logging", {}).get("target_bucket")
        if target:
            receivers.add(target)
        gap = bucket.gap_for("logging.target_bucket")
        if gap is not None:
            unread.append(f"{bucket.attrs.get('bucket')}: {gap.reason}")
    for bucket in buckets:
        name = bucket.attrs.get("bucket")
        if name is None:
            continue  # a placeholder for buckets that could not be listed
        if name in receivers:
            bucket.attrs["receives_logs"] = True
        elif unread:
            bucket.gaps["receives_logs"] = Gap(GapKind.ERROR, f"log destinations could not all be read ({unread[0]})")
        else:
            bucket.attrs["receives_logs"] = False


def _qualifies(attrs: dict[str, object]) -> bool:
    return (
        attrs.get("multi_region") is True
        and attrs.get("logging") is True
        and (attrs.get("include_global_service_events") is True)
    )


def _multi_region_trail(account: Resource, trails: list[Resource], facts: Facts, fetch: Fetcher) -> None:
    if any(_qualifies(t.attrs) for t in trails):
        account.attrs["multi_region_trail_logging"] = True
        return
    unread = [
        gap.reason
        for t in trails
        for field in ("multi_region", "logging", "include_global_service_events")
        if (gap := t.gap_for(field)) is not None
    ]
    # A multi-region trail whose home region was not scanned still protects the account.
    status_call: Call = TRAIL_CALLS["get_trail_status"]
    for arn, home in sorted(facts.foreign_trails.items()):
        status = fetch.call(status_call, home, Name=arn)
        if status.error:
            unread.append(status.error)
        elif status.data.get("IsLogging") is True:
            account.attrs["multi_region_trail_logging"] = True
            return
    if unread:
        account.gaps["multi_region_trail_logging"] = Gap(GapKind.ERROR, unread[0])
    else:
        account.attrs["multi_region_trail_logging"] = False
