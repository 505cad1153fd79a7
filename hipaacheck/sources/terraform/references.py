"""Find the resource a child resource points at: by known value, else through configuration references.

Since AWS provider v4 a bucket's encryption, versioning, policy ... are
separate resources whose ``bucket`` is unknown at plan time when the bucket
is new. The configuration still says ``bucket = aws_s3_bucket.phi.id``;
this module follows such references through ``count``/``for_each``
instances, module outputs and module input variables.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .plan import Plan, PlanResource, strip_indexes
from .raw import UNKNOWN

_RESOURCE_REF = re.compile(r"^(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?:\[(?P<index>[^\]]+)\])?")
_MODULE_REF = re.compile(
    r"^module\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?P<key>\[[^\]]+\])?\.(?P<output>[A-Za-z_][A-Za-z0-9_-]*)"
)
_VAR_REF = re.compile(r"^var\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)")
_MAX_DEPTH = 12


class Unresolved:
    """The child points at something in this plan that cannot be pinned down before apply."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Context:
    module: str  # module instance address
    index: int | str | None  # the referencing instance's count/for_each key


def _parse_index(text: str) -> int | str | None:
    """A constant index, or None for count.index / each.key (meaning: the referrer's own)."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 20:
        return int(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return None


class Linker:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._instances: dict[tuple[str, str], list[PlanResource]] = defaultdict(list)
        for resource in plan.resources:
            self._instances[(resource.module, f"{resource.type}.{resource.name}")].append(resource)
        self._by_value: dict[tuple[str, str], dict[str, PlanResource]] = {}

    def parent(
        self, child: PlanResource, attribute: str, parent_types: tuple[str, ...], value_keys: tuple[str, ...]
    ) -> PlanResource | Unresolved | None:
        """The parent ``child.attribute`` names; None when it names nothing in this plan."""
        value = child.raw.get(attribute)
        if isinstance(value, str) and value:
            for parent_type in parent_types:
                for key in value_keys:
                    found = self._value_index(parent_type, key).get(value)
                    if found is not None:
                        return found
        targets = self._follow(
            self.plan.expressions(child).get(attribute), _Context(child.module, child.index), parent_types, 0
        )
        if len(targets) == 1:
            return targets[0]
        if len(targets) > 1:
            return Unresolved(f"{child.address}.{attribute} may refer to any of {len(targets)} resources")
        if value is UNKNOWN:
            return Unresolved(
                f"{child.address}.{attribute} is known only after apply and its reference could not be traced"
            )
        return None

    def _value_index(self, parent_type: str, key: str) -> dict[str, PlanResource]:
        index = self._by_value.get((parent_type, key))
        if index is None:
            index = {}
            for resource in self.plan.of_type(parent_type):
                value = resource.raw.get(key)
                if isinstance(value, str) and value:
                    index.setdefault(value, resource)
            self._by_value[(parent_type, key)] = index
        return index

    def _follow(
        self, expression: Any, context: _Context, parent_types: tuple[str, ...], depth: int
    ) -> list[PlanResource]:
        if depth > _MAX_DEPTH or not isinstance(expression, dict):
            return []
        references = expression.get("references")
        if not isinstance(references, list):
            return []
        found: dict[str, PlanResource] = {}
        for reference in references:
            if not isinstance(reference, str):
                continue
            for target in self._resolve(reference, context, parent_types, depth):
                found[target.address] = target
        return list(found.values())

    def _resolve(
        self, reference: str, context: _Context, parent_types: tuple[str, ...], depth: int
    ) -> list[PlanResource]:
        match = _RESOURCE_REF.match(reference)
        if match and match["type"] in parent_types:
            candidates = self._instances.get((context.module, f"{match['type']}.{match['name']}"), [])
            return _pick(candidates, match["index"], context.index)
        match = _MODULE_REF.match(reference)
        if match:
            return self._through_output(match, context, parent_types, depth)
        match = _VAR_REF.match(reference)
        if match and context.module:
            return self._through_variable(match["name"], context, parent_types, depth)
        return []

    def _through_output(
        self, match: re.Match[str], context: _Context, parent_types: tuple[str, ...], depth: int
    ) -> list[PlanResource]:
        key = match["key"] or ""
        callee = f"{context.module}.module.{match['name']}{key}" if context.module else f"module.{match['name']}{key}"
        module = self.plan.config_modules.get(strip_indexes(callee))
        outputs = module.get("outputs") if module else None
        output = outputs.get(match["output"]) if isinstance(outputs, dict) else None
        if not isinstance(output, dict):
            return []
        return self._follow(output.get("expression"), _Context(callee, None), parent_types, depth + 1)

    def _through_variable(
        self, name: str, context: _Context, parent_types: tuple[str, ...], depth: int
    ) -> list[PlanResource]:
        call = self.plan.module_calls.get(strip_indexes(context.module))
        expressions = call.get("expressions") if call else None
        expression = expressions.get(name) if isinstance(expressions, dict) else None
        caller, _, _ = context.module.rpartition(".module.")
        own_key = _module_key(context.module)
        return self._follow(expression, _Context(caller, own_key), parent_types, depth + 1)


def _module_key(module: str) -> int | str | None:
    if not module.endswith("]"):
        return None
    return _parse_index(module[module.rfind("[") + 1 : -1])


def _pick(candidates: list[PlanResource], index_text: str | None, own_index: int | str | None) -> list[PlanResource]:
    if not candidates:
        return []
    if index_text is not None:
        wanted = _parse_index(index_text)
        if wanted is not None:
            return [c for c in candidates if c.index == wanted]
        # count.index / each.key: the instance with the referrer's own key.
        return [c for c in candidates if c.index == own_index] if own_index is not None else candidates
    if len(candidates) == 1:
        return candidates
    if own_index is not None:
        same = [c for c in candidates if c.index == own_index]
        if same:
            return same
    return candidates
