"""CloudTrail trails (home region only, so each trail is one resource) and CloudWatch log groups."""

from __future__ import annotations

from typing import Any

from ....derive.cloudtrail import BasicSelector, FieldSelector, s3_object_event_prefixes
from ....derive.cloudtrail import management_events as derive_management_events
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context

TRAIL_CALLS = calls(
    Call("cloudtrail", "describe_trails", "cloudtrail:DescribeTrails", (ALL_FIELDS,)),
    Call("cloudtrail", "get_trail_status", "cloudtrail:GetTrailStatus", ("logging",)),
    Call("cloudtrail", "get_event_selectors", "cloudtrail:GetEventSelectors", ("management_events", "s3_data_events")),
    Call("cloudtrail", "list_tags", "cloudtrail:ListTags", ("tags",), paginate=True),
)
LOG_CALLS = calls(
    Call("logs", "describe_log_groups", "logs:DescribeLogGroups", (ALL_FIELDS,), paginate=True),
    Call("logs", "list_tags_for_resource", "logs:ListTagsForResource", ("tags",)),
)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def selectors(data: dict[str, Any]) -> tuple[list[BasicSelector], list[list[FieldSelector]] | None]:
    """get_event_selectors' answer in the shape derive.cloudtrail reads (as the Terraform adapter does)."""
    advanced = data.get("AdvancedEventSelectors") or []
    parsed_advanced = None
    if advanced:
        parsed_advanced = [
            [
                FieldSelector(
                    str(f.get("Field")),
                    _strings(f.get("Equals")),
                    _strings(f.get("NotEquals")),
                    _strings(f.get("StartsWith")),
                    other=any(f.get(k) for k in ("NotStartsWith", "EndsWith", "NotEndsWith")),
                )
                for f in s.get("FieldSelectors") or []
                if isinstance(f, dict)
            ]
            for s in advanced
            if isinstance(s, dict)
        ]
    basic = [
        BasicSelector(
            s.get("ReadWriteType"),
            s.get("IncludeManagementEvents"),
            _strings(s.get("ExcludeManagementEventSources")),
            tuple(
                (str(r.get("Type")), _strings(r.get("Values")))
                for r in s.get("DataResources") or []
                if isinstance(r, dict)
            ),
        )
        for s in data.get("EventSelectors") or []
        if isinstance(s, dict)
    ]
    return basic, parsed_advanced


def management_events(data: dict[str, Any]) -> str | None:
    return derive_management_events(*selectors(data))


def s3_data_events(data: dict[str, Any]) -> list[str]:
    return s3_object_event_prefixes(*selectors(data))


def collect_trails(ctx: Context) -> list[Resource]:
    c, region = TRAIL_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["describe_trails"], region)
    if listing.error:
        ctx.facts.log_source_unread(listing.error)
        return [placeholder("cloudtrail", ctx.where, listing.error)]
    resources = []
    for trail in listing.data.get("trailList", []):
        arn = str(trail.get("TrailARN"))
        home = trail.get("HomeRegion", region)
        if home != region:
            # A shadow of a multi-region trail: collected in its home region, unless that is not scanned.
            if home not in ctx.regions and trail.get("IsMultiRegionTrail") and trail.get("IncludeGlobalServiceEvents"):
                with ctx.facts.lock:
                    ctx.facts.foreign_trails[arn] = str(home)
            continue
        b = LiveBuilder("cloudtrail", arn, ctx.where)
        b.set("trail_name", trail.get("Name"))
        b.set("multi_region", trail.get("IsMultiRegionTrail") is True)
        b.set("include_global_service_events", trail.get("IncludeGlobalServiceEvents") is True)
        b.set("log_file_validation", trail.get("LogFileValidationEnabled") is True)
        b.set("kms_key_id", trail.get("KmsKeyId"))
        b.set("s3_bucket_name", trail.get("S3BucketName"))
        b.set("cloudwatch_log_group", trail.get("CloudWatchLogsLogGroupArn"))
        status = ctx.fetch.call(c["get_trail_status"], region, Name=arn)
        if not b.failed(c["get_trail_status"], status):
            b.set("logging", status.data.get("IsLogging") is True)
        selectors = ctx.fetch.call(c["get_event_selectors"], region, TrailName=arn)
        if not b.failed(c["get_event_selectors"], selectors):
            b.set("management_events", management_events(selectors.data))
            b.set("s3_data_events", s3_data_events(selectors.data))
        tags = ctx.fetch.call(c["list_tags"], region, ResourceIdList=[arn])
        if not b.failed(c["list_tags"], tags):
            tag_lists = [
                t.get("TagsList") for t in tags.data.get("ResourceTagList") or [] if t.get("ResourceId") == arn
            ]
            b.tags(tag_map(tag_lists[0] if tag_lists else []))
        resources.append(b.build(trail.get("Name")))
    return resources


def collect_log_groups(ctx: Context) -> list[Resource]:
    c, region = LOG_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["describe_log_groups"], region)
    if listing.error:
        return [placeholder("cloudwatch_log_group", ctx.where, listing.error)]
    resources = []
    for group in listing.data.get("logGroups", []):
        name = group.get("logGroupName")
        arn = group.get("logGroupArn") or str(group.get("arn", "")).removesuffix(":*")
        b = LiveBuilder("cloudwatch_log_group", arn or ctx.where.arn("logs", f"log-group:{name}"), ctx.where)
        b.set("log_group_name", name)
        b.set("kms_key_id", group.get("kmsKeyId"))
        # Absent retention means the events never expire, written 0 as in the plan adapter.
        b.set("retention_days", group.get("retentionInDays") or 0)
        tags = ctx.fetch.call(c["list_tags_for_resource"], region, resourceArn=b.address)
        if not b.failed(c["list_tags_for_resource"], tags):
            b.tags(tag_map(tags.data.get("tags")))
        resources.append(b.build(name))
    return resources


TRAILS = Collector("cloudtrail", ("cloudtrail",), TRAIL_CALLS, collect_trails)
LOG_GROUPS = Collector("logs", ("cloudwatch_log_group",), LOG_CALLS, collect_log_groups)
