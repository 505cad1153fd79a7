"""Scans check canonical attributes with strict_check, not pydantic's validators: both must agree.

For every canonical type, generated attribute dicts (values of the right and of every wrong
shape, absent and null fields, unknown keys, nested models and lists of them) get the same
problems, with the same paths and messages, from strict_check as from pydantic's strict model.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from hipaacheck.resource_types import RESOURCE_TYPES, problems_by_path, validation_problems
from hipaacheck.resource_types.strict_check import _fields, _shape

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.text(max_size=3),
)


@functools.cache
def _values(shape: tuple[Any, ...], depth: int = 0) -> st.SearchStrategy[Any]:
    """A value that fits ``shape``, or one of every other shape."""
    wrong = st.one_of(SCALARS, st.lists(SCALARS, max_size=2), st.dictionaries(st.text(max_size=2), SCALARS, max_size=2))
    kind = shape[0]
    if kind == "bool":
        right: st.SearchStrategy[Any] = st.booleans()
    elif kind == "int":
        right = st.integers(-(2**40), 2**40)
    elif kind == "str":
        right = st.text(max_size=4)
    elif kind == "list":
        right = st.lists(_values(shape[1], depth + 1), max_size=3)
    elif kind == "map":
        right = st.dictionaries(st.text(max_size=3), _values(shape[1], depth + 1), max_size=3)
    else:
        right = _attrs(shape[1], depth + 1) if depth < 3 else st.just({})
    return st.one_of(right, right, wrong)


@functools.cache
def _attrs(model: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    fields = _fields(model)
    known = st.fixed_dictionaries({}, optional={name: _values(shape, depth) for name, shape in fields})
    extra = st.dictionaries(st.sampled_from(["zz_unknown", "Tags", "x.y"]), SCALARS, max_size=1)
    return st.builds(lambda a, b: {**a, **b}, known, st.one_of(st.just({}), extra))


def _pydantic(model: type[BaseModel], attrs: Any) -> dict[str, str]:
    try:
        model.model_validate(attrs)
    except ValidationError as exc:
        return problems_by_path((tuple(error["loc"]), error["msg"]) for error in exc.errors())
    return {}


# The strategies of nested schemas have long reprs, which hypothesis warns about when it builds them.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@pytest.mark.parametrize("type_name", sorted(RESOURCE_TYPES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_same_problems_as_pydantic(type_name: str, data: st.DataObject) -> None:
    model = RESOURCE_TYPES[type_name]
    attrs = data.draw(_attrs(model))
    assert validation_problems(type_name, attrs) == _pydantic(model, attrs)


@pytest.mark.parametrize(
    "attrs",
    [
        [1],
        None,
        {"tags": {"k": 1}},
        {"tags": []},
        {"tags": {"k": None}},
        {"bucket": 5, "nope": 1},
        {"encryption": 5},
        {"encryption": {"algorithm": 1, "other": 2}},
        {"versioning": {"enabled": "true"}},
    ],
)
def test_named_cases_agree(attrs: Any) -> None:
    assert validation_problems("s3_bucket", attrs) == _pydantic(RESOURCE_TYPES["s3_bucket"], attrs)


def test_every_canonical_field_has_a_strict_check() -> None:
    """A field of a new kind raises instead of passing unchecked."""
    for model in RESOURCE_TYPES.values():
        _fields(model)
    with pytest.raises(TypeError):
        _shape(float)
    with pytest.raises(TypeError):
        _shape(dict[int, str])
