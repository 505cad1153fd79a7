"""Policy parameters: the thresholds organisations legitimately set differently.

A policy declares them with a type, a default and what they mean::

    parameters:
      min_retention_days:
        type: int
        default: 7
        description: Fewest days of automated backups kept.

and uses them in place of a literal in a condition, ``value: {param:
min_retention_days}``. A parameter whose default is ``null`` is *optional*:
``null`` means the requirement is off, and every condition that uses it must
sit under ``{when: NAME, then: CONDITION}``. While the parameter is off (or a
``bool`` parameter is false) that condition is removed from its parent: one
requirement less in an ``all``, one alternative less in an ``any``; a policy
left with no requirement at all passes.

A config file (``.hipaacheck.yaml``) overrides values per policy; the values
are substituted when the policy is compiled, so evaluating a parameterised
policy costs exactly what the literal would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..suggest import suggestion
from .yaml_source import PathKey

# type name -> (what a value must be, in words; the check)
_TYPES: dict[str, tuple[str, Any]] = {
    "int": ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "number": ("a number", lambda v: isinstance(v, int | float) and not isinstance(v, bool)),
    "str": ("a string", lambda v: isinstance(v, str)),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    "list[int]": (
        "a non-empty list of integers",
        lambda v: isinstance(v, list) and bool(v) and all(isinstance(i, int) and not isinstance(i, bool) for i in v),
    ),
    "list[str]": (
        "a non-empty list of strings",
        lambda v: isinstance(v, list) and bool(v) and all(isinstance(i, str) for i in v),
    ),
}
PARAMETER_TYPES = tuple(_TYPES)
PARAMETER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_FIELDS = ("type", "default", "description")


@dataclass(frozen=True, slots=True)
class Override:
    """A value a config file sets for one parameter of one policy, and where it was written."""

    value: Any
    file: str
    line: int
    col: int

    @property
    def origin(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Parameter:
    """A declared parameter and the value in force (the default, or a config's override)."""

    name: str
    type: str
    default: Any
    description: str
    value: Any
    origin: str = "default"  # "default", or the config file:line that set it

    @property
    def optional(self) -> bool:
        return self.default is None

    @property
    def active(self) -> bool:
        """For ``when``: on unless null (off) or a false bool."""
        return self.value is not None and self.value is not False

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "default": self.default, "origin": self.origin}


def type_problem(type_name: str, value: Any, optional: bool) -> str | None:
    """Why ``value`` does not fit ``type_name`` (None when it does); null fits an optional parameter."""
    if value is None:
        return None if optional else "null is only allowed for an optional parameter (default: null)"
    words, check = _TYPES[type_name]
    return None if check(value) else f"expected {words}, not {value!r}"


# Parameters overridden per policy id: {policy id: {parameter name: Override}}.
Overrides = dict[str, dict[str, Override]]


def read_parameters(
    node: Any,
    overrides: dict[str, Override],
    policy_id: str,
    fail: Callable[[PathKey, str], Exception],
    at_override: Callable[[Override, str], Exception],
) -> dict[str, Parameter]:
    """A policy's ``parameters:`` with the values in force; ``fail`` points into the policy, ``at_override`` into the config."""
    if node is None:
        node = {}
    if not isinstance(node, dict):
        raise fail(("parameters",), "'parameters' must be a mapping: name -> {type, default, description}")
    result: dict[str, Parameter] = {}
    for name, spec in node.items():
        where: PathKey = ("parameters", str(name))
        if not isinstance(name, str) or not PARAMETER_NAME.match(name):
            raise fail(where, f"parameter name {name!r} must be lowercase letters, digits and underscores")
        if not isinstance(spec, dict):
            raise fail(where, "a parameter is a mapping with type, default and description")
        for key in spec:
            if key not in _FIELDS:
                raise fail((*where, str(key)), f"unknown parameter field {key!r} (allowed: {', '.join(_FIELDS)})")
        for key in _FIELDS:
            if key not in spec:
                raise fail(where, f"parameter {name!r} needs {key!r}")
        type_name = spec["type"]
        if type_name not in PARAMETER_TYPES:
            raise fail((*where, "type"), f"unknown parameter type {type_name!r} (known: {', '.join(PARAMETER_TYPES)})")
        description = spec["description"]
        if not isinstance(description, str) or not description.strip():
            raise fail((*where, "description"), "a parameter's description must say what it means")
        default = spec["default"]
        problem = type_problem(type_name, default, optional=True)
        if problem:
            raise fail((*where, "default"), f"default of {name!r}: {problem}")
        value, origin = default, "default"
        override = overrides.get(name)
        if override is not None:
            problem = type_problem(type_name, override.value, optional=default is None)
            if problem:
                raise at_override(override, f"{policy_id}.{name} ({type_name}): {problem}")
            value, origin = override.value, override.origin
        result[name] = Parameter(name, type_name, default, " ".join(description.split()), value, origin)
    for name, override in overrides.items():
        if name not in result:
            known = ", ".join(result) or "none"
            raise at_override(
                override,
                f"policy {policy_id!r} has no parameter {name!r}{suggestion(name, result)} (its parameters: {known})",
            )
    return result
