"""How often an AWS Backup rule runs, from its schedule expression (both sources' text, one rule).

AWS Backup schedules are cron expressions with six fields, ``cron(minutes
hours day-of-month month day-of-week year)`` (Developer Guide, "Creating a
backup plan"; EventBridge cron syntax: ``*``, ``?``, ``,``, ``-``, ``/``, and
``L``/``W``/``#`` on days). A rule without a schedule runs daily at 05:00 UTC
(``cron(0 5 ? * * *)``, the documented default of ScheduleExpression).

``interval_hours`` is the longest gap between two runs: hours within a day
when the rule runs every day, else the longest gap between the days it runs
(days of the month are measured on a 31-day month, the worst case). It is
None for text that is not such an expression: the caller reports an error,
never a guess.
"""

from __future__ import annotations

import itertools
import re

from .service_defaults import SERVICE_DEFAULTS

DEFAULT_SCHEDULE = str(SERVICE_DEFAULTS["backup.schedule"].value)
_CRON = re.compile(r"^cron\((.*)\)$")
_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTH_NAMES = {m: i + 1 for i, m in enumerate(_MONTHS)}


class BadSchedule(ValueError):
    pass


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> list[int] | None:
    """The values a cron field allows; None for "every value" (``*`` or ``?``)."""
    if field in ("*", "?"):
        return None
    found: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = _number(step_text, names)
            if step <= 0:
                raise BadSchedule(f"step {step_text!r}")
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(part, names)
            end = high if step > 1 else start
        if not low <= start <= high or not low <= end <= high or end < start:
            raise BadSchedule(f"value {part!r} out of range {low}-{high}")
        found.update(range(start, end + 1, step))
    return sorted(found)


def _number(text: str, names: dict[str, int] | None) -> int:
    text = text.strip().upper()
    if names and text in names:
        return names[text]
    if not text.isascii() or not text.isdigit():
        raise BadSchedule(f"value {text!r}")
    return int(text)


def _largest_gap(points: list[int], period: int) -> int:
    """The longest distance between consecutive points on a circle of ``period``."""
    gaps = [b - a for a, b in itertools.pairwise(points)]
    gaps.append(points[0] + period - points[-1])
    return max(gaps)


def interval_hours(expression: str | None) -> int:
    """Longest hours between two runs of a rule with this schedule. Raises BadSchedule."""
    text = (expression or DEFAULT_SCHEDULE).strip()
    match = _CRON.match(text)
    if match is None:
        raise BadSchedule(f"{text!r} is not a cron() expression")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise BadSchedule(f"{text!r} does not have six fields")
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if any(c in f.upper() for f in (day_of_month, day_of_week) for c in ("L", "W", "#")):
        # Last day, weekday nearest, nth weekday: at most once a week.
        return 24 * 31 if "#" in day_of_week or "L" in day_of_month or "W" in day_of_month else 24 * 7
    _values(minutes, 0, 59)
    hour_values = _values(hours, 0, 23)
    months = _values(month, 1, 12, _MONTH_NAMES)
    if year not in ("*", "?"):
        _values(year, 1970, 2199)
        return 24 * 366  # a schedule limited to some years stops running
    within_day = 1 if hour_values is None else (24 if len(hour_values) == 1 else _largest_gap(hour_values, 24))
    dom = _values(day_of_month, 1, 31)
    dow = _values(day_of_week, 1, 7, _DAY_NAMES)
    if months is not None and len(months) < 12:
        return 24 * 31 * _largest_gap(months, 12)
    if dom is None and dow is None:
        return within_day
    if dom is None and dow is not None:
        return 24 * _largest_gap(dow, 7) if len(dow) < 7 else within_day
    if dom is not None and dow is None:
        return 24 * _largest_gap(dom, 31) if len(dom) < 31 else within_day
    raise BadSchedule(f"{text!r} restricts both day-of-month and day-of-week")


def runs_daily(hours: int) -> bool:
    return hours <= 24


def rules_summary(intervals: list[int], retentions: list[int | None]) -> dict[str, int | bool]:
    """The plan-level facts from its rules' intervals and delete_after days (None: kept forever).

    One daily rule makes the plan daily; the shortest expiry decides retention.
    """
    summary: dict[str, int | bool] = {}
    if intervals:
        summary["interval_hours"] = min(intervals)
    summary["daily_or_more_often"] = bool(intervals) and runs_daily(min(intervals))
    expiring = [days for days in retentions if days is not None]
    if expiring:
        summary["retention_days"] = min(expiring)
    summary["retention_forever"] = not expiring
    return summary
