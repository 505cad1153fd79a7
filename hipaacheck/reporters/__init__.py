"""Reporters render a Report; each is a function from Report to text, in one registry."""

from __future__ import annotations

from collections.abc import Callable

from ..report import Report
from .json_report import render_json
from .table import render_table

Reporter = Callable[[Report], str]

REPORTERS: dict[str, Reporter] = {
    "table": render_table,
    "json": render_json,
}
