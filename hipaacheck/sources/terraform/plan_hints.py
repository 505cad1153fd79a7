"""One-line explanations for the commonest wrong inputs to `scan plan`.

Kept apart from plan_file.py so that the reading code stays about reading.
"""

from __future__ import annotations

import json
import re
from typing import Any


def is_ui_log_entry(value: Any) -> bool:
    """A line of `terraform plan -json` / `apply -json`: the streamed UI log, not a plan."""
    return isinstance(value, dict) and "@level" in value and "type" in value


_LEADING_SPACE = re.compile(r"\s*")
_MAX_LINE = 1024 * 1024  # a UI log line is short; never copy a huge invalid plan to look at it


def looks_like_ui_log(text: str) -> bool:
    """The first non-empty line is a UI log entry (JSON lines with @level and type)."""
    start = _LEADING_SPACE.match(text).end()  # type: ignore[union-attr]
    end = text.find("\n", start, start + _MAX_LINE)
    if end == -1:
        end = len(text)
    if end - start > _MAX_LINE:
        return False
    try:
        return is_ui_log_entry(json.loads(text[start:end]))
    except (ValueError, RecursionError):
        return False


def ui_log_message(name: str) -> str:
    return (
        f"{name}: this is the streamed log of `terraform plan -json`, not a plan; "
        "save the plan with `terraform plan -out=tfplan`, then run `terraform show -json tfplan > plan.json`"
    )
