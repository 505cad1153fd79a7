"""Condition trees (all / any / not over key-op-value leaves) and the operator table.

Conditions are compiled once when a policy loads; evaluating one against a
resource returns a Truth and the evidence that decided it. Negation is
pushed down to the leaves (De Morgan) so every piece of evidence can say
what was expected in plain words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..display import show_value
from ..models import Evidence, GapKind, Resource
from .truth import Truth, combine

_MISSING = object()

_GAP_TRUTH = {
    GapKind.UNKNOWN: Truth.UNKNOWN,
    GapKind.ERROR: Truth.ERROR,
    GapKind.NOT_MANAGED: Truth.SKIPPED,
}


def lookup(attrs: dict[str, Any], parts: tuple[str, ...]) -> Any:
    node: Any = attrs
    for part in parts:
        if not isinstance(node, dict):
            return _MISSING
        node = node.get(part, _MISSING)
        if node is _MISSING or node is None:
            return _MISSING
    return node


# ---------------------------------------------------------------- operators
# Each operator: (test(actual, value) -> bool, words(value) -> str). An absent
# actual value never reaches ``test``: it makes every operator false (a list
# that is absent is empty, so ``length`` sees 0).


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _equals(actual: Any, value: Any) -> bool:
    return bool(
        (actual == value and type(actual) is type(value))
        or (_is_number(actual) and _is_number(value) and actual == value)
    )


def _in(actual: Any, value: list[Any]) -> bool:
    return any(_equals(actual, v) for v in value)


def _contains(actual: Any, value: Any) -> bool:
    if isinstance(actual, str):
        return isinstance(value, str) and value in actual
    if isinstance(actual, list):
        return any(_equals(item, value) for item in actual)
    return False


def _intersects(actual: Any, value: list[Any]) -> bool:
    return isinstance(actual, list) and any(_in(item, value) for item in actual)


def _compare(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda actual, value: _is_number(actual) and test(actual, value)


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
_COMPARATOR_WORDS = {"equals": "", "gt": "more than ", "gte": "at least ", "lt": "less than ", "lte": "at most "}


def _length(actual: Any, value: dict[str, int]) -> bool:
    size = len(actual) if isinstance(actual, list | str | dict) else 0
    ((name, bound),) = value.items()
    return _COMPARATORS[name](size, bound)


@dataclass(frozen=True, slots=True)
class Operator:
    test: Callable[[Any, Any], bool]
    words: Callable[[Any], str]
    takes_value: bool = True


def _list_words(value: list[Any], shown: int = 6) -> str:
    words = ", ".join(show_value(v) for v in value[:shown])
    return words + (f" (+{len(value) - shown} more)" if len(value) > shown else "")


OPERATORS: dict[str, Operator] = {
    "equals": Operator(_equals, lambda v: show_value(v)),
    "in": Operator(_in, lambda v: "one of " + _list_words(v)),
    "exists": Operator(lambda a, v: True, lambda v: "set", takes_value=False),
    "matches": Operator(
        lambda a, v: isinstance(a, str) and v.search(a) is not None, lambda v: f"matching /{v.pattern}/"
    ),
    "contains": Operator(_contains, lambda v: "containing " + show_value(v)),
    "intersects": Operator(_intersects, lambda v: "including any of " + _list_words(v)),
    "gt": Operator(_compare(lambda a, v: a > v), lambda v: f"more than {v}"),
    "gte": Operator(_compare(lambda a, v: a >= v), lambda v: f"at least {v}"),
    "lt": Operator(_compare(lambda a, v: a < v), lambda v: f"less than {v}"),
    "lte": Operator(_compare(lambda a, v: a <= v), lambda v: f"at most {v}"),
    "length": Operator(
        _length,
        lambda v: "of length " + "".join(_COMPARATOR_WORDS[k] + str(n) for k, n in v.items()),
    ),
}

_NEGATED_WORDS = {"equals": "other than ", "exists": ""}


# ---------------------------------------------------------------- condition tree


def describe_evidence(item: Evidence) -> str:
    """One requirement as checked, in words: "key is observed (expected ...)" or "key: why undetermined"."""
    if item.undetermined:
        return f"{item.key}: {item.observed}"
    return f"{item.key} is {item.observed} (expected {item.expected})"


@dataclass(frozen=True, slots=True)
class Outcome:
    truth: Truth
    evidence: tuple[Evidence, ...]
    # For a group: the joiner of its mode (" or " for an effective any, "; " for an all) and
    # the children that decided it. Words are built only when asked for (once per finding):
    # most evaluations of a large plan never need them.
    joiner: str | None = None
    deciding: tuple[Outcome, ...] = ()

    @property
    def words(self) -> str:
        """The evidence in words, with the structure that decided it."""
        return self.phrase()[0]

    def phrase(self) -> tuple[str, str | None]:
        """(words, the joiner at their top when they join several parts, else None)."""
        if self.joiner is None:
            return (describe_evidence(self.evidence[0]) if self.evidence else ""), None
        return _join_words(self.deciding, self.joiner)


class Condition:
    def evaluate(self, resource: Resource, negated: bool = False) -> Outcome:
        raise NotImplementedError

    def key_paths(self) -> list[str]:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Leaf(Condition):
    key: str
    op: str
    value: Any = None
    # Derived once: a large plan evaluates each leaf tens of thousands of times.
    parts: tuple[str, ...] = field(init=False, repr=False, compare=False)
    words: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.key.split(".")))
        object.__setattr__(self, "words", OPERATORS[self.op].words(self.value))

    def evaluate(self, resource: Resource, negated: bool = False) -> Outcome:
        operator = OPERATORS[self.op]
        gap = resource.gap_for(self.key)
        undetermined = gap is not None
        if gap is not None:
            if gap.kind is GapKind.UNKNOWN and self.op == "exists":
                # An unknown value that will be set satisfies exists (DESIGN 4).
                truth = Truth.TRUE
                observed = "known after apply"
                undetermined = False
            else:
                truth = _GAP_TRUTH[gap.kind]
                observed = gap.reason
        else:
            actual = lookup(resource.attrs, self.parts)
            if actual is _MISSING:
                truth = Truth.TRUE if self.op == "length" and operator.test([], self.value) else Truth.FALSE
                observed = "not set"
            else:
                truth = Truth.TRUE if operator.test(actual, self.value) else Truth.FALSE
                observed = "(sensitive)" if resource.is_sensitive(self.key) else show_value(actual)
            note = resource.note_for(self.key)
            if note is not None:
                observed = f"{observed} ({note})"
        if negated:
            truth = truth.negate()
        return Outcome(truth, (Evidence(self.key, observed, self.expectation(negated), undetermined),))

    def expectation(self, negated: bool) -> str:
        words = self.words
        if not negated:
            return words
        if self.op == "exists":
            return "not set"
        return _NEGATED_WORDS.get(self.op, "not ") + words

    def key_paths(self) -> list[str]:
        return [self.key]


@dataclass(frozen=True, slots=True)
class Group(Condition):
    """``all`` (every child holds) or ``any`` (at least one holds)."""

    mode: str  # "all" or "any"
    children: tuple[Condition, ...]

    def evaluate(self, resource: Resource, negated: bool = False) -> Outcome:
        # not(all) == any(not), not(any) == all(not): flip the mode under negation.
        is_all = (self.mode == "all") != negated
        decisive = Truth.FALSE if is_all else Truth.TRUE
        outcomes = [child.evaluate(resource, negated) for child in self.children]
        truth = combine([o.truth for o in outcomes], decisive)
        # Explain with the children that agree with the result; when none
        # decided it alone (all true / all false), every child is the reason.
        deciding = tuple(o for o in outcomes if o.truth is truth) or tuple(outcomes)
        evidence = tuple(e for o in deciding for e in o.evidence)
        return Outcome(truth, evidence, "; " if is_all else " or ", deciding)

    def key_paths(self) -> list[str]:
        return [k for child in self.children for k in child.key_paths()]


def _join_words(outcomes: tuple[Outcome, ...], joiner: str) -> tuple[str, str | None]:
    """The deciding children's words joined by ``joiner``; alternatives on one value read as one requirement."""
    if joiner == " or " and len(outcomes) > 1:
        items = [o.evidence[0] for o in outcomes if len(o.evidence) == 1 and o.joiner is None]
        first = items[0] if len(items) == len(outcomes) else None
        if first is not None and all(
            (e.key, e.observed) == (first.key, first.observed) and not e.undetermined for e in items
        ):
            # "retention_days is 30 (expected at least 365 or 0)", not the value twice
            expected = " or ".join(dict.fromkeys(e.expected for e in items))
            return f"{first.key} is {first.observed} (expected {expected})", None
    parts: list[str] = []
    for outcome in outcomes:
        text, inner = outcome.phrase()
        if inner is not None and inner != joiner:
            text = f"({text})"  # a nested group that joins differently: keep it together
        if text and text not in parts:
            parts.append(text)
    return joiner.join(parts), joiner if len(parts) > 1 else None


@dataclass(frozen=True, slots=True)
class Always(Condition):
    """Holds trivially: a requirement under ``when`` whose parameter is off. It adds no evidence."""

    def evaluate(self, resource: Resource, negated: bool = False) -> Outcome:
        return Outcome(Truth.FALSE if negated else Truth.TRUE, ())

    def key_paths(self) -> list[str]:
        return []


@dataclass(frozen=True, slots=True)
class Not(Condition):
    child: Condition

    def evaluate(self, resource: Resource, negated: bool = False) -> Outcome:
        return self.child.evaluate(resource, not negated)

    def key_paths(self) -> list[str]:
        return self.child.key_paths()


class RegexError(ValueError):
    """A ``matches`` pattern RE2 cannot compile (bad syntax, or a feature with no linear-time match)."""


def compile_regex(pattern: str) -> Any:
    """Compile a ``matches`` pattern with RE2: matching is linear in the text, whatever the pattern.

    Python's ``re`` backtracks: ``(a+)+$`` against 40 ``a``s and a ``b`` runs for
    minutes, and a policy folder comes from whoever can edit it. RE2 has no
    backtracking; what it cannot run in linear time (backreferences,
    lookaround, possessive quantifiers) it refuses to compile, so such a
    pattern is refused when the policy loads, never met during a scan. The
    operator keeps its meaning: a search anywhere in the value (anchor with
    ``^``/``$`` for a full match).
    """
    import re2  # deferred: only policies that use `matches` need it

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own multi-line complaint on stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        raise RegexError(text or "RE2 cannot compile it") from None
    except (TypeError, ValueError) as exc:  # e.g. a NUL the binding cannot pass on
        raise RegexError(str(exc)) from None
