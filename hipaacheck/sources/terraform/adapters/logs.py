"""CloudTrail trails and CloudWatch log groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....derive.cloudtrail import (
    BasicSelector,
    FieldSelector,
    TrailDataEvents,
    management_events,
    s3_object_event_prefixes,
)
from ....models import Resource
from ..plan import Plan, PlanResource
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


_FIELD_OPERATORS = ("equals", "not_equals", "starts_with")
_OTHER_OPERATORS = ("not_starts_with", "ends_with", "not_ends_with")


def selectors(trail_selectors: Any, advanced: Any) -> tuple[list[BasicSelector], list[list[FieldSelector]] | None]:
    """The trail's event selectors in the shared shape (derive.cloudtrail); Malformed if not readable."""
    advanced_blocks = _blocks(advanced, "advanced_event_selector")
    parsed_advanced: list[list[FieldSelector]] | None = None
    if advanced_blocks:
        parsed_advanced = []
        for selector in advanced_blocks:
            fields = []
            for f in _blocks(selector.get("field_selector"), "advanced_event_selector.field_selector"):
                name = f.get("field")
                if not isinstance(name, str):
                    raise Malformed("advanced_event_selector.field_selector.field is not a string")
                lists = {
                    op: tuple(string_list(f.get(op), f"advanced_event_selector.field_selector.{op}"))
                    for op in (*_FIELD_OPERATORS, *_OTHER_OPERATORS)
                }
                fields.append(
                    FieldSelector(
                        name,
                        lists["equals"],
                        lists["not_equals"],
                        lists["starts_with"],
                        other=any(lists[op] for op in _OTHER_OPERATORS),
                    )
                )
            parsed_advanced.append(fields)
    basic = []
    for selector in _blocks(trail_selectors, "event_selector"):
        read_write, include = selector.get("read_write_type"), to_bool(selector.get("include_management_events"))
        if not (read_write is None or isinstance(read_write, str)) or not (
            include is None or isinstance(include, bool)
        ):
            raise Malformed("event_selector has a read_write_type or include_management_events of the wrong type")
        resources = tuple(
            (str(r.get("type")), tuple(string_list(r.get("values"), "event_selector.data_resource.values")))
            for r in _blocks(selector.get("data_resource"), "event_selector.data_resource")
        )
        excluded = tuple(
            string_list(
                selector.get("exclude_management_event_sources"), "event_selector.exclude_management_event_sources"
            )
        )
        basic.append(BasicSelector(read_write or None, include, excluded, resources))
    return basic, parsed_advanced


def trail_selectors(trail: PlanResource) -> Any:
    """selectors() of a plan trail, or UNKNOWN when they are known only after apply."""
    if trail.raw.is_unknown("event_selector") or trail.raw.is_unknown("advanced_event_selector"):
        return UNKNOWN
    return selectors(trail.raw.get("event_selector"), trail.raw.get("advanced_event_selector"))


def _management_events(trail: PlanResource) -> Any:
    parsed = trail_selectors(trail)
    return UNKNOWN if parsed is UNKNOWN else management_events(*parsed)


def _s3_data_events(trail: PlanResource) -> Any:
    parsed = trail_selectors(trail)
    return UNKNOWN if parsed is UNKNOWN else s3_object_event_prefixes(*parsed)


def data_event_trails(plan: Plan, region: str | None) -> list[TrailDataEvents]:
    """What each trail in the plan contributes to object-level logging of a bucket in ``region``.

    Malformed selectors count as "not known" here; the trail's own checks report the error.
    """
    found = []
    for trail in plan.of_type("aws_cloudtrail"):
        logging = to_bool(trail.raw.get("enable_logging"))
        multi = to_bool(trail.raw.get("is_multi_region_trail"))
        same_region = plan.provider_region(trail.provider_key) == region
        try:
            prefixes = None if trail.raw.problem else _s3_data_events(trail)
        except Malformed:
            prefixes = None
        found.append(
            TrailDataEvents(
                # Terraform's enable_logging defaults to true.
                logging=None if logging is UNKNOWN or trail.raw.problem else logging is not False,
                reaches_bucket_region=multi is True or multi is UNKNOWN or same_region,
                prefixes=None if prefixes is UNKNOWN or prefixes is None or multi is UNKNOWN else tuple(prefixes),
            )
        )
    return found


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
        _derived(b, "management_events", _management_events, resource)
        _derived(b, "s3_data_events", _s3_data_events, resource)
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
