"""CloudTrail trails and CloudWatch log groups."""

from __future__ import annotations

from typing import Any

from ....derive.cloudtrail import management_events
from ....models import Resource
from ..plan import Plan
from ..raw import UNKNOWN
from ..references import Linker
from .builder import Builder, known_str, to_bool, to_int


def _management_events(selectors: Any, advanced: Any) -> Any:
    if selectors is UNKNOWN or advanced is UNKNOWN:
        return UNKNOWN
    categories = None
    if isinstance(advanced, list) and advanced:
        categories = [
            [
                v
                for f in (s.get("field_selector") or [])
                if f.get("field") == "eventCategory"
                for v in f.get("equals") or []
            ]
            for s in advanced
            if isinstance(s, dict)
        ]
    basic = [
        (s.get("read_write_type"), s.get("include_management_events"))
        for s in (selectors if isinstance(selectors, list) else [])
        if isinstance(s, dict)
    ]
    return management_events(basic, categories)


def _s3_data_events(selectors: Any) -> Any:
    if selectors is UNKNOWN:
        return UNKNOWN
    values: list[str] = []
    for selector in selectors if isinstance(selectors, list) else []:
        for resource in (selector.get("data_resource") or []) if isinstance(selector, dict) else []:
            if isinstance(resource, dict) and resource.get("type") == "AWS::S3::Object":
                values.extend(str(v) for v in resource.get("values") or [])
    return values


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
        selectors = resource.raw.get("event_selector")
        b.set("management_events", _management_events(selectors, resource.raw.get("advanced_event_selector")))
        b.set("s3_data_events", _s3_data_events(selectors))
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
