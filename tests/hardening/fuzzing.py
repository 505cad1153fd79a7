"""Shared pieces of the fuzz suites: example budgets, mutation strategies, running the CLI in-process.

Every suite draws a real input (a fixture or corpus plan, a built-in policy,
a waivers file, a JSON report), applies a few structural mutations at
hypothesis-chosen places (drop a key, swap a value's type, null, deep
nesting, huge or odd strings, duplicates) and sometimes a byte-level one
(truncation, a BOM, invalid UTF-8), then runs the real CLI on it.

Budgets: the normal run uses a small, derandomized number of examples per
suite, so CI is fast and reproducible. ``HIPAACHECK_FUZZ_EXAMPLES=N`` runs N
examples per suite with fresh randomness; a failure prints the input and a
``@reproduce_failure`` blob that replays it.
"""

from __future__ import annotations

import gc
import json
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ..conftest import CORPUS, FIXTURES, Run

LARGE_RUN = int(os.environ.get("HIPAACHECK_FUZZ_EXAMPLES", "0"))
# Seconds one example may take before it counts as a hang.
HANG_SECONDS = 30

Path_ = tuple[str | int, ...]


def budget(normal: int) -> settings:
    """``normal`` derandomized examples, or HIPAACHECK_FUZZ_EXAMPLES fresh ones."""
    examples = LARGE_RUN or normal
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=not LARGE_RUN,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
            HealthCheck.large_base_example,
        ],
    )


def report_count(request: pytest.FixtureRequest, examples: int) -> None:
    """Show the example count of a fuzz suite in the test report (-rA / junit properties)."""
    request.node.user_properties.append(("fuzz_examples", examples))


@dataclass
class Counter:
    """How many examples ran and how they ended, printed at the end of each suite."""

    name: str
    runs: int = 0
    exits: dict[int, int] | None = None

    def add(self, code: int) -> None:
        self.runs += 1
        self.exits = self.exits or {}
        self.exits[code] = self.exits.get(code, 0) + 1

    def line(self) -> str:
        exits = ", ".join(f"exit {k}: {v}" for k, v in sorted((self.exits or {}).items()))
        return f"fuzz {self.name}: {self.runs} inputs ({exits})"


# ---------------------------------------------------------------- hangs


class Hang(Exception):
    pass


@contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail an example that runs longer than ``seconds`` (main thread, POSIX)."""

    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no answer within {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- running the CLI


def run_main(capsys: pytest.CaptureFixture[str], args: list[str]) -> Run:
    """hipaacheck.cli.main in-process; any exception escaping it fails the example (a crash)."""
    from hipaacheck.cli import main

    capsys.readouterr()
    with no_hang():
        code = main(args)
    captured = capsys.readouterr()
    gc.unfreeze()  # read_plan freezes the plan for speed; thousands of examples must not pile up
    return Run(code, captured.out, captured.err)


def assert_clean_outcome(result: Run, what: str) -> None:
    """A report (exit 0, 1 or 3) or exit 2 with exactly one line on stderr; never a traceback."""
    assert "Traceback" not in result.err, result.err[-3000:]
    assert result.code in (0, 1, 2, 3), (what, result.code, result.err[-2000:])
    if result.code == 2:
        lines = result.err.splitlines()
        assert len(lines) == 1, (what, result.err[-3000:])
        assert lines[0].startswith("hipaacheck: error: "), lines[0]
        assert result.out == "", (what, result.out[:500])


def check_report_json(text: str) -> dict[str, Any]:
    document = json.loads(text)
    statuses = {"pass", "fail", "unknown", "error", "skipped", "waived"}
    assert {f["status"] for f in document["findings"]} <= statuses
    assert sum(document["summary"].values()) == len(document["findings"])
    assert document["result"] in ("pass", "fail", "incomplete")
    return document  # type: ignore[no-any-return]


# ---------------------------------------------------------------- inputs


@cache
def plan_texts() -> tuple[tuple[str, str], ...]:
    """(name, JSON text) of every fixture plan and every corpus plan, decoded and re-serialised."""
    from hipaacheck.sources.terraform.plan_file import _decode

    files = sorted(FIXTURES.glob("*/plan.json")) + sorted(CORPUS.glob("*.json"))
    found = []
    for path in files:
        document = json.loads(_decode(path.read_bytes(), path))
        found.append((f"{path.parent.name}/{path.name}", json.dumps(document)))
    assert len(found) >= 44, "the fixture plans and the 40 corpus plans"
    return tuple(found)


# ---------------------------------------------------------------- values


ODD_TEXT = [
    "\ud800",  # a lone surrogate: valid in JSON escapes, not encodable as UTF-8
    "\udfff\ud800",
    "\u202eevil\u202c",  # right-to-left override
    "\u0000",
    "a\u0000b",
    "\ufeff",
    "\u200b\u200d",
    "e\u0301\u0301\u0301",
    "🧨💥",
    "\n::error::injected\n",
    "%0A%0D%25",
    "`|<script>|`",
    "]]><!--",
    "\x1b[2J",
    "\r\n\r\n",
    "../../etc/passwd",
    "AKIAIOSFODNN7EXAMPLE",
    "password=hunter2",
    "true",
    "false",
    "1",
    "-1",
    "NaN",
    "",
    " ",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63, -(2**63), 10**300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(ODD_TEXT),
)


def deep(depth: int, kind: str) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value] if kind == "list" else {"d": value}
    return value


@st.composite
def weird_values(draw: st.DrawFn) -> Any:
    """A value of any JSON type, biased to shapes that break parsers."""
    choice = draw(st.integers(0, 9))
    if choice <= 3:
        return draw(scalars)
    if choice == 4:
        return draw(st.lists(scalars, max_size=4))
    if choice == 5:
        return draw(st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(ODD_TEXT)), scalars, max_size=4))
    if choice == 6:
        return deep(draw(st.sampled_from([2, 30, 200, 900])), draw(st.sampled_from(["list", "dict"])))
    if choice == 7:
        return draw(st.sampled_from(ODD_TEXT)) * draw(st.sampled_from([1, 1000, 200_000]))
    if choice == 8:
        return draw(st.sampled_from(["x", "é", "\u202e"])) * draw(st.sampled_from([100_000, 2_000_000]))
    return draw(st.sampled_from([{}, [], [{}], [None], {"": None}, [[]], "{}", "[]", '{"Statement": 5}']))


# ---------------------------------------------------------------- structural mutations


def all_paths(document: Any, limit: int = 200_000) -> list[Path_]:
    """Every path to a value in a JSON document (dict keys and list indexes), breadth first."""
    found: list[Path_] = []
    stack: list[tuple[Path_, Any]] = [((), document)]
    while stack and len(found) < limit:
        path, node = stack.pop()
        found.append(path)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))
    return found


def _parent(document: Any, path: Path_) -> Any:
    node = document
    for part in path[:-1]:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        else:
            return None
    return node


def _get(document: Any, path: Path_) -> Any:
    parent = _parent(document, path) if path else None
    if not path:
        return document
    if isinstance(parent, dict):
        return parent.get(path[-1])
    if isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
        return parent[path[-1]]
    return None


def replace(document: Any, path: Path_, value: Any) -> Any:
    """Replace the value at ``path`` (no-op when the path is gone); returns the (new) document."""
    if not path:
        return value
    parent = _parent(document, path)
    key = path[-1]
    if (isinstance(parent, dict) and key in parent) or (
        isinstance(parent, list) and isinstance(key, int) and key < len(parent)
    ):
        parent[key] = value
    return document


def drop(document: Any, path: Path_) -> Any:
    if not path:
        return document
    parent = _parent(document, path)
    key = path[-1]
    if isinstance(parent, dict):
        parent.pop(key, None)
    elif isinstance(parent, list) and isinstance(key, int) and key < len(parent):
        del parent[key]
    return document


def duplicate(document: Any, path: Path_) -> Any:
    """Append a copy of a list item to its list (duplicate addresses, repeated blocks)."""
    parent = _parent(document, path)
    if isinstance(parent, list) and path and isinstance(path[-1], int) and path[-1] < len(parent):
        parent.append(json.loads(json.dumps(parent[path[-1]])))
    return document


def rename_key(document: Any, path: Path_, new: str) -> Any:
    parent = _parent(document, path)
    if isinstance(parent, dict) and path and path[-1] in parent:
        parent[new] = parent.pop(path[-1])
    return document


Mutation = Callable[[Any], Any]


@st.composite
def structural_mutation(draw: st.DrawFn, paths: list[Path_], focus: tuple[str, ...] = ()) -> tuple[str, Mutation]:
    """One mutation at a drawn path; ``focus`` prefixes are chosen more often."""
    focused = [p for p in paths if p[: len(focus)] == focus] if focus else []
    pool = focused if focused and draw(st.booleans()) else paths
    path = pool[draw(st.integers(0, len(pool) - 1))]
    kind = draw(st.sampled_from(["drop", "swap", "null", "duplicate", "rename", "swap", "wrap"]))
    if kind == "drop":
        return f"drop {path}", lambda d: drop(d, path)
    if kind == "null":
        return f"null at {path}", lambda d: replace(d, path, None)
    if kind == "duplicate":
        return f"duplicate {path}", lambda d: duplicate(d, path)
    if kind == "rename":
        new = draw(st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=10)))
        return f"rename {path} to {new!r}", lambda d: rename_key(d, path, new)
    if kind == "wrap":
        wrapper = draw(st.sampled_from(["list", "dict", "string"]))

        def wrap(d: Any) -> Any:
            value = _get(d, path)
            shaped = [value] if wrapper == "list" else {"value": value} if wrapper == "dict" else json.dumps(value)
            return replace(d, path, shaped)

        return f"wrap {path} in a {wrapper}", wrap
    value = draw(weird_values())
    return f"swap {path} for {str(value)[:60]!r}", lambda d: replace(d, path, value)


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["none", "none", "none", "truncate", "bom", "utf16", "bad-utf8", "nul", "garbage"]))
    if kind == "truncate":
        cut = draw(st.integers(0, max(0, len(data) - 1)))
        return f"truncate at {cut}", data[:cut]
    if kind == "bom":
        return "utf-8 BOM", b"\xef\xbb\xbf" + data
    if kind == "utf16":
        return "utf-16", data.decode("utf-8", "surrogatepass").encode("utf-16", "surrogatepass")
    if kind == "bad-utf8":
        at = draw(st.integers(0, len(data)))
        return f"invalid utf-8 at {at}", data[:at] + b"\xff\xfe\xc3" + data[at:]
    if kind == "nul":
        at = draw(st.integers(0, len(data)))
        return f"NUL byte at {at}", data[:at] + b"\x00" + data[at:]
    if kind == "garbage":
        at = draw(st.integers(0, len(data)))
        junk = draw(st.binary(min_size=1, max_size=20))
        return f"bytes {junk!r} at {at}", data[:at] + junk + data[at:]
    return "", data


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
