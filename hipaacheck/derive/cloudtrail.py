"""Which management events a trail logs, from its event selectors (both sources' shapes, one rule)."""

from __future__ import annotations

from collections.abc import Iterable


def management_events(
    basic: Iterable[tuple[str | None, bool | None]], advanced_categories: Iterable[Iterable[str]] | None
) -> str | None:
    """All, ReadOnly, WriteOnly, or None when management events are excluded.

    ``basic``: (ReadWriteType, IncludeManagementEvents) per classic event
    selector. ``advanced_categories``: the eventCategory values each
    advanced selector matches, or None when the trail has none (advanced
    selectors replace classic ones).
    """
    if advanced_categories is not None:
        return "All" if any("Management" in categories for categories in advanced_categories) else None
    selectors = list(basic)
    if not selectors:
        return "All"  # no selectors at all: CloudTrail logs every management event
    kinds = {read_write or "All" for read_write, include in selectors if include is not False}
    if not kinds:
        return None
    return "All" if "All" in kinds or {"ReadOnly", "WriteOnly"} <= kinds else kinds.pop()
