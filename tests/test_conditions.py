"""The operator table and the five-valued logic, one line per case."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hipaacheck.models import Gap, GapKind, Resource
from hipaacheck.policy.conditions import Group, Leaf, Not
from hipaacheck.policy.truth import Truth, combine

T, F, U, E, S = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN, Truth.ERROR, Truth.SKIPPED


def res(attrs: dict[str, Any], gaps: dict[str, Gap] | None = None) -> Resource:
    return Resource("s3_bucket", "aws_s3_bucket.x", "test", attrs, gaps or {})


@pytest.mark.parametrize(
    ("op", "value", "actual", "expected"),
    [
        ("equals", "aws:kms", "aws:kms", T),
        ("equals", "aws:kms", "AES256", F),
        ("equals", True, 1, F),  # a bool never equals a number
        ("equals", 1, 1.0, T),
        ("in", ["a", "b"], "b", T),
        ("in", ["a", "b"], "c", F),
        ("exists", None, "x", T),
        ("matches", re.compile(r"^arn:aws:kms:"), "arn:aws:kms:us-east-1:1:key/x", T),
        ("matches", re.compile(r"^arn:aws:kms:"), "alias/aws/s3", F),
        ("contains", "postgresql", ["postgresql", "upgrade"], T),
        ("contains", "audit", ["postgresql"], F),
        ("contains", "TLS13", "ELBSecurityPolicy-TLS13-1-2-2021-06", T),
        ("intersects", [22, 3389], [443, 22], T),
        ("intersects", [22, 3389], [443], F),
        ("gt", 7, 8, T),
        ("gte", 7, 7, T),
        ("gte", 7, 6, F),
        ("lt", 91, 90, T),
        ("lte", 90, 91, F),
        ("gte", 7, "7", F),  # a string is not a number
        ("length", {"gte": 1}, ["a"], T),
        ("length", {"gte": 1}, [], F),
        ("length", {"equals": 0}, [], T),
    ],
)
def test_operator(op: str, value: Any, actual: Any, expected: Truth) -> None:
    assert Leaf("v", op, value).evaluate(res({"v": actual})).truth is expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("equals", "x", F),
        ("in", ["x"], F),
        ("exists", None, F),
        ("gte", 1, F),
        ("intersects", [1], F),
        ("length", {"equals": 0}, T),
    ],
)
def test_absent_value(op: str, value: Any, expected: Truth) -> None:
    assert Leaf("v", op, value).evaluate(res({})).truth is expected
    assert Leaf("v", op, value).evaluate(res({"v": None})).truth is expected


def test_unknown_value_satisfies_exists_but_not_a_comparison() -> None:
    resource = res({}, {"encryption.kms_key_id": Gap(GapKind.UNKNOWN, "known only after apply")})
    assert Leaf("encryption.kms_key_id", "exists").evaluate(resource).truth is T
    assert Leaf("encryption.kms_key_id", "equals", "k").evaluate(resource).truth is U
    # A gap on a parent covers its children.
    parent = res({}, {"encryption": Gap(GapKind.UNKNOWN, "later")})
    assert Leaf("encryption.algorithm", "equals", "aws:kms").evaluate(parent).truth is U


@pytest.mark.parametrize(("kind", "truth"), [(GapKind.ERROR, E), (GapKind.NOT_MANAGED, S)])
def test_gaps_become_their_truth_even_for_exists(kind: GapKind, truth: Truth) -> None:
    resource = res({}, {"v": Gap(kind, "why")})
    assert Leaf("v", "exists").evaluate(resource).truth is truth
    assert Not(Leaf("v", "exists")).evaluate(resource).truth is truth


@pytest.mark.parametrize(
    ("truths", "decisive", "expected"),
    [
        ([T, T], F, T),
        ([T, F, E], F, F),  # a known failure stands even next to an error
        ([T, E, U], F, E),
        ([T, U, S], F, U),
        ([T, S], F, S),
        ([F, T, E], T, T),  # any(): one true is enough
        ([F, U], T, U),
        ([F, F], T, F),
    ],
)
def test_combine(truths: list[Truth], decisive: Truth, expected: Truth) -> None:
    assert combine(truths, decisive) is expected


@pytest.mark.parametrize(
    ("op", "value", "words"),
    [
        ("equals", "aws:kms", '"aws:kms"'),
        ("in", ["a", "b"], 'one of "a", "b"'),
        ("in", list("abcdef"), 'one of "a", "b", "c", "d", "e", "f"'),  # six are shown whole
        ("in", list("abcdefgh"), 'one of "a", "b", "c", "d", "e", "f" (+2 more)'),
        ("intersects", [22, 3389], "including any of 22, 3389"),
        ("exists", None, "set"),
        ("contains", "x", 'containing "x"'),
        ("gte", 7, "at least 7"),
        ("length", {"gte": 1}, "of length at least 1"),
    ],
)
def test_expected_words(op: str, value: Any, words: str) -> None:
    # Built here, not at import: a leaf derives its words when it is made.
    assert Leaf("a.b", op, value).evaluate(res({})).evidence[0].expected == words


def test_a_dotted_key_reads_the_nested_value() -> None:
    assert Leaf("a.b", "equals", 1).evaluate(res({"a": {"b": 1}})).truth is T
    assert Leaf("a.b", "equals", 1).evaluate(res({"a.b": 1})).truth is F


def test_not_pushes_down_and_explains_negated_expectation() -> None:
    condition = Not(Group("any", (Leaf("a", "equals", 1), Leaf("b", "exists"))))
    outcome = condition.evaluate(res({"a": 1, "b": "x"}))
    assert outcome.truth is F
    assert [e.expected for e in outcome.evidence] == ["other than 1", "not set"]
    assert condition.evaluate(res({"a": 2})).truth is T


def test_sensitive_values_are_never_shown() -> None:
    resource = Resource(
        "db_instance", "aws_db_instance.x", "test", {"kms_key_id": "secret-key"}, sensitive=frozenset({"kms_key_id"})
    )
    outcome = Leaf("kms_key_id", "equals", "other").evaluate(resource)
    assert outcome.evidence[0].observed == "(sensitive)"


def test_credential_shaped_values_are_redacted() -> None:
    outcome = Leaf("tags.owner", "equals", "x").evaluate(res({"tags": {"owner": "AKIAIOSFODNN7EXAMPLE"}}))
    assert "AKIA" not in outcome.evidence[0].observed
