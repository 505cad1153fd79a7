"""Policy-document blocks as a plan's configuration writes them: constants, list elements, principals, conditions.

``aws_iam_policy_document`` blocks reach the plan as configuration
expressions (``constant_value`` and ``references``), not values. These
readers turn one block into its JSON-policy form, or None when the block
cannot be read exactly; none of them follows references (policy_sources
does, through the Linker).
"""

from __future__ import annotations

from typing import Any

from .raw import UNKNOWN

_OPAQUE = "(known after apply)"


def constant(expression: Any) -> Any:
    if isinstance(expression, dict) and "constant_value" in expression and not expression.get("references"):
        return expression["constant_value"]
    return UNKNOWN


def tuple_elements(text: str) -> list[str]:
    """The elements of ``${[a, "b/${c}"]}`` as python-hcl2 writes a list expression."""
    text = text.strip()
    if not (text.startswith("${[") and text.endswith("]}")):
        return [text] if text.startswith('"') or not text.startswith("${") else [text[2:-1]]
    inner = text[3:-2]
    elements, start = [], 0
    for comma in _top_level_commas(inner):
        elements.append(inner[start:comma])
        start = comma + 1
    elements.append(inner[start:])
    return [e for e in (element.strip() for element in elements) if e]


def _top_level_commas(text: str) -> list[int]:
    """Where the commas between list elements are: not inside brackets, strings or ``${...}``.

    Positions are of ``text`` itself (a masked copy that changes length would misplace them).
    """
    commas: list[int] = []
    open_: list[str] = []  # '"' a string, "$" an interpolation, or an open bracket
    i = 0
    while i < len(text):
        char = text[i]
        if open_ and open_[-1] == '"':
            if char == "\\":
                i += 2  # an escaped character, even a quote
                continue
            if char == '"':
                open_.pop()
            elif text.startswith(("${", "%{"), i):
                open_.append("$")
                i += 2
                continue
        elif char == '"':
            open_.append('"')
        elif char in "([{":
            open_.append(char)
        elif char in ")]}":
            if open_:
                open_.pop()
        elif char == "," and not open_:
            commas.append(i)
        i += 1
    return commas


def principals(blocks: Any) -> dict[str, list[str]] | str | None:
    if not isinstance(blocks, list):
        return None
    principal: dict[str, list[str]] = {}
    for block in blocks:
        if not isinstance(block, dict):
            return None
        kind = constant(block.get("type"))
        identifiers = constant(block.get("identifiers"))
        if not isinstance(kind, str):
            return None
        if identifiers is UNKNOWN:
            # A managed resource's ARN is never "*"; a variable or local could be.
            references = (
                block.get("identifiers", {}).get("references") if isinstance(block.get("identifiers"), dict) else None
            )
            if not references or any(
                not isinstance(r, str) or r.startswith(("var.", "local.", "data.", "module.", "each."))
                for r in references
            ):
                return None
            identifiers = [_OPAQUE]
        if not isinstance(identifiers, list) or not all(isinstance(i, str) for i in identifiers):
            return None
        if kind == "*":
            return "*" if "*" in identifiers else None
        principal.setdefault(kind, []).extend(identifiers)
    return principal


def conditions(blocks: Any) -> dict[str, dict[str, list[str]]] | None:
    if not isinstance(blocks, list):
        return None
    condition: dict[str, dict[str, list[str]]] = {}
    for block in blocks:
        if not isinstance(block, dict):
            return None
        test, variable = constant(block.get("test")), constant(block.get("variable"))
        values = constant(block.get("values"))
        if not isinstance(test, str) or not isinstance(variable, str):
            return None
        if values is UNKNOWN:
            values = [_OPAQUE]  # the key and the operator decide what a condition limits, not its value
        if not isinstance(values, list):
            return None
        condition.setdefault(test, {}).setdefault(variable, []).extend(str(v) for v in values)
    return condition
