"""The Terraform plan source: plan JSON (or a binary plan) -> canonical resources."""

from __future__ import annotations

from pathlib import Path

from ...models import Resource
from .adapters import adapt_plan
from .plan import Plan
from .plan_file import read_plan


def load_plan_resources(path: Path, tf_dir: Path | None = None) -> tuple[Plan, list[Resource]]:
    """Read a plan and adapt it; ``tf_dir`` (default: the plan's directory, when it holds .tf files)
    gives the sources that plan JSON leaves out (locals, data-source blocks)."""
    plan = Plan(read_plan(path))
    root = tf_dir if tf_dir is not None else path.parent
    sources = None
    if _has_tf_files(root):
        from .hcl_sources import TerraformSources  # python-hcl2 only when there are sources to read

        sources = TerraformSources(root, plan)
    resources = adapt_plan(plan, sources)
    if sources is not None:
        plan.notes.extend(sources.notes)
    return plan, resources


def _has_tf_files(directory: Path) -> bool:
    try:
        return any(p.is_file() for p in directory.glob("*.tf"))
    except OSError:
        return False


__all__ = ["Plan", "load_plan_resources", "read_plan"]
