"""The findings table is written by hand for speed; it must be exactly what tabulate writes.

tabulate's "simple" format (left-aligned, a rule between findings, numbers not parsed) is the
reference: every fixture scenario's findings, with and without colour, must come out the same.
"""

from __future__ import annotations

from typing import Any

import pytest
from tabulate import SEPARATING_LINE, tabulate

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.models import Severity, Status
from hipaacheck.policy.loader import load_policies
from hipaacheck.reporters.table import _COLOURS, _HEADERS, _cell, _findings_grid, _paint
from hipaacheck.scan import scan_plan
from hipaacheck.sources.terraform.locations import SourceLocator

from ..conftest import FIXTURES

SCENARIOS = sorted(p.parent.name for p in FIXTURES.glob("*/plan.json"))


def _reference(rows: list[tuple[Status, str, str]], colour: bool) -> str:
    table: list[Any] = []
    for status, severity, text in rows:
        if table:
            table.append(SEPARATING_LINE)
        table.append([_paint(status.value.upper(), _COLOURS[status], colour), severity, text])
    return tabulate(table, headers=list(_HEADERS), tablefmt="simple", disable_numparse=True, colalign=("left",) * 3)


@pytest.fixture(scope="module")
def policies() -> list[Any]:
    return load_policies([builtin_policy_dir()])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_grid_is_what_tabulate_writes(scenario: str, policies: list[Any]) -> None:
    directory = FIXTURES / scenario
    report = scan_plan(directory / "plan.json", policies, Severity.LOW, directory)
    report.locator = SourceLocator(directory)
    rows = [(f.status, f.severity.value, _cell(report, f)) for f in report.sorted_findings()]
    assert rows, "every scenario has findings"
    for colour in (False, True):
        assert _findings_grid(rows, colour) == _reference(rows, colour)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  leading and trailing  ",
        "one\n  indented\n\nblank line above\n  trailing space  ",
        "x" * 120,  # wider than the column
        "tab\there",
    ],
)
def test_the_grid_on_awkward_cells(text: str) -> None:
    rows = [(Status.FAIL, "critical", text), (Status.WAIVED, "low", "short"), (Status.ERROR, "medium", text)]
    for colour in (False, True):
        assert _findings_grid(rows, colour) == _reference(rows, colour)
