"""Issue 11 item 1: what a trail records, decided once (derive.cloudtrail) from both sources' shapes.

Each variant is written twice, as Terraform's plan blocks and as
GetEventSelectors' answer; both readers must give the same verdict. The
real-plan verdicts are in fixtures/terraform/defaults/expected.yaml; the live
ones in tests/aws/test_sound_defaults_live.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from hipaacheck.derive.cloudtrail import (
    TrailDataEvents,
    account_shortfall,
    covers_bucket,
    management_events,
    object_events_logged,
    protects_account,
    s3_object_event_prefixes,
    shortfall_note,
)
from hipaacheck.sources.aws.collectors import logs as live_logs
from hipaacheck.sources.terraform.adapters import logs as plan_logs

BUCKET = "arn:aws:s3:::claims/"


def basic(read_write: str | None = "All", include: bool | None = True, values: tuple[str, ...] = (), exclude=()) -> Any:
    plan = {
        "read_write_type": read_write,
        "include_management_events": include,
        "exclude_management_event_sources": list(exclude) or None,
        "data_resource": [{"type": "AWS::S3::Object", "values": list(values)}] if values else [],
    }
    live: dict[str, Any] = {"IncludeManagementEvents": include}
    if read_write:
        live["ReadWriteType"] = read_write
    if values:
        live["DataResources"] = [{"Type": "AWS::S3::Object", "Values": list(values)}]
    if exclude:
        live["ExcludeManagementEventSources"] = list(exclude)
    return plan, live


def field(name: str, **ops: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    live_names = {"equals": "Equals", "not_equals": "NotEquals", "starts_with": "StartsWith", "ends_with": "EndsWith"}
    plan = {"field": name, **{op: values for op, values in ops.items()}}
    live = {"Field": name, **{live_names[op]: values for op, values in ops.items()}}
    return plan, live


def advanced(*fields: tuple[dict[str, Any], dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"name": "s", "field_selector": [f[0] for f in fields]}, {
        "Name": "s",
        "FieldSelectors": [f[1] for f in fields],
    }


MANAGEMENT = field("eventCategory", equals=["Management"])
DATA = field("eventCategory", equals=["Data"])
S3_OBJECTS = field("resources.type", equals=["AWS::S3::Object"])

# id -> (basic selectors, advanced selectors, management events, S3 prefixes logged for reads and writes)
VARIANTS: dict[str, tuple[list[Any], list[Any], str | None, list[str]]] = {
    "no selectors: all management events": ([], [], "All", []),
    "basic All": ([basic()], [], "All", []),
    "basic WriteOnly": ([basic("WriteOnly")], [], "WriteOnly", []),
    "basic ReadOnly + WriteOnly": ([basic("ReadOnly"), basic("WriteOnly")], [], "All", []),
    "basic data only": ([basic(include=False, values=(BUCKET,))], [], None, [BUCKET]),
    "basic KMS excluded": ([basic(exclude=("kms.amazonaws.com",))], [], "Partial", []),
    "basic data read only": ([basic("ReadOnly", values=(BUCKET,))], [], "ReadOnly", []),
    "basic data reads + writes": (
        [basic("ReadOnly", values=(BUCKET,)), basic("WriteOnly", include=False, values=(BUCKET,))],
        [],
        "ReadOnly",
        [BUCKET],
    ),
    "advanced management": ([], [advanced(MANAGEMENT)], "All", []),
    "advanced management reads": ([], [advanced(MANAGEMENT, field("readOnly", equals=["true"]))], "ReadOnly", []),
    "advanced management writes (not_equals)": (
        [],
        [advanced(MANAGEMENT, field("readOnly", not_equals=["true"]))],
        "WriteOnly",
        [],
    ),
    "advanced management without KMS": (
        [],
        [advanced(MANAGEMENT, field("eventSource", not_equals=["kms.amazonaws.com"]))],
        "Partial",
        [],
    ),
    "advanced data only (every bucket)": ([], [advanced(DATA, S3_OBJECTS)], None, ["arn:aws:s3"]),
    "advanced data for one bucket": (
        [],
        [advanced(MANAGEMENT), advanced(DATA, S3_OBJECTS, field("resources.ARN", starts_with=[BUCKET]))],
        "All",
        [BUCKET],
    ),
    "advanced data for one object (Equals)": (
        [],
        [advanced(DATA, S3_OBJECTS, field("resources.ARN", equals=[BUCKET]))],
        None,
        [],
    ),
    "advanced data narrowed by event name": (
        [],
        [advanced(DATA, S3_OBJECTS, field("eventName", equals=["GetObject"]))],
        None,
        [],
    ),
    "advanced replaces basic": ([basic()], [advanced(DATA, S3_OBJECTS)], None, ["arn:aws:s3"]),
    # readOnly read as a set of values: equals both is every event, not_equals removes one.
    "advanced management readOnly true and false": (
        [],
        [advanced(MANAGEMENT, field("readOnly", equals=["true", "false"]))],
        "All",
        [],
    ),
    "advanced management reads (not_equals false)": (
        [],
        [advanced(MANAGEMENT, field("readOnly", not_equals=["false"]))],
        "ReadOnly",
        [],
    ),
    # Fields are ANDed: readOnly true AND readOnly false matches no event at all.
    "advanced management readOnly true AND false": (
        [],
        [advanced(MANAGEMENT, field("readOnly", equals=["true"]), field("readOnly", equals=["false"]))],
        None,
        [],
    ),
    # A filter this reader does not interpret never counts as recording everything.
    "advanced management readOnly StartsWith": (
        [],
        [advanced(MANAGEMENT, field("readOnly", starts_with=["t"]))],
        "Partial",
        [],
    ),
    "advanced eventCategory StartsWith is not read as Management": (
        [],
        [advanced(field("eventCategory", starts_with=["Manage"]))],
        None,
        [],
    ),
    # eventCategory != Management selects data events only.
    "advanced eventCategory not Management": (
        [],
        [advanced(field("eventCategory", not_equals=["Management"]), S3_OBJECTS)],
        None,
        ["arn:aws:s3"],
    ),
    # Every selector is read, whatever comes before it.
    "advanced data then management": (
        [],
        [advanced(DATA, S3_OBJECTS), advanced(MANAGEMENT)],
        "All",
        ["arn:aws:s3"],
    ),
    "advanced contradictory readOnly then management": (
        [],
        [
            advanced(MANAGEMENT, field("readOnly", equals=["true"]), field("readOnly", equals=["false"])),
            advanced(MANAGEMENT),
        ],
        "All",
        [],
    ),
    "advanced narrowed data then all S3 objects": (
        [],
        [advanced(DATA, S3_OBJECTS, field("eventName", equals=["GetObject"])), advanced(DATA, S3_OBJECTS)],
        None,
        ["arn:aws:s3"],
    ),
    "advanced DynamoDB data then S3 objects": (
        [],
        [advanced(DATA, field("resources.type", equals=["AWS::DynamoDB::Table"])), advanced(DATA, S3_OBJECTS)],
        None,
        ["arn:aws:s3"],
    ),
    "basic data only then basic All": ([basic(include=False, values=(BUCKET,)), basic()], [], "All", [BUCKET]),
    # CloudTrail requires eventCategory in every advanced selector: one without it records nothing.
    "advanced selector without eventCategory": ([], [advanced(S3_OBJECTS)], None, []),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_both_sources_read_selectors_the_same(variant: str) -> None:
    basics, advanceds, expected_management, expected_prefixes = VARIANTS[variant]
    plan_shape = plan_logs.selectors([b[0] for b in basics], [a[0] for a in advanceds])
    live_shape = live_logs.selectors(
        {"EventSelectors": [b[1] for b in basics], "AdvancedEventSelectors": [a[1] for a in advanceds]}
    )
    assert plan_shape == live_shape
    assert management_events(*plan_shape) == expected_management
    assert s3_object_event_prefixes(*plan_shape) == expected_prefixes
    assert (
        live_logs.management_events(
            {"EventSelectors": [b[1] for b in basics], "AdvancedEventSelectors": [a[1] for a in advanceds]}
        )
        == expected_management
    )


@pytest.mark.parametrize(
    ("prefix", "covered"),
    [
        ("arn:aws:s3", True),
        ("arn:aws:s3:::", True),
        ("arn:aws-us-gov:s3", True),
        ("arn:aws:s3:::claims/", True),
        ("arn:aws:s3:::claims/exports/", False),  # a prefix is not the whole bucket
        ("arn:aws:s3:::claims-2/", False),
        ("arn:aws:s3:::claim", False),
    ],
)
def test_covers_bucket(prefix: str, covered: bool) -> None:
    assert covers_bucket(prefix, "claims") is covered


def test_object_events_logged_needs_a_logging_trail_in_reach() -> None:
    covering = ("arn:aws:s3:::claims/",)
    assert object_events_logged("claims", [TrailDataEvents(True, True, covering)]) is True
    assert object_events_logged("claims", [TrailDataEvents(False, True, covering)]) is False  # stopped
    assert object_events_logged("claims", [TrailDataEvents(True, False, covering)]) is False  # other region
    assert object_events_logged("claims", [TrailDataEvents(True, True, None)]) is None  # unread
    assert object_events_logged("claims", [TrailDataEvents(None, True, covering)]) is None
    assert object_events_logged("claims", []) is False
    # Every trail is considered: one out of reach or unread does not hide a later one that logs.
    elsewhere, unread = TrailDataEvents(True, False, covering), TrailDataEvents(True, True, None)
    assert object_events_logged("claims", [elsewhere, TrailDataEvents(True, True, covering)]) is True
    assert object_events_logged("claims", [unread, TrailDataEvents(True, True, covering)]) is True


@pytest.mark.parametrize(
    ("management", "protects"),
    [("All", True), ("ReadOnly", False), ("WriteOnly", False), ("Partial", False), (None, False)],
)
def test_account_trail_must_record_every_management_event(management: str | None, protects: bool) -> None:
    assert protects_account(True, True, True, management) is protects
    assert protects_account(False, True, True, "All") is False


def test_the_account_finding_says_why_no_trail_counts(builtin_policies: Any) -> None:
    from hipaacheck.engine import evaluate
    from hipaacheck.sources.terraform import load_plan_resources

    from .conftest import FIXTURES

    _, resources = load_plan_resources(FIXTURES / "defaults" / "plan.json")
    (finding,) = [f for f in evaluate(builtin_policies, resources) if f.policy_id == "cloudtrail-multi-region-logging"]
    assert "aws_cloudtrail.data_only (management events: none)" in finding.message


@pytest.mark.parametrize(
    ("trail", "why"),
    [
        ((False, True, True, "All"), "single-region"),
        ((True, False, True, "All"), "not logging"),
        ((True, True, False, "All"), "no global service events"),
        ((True, True, True, "ReadOnly"), "management events: ReadOnly"),
        ((True, True, True, None), "management events: none"),
        ((True, True, True, "All"), "counts"),
    ],
)
def test_why_a_trail_does_not_count_for_the_account(trail: tuple[Any, ...], why: str) -> None:
    assert account_shortfall(*trail) == why


def test_the_nearest_misses_are_named_first_and_the_rest_counted() -> None:
    trails = [(f"t{i}", "single-region") for i in range(6)] + [("zeta", "not logging")]
    assert shortfall_note(trails) == (
        "no trail counts: zeta (not logging); t0 (single-region); t1 (single-region); "
        "t2 (single-region); t3 (single-region); and 2 more"
    )
    assert shortfall_note(trails[:6]).endswith("t4 (single-region); and 1 more")
    assert shortfall_note(trails[:5]) == (
        "no trail counts: t0 (single-region); t1 (single-region); t2 (single-region); "
        "t3 (single-region); t4 (single-region)"
    )
