"""A loaded, validated, compiled policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models import Severity
from .conditions import Condition
from .parameters import Parameter


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    title: str
    resource_type: str
    severity: Severity
    safeguards: tuple[str, ...]
    require: Condition
    remediation: str
    scope: Condition | None = None
    description: str = ""
    pass_examples: tuple[dict[str, Any], ...] = ()
    fail_examples: tuple[dict[str, Any], ...] = ()
    skip_examples: tuple[dict[str, Any], ...] = ()  # out of the policy's scope
    file: str = ""
    line: int = 1
    parameters: tuple[Parameter, ...] = ()  # declared parameters with the values in force
