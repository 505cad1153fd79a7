"""The backup selection matcher and the schedule reader (derive/backup_selection.py, derive/backup_schedule.py)."""

from __future__ import annotations

import pytest

from hipaacheck.derive.backup_schedule import BadSchedule, interval_hours, rules_summary
from hipaacheck.derive.backup_selection import (
    HOLE,
    Selection,
    Store,
    arn_matches,
    patterns_intersect,
    protection,
    selection_matches,
    tag_condition,
)

DB = "arn:aws:rds:us-east-1:111122223333:db:claims"
PLANNED_DB = f"arn:aws:rds:us-east-1:{HOLE}:db:claims"  # a plan: the account is known only after apply
PLANNED_VOLUME = f"arn:aws:ec2:us-east-1:{HOLE}:volume/{HOLE}"


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        ("*", DB, True),
        ("arn:aws:rds:*:*:db:*", DB, True),
        ("arn:aws:rds:*:*:db:claims", DB, True),
        ("arn:aws:rds:*:*:db:reports", DB, False),
        ("arn:aws:rds:*:*:cluster:*", DB, False),
        ("arn:aws:rds:*:*:db:*", PLANNED_DB, True),  # a star absorbs the unknown account
        ("arn:aws:rds:us-east-1:111122223333:db:claims", PLANNED_DB, None),  # only apply names the account
        ("arn:aws:rds:us-east-1:111122223333:db:reports", PLANNED_DB, False),  # no account makes it match
        ("arn:aws:rds:us-east-1:????????????:db:claims", PLANNED_DB, None),  # ? counts characters: not certain
        ("arn:aws:ec2:*:*:volume/*", PLANNED_VOLUME, True),
        ("arn:aws:ec2:*:*:volume/vol-0abc", PLANNED_VOLUME, None),
        ("arn:aws:ec2:*:*:instance/*", PLANNED_VOLUME, False),
        ("arn:aws:rds:*:*:db:*", "arn:aws:RDS:us-east-1:1:db:x", False),  # case sensitive
    ],
)
def test_arn_patterns(pattern: str, arn: str, expected: bool | None) -> None:
    assert arn_matches(pattern, arn) is expected


def test_pattern_intersection() -> None:
    assert patterns_intersect("a*c", "ab*")
    assert patterns_intersect("arn:x:*:db:a", f"arn:x:{HOLE}:db:a")
    assert not patterns_intersect("arn:x:*:instance/*", f"arn:x:{HOLE}:volume/{HOLE}")
    assert not patterns_intersect("arn:x:a:b:db:c", f"arn:x:{HOLE}:db:c")  # a hole holds no colon
    assert patterns_intersect("*", "")
    assert not patterns_intersect("a*", "b*")
    assert patterns_intersect("a?c", "*c")
    assert not patterns_intersect("abc", "abd")


def _store(tags: dict[str, str] | None, arn: str = DB) -> Store:
    return Store("s", arn, tags)


def test_resources_and_not_resources() -> None:
    every_db = Selection("p/every-db", resources=("arn:aws:rds:*:*:db:*",))
    assert selection_matches(every_db, _store({})) is True
    excluded = Selection("p/x", resources=("arn:aws:rds:*:*:db:*",), not_resources=(DB,))
    assert selection_matches(excluded, _store({})) is False
    # A planned store whose account is unknown: an exclusion naming a fixed account may or may not hit.
    assert selection_matches(excluded, _store({}, PLANNED_DB)) is None
    assert selection_matches(Selection("p/all"), _store({})) is True  # no resources: every resource


def test_list_of_tags_are_ored_and_conditions_anded() -> None:
    either = Selection(
        "p/t",
        list_of_tags=(
            tag_condition("StringEquals", "backup", "daily"),
            tag_condition("StringEquals", "backup", "hourly"),
        ),
    )
    assert selection_matches(either, _store({"backup": "hourly"})) is True
    assert selection_matches(either, _store({"backup": "weekly"})) is False
    both = Selection(
        "p/c",
        conditions=(
            tag_condition("StringLike", "aws:ResourceTag/tier", "gold*"),
            tag_condition("StringNotEquals", "aws:ResourceTag/env", "dev"),
        ),
    )
    assert selection_matches(both, _store({"tier": "gold-1", "env": "prod"})) is True
    assert selection_matches(both, _store({"tier": "gold-1", "env": "dev"})) is False
    assert selection_matches(both, _store({"tier": "silver", "env": "prod"})) is False
    # A resource without the tag is not equal to (nor like) any value.
    assert selection_matches(both, _store({"tier": "gold-1"})) is True
    not_like = Selection("p/n", conditions=(tag_condition("StringNotLike", "env", "dev*"),))
    assert selection_matches(not_like, _store({})) is True
    assert selection_matches(not_like, _store({"env": "dev-2"})) is False
    # Resources and tags together: both must hold.
    typed = Selection("p/rt", resources=("arn:aws:dynamodb:*:*:table/*",), list_of_tags=either.list_of_tags)
    assert selection_matches(typed, _store({"backup": "daily"})) is False


def test_unknowns_decide_only_when_apply_would() -> None:
    tagged = Selection("p/t", list_of_tags=(tag_condition("StringEquals", "backup", "daily"),))
    assert selection_matches(tagged, _store(None)) is None  # tags known only after apply
    # A selection that covers the store without reading tags decides whatever the tags are.
    assert protection(_store(None), [tagged, Selection("p/all", resources=("*",))]).protected is True
    unknown_value = Selection("p/u", list_of_tags=(tag_condition("StringEquals", "backup", None),))
    assert selection_matches(unknown_value, _store({"backup": "daily"})) is None
    # Resources the plan cannot pin: a store whose ARN is known is not among them; a planned one may be.
    open_list = Selection("p/o", open_resources=True)
    assert selection_matches(open_list, _store({})) is False
    assert selection_matches(open_list, _store({}, PLANNED_DB)) is None
    named = Selection("p/n", named=frozenset({"s"}))
    assert selection_matches(named, _store({}, PLANNED_DB)) is True
    assert selection_matches(named, Store("other", PLANNED_DB, {})) is False


def test_protection_summary() -> None:
    result = protection(_store({}), [Selection("p/none", resources=("arn:aws:s3:::*",))])
    assert result.protected is False and not result.by
    with pytest.raises(ValueError):
        tag_condition("StringMatches", "k", "v")


@pytest.mark.parametrize(
    ("schedule", "hours"),
    [
        (None, 24),  # no schedule: AWS Backup's default cron(0 5 ? * * *)
        ("cron(0 5 ? * * *)", 24),
        ("cron(0 */4 ? * * *)", 4),
        ("cron(0 1,13 ? * * *)", 12),
        ("cron(0 1,7 ? * * *)", 18),
        ("cron(15 * ? * * *)", 1),
        ("cron(0 3 ? * SUN *)", 168),
        ("cron(0 5 ? * MON-FRI *)", 72),
        ("cron(0 5 1 * ? *)", 744),
        ("cron(0 5 */2 * ? *)", 48),
        ("cron(0 5 ? JAN-JUN * *)", 24 * 31 * 7),
        ("cron(0 5 L * ? *)", 744),
        ("cron(0 5 ? * * 2027)", 24 * 366),
    ],
)
def test_schedule_intervals(schedule: str | None, hours: int) -> None:
    assert interval_hours(schedule) == hours


@pytest.mark.parametrize("schedule", ["rate(1 day)", "cron(0 5 * *)", "cron(0 25 ? * * *)", "cron(x 5 ? * * *)"])
def test_schedules_not_understood_raise(schedule: str) -> None:
    with pytest.raises(BadSchedule):
        interval_hours(schedule)


def test_rules_summary() -> None:
    assert rules_summary([168, 24], [7, 35]) == {
        "interval_hours": 24,
        "daily_or_more_often": True,
        "retention_days": 7,
        "retention_forever": False,
    }
    assert rules_summary([168], [None]) == {
        "interval_hours": 168,
        "daily_or_more_often": False,
        "retention_forever": True,
    }
