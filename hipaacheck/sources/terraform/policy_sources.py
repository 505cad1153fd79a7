"""A resource policy that is unknown at plan time because an ``aws_iam_policy_document`` renders it.

The usual module pattern is ``policy = data.aws_iam_policy_document.this.json``
with ``resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]``:
on a new bucket the ARN is unknown, so Terraform defers the data source to
apply and the policy is unknown. The statements are still in the plan: as
the data source's rendered ``json`` when it was read during plan (in
``prior_state`` or a ``read`` change), else in its ``configuration``
expressions (constants and references). This module rebuilds the document
from those, reading a reference to the policy's own bucket as that bucket's
ARN (``arn:aws:s3:::NAME``, or one symbolic ARN when the name is unknown),
and leaves the decision to ``derive.policy_document``.

Anything it cannot rebuild exactly is returned as None (the policy stays
unknown), with one exception that can only err towards failing: an element
of an Allow's Resource that cannot be read is taken as ``*``, and of a
Deny's Resource as covering nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .plan import PlanResource, strip_indexes
from .policy_blocks import conditions, constant, principals, tuple_elements
from .raw import UNKNOWN
from .references import Linker

POLICY_DOCUMENT = "aws_iam_policy_document"
_DATA_REF = re.compile(r"^data\.aws_iam_policy_document\.(?P<name>[A-Za-z_][\w-]*)(?:\[(?P<index>[^\]]+)\])?")
_UNSUPPORTED = ("override_policy_documents", "source_json", "override_json", "dynamic")


def self_arn(bucket: PlanResource) -> str:
    """The bucket's ARN, or a symbolic one that no bucket name can equal (only wildcards match it)."""
    name = bucket.raw.get("bucket")
    return f"arn:aws:s3:::{name}" if isinstance(name, str) and name else f"arn:aws:s3:::<{bucket.address}>"


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """A policy document read from the plan.

    ``deny_uncertain``: a Deny statement whose exact Resource could not be read
    was left out. The document then still decides "public" (a Deny never makes
    a policy more public) but not "TLS is denied", unless another Deny does.
    """

    document: dict[str, Any]
    deny_uncertain: bool = False


_DROPPED = object()  # a Deny whose coverage cannot be read: left out, and said so


def document_for(linker: Linker, policy_holder: PlanResource, bucket: PlanResource) -> Rebuilt | None:
    """The policy document ``policy_holder.policy`` will hold, when the plan shows it; else None."""
    expression = linker.plan.expressions(policy_holder).get("policy")
    references = expression.get("references") if isinstance(expression, dict) else None
    if not isinstance(references, list):
        return None
    names = _document_names(linker, references, policy_holder.module)
    if names is None or len(names) != 1:
        return None
    return _document(linker, policy_holder.module, names.pop(), bucket, 0)


def _document_names(linker: Linker, references: list[Any], module: str, depth: int = 0) -> set[str] | None:
    """The policy documents an expression can evaluate to; None when something else could be the policy.

    ``local.*`` is followed through the sources; a variable counts only when its module call leaves
    it unset or passes a constant that is not text (a flag such as attach_policy = true); an
    attribute of a bucket is never a policy (it fills placeholders, as in replace(...)).
    """
    if depth > 8:
        return None
    names: set[str] = set()
    for reference in references:
        if not isinstance(reference, str):
            return None
        match = _DATA_REF.match(reference)
        if match:
            names.add(match["name"])
        elif reference.startswith("local."):
            local = reference.split(".")[1].split("[")[0]
            inner = linker.locals_lookup(strip_indexes(module), local) if linker.locals_lookup else None
            found = _document_names(linker, inner, module, depth + 1) if inner is not None else None
            if found is None:
                return None
            names |= found
        elif reference.startswith("var."):
            if not _flag_variable(linker, module, reference.split(".")[1].split("[")[0]):
                return None
        elif not reference.startswith(("aws_s3_bucket.", "aws_s3_directory_bucket.", "count.", "each.key")):
            return None
    return names


def _flag_variable(linker: Linker, module: str, name: str) -> bool:
    if not module:
        return False  # a root variable's value is in the plan's variables, not followed here
    call = linker.plan.module_calls.get(strip_indexes(module))
    expressions = call.get("expressions") if call else None
    expression = expressions.get(name) if isinstance(expressions, dict) else None
    if expression is None:
        return True  # unset: its default, and a module's policy default is not a policy text here
    value = constant(expression)
    return value is not UNKNOWN and (value is None or isinstance(value, bool | int | float))


def _document(linker: Linker, module: str, name: str, bucket: PlanResource, depth: int) -> Rebuilt | None:
    """One aws_iam_policy_document instance of ``module``: rendered during plan, else rebuilt."""
    prefix = f"{module}.data.{POLICY_DOCUMENT}.{name}" if module else f"data.{POLICY_DOCUMENT}.{name}"
    instances = [(a, j) for a, j in _data_index(linker).items() if a == prefix or a.startswith(prefix + "[")]
    if len(instances) != 1:
        return None  # absent (count = 0), or several instances to choose from
    rendered = _parse_json(instances[0][1])
    if rendered is not None:
        return Rebuilt(rendered)
    block = _config_block(linker, module, name)
    if block is None:
        return None
    source = linker.sources.data_block(strip_indexes(module), POLICY_DOCUMENT, name) if linker.sources else None
    return _rebuild(linker, block, source, bucket, module, depth)


def _parse_json(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, str):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def _data_index(linker: Linker) -> dict[str, Any]:
    """Every aws_iam_policy_document instance of the plan: address -> its json (None if known only after apply)."""
    cached = getattr(linker, "_policy_documents", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found: dict[str, Any] = {}
    document = linker.plan.document
    changes = document.get("resource_changes")
    for change in changes if isinstance(changes, list) else []:
        if isinstance(change, dict) and change.get("mode") == "data" and change.get("type") == POLICY_DOCUMENT:
            body = _dict(change.get("change"))
            after, unknown = _dict(body.get("after")), body.get("after_unknown")
            json_unknown = isinstance(unknown, dict) and unknown.get("json") is True
            if isinstance(change.get("address"), str):
                found[change["address"]] = None if json_unknown else after.get("json")
    prior = document.get("prior_state")
    stack = [_dict(_dict(prior).get("values")).get("root_module")]
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        resources = module.get("resources")
        for resource in resources if isinstance(resources, list) else []:
            if (
                isinstance(resource, dict)
                and resource.get("mode") == "data"
                and resource.get("type") == POLICY_DOCUMENT
                and isinstance(resource.get("address"), str)
            ):
                found.setdefault(resource["address"], _dict(resource.get("values")).get("json"))
        children = module.get("child_modules")
        stack.extend(children if isinstance(children, list) else [])
    linker._policy_documents = found  # type: ignore[attr-defined]
    return found


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _config_block(linker: Linker, module: str, name: str) -> dict[str, Any] | None:
    config = linker.plan.config_modules.get(strip_indexes(module))
    for block in config.get("resources") or [] if isinstance(config, dict) else []:
        if (
            isinstance(block, dict)
            and block.get("mode") == "data"
            and block.get("type") == POLICY_DOCUMENT
            and block.get("name") == name
        ):
            expressions = block.get("expressions")
            return expressions if isinstance(expressions, dict) else None
    return None


def _rebuild(
    linker: Linker,
    block: dict[str, Any],
    source: dict[str, Any] | None,
    bucket: PlanResource,
    module: str,
    depth: int = 0,
) -> Rebuilt | None:
    if any(key in block for key in _UNSUPPORTED) or depth > 4:
        return None
    rebuilt: list[Any] = []
    dropped = False
    if "source_policy_documents" in block:
        # compact([var.a ? data.x[0].json : "", ...]): the documents that exist in the plan are merged.
        sources = block["source_policy_documents"]
        references = sources.get("references") if isinstance(sources, dict) else None
        names = _document_names(linker, references, module) if isinstance(references, list) else None
        if names is None:
            return None
        for name in sorted(names):
            if not _exists(linker, module, name):
                continue  # count = 0: the conditional left it out
            part = _document(linker, module, name, bucket, depth + 1)
            if part is None:
                return None
            statements = part.document.get("Statement")
            rebuilt.extend(statements if isinstance(statements, list) else [statements])
            dropped = dropped or part.deny_uncertain
    statements = block.get("statement", [])
    if not isinstance(statements, list):
        return None
    source_statements = source.get("statement") if isinstance(source, dict) else None
    if not isinstance(source_statements, list) or len(source_statements) != len(statements):
        source_statements = [None] * len(statements)
    for expressions, text in zip(statements, source_statements, strict=True):
        statement = _statement(linker, expressions, text, bucket, module)
        if statement is None:
            return None
        if statement is _DROPPED:
            dropped = True
            continue
        rebuilt.append(statement)
    return Rebuilt({"Version": "2012-10-17", "Statement": rebuilt}, dropped)


def _exists(linker: Linker, module: str, name: str) -> bool:
    prefix = f"{module}.data.{POLICY_DOCUMENT}.{name}" if module else f"data.{POLICY_DOCUMENT}.{name}"
    return any(a == prefix or a.startswith(prefix + "[") for a in _data_index(linker))


def _statement(linker: Linker, expressions: Any, text: Any, bucket: PlanResource, module: str) -> Any:
    if not isinstance(expressions, dict):
        return None
    effect = constant(expressions.get("effect")) if "effect" in expressions else "Allow"
    if effect not in ("Allow", "Deny"):
        return None
    statement: dict[str, Any] = {"Effect": effect}
    for key, name in (("actions", "Action"), ("not_actions", "NotAction")):
        if key in expressions:
            value = constant(expressions[key])
            if not isinstance(value, list):
                return None
            statement[name] = value
    for key, name in (("resources", "Resource"), ("not_resources", "NotResource")):
        if key in expressions:
            value = _resources(
                linker, expressions[key], text.get(key) if isinstance(text, dict) else None, effect, bucket, module
            )
            if value is None and effect == "Deny" and key == "resources":
                return _DROPPED
            if value is None:
                return None
            if effect == "Allow" and key == "not_resources" and value != constant(expressions[key]):
                return None  # a widened NotResource would cover less, not more
            statement[name] = value
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if key in expressions:
            principal = principals(expressions[key])
            if principal is None:
                return None
            statement[name] = principal
    if "condition" in expressions:
        condition = conditions(expressions["condition"])
        if condition is None:
            return None
        statement["Condition"] = condition
    return statement


def _resources(
    linker: Linker, expression: Any, text: Any, effect: str, bucket: PlanResource, module: str
) -> list[str] | None:
    fixed = constant(expression)
    if isinstance(fixed, list) and all(isinstance(v, str) for v in fixed):
        return fixed
    arn = self_arn(bucket)
    if isinstance(text, str):
        elements = [_render(linker, element, bucket, module) for element in tuple_elements(text)]
        if elements and all(e is not None for e in elements):
            return [e for e in elements if e is not None]
    references = expression.get("references") if isinstance(expression, dict) else None
    if not isinstance(references, list):
        return None
    if effect == "Allow":
        # Wider than it may be: an Allow can only look more public for it, never less.
        return [arn, f"{arn}/*"] if _all_self(linker, references, bucket, module) else ["*"]
    return None  # a Deny's exact coverage needs the element text (the .tf sources)


def _all_self(linker: Linker, references: list[Any], bucket: PlanResource, module: str) -> bool:
    for reference in references:
        if not isinstance(reference, str):
            return False
        targets = linker.follow_references([reference], module, ("aws_s3_bucket",))
        if targets != [bucket]:
            return False
    return True


_INTERPOLATION = re.compile(r"\$\{([^{}]*)\}")


def _render(linker: Linker, element: str, bucket: PlanResource, module: str) -> str | None:
    """One element of a resources list: a constant, a reference to the bucket, or a template of them."""
    element = element.strip()
    if len(element) >= 2 and element[0] == element[-1] == '"':
        body = element[1:-1]
        parts: list[str] = []
        position = 0
        for match in _INTERPOLATION.finditer(body):
            value = _bucket_value(linker, match[1], bucket, module)
            if value is None:
                return None
            parts.extend((body[position : match.start()], value))
            position = match.end()
        parts.append(body[position:])
        rendered = "".join(parts)
        return None if "${" in rendered or "\\" in rendered else rendered
    return _bucket_value(linker, element, bucket, module)


def _bucket_value(linker: Linker, traversal: str, bucket: PlanResource, module: str) -> str | None:
    traversal = traversal.strip()
    attribute = traversal.rsplit(".", 1)[-1]
    base = traversal.rsplit(".", 1)[0]
    if attribute not in ("arn", "id", "bucket") or not re.fullmatch(r"[\w.\[\]\"-]+", traversal):
        return None
    if linker.follow_references([base], module, ("aws_s3_bucket",)) != [bucket]:
        return None
    arn = self_arn(bucket)
    return arn if attribute == "arn" else arn.removeprefix("arn:aws:s3:::")
