"""Find the resource a child resource points at: by known value, else through configuration references.

Since AWS provider v4 a bucket's encryption, versioning, policy ... are
separate resources whose ``bucket`` is unknown at plan time when the bucket
is new. The configuration still says ``bucket = aws_s3_bucket.phi.id``;
this module follows such references through ``count``/``for_each``
instances, module outputs, module input variables and (when the .tf sources
are at hand) ``locals``.

Two rules keep the answer sound:

* **Most specific reference.** Terraform lists ``aws_sg.sg[0].id``,
  ``aws_sg.sg[0]`` and the bare ``aws_sg.sg``; the bare form never widens
  a constant index to every instance.
* **Module scope.** A reference inside a module instance reaches only that
  instance (and the modules it calls) and what its call passes in. When a
  reference cannot be followed (a ``local`` without sources, a data
  source, another resource's computed value), the candidates are the
  parents within that scope, never the whole plan: one untraceable
  sub-resource in ``module.a`` leaves ``module.b`` alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .plan import Plan, PlanResource, strip_indexes
from .raw import UNKNOWN
from .reference_syntax import (
    MAX_DEPTH,
    module_key,
    most_specific,
    parent_module,
    parse_index,
    parse_reference,
)

_CANDIDATES_SHOWN = 4

# (config module address, local name) -> the references of its expression; None when the
# module's sources are not available (the local cannot be followed).
LocalsLookup = Callable[[str, str], "list[str] | None"]


class Unresolved:
    """The child cannot be pinned to one parent before apply.

    ``candidates`` are the parents in this plan it may join; ``open`` says it
    may also name something this plan does not hold (a default, an existing
    resource, a data source).
    """

    __slots__ = ("candidates", "open", "reason")

    def __init__(self, reason: str, candidates: tuple[PlanResource, ...] = (), open: bool = True) -> None:
        self.reason = reason
        self.candidates = candidates
        self.open = open


@dataclass(frozen=True, slots=True)
class _Context:
    module: str  # module instance address
    index: int | str | None  # the referencing instance's count/for_each key
    own_index: bool = False  # the expression uses count.index / each.*: a bare reference means "my instance"
    each_value: Any = None  # the for_each expression each.value stands for


@dataclass(slots=True)
class _Targets:
    found: dict[str, PlanResource] = field(default_factory=dict)
    open: bool = False

    def add(self, other: _Targets) -> None:
        self.found.update(other.found)
        self.open = self.open or other.open


class Linker:
    def __init__(self, plan: Plan, locals_lookup: LocalsLookup | None = None, sources: Any = None) -> None:
        self.plan = plan
        self.locals_lookup = locals_lookup
        self.sources = sources  # the .tf sources (hcl_sources.TerraformSources), when the plan came with them
        self._instances: dict[tuple[str, str], list[PlanResource]] = defaultdict(list)
        self._by_index: dict[tuple[str, str, int | str], PlanResource] = {}
        self._by_module: dict[tuple[str, str], list[PlanResource]] = defaultdict(list)
        self._children: dict[str, set[str]] = defaultdict(set)
        for resource in plan.resources:
            local = f"{resource.type}.{resource.name}"
            self._instances[(resource.module, local)].append(resource)
            if resource.index is not None:
                self._by_index[(resource.module, local, resource.index)] = resource
            self._by_module[(resource.type, resource.module)].append(resource)
            self._register_module(resource.module)
        self._by_value: dict[tuple[str, str], dict[str, PlanResource]] = {}
        self._scopes: dict[tuple[str, tuple[str, ...], str], tuple[PlanResource, ...]] = {}
        self._data_sources: set[tuple[str, str]] | None = None

    def _register_module(self, module: str) -> None:
        while module and module not in self._children.get(parent_module(module), ()):
            parent = parent_module(module)
            self._children[parent].add(module)
            module = parent

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
        expression = self._expression(child, attribute)
        block = self.plan.config_resources.get(child.config_key) or {}
        context = _Context(child.module, child.index, each_value=block.get("for_each_expression"))
        targets = self._follow(expression, context, parent_types, attribute, 0)
        if len(targets.found) == 1 and not targets.open:
            return next(iter(targets.found.values()))
        if value is not UNKNOWN:
            return None  # a known value that matches nothing here names a resource outside this plan
        if not isinstance(expression, dict) or not targets.found:
            targets.open = True  # no configuration to follow, or it leads nowhere: anything in reach
        scope = self.scope(child.module, parent_types, attribute) if targets.open else ()
        return _unresolved(child, attribute, targets, scope)

    def follow_references(
        self, references: list[str], module: str, parent_types: tuple[str, ...]
    ) -> list[PlanResource]:
        """The resources these references (written in ``module``) certainly name; [] when it is not certain."""
        targets = self._follow({"references": references}, _Context(module, None), parent_types, "", 0)
        return [] if targets.open else list(targets.found.values())

    def scope(self, module: str, parent_types: tuple[str, ...], attribute: str = "") -> tuple[PlanResource, ...]:
        """Every parent a reference inside ``module`` could reach: its own, its sub-modules', its inputs'."""
        key = (module, parent_types, attribute)
        cached = self._scopes.get(key)
        if cached is not None:
            return cached
        self._scopes[key] = ()  # a module cannot reach itself through its own inputs
        found: dict[str, PlanResource] = {}
        stack = [module]
        while stack:
            current = stack.pop()
            for parent_type in parent_types:
                for resource in self._by_module.get((parent_type, current), ()):
                    found[resource.address] = resource
            stack.extend(self._children.get(current, ()))
        if module:
            inputs = self._inputs(module, parent_types, attribute)
            found.update(inputs.found)
            if inputs.open:
                found.update((r.address, r) for r in self.scope(parent_module(module), parent_types, attribute))
        result = tuple(found.values())
        self._scopes[key] = result
        return result

    def _inputs(self, module: str, parent_types: tuple[str, ...], attribute: str) -> _Targets:
        call = self.plan.module_calls.get(strip_indexes(module))
        if call is None:
            return _Targets(open=True)  # a plan without this module's configuration: its call may pass anything
        expressions = call.get("expressions")
        targets = _Targets()
        caller = _Context(parent_module(module), module_key(module))
        for expression in expressions.values() if isinstance(expressions, dict) else ():
            targets.add(self._follow(expression, caller, parent_types, attribute, 1))
        return targets

    def _expression(self, resource: PlanResource, attribute: str) -> Any:
        node: Any = self.plan.expressions(resource)
        for part in attribute.split("."):
            if isinstance(node, list):
                node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
            elif isinstance(node, dict):
                node = node.get(part)
            else:
                return None
        return node

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
        self, expression: Any, context: _Context, parent_types: tuple[str, ...], attribute: str, depth: int
    ) -> _Targets:
        targets = _Targets()
        if depth > MAX_DEPTH:
            targets.open = True
            return targets
        references = expression.get("references") if isinstance(expression, dict) else None
        if not isinstance(references, list):
            return targets  # a constant (or nothing): it names no resource of this plan
        names = tuple(r for r in references if isinstance(r, str))
        own = context.own_index or any(r == "count.index" or r.startswith("each.") for r in names)
        context = _Context(context.module, context.index, own, context.each_value)
        for reference in most_specific(names):
            targets.add(self._resolve(reference, context, parent_types, attribute, depth))
        return targets

    def _follow_listed(
        self, expression: Any, context: _Context, parent_types: tuple[str, ...], attribute: str, depth: int
    ) -> _Targets:
        """Like _follow, but an expression with no references is unknown here, not a constant."""
        if not isinstance(expression, dict) or not isinstance(expression.get("references"), list):
            return _Targets(open=True)
        return self._follow(expression, context, parent_types, attribute, depth)

    def _resolve(
        self, reference: str, context: _Context, parent_types: tuple[str, ...], attribute: str, depth: int
    ) -> _Targets:
        kind, match = parse_reference(reference)
        if kind == "inert":
            return _Targets()
        if kind == "each.value":
            if context.each_value is None:
                return _Targets(open=True)
            each = _Context(context.module, context.index, True)
            return self._follow_listed(context.each_value, each, parent_types, attribute, depth + 1)
        if kind == "module" and match is not None:
            return self._through_output(match, context, parent_types, attribute, depth)
        if kind == "var" and match is not None:
            if not context.module:
                return _Targets()  # a root variable is a constant the caller of terraform gave
            return self._through_variable(match["name"], context, parent_types, attribute, depth)
        if kind == "local" and match is not None:
            return self._through_local(match["name"], context, parent_types, attribute, depth)
        if kind == "data" and not self._data_exists(reference, context.module):
            return _Targets()  # a data source this plan does not read (count = 0): no value comes from it
        if kind == "resource" and match is not None:
            if match["type"] in parent_types:
                return _Targets({c.address: c for c in self._pick(match, context)})
            if not self._instances.get((context.module, f"{match['type']}.{match['name']}")):
                return _Targets()  # not in this plan (count = 0): the other branch of a conditional
            if match["attr"] == attribute.split(".")[0]:
                # Chained through a sibling (bucket = aws_s3_bucket_versioning.this.bucket): follow its own.
                chained = _Targets()
                for sibling in self._pick(match, context):
                    chained.add(
                        self._follow(
                            self._expression(sibling, attribute),
                            _Context(sibling.module, sibling.index),
                            parent_types,
                            attribute,
                            depth + 1,
                        )
                    )
                return chained
        # A data source, another resource's computed value, each.value: it could be anything.
        return _Targets(open=True)

    def _data_exists(self, reference: str, module: str) -> bool:
        """A data source instance this plan reads (during plan, or deferred to apply)."""
        if self._data_sources is None:
            self._data_sources = _data_source_names(self.plan.document)
        parts = reference.split(".")
        if len(parts) < 3:
            return True
        name = f"data.{parts[1]}.{parts[2].split('[')[0]}"
        return (module, name) in self._data_sources

    def _pick(self, match: re.Match[str], context: _Context) -> list[PlanResource]:
        local = f"{match['type']}.{match['name']}"
        index_text = match["index"]
        if index_text is not None:
            wanted = parse_index(index_text)
            if wanted is None:  # count.index / each.key: the referrer's own instance
                wanted = context.index
            if wanted is None:
                return self._instances.get((context.module, local), [])
            found = self._by_index.get((context.module, local, wanted))
            return [found] if found is not None else []
        candidates = self._instances.get((context.module, local), [])
        if len(candidates) > 1 and context.own_index and context.index is not None:
            # element(aws_s3_bucket.b.*.id, count.index), aws_s3_bucket.b[count.index]: my instance.
            found = self._by_index.get((context.module, local, context.index))
            return [found] if found is not None else []
        return candidates

    def _through_output(
        self, match: re.Match[str], context: _Context, parent_types: tuple[str, ...], attribute: str, depth: int
    ) -> _Targets:
        key = match["key"] or ""
        callee = f"{context.module}.module.{match['name']}{key}" if context.module else f"module.{match['name']}{key}"
        module = self.plan.config_modules.get(strip_indexes(callee))
        outputs = module.get("outputs") if module else None
        output = outputs.get(match["output"]) if isinstance(outputs, dict) else None
        if not isinstance(output, dict):
            return _Targets(open=True)
        targets = _Targets()
        instances = [callee] if key else self._module_instances(callee) or [callee]
        for instance in instances:
            targets.add(
                self._follow(output.get("expression"), _Context(instance, None), parent_types, attribute, depth + 1)
            )
        return targets

    def _module_instances(self, callee: str) -> list[str]:
        """module.m called with count/for_each has instances module.m[0], module.m["k"]: all of them."""
        parent = parent_module(callee)
        return [m for m in self._children.get(parent, ()) if strip_indexes(m) == strip_indexes(callee)]

    def _through_variable(
        self, name: str, context: _Context, parent_types: tuple[str, ...], attribute: str, depth: int
    ) -> _Targets:
        call = self.plan.module_calls.get(strip_indexes(context.module))
        expressions = call.get("expressions") if call else None
        expression = expressions.get(name) if isinstance(expressions, dict) else None
        caller = _Context(
            parent_module(context.module),
            module_key(context.module),
            each_value=call.get("for_each_expression") if call else None,
        )
        return self._follow(expression, caller, parent_types, attribute, depth + 1)

    def _through_local(
        self, name: str, context: _Context, parent_types: tuple[str, ...], attribute: str, depth: int
    ) -> _Targets:
        references = self.locals_lookup(strip_indexes(context.module), name) if self.locals_lookup else None
        if references is None:
            return _Targets(open=True)  # plan JSON has no locals; without the sources it cannot be followed
        return self._follow({"references": references}, context, parent_types, attribute, depth + 1)


def _unresolved(child: PlanResource, attribute: str, targets: _Targets, scope: tuple[PlanResource, ...]) -> Unresolved:
    found = dict(targets.found)
    found.update((r.address, r) for r in scope)
    candidates = tuple(found.values())
    where = f"{child.address}.{attribute}"
    if not candidates:
        reason = f"{where} is known only after apply and names no resource of this plan that it can reach"
    else:
        reason = f"{where} is known only after apply and may name any of {describe(candidates)}"
    return Unresolved(reason, candidates, targets.open)


def describe(candidates: tuple[PlanResource, ...]) -> str:
    shown = ", ".join(c.address for c in candidates[:_CANDIDATES_SHOWN])
    more = len(candidates) - _CANDIDATES_SHOWN
    return f"{len(candidates)} resources ({shown}{f', and {more} more' if more > 0 else ''})"


def _data_source_names(document: dict[str, Any]) -> set[tuple[str, str]]:
    """(module instance, data.TYPE.NAME) of every data source in resource_changes or prior_state."""
    names: set[tuple[str, str]] = set()

    def add(block: Any) -> None:
        if isinstance(block, dict) and block.get("mode") == "data":
            module = block.get("module_address")
            names.add((module if isinstance(module, str) else "", f"data.{block.get('type')}.{block.get('name')}"))

    changes = document.get("resource_changes")
    for change in changes if isinstance(changes, list) else []:
        add(change)
    prior = document.get("prior_state")
    values = prior.get("values") if isinstance(prior, dict) else None
    stack = [values.get("root_module")] if isinstance(values, dict) else []
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        address = module.get("address")
        resources = module.get("resources")
        for resource in resources if isinstance(resources, list) else []:
            if isinstance(resource, dict) and resource.get("mode") == "data":
                names.add(
                    (address if isinstance(address, str) else "", f"data.{resource.get('type')}.{resource.get('name')}")
                )
        children = module.get("child_modules")
        stack.extend(children if isinstance(children, list) else [])
    return names
