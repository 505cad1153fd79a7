"""Small plans written as data (the YAML case tables of the Linker and of policy documents).

A case's ``plan`` maps resource addresses to the values Terraform knows at plan time (``id``,
``arn``, ``bucket``, ``name`` ... are known only after apply unless given; ``_unknown`` adds
after_unknown entries); ``config`` is the root module's configuration in a shorthand (a list of
strings is a reference list, ``{constant: x}`` or a scalar a constant, ``{raw: x}`` x itself; ``modules`` with their
``inputs``, ``outputs``, ``for_each``; ``data.TYPE.NAME`` for a data block); ``data`` the data
source instances the plan reads (a map: with ``json`` when read during plan);
``prior_data`` the prior state's root module; ``planned_values_only``: the root module's
resources in planned_values instead of resource_changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hipaacheck.sources.terraform.plan import Plan
from hipaacheck.sources.terraform.reference_syntax import parse_index

_ADDRESS = re.compile(
    r"^(?P<module>(?:module\.[\w-]+(?:\[[^\]]+\])?\.)*)(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[\w-]+)(?:\[(?P<index>[^\]]+)\])?$"
)
# Known only after apply unless the case gives a value.
_COMPUTED = ("id", "arn", "bucket", "name", "security_group_id", "function_name")


def expression(value: Any) -> Any:
    """YAML shorthand to a configuration expression: a list of strings is a reference list."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {"references": value}
    if isinstance(value, list):
        return [expression(v) for v in value]
    if isinstance(value, dict) and set(value) == {"constant"}:
        return {"constant_value": value["constant"]}
    if isinstance(value, dict) and set(value) == {"raw"}:
        return value["raw"]  # as written, for shapes Terraform never writes
    if isinstance(value, dict):
        return {k: expression(v) for k, v in value.items()}
    return {"constant_value": value}


def module_config(spec: dict[str, Any]) -> dict[str, Any]:
    resources = []
    for address, attributes in (spec.get("resources") or {}).items():
        mode = "data" if address.startswith("data.") else "managed"
        rtype, name = address.removeprefix("data.").split(".")
        attributes = dict(attributes or {})
        block: dict[str, Any] = {"address": address, "mode": mode, "type": rtype, "name": name}
        if "for_each" in attributes:
            block["for_each_expression"] = expression(attributes.pop("for_each"))
        # _raw: the block's expressions exactly as given (a shape Terraform never writes)
        block["expressions"] = attributes["_raw"] if "_raw" in attributes else expression(attributes)
        resources.append(block)
    module: dict[str, Any] = {"resources": resources}
    if "outputs" in spec:
        module["outputs"] = {name: {"expression": expression(refs)} for name, refs in spec["outputs"].items()}
    calls = {}
    for name, call in (spec.get("modules") or {}).items():
        entry: dict[str, Any] = {"source": f"./{name}", "module": module_config(call)}
        if "inputs" in call:  # Terraform leaves "expressions" out of a call that passes nothing
            entry["expressions"] = {var: expression(refs) for var, refs in (call["inputs"] or {}).items()}
        if "for_each" in call:
            entry["for_each_expression"] = expression(call["for_each"])
        calls[name] = entry
    if calls:
        module["module_calls"] = calls
    return module


def _change(address: str, after: dict[str, Any] | None) -> dict[str, Any]:
    match = _ADDRESS.match(address)
    assert match, address
    after = dict(after or {})
    unknown = after.pop("_unknown", {})
    entry: dict[str, Any] = {
        "address": address,
        "mode": "managed",
        "type": match["type"],
        "name": match["name"],
        "change": {
            "actions": ["create"],
            "before": None,
            "after": after,
            "after_unknown": {key: True for key in _COMPUTED if key not in after} | unknown,
        },
    }
    if match["module"]:
        entry["module_address"] = match["module"].rstrip(".")
    if match["index"] is not None:
        entry["index"] = parse_index(match["index"])
    return entry


def _data(address: str, after: dict[str, Any] | None) -> dict[str, Any]:
    """A data source read during apply; with ``json``, one read during plan."""
    module, _, local = address.rpartition(".data.") if ".data." in address else ("", "", address[5:])
    rtype, name = local.split("[")[0].split(".")
    after = dict(after or {})
    body: dict[str, Any] = {"actions": ["read"], "after": after, "after_unknown": after.pop("_unknown", {})}
    if "json" not in after:
        body["after_unknown"] = {"json": True}
    entry = {"address": address, "mode": "data", "type": rtype, "name": name, "change": body}
    return entry | ({"module_address": module} if module else {})


def case_plan(case: dict[str, Any]) -> Plan:
    return Plan(case_document(case))


def case_document(case: dict[str, Any]) -> dict[str, Any]:
    changes = [_change(address, after) for address, after in case["plan"].items()]
    data = case.get("data", [])
    changes += [_data(address, data[address] if isinstance(data, dict) else None) for address in data]
    document: dict[str, Any] = {
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {"root_module": module_config(case.get("config") or {})},
    }
    if "prior_data" in case:
        document["prior_state"] = {"values": {"root_module": case["prior_data"]}}
    if case.get("planned_values_only"):
        # Very old or hand-trimmed plans: the root module's resources in planned_values, nothing else.
        planned = [
            {key: change[key] for key in ("address", "mode", "type", "name")} | {"values": change["change"]["after"]}
            for change in document.pop("resource_changes")
            if change["mode"] == "managed"
        ]
        document["planned_values"] = {"root_module": {"resources": planned}}
    return document


def locals_lookup(case: dict[str, Any]) -> Callable[[str, str], list[str] | None] | None:
    """The case's ``locals`` (config module address -> local name -> references), as hcl_sources gives them."""
    if "locals" not in case:
        return None
    table: dict[str, dict[str, list[str]]] = case["locals"]

    def lookup(module: str, name: str) -> list[str] | None:
        return table.get(module, {}).get(name)  # None: no such local, or no sources for that module

    return lookup
