"""Load policy YAML files: syntax, then structure, then meaning; every error at file:line:col.

An invalid policy is a hard error, never skipped: a compliance gate that
silently drops a rule reports a pass it never checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import safeguards
from ..models import Severity
from ..resource_types import RESOURCE_TYPES, FieldInfo, field_info, validation_problems
from ..suggest import suggestion
from .conditions import OPERATORS, Always, Condition, Group, Leaf, Not, RegexError, compile_regex
from .model import Policy
from .parameters import Overrides, Parameter, read_parameters
from .parsed_pack import ParsedPack
from .yaml_source import Located, PathKey, SourceError, load_located

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,79}$")
_REQUIRED = ("id", "title", "resource", "severity", "safeguards", "require", "remediation", "examples")
_OPTIONAL = ("description", "scope", "parameters")
_SCALAR_KINDS = {"bool": (bool,), "int": (int, float), "float": (int, float), "str": (str,)}
_LENGTH_COMPARATORS = ("equals", "gt", "gte", "lt", "lte")
# A directory walk that finds more files than this is almost certainly pointed at the wrong place.
MAX_POLICY_FILES = 5000


class PolicyError(SourceError):
    pass


def load_policy_file(
    path: Path, overrides: Overrides | None = None, *, check_examples: bool = True, pack: ParsedPack | None = None
) -> Policy:
    """One policy; ``overrides`` (from a config file) set its parameters' values.

    ``check_examples=False`` skips checking the examples against the resource schema (their
    shape is still checked): examples decide no verdict of a scan, and checking them builds the
    validator of every type a policy names, most of a small scan's start-up. ``pack`` is the
    parsed copy of the file's directory (parsed_pack), used when it holds this file's text.
    """
    try:
        doc = load_located(path, pack.located if pack is not None else None)
    except SourceError as exc:
        raise PolicyError(exc.file, exc.line, exc.col, exc.message) from None
    return _PolicyReader(doc, overrides or {}, check_examples).read()


def policy_files(directory: Path) -> list[Path]:
    """The *.yaml / *.yml files under a policy directory, in a stable order."""
    if not directory.exists():
        raise PolicyError(str(directory), 1, 1, "policy directory does not exist")
    if not directory.is_dir():
        raise PolicyError(str(directory), 1, 1, "not a directory")
    found: list[Path] = []
    seen_dirs: set[Path] = set()
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            real = current.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise PolicyError(str(current), 1, 1, f"cannot resolve path: {exc}") from None
        if real in seen_dirs:
            raise PolicyError(str(current), 1, 1, "directory symlink loop")
        seen_dirs.add(real)
        try:
            entries = sorted(current.iterdir())
        except OSError as exc:
            raise PolicyError(str(current), 1, 1, f"cannot list directory: {exc.strerror or exc}") from None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                stack.append(entry)
            elif entry.suffix in (".yaml", ".yml"):
                found.append(entry)
            elif entry.is_symlink() and not entry.exists():
                raise PolicyError(str(entry), 1, 1, "broken symlink")
        if len(found) > MAX_POLICY_FILES:
            raise PolicyError(str(directory), 1, 1, f"more than {MAX_POLICY_FILES} policy files")
    return sorted(found)


def load_policies(
    directories: Iterable[Path], overrides: Overrides | None = None, *, examples_checked: Path | None = None
) -> list[Policy]:
    """Load every policy under the given directories; ids must be unique across all of them.

    ``overrides`` set parameter values per policy id; one naming a policy that
    is not loaded is an error at its line in the config file. The examples of
    policies under ``examples_checked`` (the built-in pack, whose examples the
    test suite checks with ``policies test``) are not checked against the
    resource schemas again (see ``load_policy_file``).
    """
    policies: list[Policy] = []
    seen: dict[str, Policy] = {}
    for directory in directories:
        check_examples = directory != examples_checked
        pack = ParsedPack(directory)
        for path in policy_files(directory):
            policy = load_policy_file(path, overrides, check_examples=check_examples, pack=pack)
            if policy.id in seen:
                first = seen[policy.id]
                raise PolicyError(
                    policy.file, policy.line, 1, f"duplicate policy id {policy.id!r} (first in {first.file})"
                )
            seen[policy.id] = policy
            policies.append(policy)
    for policy_id, values in (overrides or {}).items():
        if policy_id not in seen:
            entry = next(iter(values.values()), None)
            line, col = (entry.line, entry.col) if entry else (1, 1)
            file = entry.file if entry else ""
            raise PolicyError(
                file, line, col, f"parameters for {policy_id!r}: no such policy is loaded{suggestion(policy_id, seen)}"
            )
    return policies


class _PolicyReader:
    def __init__(self, doc: Located, overrides: Overrides, check_examples: bool = True) -> None:
        self.doc = doc
        self.overrides = overrides
        self.check_examples = check_examples
        self.parameters: dict[str, Parameter] = {}
        self.used: set[str] = set()
        self.policy_id = ""

    def fail(self, path: PathKey, message: str) -> PolicyError:
        line, col = self.doc.where(path)
        return PolicyError(self.doc.file, line, col, message)

    def read(self) -> Policy:
        data = self.doc.value
        if not isinstance(data, dict):
            raise self.fail((), "a policy must be a mapping of fields (id, title, resource, ...)")
        for key in data:
            if key not in _REQUIRED and key not in _OPTIONAL:
                allowed = ", ".join(_REQUIRED + _OPTIONAL)
                raise self.fail((str(key),), f"unknown field {key!r} (allowed: {allowed})")
        for key in _REQUIRED:
            if key not in data:
                raise self.fail((), f"missing required field {key!r}")
        policy_id = self.text(data, "id")
        if not _ID.match(policy_id):
            raise self.fail(("id",), f"id {policy_id!r} must be 3-80 lowercase letters, digits and dashes")
        stem = Path(self.doc.file).stem
        if stem != policy_id:
            # One file per policy, named after it, so a finding leads straight to its file.
            raise self.fail(("id",), f"id {policy_id!r} does not match the file name {stem!r}")
        resource_type = self.text(data, "resource")
        if resource_type not in RESOURCE_TYPES:
            raise self.fail(
                ("resource",), f"unknown resource type {resource_type!r} (known: {', '.join(RESOURCE_TYPES)})"
            )
        self.policy_id = policy_id
        self.parameters = read_parameters(
            data.get("parameters"),
            self.overrides.get(policy_id, {}),
            policy_id,
            self.fail,
            lambda o, message: PolicyError(o.file, o.line, o.col, message),
        )
        severity_text = self.text(data, "severity")
        try:
            severity = Severity(severity_text)
        except ValueError:
            raise self.fail(
                ("severity",), f"severity {severity_text!r} must be critical, high, medium or low"
            ) from None
        scope = self.condition(data["scope"], ("scope",), resource_type) if "scope" in data else None
        require = self.condition(data["require"], ("require",), resource_type)
        passes, fails, skips = self.examples(data["examples"], resource_type)
        for name in self.parameters:
            if name not in self.used:
                raise self.fail(("parameters", name), f"parameter {name!r} is declared but no condition uses it")
        return Policy(
            id=policy_id,
            title=self.text(data, "title"),
            resource_type=resource_type,
            severity=severity,
            safeguards=self.citations(data["safeguards"]),
            require=require,
            remediation=" ".join(self.text(data, "remediation").split()),
            scope=scope,
            description=" ".join(self.text(data, "description").split()) if "description" in data else "",
            pass_examples=passes,
            fail_examples=fails,
            skip_examples=skips,
            file=self.doc.file,
            line=self.doc.where(("id",))[0],
            parameters=tuple(self.parameters.values()),
        )

    def text(self, data: dict[str, Any], key: str) -> str:
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail((key,), f"{key!r} must be a non-empty string")
        return value.strip()

    def citations(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(
                ("safeguards",), "'safeguards' must be a non-empty list of citations like 164.312(a)(2)(iv)"
            )
        result: list[str] = []
        for i, citation in enumerate(value):
            where = ("safeguards", i)
            if not isinstance(citation, str) or not safeguards.CITATION_PATTERN.match(citation):
                raise self.fail(where, f"malformed citation {citation!r}; write it like 164.312(a)(2)(iv)")
            if safeguards.resolve(citation) is None:
                raise self.fail(where, f"citation {citation!r} is not a Security Rule specification")
            if citation in result:
                raise self.fail(where, f"citation {citation!r} listed twice")
            result.append(citation)
        return tuple(result)

    # ------------------------------------------------------------ conditions

    def condition(
        self, node: Any, path: PathKey, resource_type: str, guards: frozenset[str] = frozenset()
    ) -> Condition:
        if not isinstance(node, dict) or not node:
            raise self.fail(path, "a condition must be a mapping: all/any/not/when, or key/op[/value]")
        if "when" in node:
            return self.when(node, path, resource_type, guards)
        if "all" in node or "any" in node or "not" in node:
            if len(node) != 1:
                raise self.fail(path, f"'{next(iter(node))}' must be the only field of its condition")
            ((mode, children),) = node.items()
            if mode == "not":
                child = self.condition(children, (*path, "not"), resource_type, guards)
                return child if isinstance(child, Always) else Not(child)
            if not isinstance(children, list) or not children:
                raise self.fail((*path, mode), f"'{mode}' takes a non-empty list of conditions")
            compiled = [self.condition(c, (*path, mode, i), resource_type, guards) for i, c in enumerate(children)]
            # A `when` that is off removes its condition: from an `all` one requirement less, from
            # an `any` one alternative less. A group left with nothing requires nothing.
            kept = tuple(c for c in compiled if not isinstance(c, Always))
            return Group(mode, kept) if kept else Always()
        return self.leaf(node, path, resource_type, guards)

    def when(self, node: dict[str, Any], path: PathKey, resource_type: str, guards: frozenset[str]) -> Condition:
        """``{when: PARAM, then: CONDITION}``: the condition is there only while the parameter is on (not null/false)."""
        if set(node) != {"when", "then"}:
            raise self.fail(path, "'when' takes a parameter name and 'then': {when: PARAM, then: CONDITION}")
        name = node["when"]
        parameter = self.parameter(name, (*path, "when"))
        if not parameter.optional and parameter.type != "bool":
            raise self.fail(
                (*path, "when"),
                f"'when' needs an optional (default: null) or bool parameter; {name!r} is always on",
            )
        then = self.condition(node["then"], (*path, "then"), resource_type, guards | {name})
        return then if parameter.active else Always()

    def parameter(self, name: Any, where: PathKey) -> Parameter:
        if not isinstance(name, str) or name not in self.parameters:
            known = ", ".join(self.parameters) or "none declared"
            hint = suggestion(name, self.parameters) if isinstance(name, str) else ""
            raise self.fail(where, f"unknown parameter {name!r}{hint} (this policy's parameters: {known})")
        self.used.add(name)
        return self.parameters[name]

    def leaf(self, node: dict[str, Any], path: PathKey, resource_type: str, guards: frozenset[str]) -> Condition:
        extra = set(node) - {"key", "op", "value"}
        if extra:
            raise self.fail(
                (*path, str(sorted(extra)[0])),
                f"unknown condition field {sorted(extra)[0]!r} (expected key, op, value, or all/any/not)",
            )
        if "key" not in node or "op" not in node:
            raise self.fail(path, "a condition needs 'key' and 'op'")
        key, op = node["key"], node["op"]
        if not isinstance(key, str) or not key:
            raise self.fail((*path, "key"), "'key' must be a dotted field path")
        info = field_info(resource_type, key)
        if info is None:
            raise self.fail(
                (*path, "key"),
                f"{key!r} is not a field of {resource_type} (see `hipaacheck policies fields {resource_type}`)",
            )
        if not isinstance(op, str) or op not in OPERATORS:
            raise self.fail((*path, "op"), f"unknown operator {op!r} (known: {', '.join(OPERATORS)})")
        operator = OPERATORS[op]
        if not operator.takes_value:
            if "value" in node:
                raise self.fail((*path, "value"), f"operator {op!r} takes no value (use 'not' to negate)")
            return Leaf(key, op)
        if "value" not in node:
            raise self.fail(path, f"operator {op!r} needs a 'value'")
        raw = node["value"]
        if isinstance(raw, dict) and "param" in raw:
            return self.parameter_leaf(raw, (*path, "value"), key, op, info, guards)
        value = self.operand(op, raw, info, (*path, "value"), key)
        return Leaf(key, op, value)

    def parameter_leaf(
        self, raw: dict[str, Any], where: PathKey, key: str, op: str, info: FieldInfo, guards: frozenset[str]
    ) -> Condition:
        """``value: {param: NAME}``: the parameter's value in force, checked like a literal."""
        if set(raw) != {"param"}:
            raise self.fail(where, "a parameter reference is {param: NAME} and nothing else")
        parameter = self.parameter(raw["param"], (*where, "param"))
        if parameter.optional and parameter.name not in guards:
            raise self.fail(
                (*where, "param"),
                f"{parameter.name!r} is optional (null turns it off): put this condition under "
                f"{{when: {parameter.name}, then: ...}}",
            )
        if parameter.value is None:
            return Always()  # off; its `when` makes the whole branch hold trivially
        try:
            value = self.operand(op, parameter.value, info, where, key)
        except PolicyError as exc:
            if parameter.origin == "default":
                raise
            override = self.overrides[self.policy_id][parameter.name]
            raise PolicyError(override.file, override.line, override.col, exc.message) from None
        return Leaf(key, op, value)

    def operand(self, op: str, value: Any, info: FieldInfo, where: PathKey, key: str) -> Any:
        kind = info.kind

        def scalar_for(kind_name: str | None, v: Any, at: PathKey) -> Any:
            allowed = _SCALAR_KINDS.get(kind_name or "")
            if allowed is None or isinstance(v, bool) != (kind_name == "bool") or not isinstance(v, allowed):
                raise self.fail(at, f"{key} holds {kind_name} values; {v!r} cannot match it")
            return v

        if op == "equals":
            return scalar_for(kind, value, where)
        if op in ("in", "intersects"):
            target = info.item_kind if op == "intersects" else kind
            if op == "intersects" and kind != "list":
                raise self.fail(where, f"'intersects' needs a list field; {key} is {kind}")
            if not isinstance(value, list) or not value:
                raise self.fail(where, f"'{op}' takes a non-empty list")
            return [scalar_for(target, v, (*where, i)) for i, v in enumerate(value)]
        if op == "matches":
            if kind != "str" or not isinstance(value, str):
                raise self.fail(where, f"'matches' compares a string field with a regular expression; {key} is {kind}")
            try:
                return compile_regex(value)
            except RegexError as exc:
                raise self.fail(
                    where, f"regular expression {value!r} is refused: {exc} (patterns run on RE2, in linear time)"
                ) from None
        if op == "contains":
            if kind == "str":
                return scalar_for("str", value, where)
            if kind != "list":
                raise self.fail(where, f"'contains' needs a list or string field; {key} is {kind}")
            return scalar_for(info.item_kind, value, where)
        if op in ("gt", "gte", "lt", "lte"):
            if kind not in ("int", "float"):
                raise self.fail(where, f"'{op}' needs a numeric field; {key} is {kind}")
            return scalar_for(kind, value, where)
        # length
        if kind not in ("list", "str", "map"):
            raise self.fail(where, f"'length' needs a list, string or map field; {key} is {kind}")
        if (
            not isinstance(value, dict)
            or len(value) != 1
            or next(iter(value)) not in _LENGTH_COMPARATORS
            or not isinstance(next(iter(value.values())), int)
            or isinstance(next(iter(value.values())), bool)
        ):
            raise self.fail(where, "'length' takes one comparison, e.g. {gte: 1}")
        return dict(value)

    # ------------------------------------------------------------ examples

    def examples(self, node: Any, resource_type: str) -> tuple[tuple[dict[str, Any], ...], ...]:
        where: PathKey = ("examples",)
        if not isinstance(node, dict) or set(node) - {"pass", "fail", "skip"}:
            raise self.fail(where, "'examples' must be a mapping with 'pass' and 'fail' (and optional 'skip') lists")
        result: list[tuple[dict[str, Any], ...]] = []
        for kind in ("pass", "fail", "skip"):
            items = node.get(kind, [] if kind == "skip" else None)
            if kind == "skip" and isinstance(items, list) and not items:
                result.append(())
                continue
            if not isinstance(items, list) or not items:
                raise self.fail((*where, kind) if kind in node else where, f"examples need at least one '{kind}' case")
            for i, attrs in enumerate(items):
                if not isinstance(attrs, dict):
                    raise self.fail((*where, kind, i), "an example is a mapping of resource attributes")
                problems = validation_problems(resource_type, attrs) if self.check_examples else {}
                if problems:
                    field, problem = next(iter(problems.items()))
                    path: PathKey = (*where, kind, i, *field.split("."))
                    raise self.fail(path, f"example field {field!r} of {resource_type}: {problem}")
            result.append(tuple(items))
        return result[0], result[1], result[2]
