"""Reporters render a Report; each is a function from Report to text, in one registry.

Reporters are imported on first use: a scan that writes only JSON never
imports the SARIF or JUnit code (start-up stays light).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..report import Report

Reporter = Callable[[Report], str]

# format name -> (module, function); the file suffix is for documentation and defaults.
_REGISTRY: dict[str, tuple[str, str]] = {
    "table": ("table", "render_table"),
    "json": ("json_report", "render_json"),
    "sarif": ("sarif", "render_sarif"),
    "junit": ("junit", "render_junit"),
    "markdown": ("markdown", "render_markdown"),
    "asff": ("asff", "render_asff"),
    "ocsf": ("ocsf", "render_ocsf"),
    "csv": ("csv_report", "render_csv"),
}
FORMATS = tuple(_REGISTRY)


def _lazy(module: str, function: str) -> Reporter:
    def render(report: Report) -> str:
        loaded = importlib.import_module(f"{__name__}.{module}")
        result: str = getattr(loaded, function)(report)
        return result

    render.__name__ = function
    return render


REPORTERS: dict[str, Reporter] = {name: _lazy(module, function) for name, (module, function) in _REGISTRY.items()}
