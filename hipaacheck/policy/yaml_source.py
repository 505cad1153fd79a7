"""YAML parsing that remembers where every value came from.

Policy errors must point at ``file:line:col``; PyYAML's node tree has the
marks, so we build plain Python values from it and keep a side table of
positions keyed by the path to each value.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PathKey = tuple[str | int, ...]


class SourceError(Exception):
    """An input problem with its position: str() is the one line a user sees."""

    def __init__(self, file: str, line: int, col: int, message: str) -> None:
        super().__init__(f"{file}:{line}:{col}: {message}")
        self.file, self.line, self.col, self.message = file, line, col, message


@dataclass
class Located:
    """A parsed YAML document and the (line, col) of each value, 1-based."""

    file: str
    value: Any
    marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: PathKey) -> tuple[int, int]:
        # Fall back to the nearest parent that has a mark.
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))

    def error(self, path: PathKey, message: str) -> SourceError:
        line, col = self.where(path)
        return SourceError(self.file, line, col, message)


# A policy is a page of YAML. Aliases can make a small file expand without limit
# ("billion laughs"), so building stops at this many values.
MAX_VALUES = 100_000
MAX_BYTES = 1024 * 1024


def load_located(path: Path, parsed: Callable[[Path, str], Located | None] | None = None) -> Located:
    """A YAML file, parsed; ``parsed`` may supply the result for its text instead (parsed_pack)."""
    name = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would block the scan forever; a device or socket is no policy either.
            raise SourceError(name, 1, 1, "not a regular file")
        if info.st_size > MAX_BYTES:
            raise SourceError(name, 1, 1, f"larger than {MAX_BYTES // 1024} KiB; a policy is a page of YAML")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(name, 1, 1, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SourceError(name, 1, 1, f"cannot read: {exc.strerror or exc}") from None
    known = parsed(path, text) if parsed is not None else None
    return known if known is not None else parse_located(text, name)


def parse_located(text: str, name: str) -> Located:
    """YAML text (read by the caller: a file, or a blob of a git revision) with the line of every value."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        raise SourceError(name, 1, 1, "YAML nested too deeply") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourceError(name, line, col, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise SourceError(name, 1, 1, f"YAML error: {exc}") from None
    located = Located(name, None)
    if node is None:
        raise SourceError(name, 1, 1, "empty file")
    try:
        located.value = _build(node, (), located, [0], set())
    except RecursionError:
        raise SourceError(name, 1, 1, "YAML nested too deeply") from None
    return located


def _build(node: yaml.Node, path: PathKey, located: Located, count: list[int], active: set[int]) -> Any:
    """Plain values from a node; ``count`` caps how many (aliases), ``active`` catches an alias to itself."""
    count[0] += 1
    if count[0] > MAX_VALUES:
        raise located.error(path, f"more than {MAX_VALUES} values (YAML aliases expand without limit?)")
    if id(node) in active:
        raise located.error(path, "a YAML alias refers to a value that contains it")
    located.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        active.add(id(node))
        try:
            return _build_collection(node, path, located, count, active)
        finally:
            active.discard(id(node))
    return _scalar(node, located)


def _build_collection(
    node: yaml.MappingNode | yaml.SequenceNode, path: PathKey, located: Located, count: list[int], active: set[int]
) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, located)
            if not isinstance(key, str | int | bool | float) or key is None:
                raise located.error(path, "mapping keys must be plain scalars")
            if key in result:
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise SourceError(located.file, line, col, f"duplicate key {key!r}")
            child = (*path, str(key))
            located.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _build(value_node, child, located, count, active)
            located.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    return [_build(item, (*path, i), located, count, active) for i, item in enumerate(node.value)]


def _scalar(node: yaml.Node, located: Located) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        raise SourceError(located.file, line, col, "expected a plain value here")
    try:
        return _construct(node)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        # e.g. a date that does not exist (2026-02-30) or an absurd number
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        raise SourceError(located.file, line, col, f"bad value: {exc}") from None


_constructor = yaml.SafeLoader("")


def _construct(node: yaml.ScalarNode) -> Any:
    # Resolve the scalar's implicit tag (int, bool, null, ...) the way safe_load would.
    value = _constructor.construct_object(node, deep=True)
    _constructor.constructed_objects.clear()
    return value
