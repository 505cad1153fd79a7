"""The reference resolver on its own: which parent a sub-resource joins, or why it cannot be pinned.

A wrong join is a false PASS (a versioning resource credited to the wrong bucket), so these
tests call the Linker directly on small plans, without evaluating any policy: the cases are
data (``linker_cases.yaml``), each a plan, its configuration, one child and the answer
expected: the one parent, ``none`` (the child names nothing in this plan), or
``unknown`` with every candidate and whether something outside the plan may be meant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaacheck.sources.terraform.plan import Plan, PlanResource
from hipaacheck.sources.terraform.reference_syntax import (
    bare,
    module_key,
    most_specific,
    parent_module,
    parse_index,
)
from hipaacheck.sources.terraform.references import Linker, Unresolved

from .plan_cases import case_document, case_plan, locals_lookup

CASES = yaml.safe_load((Path(__file__).parent / "linker_cases.yaml").read_text(encoding="utf-8"))

# ---------------------------------------------------------------- the text of a reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        (" 12 ", 12),
        ("9" * 20, int("9" * 20)),  # the longest index read as a number
        ("9" * 21, None),  # longer: not an index Terraform writes
        ('"k"', "k"),
        ('"a"', "a"),
        ('""', ""),  # for_each = { "" = ... } is a valid key
        ('"k', None),
        ('k"', None),
        ('"', None),
        ("count.index", None),
        ("each.key", None),
        ("\u0661", None),  # a digit, but not one Terraform writes
    ],
)
def test_parse_index(text: str, expected: int | str | None) -> None:
    assert parse_index(text) == expected


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("aws_s3_bucket.b", "aws_s3_bucket.b"),
        ("aws_s3_bucket.b.id", "aws_s3_bucket.b"),
        ("module.m.out", "module.m.out"),
        ("module.m.out.id", "module.m.out"),
        ("data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.d"),
    ],
)
def test_bare(reference: str, expected: str) -> None:
    assert bare(reference) == expected


@pytest.mark.parametrize(
    ("references", "expected"),
    [
        # Terraform lists the indexed, the bare and every prefix: the index is what the expression says.
        (
            ("aws_security_group.linker[1].id", "aws_security_group.linker[1]", "aws_security_group.linker"),
            ("aws_security_group.linker[1].id",),
        ),
        # An attribute of the bare form is the bare form too (a conditional over both spellings).
        (("aws_s3_bucket.linker[0].id", "aws_s3_bucket.linker.arn"), ("aws_s3_bucket.linker[0].id",)),
        # Another resource of the same type is kept.
        (
            ("aws_s3_bucket.linker_a[0].id", "aws_s3_bucket.linker_b.id"),
            ("aws_s3_bucket.linker_a[0].id", "aws_s3_bucket.linker_b.id"),
        ),
        # A data source's bare form has three parts.
        (("data.aws_s3_bucket.linker[0].id", "data.aws_s3_bucket.linker.arn"), ("data.aws_s3_bucket.linker[0].id",)),
        (
            ("data.aws_s3_bucket.linker_x[0].id", "data.aws_s3_bucket.linker_y.arn"),
            ("data.aws_s3_bucket.linker_x[0].id", "data.aws_s3_bucket.linker_y.arn"),
        ),
        # A module output without a key beside another module's keyed output.
        (('module.linker_a["k"].id', "module.linker_b.id"), ('module.linker_a["k"].id', "module.linker_b.id")),
        (('module.linker["k"].id', "module.linker.id"), ('module.linker["k"].id', "module.linker.id")),
        # As terraform 1.11 lists them: each traversal, then its prefixes down to the bare resource.
        # x[0].id and x[*].id (element(concat([x[0].id], x[*].id), var.i)): x alone names every instance.
        (
            ("aws_s3_bucket.splat[0].id", "aws_s3_bucket.splat[0]", "aws_s3_bucket.splat", "aws_s3_bucket.splat"),
            ("aws_s3_bucket.splat[0].id", "aws_s3_bucket.splat"),
        ),
        (
            ("aws_s3_bucket.whole[0]", "aws_s3_bucket.whole", "aws_s3_bucket.whole"),
            ("aws_s3_bucket.whole[0]", "aws_s3_bucket.whole"),
        ),
        # x[0].id or x[1].id (a conditional): both instances, each bare form the tail of its own traversal.
        (
            (
                "aws_s3_bucket.two[0].id",
                "aws_s3_bucket.two[0]",
                "aws_s3_bucket.two",
                "aws_s3_bucket.two[1].id",
                "aws_s3_bucket.two[1]",
                "aws_s3_bucket.two",
            ),
            ("aws_s3_bucket.two[0].id", "aws_s3_bucket.two[1].id"),
        ),
        (
            ("data.aws_s3_bucket.d[0].id", "data.aws_s3_bucket.d[0]", "data.aws_s3_bucket.d", "data.aws_s3_bucket.d"),
            ("data.aws_s3_bucket.d[0].id", "data.aws_s3_bucket.d"),
        ),
        # The tail of a traversal without an index, and an instance listed before its traversal.
        (("aws_s3_bucket.linker_t.id", "aws_s3_bucket.linker_t"), ("aws_s3_bucket.linker_t.id",)),
        (("aws_s3_bucket.rev[0]", "aws_s3_bucket.rev[0].id"), ("aws_s3_bucket.rev[0].id",)),
        # A whole module (values(module.s)[0].id) beside another module's output and its tail.
        (("module.linker_s", "module.linker_t.id", "module.linker_t"), ("module.linker_s", "module.linker_t.id")),
        # var and local are never dropped for an index, only for a longer traversal of themselves.
        (("var.linker", "var.linker[0]"), ("var.linker[0]",)),
        (("local.linker_l", "local.linker_l[0]"), ("local.linker_l[0]",)),
        (("local.linker", "aws_s3_bucket.local[0].id"), ("local.linker", "aws_s3_bucket.local[0].id")),
    ],
)
def test_most_specific(references: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert most_specific(references) == expected


@pytest.mark.parametrize(
    ("module", "parent", "key"),
    [
        ("", "", None),
        ("module.a", "", None),
        ('module.a["x"]', "", "x"),
        ("module.a[3]", "", 3),
        ('module.a[0].module.b["x"]', "module.a[0]", "x"),
        ('module.a["x"].module.b', 'module.a["x"]', None),
        ('module.a["x"].module.b[2].module.c', 'module.a["x"].module.b[2]', None),
    ],
)
def test_module_parent_and_key(module: str, parent: str, key: int | str | None) -> None:
    assert parent_module(module) == parent
    assert module_key(module) == key


# ---------------------------------------------------------------- the Linker on small plans


def case_linker(case: dict[str, Any]) -> Linker:
    return Linker(case_plan(case), locals_lookup(case))


def _by_address(plan: Plan, address: str) -> PlanResource:
    return next(r for r in plan.resources if r.address == address)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_linker_case(case: dict[str, Any]) -> None:
    linker = case_linker(case)
    child = _by_address(linker.plan, case["child"])
    types = tuple(case.get("parents", ["aws_s3_bucket"]))
    keys = tuple(case.get("keys", ["id", "bucket"]))
    found = linker.parent(child, case.get("attribute", "bucket"), types, keys)
    expected = case["expect"]
    if expected is None:
        assert found is None
    elif isinstance(expected, str):
        assert isinstance(found, PlanResource), getattr(found, "reason", found)
        assert found.address == expected
    else:
        assert isinstance(found, Unresolved), found
        assert sorted(c.address for c in found.candidates) == sorted(expected["unknown"])
        assert found.open is expected["open"]
        if "reason" in expected:
            assert found.reason == expected["reason"]


def test_a_plan_with_planned_values_only_is_followed_by_its_configuration() -> None:
    # Very old or hand-trimmed plans: no resource_changes, so no data source is read either.
    case = {
        "plan": {"aws_s3_bucket.a": {}, "aws_s3_bucket.b": {}, "aws_s3_bucket_versioning.v": {}},
        "config": {
            "resources": {"aws_s3_bucket_versioning.v": {"bucket": ["data.aws_s3_bucket.x.id", "aws_s3_bucket.b.id"]}}
        },
        "planned_values_only": True,
    }
    linker = case_linker(case)
    child = _by_address(linker.plan, "aws_s3_bucket_versioning.v")
    found = linker.parent(child, "bucket", ("aws_s3_bucket",), ("id", "bucket"))
    assert isinstance(found, PlanResource) and found.address == "aws_s3_bucket.b"


def test_a_planned_values_resource_in_a_module_joins_by_its_module_configuration() -> None:
    # planned_values put the module's address on the module only: the versioning of module.m must
    # follow module.m's configuration (its own bucket), not the root's configuration of the same name.
    case = {
        "plan": {
            "aws_s3_bucket.root": {},
            "aws_s3_bucket_versioning.v": {},
            "module.m.aws_s3_bucket.this": {},
            "module.m.aws_s3_bucket_versioning.v": {},
        },
        "config": {
            "resources": {"aws_s3_bucket_versioning.v": {"bucket": ["aws_s3_bucket.root.id"]}},
            "modules": {"m": {"resources": {"aws_s3_bucket_versioning.v": {"bucket": ["aws_s3_bucket.this.id"]}}}},
        },
    }
    document = case_document(case)
    root, module = [], []
    for change in document.pop("resource_changes"):
        block = {key: change[key] for key in ("address", "mode", "type", "name")} | {"values": {}}
        (module if "module_address" in change else root).append(block)
    document["planned_values"] = {
        "root_module": {"resources": root, "child_modules": [{"address": "module.m", "resources": module}]}
    }
    linker = Linker(Plan(document))
    child = _by_address(linker.plan, "module.m.aws_s3_bucket_versioning.v")
    assert child.module == "module.m"
    found = linker.parent(child, "bucket", ("aws_s3_bucket",), ("id", "bucket"))
    assert isinstance(found, PlanResource) and found.address == "module.m.aws_s3_bucket.this"


def test_follow_references_answers_only_what_is_certain() -> None:
    case = {
        "plan": {"aws_s3_bucket.a": {}, "aws_s3_bucket.b": {}, "aws_kms_key.k": {}},
        "locals": {"": {f"l{i}": [f"local.l{i + 1}"] for i in range(1, 12)} | {"l12": ["aws_s3_bucket.b.id"]}},
    }
    linker = case_linker(case)
    buckets = ("aws_s3_bucket",)
    assert [r.address for r in linker.follow_references(["aws_s3_bucket.b.arn", "aws_s3_bucket.b"], "", buckets)] == [
        "aws_s3_bucket.b"
    ]
    # Twelve locals deep is still followed from the reference itself.
    assert [r.address for r in linker.follow_references(["local.l1"], "", buckets)] == ["aws_s3_bucket.b"]
    # Something else could be meant (a local without sources, another resource's value): nothing is certain.
    assert linker.follow_references(["aws_s3_bucket.b.id", "local.not_in_the_sources"], "", buckets) == []
    assert linker.follow_references(["aws_kms_key.k.arn", "aws_kms_key.k"], "", buckets) == []
    assert linker.follow_references(["aws_s3_bucket.b.id", "data.aws_s3_bucket.x.id"], "", buckets) == [
        linker.plan.resources[1]
    ]
