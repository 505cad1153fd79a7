"""What a finding says it saw against what it expected, for each shape of condition tree.

The message is the user's only explanation of a verdict (README: every finding says what was seen
against what was expected). Each row is a condition, a resource, and the exact words: mutation
testing (docs/mutation.md) showed the joining rules were reached by the suite but never pinned.
"""

from __future__ import annotations

import re

import pytest

from hipaacheck.models import Gap, GapKind, Resource
from hipaacheck.policy.conditions import Always, Condition, Group, Leaf, Not, RegexError, compile_regex
from hipaacheck.policy.truth import Truth


def _res(attrs: dict[str, object], notes: dict[str, str] | None = None, gaps: dict[str, Gap] | None = None) -> Resource:
    return Resource("s3_bucket", "aws_s3_bucket.x", "test", attrs, gaps or {}, notes=notes or {})


def _eq(key: str, value: object) -> Leaf:
    return Leaf(key, "equals", value)


RETENTION = Group("any", (Leaf("days", "gte", 365), _eq("days", 0)))

WORDS = [
    # Alternatives on one value read as one requirement: the value once, the expectations joined.
    ("alternatives on one value", RETENTION, {"days": 30}, Truth.FALSE, "days is 30 (expected at least 365 or 0)"),
    # Alternatives on different values each say what they saw.
    (
        "alternatives on two values",
        Group("any", (_eq("a", True), _eq("b", True))),
        {"a": False, "b": False},
        Truth.FALSE,
        "a is false (expected true) or b is false (expected true)",
    ),
    # Requirements that must all hold are joined by "; ", never merged into alternatives,
    # even when they read the same value.
    (
        "an all that fails twice on one value",
        Group("all", (Leaf("days", "gte", 365), _eq("days", 0))),
        {"days": 30},
        Truth.FALSE,
        "days is 30 (expected at least 365); days is 30 (expected 0)",
    ),
    (
        "an all that fails on two values",
        Group("all", (_eq("a", 1), _eq("b", 1))),
        {"a": 0, "b": 0},
        Truth.FALSE,
        "a is 0 (expected 1); b is 0 (expected 1)",
    ),
    # A nested group of one child reads as that child: no brackets, and not merged into the
    # alternatives around it (it is a group, not a bare requirement).
    (
        "a nested group of one",
        Group("any", (Leaf("days", "gte", 365), Group("all", (_eq("days", 0),)))),
        {"days": 30},
        Truth.FALSE,
        "days is 30 (expected at least 365) or days is 30 (expected 0)",
    ),
    # A nested group that joins differently keeps its parts together in brackets; all of its
    # deciding parts are named.
    (
        "a nested all inside an any",
        Group("any", (Leaf("days", "gte", 365), Group("all", (_eq("days", 0), _eq("w", 1))))),
        {"days": 30, "w": 0},
        Truth.FALSE,
        "days is 30 (expected at least 365) or (days is 30 (expected 0); w is 0 (expected 1))",
    ),
    # The same requirement reached twice is said once.
    (
        "the same requirement twice",
        Group("all", (_eq("v", 1), _eq("v", 1))),
        {"v": 0},
        Truth.FALSE,
        "v is 0 (expected 1)",
    ),
    # A requirement switched off by its parameter holds without evidence: it adds no words.
    ("a switched-off requirement", Group("any", (Always(), _eq("v", 1))), {"v": 1}, Truth.TRUE, "v is 1 (expected 1)"),
    ("only a switched-off requirement", Always(), {}, Truth.TRUE, ""),
    # Why a value is what it is (a service default, a deleted safeguard) is said beside it.
    (
        "a value with a note",
        _eq("encrypted", True),
        {"encrypted": False},
        Truth.FALSE,
        "encrypted is false (service default) (expected true)",
    ),
    # A value only apply can tell is described by why it is undetermined.
    ("an undetermined value", _eq("later", 1), {}, Truth.UNKNOWN, "later: known after apply"),
    (
        "undetermined alternatives on one value are not merged",
        Group("any", (_eq("later", 1), _eq("later", 2))),
        {},
        Truth.UNKNOWN,
        "later: known after apply",
    ),
]

# Every row's resource carries this note and this gap; rows that do not read those keys ignore them.
NOTES = {"encrypted": "service default"}
GAPS = {"later": Gap(GapKind.UNKNOWN, "known after apply")}


@pytest.mark.parametrize(("condition", "attrs", "truth", "words"), [pytest.param(*c[1:], id=c[0]) for c in WORDS])
def test_condition_words(condition: Condition, attrs: dict[str, object], truth: Truth, words: str) -> None:
    outcome = condition.evaluate(_res(attrs, notes=NOTES, gaps=GAPS))
    assert outcome.truth is truth
    assert outcome.words == words


def test_a_switched_off_requirement_holds_and_negates() -> None:
    assert Always().evaluate(_res({})).truth is Truth.TRUE
    assert Not(Always()).evaluate(_res({})).truth is Truth.FALSE
    assert Always().evaluate(_res({})).evidence == ()


@pytest.mark.parametrize(("kind", "truth"), [(GapKind.ERROR, Truth.ERROR), (GapKind.NOT_MANAGED, Truth.SKIPPED)])
def test_an_unreadable_value_is_explained_by_its_reason(kind: GapKind, truth: Truth) -> None:
    outcome = _eq("v", 1).evaluate(_res({}, gaps={"v": Gap(kind, "AccessDenied on GetBucketPolicy")}))
    assert outcome.truth is truth
    assert outcome.words == "v: AccessDenied on GetBucketPolicy"


def test_a_refused_pattern_is_re2s_reason_in_plain_text(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RegexError) as caught:
        compile_regex("[claims")
    assert str(caught.value) == "missing ]: [claims"  # text, not bytes' repr
    # RE2's own logging stays off: the one-line error is ours alone.
    assert capfd.readouterr().err == ""


def test_a_pattern_that_is_not_text_is_refused_with_the_reason() -> None:
    # YAML can carry a lone surrogate ("\ud800"), which no UTF-8 regex engine can take.
    with pytest.raises(RegexError, match=re.escape("surrogates not allowed")):
        compile_regex("\ud800")
