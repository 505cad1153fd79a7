"""Pydantic models of the YAML files people write (policy, waivers, attestations), for their JSON Schemas.

The loaders (policy/loader.py, waivers.py, attest/loader.py) stay the
authority: they give ``file:line:col`` errors and check meaning (citations that
exist, key paths of the resource type, dates not in the future). These models
describe the same structure so editors can validate as you type, through the
``# yaml-language-server: $schema=...`` comment in templates and examples.
A test keeps them honest: their keys are the loaders' keys, and every
built-in policy, sample waiver and sample attestations file validates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import safeguards
from .policy.conditions import OPERATORS
from .resource_types import RESOURCE_TYPES

SeverityName = Literal["critical", "high", "medium", "low"]
# attest init writes "TODO: ..." placeholders; attest check fails the record until they are filled in.
Placeholder = Annotated[str, Field(pattern=r"^TODO")]
CITATIONS = sorted({*safeguards.BY_CITATION, *safeguards.FAMILY_PREFIXES})


def _one_of(values: Iterable[str]) -> dict[str, Any]:
    """json_schema_extra for a string that must be one of ``values`` (editors offer them as completions)."""
    return {"enum": sorted(values)}


_CITATION_LIST: dict[str, Any] = {"items": _one_of(CITATIONS)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- policies


class Leaf(_Strict):
    key: str = Field(description="a dotted path into the resource type (`hipaacheck policies fields TYPE`)")
    op: str = Field(json_schema_extra=_one_of(OPERATORS))
    value: Any = Field(None, description="what the operator compares with (none for `exists`)")


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class NotOf(_Strict):
    not_: Condition = Field(alias="not")


Condition = Leaf | AllOf | AnyOf | NotOf


class Examples(_Strict):
    pass_: list[dict[str, Any]] = Field(alias="pass", min_length=1, description="resources that must pass")
    fail: list[dict[str, Any]] = Field(min_length=1, description="resources that must fail")
    skip: list[dict[str, Any]] = Field([], description="resources out of the policy's scope")


class PolicyFile(_Strict):
    """One hipaacheck policy (a file named after its id)."""

    model_config = ConfigDict(
        extra="forbid",
        title="hipaacheck policy",
        json_schema_extra={"$comment": "Generated from hipaacheck/file_models.py by scripts/generate-schemas."},
    )
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,79}$")
    title: str = Field(min_length=1)
    description: str = ""
    resource: str = Field(json_schema_extra=_one_of(RESOURCE_TYPES))
    severity: SeverityName
    safeguards: list[str] = Field(min_length=1, json_schema_extra=_CITATION_LIST)
    scope: Condition | None = Field(None, description="when false, the finding is skipped")
    require: Condition
    remediation: str = Field(min_length=1)
    examples: Examples


# ---------------------------------------------------------------- waivers


class WaiverEntry(_Strict):
    policy: str = Field(min_length=1, description="policy id or glob")
    resource: str = Field(min_length=1, description="Terraform address / ARN, or glob")
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    expires: date = Field(description="the last day the waiver applies (YYYY-MM-DD)")


class WaiversFile(_Strict):
    """.hipaacheck-waivers.yaml"""

    model_config = ConfigDict(
        extra="forbid",
        title="hipaacheck waivers",
        json_schema_extra={"$comment": "Generated from hipaacheck/file_models.py by scripts/generate-schemas."},
    )
    waivers: list[WaiverEntry]


# ---------------------------------------------------------------- attestations


class AttestationEntry(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")
    safeguards: list[str] = Field(min_length=1, json_schema_extra=_CITATION_LIST)
    statement: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    signed_by: str = Field(min_length=1, description="who signed; TODO until signed")
    signed_at: date | Placeholder = Field(description="YYYY-MM-DD, never in the future; TODO until signed")
    evidence: str = Field(min_length=1, description="a file inside the repository, or an https:// or s3:// address")
    review_interval_days: int = Field(ge=1, le=3660)
    sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    decision: Literal["implemented", "alternative", "not-reasonable"] | Placeholder | None = Field(
        None, description="addressable specifications: the 164.306(d) decision"
    )
    rationale: str | None = None
    applicable: bool = True


class AttestationsFile(_Strict):
    """hipaacheck-attestations.yaml"""

    model_config = ConfigDict(
        extra="forbid",
        title="hipaacheck attestations",
        json_schema_extra={"$comment": "Generated from hipaacheck/file_models.py by scripts/generate-schemas."},
    )
    organization: str | None = None
    attestations: list[AttestationEntry] = Field(min_length=1)
