"""CloudTrail trails and CloudWatch log groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....derive.cloudtrail import management_events
from ....models import Resource
from ..plan import Plan
from ..raw import UNKNOWN
from ..references import Linker
from .builder import Builder, Malformed, known_str, string_list, to_bool, to_int


def _blocks(value: Any, what: str) -> list[dict[str, Any]]:
    """A list of blocks; null or absent is none. Anything else is malformed."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Malformed(f"{what} is not a list of blocks")
    return value


def _management_events(selectors: Any, advanced: Any) -> Any:
    if selectors is UNKNOWN or advanced is UNKNOWN:
        return UNKNOWN
    categories = None
    advanced_blocks = _blocks(advanced, "advanced_event_selector")
    if advanced_blocks:
        categories = [
            [
                v
                for f in _blocks(s.get("field_selector"), "advanced_event_selector.field_selector")
                if f.get("field") == "eventCategory"
                for v in string_list(f.get("equals"), "advanced_event_selector.field_selector.equals")
            ]
            for s in advanced_blocks
        ]
    basic = []
    for selector in _blocks(selectors, "event_selector"):
        read_write, include = selector.get("read_write_type"), to_bool(selector.get("include_management_events"))
        if not (read_write is None or isinstance(read_write, str)) or not (
            include is None or isinstance(include, bool)
        ):
            raise Malformed("event_selector has a read_write_type or include_management_events of the wrong type")
        basic.append((read_write, include))
    return management_events(basic, categories)


def _s3_data_events(selectors: Any) -> Any:
    if selectors is UNKNOWN:
        return UNKNOWN
    values: list[str] = []
    for selector in _blocks(selectors, "event_selector"):
        for resource in _blocks(selector.get("data_resource"), "event_selector.data_resource"):
            if resource.get("type") == "AWS::S3::Object":
                values.extend(string_list(resource.get("values"), "event_selector.data_resource.values"))
    return values


def _derived(b: Builder, field: str, compute: Callable[..., Any], *args: Any) -> None:
    try:
        b.set(field, compute(*args))
    except Malformed as exc:
        b.error(field, f"malformed value in the plan ({b.resource.address}.{exc})")


def cloudtrails(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_cloudtrail"):
        b = Builder(plan, resource, "cloudtrail")
        b.tags()
        b.take("trail_name", "name", known_str)
        b.take("multi_region", "is_multi_region_trail", to_bool, default=False)
        b.take("logging", "enable_logging", to_bool, default=True)
        b.take("include_global_service_events", "include_global_service_events", to_bool, default=True)
        b.take("log_file_validation", "enable_log_file_validation", to_bool, default=False)
        b.take("kms_key_id", "kms_key_id", known_str)
        b.take("s3_bucket_name", "s3_bucket_name", known_str)
        b.take("cloudwatch_log_group", "cloud_watch_logs_group_arn", known_str)
        selectors, advanced = resource.raw.get("event_selector"), resource.raw.get("advanced_event_selector")
        _derived(b, "management_events", _management_events, selectors, advanced)
        _derived(b, "s3_data_events", _s3_data_events, selectors)
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources


def log_groups(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_cloudwatch_log_group"):
        b = Builder(plan, resource, "cloudwatch_log_group")
        b.tags()
        b.take("log_group_name", "name", known_str)
        b.take("kms_key_id", "kms_key_id", known_str)
        # Unset and 0 both mean the events never expire.
        b.take("retention_days", "retention_in_days", to_int, default=0)
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources
