"""Walk a plan document: the resources that will exist after apply, and the configuration.

The configuration is kept because values that are unknown at plan time
(a new bucket's id) are still named by reference (`bucket =
aws_s3_bucket.phi.id`); ``references.py`` follows those names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .raw import RawValues

# Actions whose "after" side exists once the plan is applied.
_ACTIONS = {
    ("create",): "create",
    ("update",): "update",
    ("no-op",): "no-op",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
}
# Actions that destroy an existing object: "delete" alone, or the delete half of a replacement.
_DELETING = {
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
}
_INDEX = re.compile(r"\[[^\]]*\]")


def strip_indexes(address: str) -> str:
    """module.a["x"].module.b[0] -> module.a.module.b (the configuration's address)."""
    return _INDEX.sub("", address)


@dataclass(slots=True)
class PlanResource:
    address: str  # e.g. module.tenant["a"].aws_s3_bucket.this[0]
    module: str  # module instance address, "" in the root module
    type: str
    name: str
    index: int | str | None
    action: str | None  # create, update, replace, no-op (delete in Plan.deletions); None from planned_values
    raw: RawValues
    provider_key: str

    @property
    def config_key(self) -> str:
        local = f"{self.type}.{self.name}"
        return f"{strip_indexes(self.module)}.{local}" if self.module else local


class Plan:
    """The parsed plan: managed resources after apply, by type, plus configuration lookups."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.format_version: str = document.get("format_version", "")
        version = document.get("terraform_version")
        self.terraform_version: str = version if isinstance(version, str) else ""
        configuration = document.get("configuration")
        self.configuration: dict[str, Any] = configuration if isinstance(configuration, dict) else {}
        self.resources: list[PlanResource] = _walk(document)
        self.by_type: dict[str, list[PlanResource]] = defaultdict(list)
        for resource in self.resources:
            self.by_type[resource.type].append(resource)
        self.config_resources: dict[str, dict[str, Any]] = {}
        self.config_modules: dict[str, dict[str, Any]] = {}
        self.module_calls: dict[str, dict[str, Any]] = {}
        root = self.configuration.get("root_module")
        if isinstance(root, dict):
            self._index_modules(root)
        self.skipped_deletes = sum(1 for rc in _changes(document) if _actions(rc) == ("delete",))
        # The objects this plan destroys (values from "before"): pure deletes and the delete half
        # of replacements. Adapters decide what a deletion means (a safeguard or data removed).
        self.deletions: list[PlanResource] = _walk_deletions(document)
        self.deletions_by_type: dict[str, list[PlanResource]] = defaultdict(list)
        for deleted in self.deletions:
            self.deletions_by_type[deleted.type].append(deleted)
        self.notes: list[str] = []  # what the adapters could not read, for the report

    def of_type(self, *types: str) -> list[PlanResource]:
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        return [r for t in types for r in self.by_type.get(t, [])]

    def deleted(self, *types: str, pure: bool = False) -> list[PlanResource]:
        """Destroyed objects of these types; with ``pure``, only those not replaced by a new one."""
        found = [r for t in types for r in self.deletions_by_type.get(t, [])]
        return [r for r in found if r.action == "delete"] if pure else found

    def expressions(self, resource: PlanResource) -> dict[str, Any]:
        block = self.config_resources.get(resource.config_key)
        expressions = block.get("expressions") if block else None
        return expressions if isinstance(expressions, dict) else {}

    def configured(self, resource: PlanResource, attribute: str) -> bool:
        """The attribute (or block) is written in the configuration, not computed by the provider.

        Without the resource's configuration we cannot tell, and say yes: an
        unknown value then stays unknown instead of becoming a default.
        """
        block = self.config_resources.get(resource.config_key)
        if block is None:
            return True
        return attribute in self.expressions(resource)

    def provider_region(self, provider_key: str) -> str | None:
        providers = self.configuration.get("provider_config")
        if not isinstance(providers, dict):
            return None
        provider = providers.get(provider_key) or providers.get("aws")
        if not isinstance(provider, dict):
            return None
        expressions = provider.get("expressions")
        region = expressions.get("region") if isinstance(expressions, dict) else None
        value = region.get("constant_value") if isinstance(region, dict) else None
        return value if isinstance(value, str) else None

    def _index_modules(self, root: dict[str, Any]) -> None:
        # A loop, not recursion: module nesting comes from the input, and may be deep.
        stack: list[tuple[dict[str, Any], str]] = [(root, "")]
        while stack:
            module, prefix = stack.pop()
            self.config_modules[prefix] = module
            for block in _list(module.get("resources")):
                if isinstance(block, dict) and block.get("mode", "managed") == "managed":
                    local = f"{block.get('type')}.{block.get('name')}"
                    self.config_resources[f"{prefix}.{local}" if prefix else local] = block
            calls = module.get("module_calls")
            for name, call in calls.items() if isinstance(calls, dict) else ():
                if not isinstance(call, dict):
                    continue
                child = f"{prefix}.module.{name}" if prefix else f"module.{name}"
                self.module_calls[child] = call
                if isinstance(call.get("module"), dict):
                    stack.append((call["module"], child))


def _list(value: Any) -> list[Any]:
    """A list from the plan, or nothing: a malformed plan may put anything where a list belongs."""
    return value if isinstance(value, list) else []


def _changes(document: dict[str, Any]) -> list[Any]:
    changes = document.get("resource_changes")
    return changes if isinstance(changes, list) else []


def _actions(change: Any) -> tuple[str, ...]:
    body = change.get("change") if isinstance(change, dict) else None
    actions = body.get("actions") if isinstance(body, dict) else None
    return tuple(a for a in actions if isinstance(a, str)) if isinstance(actions, list) else ()


def _walk(document: dict[str, Any]) -> list[PlanResource]:
    if "resource_changes" not in document:
        return _walk_planned_values(document)
    resources: list[PlanResource] = []
    for change in _changes(document):
        if not isinstance(change, dict) or change.get("mode", "managed") != "managed":
            continue
        action = _ACTIONS.get(_actions(change))
        if action is None:  # pure delete, read, forget: nothing of it exists after apply
            continue
        body = change["change"]
        after = body.get("after")
        resource = _resource(
            change, after, body.get("after_unknown"), body.get("after_sensitive"), action, _shape_problem(after)
        )
        if resource is not None:
            resources.append(resource)
    return resources


def _walk_deletions(document: dict[str, Any]) -> list[PlanResource]:
    """What the plan destroys: pure deletes and the delete half of replacements, with their "before" values."""
    deleted: list[PlanResource] = []
    for change in _changes(document):
        if not isinstance(change, dict) or change.get("mode", "managed") != "managed":
            continue
        actions = _actions(change)
        if "delete" not in actions or actions not in _DELETING:
            continue
        before = change["change"].get("before")
        problem = None if isinstance(before, dict) else f"change.before is {_json_kind(before)}, not an object"
        resource = _resource(
            change, before, None, change["change"].get("before_sensitive"), _DELETING[actions], problem
        )
        if resource is not None:
            deleted.append(resource)
    return deleted


def _json_kind(value: Any) -> str:
    return (
        "null" if value is None else {list: "a list", str: "a string", bool: "a boolean"}.get(type(value), "a number")
    )


def _shape_problem(after: Any) -> str | None:
    """Terraform always writes an object as the "after" of a resource that will exist."""
    return None if isinstance(after, dict) else f"change.after is {_json_kind(after)}, not an object"


def _walk_planned_values(document: dict[str, Any]) -> list[PlanResource]:
    """Very old or hand-trimmed plans carry only planned_values: read them as they are."""
    resources: list[PlanResource] = []
    planned = document.get("planned_values")
    root = planned.get("root_module") if isinstance(planned, dict) else None
    stack = [root] if isinstance(root, dict) else []
    while stack:
        module = stack.pop()
        module_address = module.get("address")
        for block in _list(module.get("resources")):
            if isinstance(block, dict) and block.get("mode", "managed") == "managed":
                if isinstance(module_address, str) and "module_address" not in block:
                    # planned_values name the module on the module, not on each resource: without it a
                    # module's resource would read (and join by) the root's configuration of its name.
                    block = {**block, "module_address": module_address}
                values = block.get("values")
                resource = _resource(block, values, None, block.get("sensitive_values"), None, _shape_problem(values))
                if resource is not None:
                    resources.append(resource)
        stack.extend(m for m in _list(module.get("child_modules")) if isinstance(m, dict))
    return resources


def _resource(
    block: dict[str, Any], after: Any, unknown: Any, sensitive: Any, action: str | None, problem: str | None = None
) -> PlanResource | None:
    address, rtype, name = block.get("address"), block.get("type"), block.get("name")
    if not (isinstance(address, str) and isinstance(rtype, str) and isinstance(name, str)):
        return None
    module = block.get("module_address")
    index = block.get("index")
    return PlanResource(
        address=address,
        module=module if isinstance(module, str) else "",
        type=rtype,
        name=name,
        index=index if isinstance(index, int | str) and not isinstance(index, bool) else None,
        action=action,
        raw=RawValues(after, unknown, sensitive, f"{address}: {problem}" if problem else None),
        provider_key=_provider_key(block),
    )


def _provider_key(block: dict[str, Any]) -> str:
    name = block.get("provider_name")
    return "aws" if not isinstance(name, str) or name.endswith("/aws") or name == "aws" else name
