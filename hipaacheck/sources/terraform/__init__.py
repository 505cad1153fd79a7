"""The Terraform plan source: plan JSON (or a binary plan) -> canonical resources."""

from __future__ import annotations

from pathlib import Path

from ...models import Resource
from .adapters import adapt_plan
from .plan import Plan
from .plan_file import read_plan


def load_plan_resources(path: Path) -> tuple[Plan, list[Resource]]:
    plan = Plan(read_plan(path))
    return plan, adapt_plan(plan)


__all__ = ["Plan", "load_plan_resources", "read_plan"]
