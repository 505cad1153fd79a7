"""Read values out of a resource change's after / after_unknown / after_sensitive trees."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()  # the value is known only after apply


@lru_cache(maxsize=4096)
def split_path(path: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def _step(node: Any, part: str | int) -> Any:
    if isinstance(part, int):
        return node[part] if isinstance(node, list) and part < len(node) else None
    return node.get(part) if isinstance(node, dict) else None


class RawValues:
    """One resource's planned values with their unknown and sensitive markers."""

    __slots__ = ("after", "problem", "sensitive", "unknown")

    def __init__(self, after: Any, unknown: Any, sensitive: Any, problem: str | None = None) -> None:
        self.after = after if isinstance(after, dict) else {}
        self.unknown = unknown
        self.sensitive = sensitive
        # Why these values cannot be read at all (a create whose "after" is null or not an
        # object): nothing here is evidence, and no field may fall back to a default.
        self.problem = problem

    def get(self, path: str) -> Any:
        """The value at a dotted path (list indexes as numbers), None if absent, UNKNOWN if unknown."""
        parts = split_path(path)
        if self._marked(self.unknown, parts, partial=False):
            return UNKNOWN
        node: Any = self.after
        for part in parts:
            node = _step(node, part)
            if node is None:
                return None
        return node

    def is_unknown(self, path: str, partial: bool = True) -> bool:
        """Unknown at or above ``path``; with ``partial``, also anywhere below it."""
        return self._marked(self.unknown, split_path(path), partial)

    def is_sensitive(self, path: str) -> bool:
        return self._marked(self.sensitive, split_path(path), partial=True)

    def sensitive_strings(self) -> frozenset[str]:
        """Every string value under a sensitive marker: such text must not become a display name."""
        if not self.sensitive:
            return frozenset()
        found: set[str] = set()
        stack: list[tuple[Any, Any]] = [(self.after, self.sensitive)]
        while stack:
            value, marker = stack.pop()
            if marker is True:
                found.update(_strings_in(value))
            elif isinstance(marker, dict) and isinstance(value, dict):
                stack.extend((value.get(k), m) for k, m in marker.items())
            elif isinstance(marker, list) and isinstance(value, list):
                stack.extend(zip(value, marker, strict=False))
        return frozenset(found)

    @staticmethod
    def _marked(tree: Any, parts: tuple[str | int, ...], partial: bool) -> bool:
        node = tree
        for part in parts:
            if node is True:
                return True
            node = _step(node, part)
            if node is None or node is False:
                return False
        return node is True or (partial and isinstance(node, dict | list) and _any_true(node))


def _strings_in(value: Any) -> list[str]:
    found: list[str] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _any_true(node: Any) -> bool:
    """A container whose markers are all false is not marked; any true leaf marks it.

    A loop, not recursion: marker trees come from the plan and may nest deeply.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if current is True:
            return True
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False
