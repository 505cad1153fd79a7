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
from .policy.parameters import PARAMETER_TYPES
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


class WhenOf(_Strict):
    """``{when: PARAM, then: CONDITION}``: the condition applies only while the parameter is on."""

    when: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    then: Condition


Condition = Leaf | AllOf | AnyOf | NotOf | WhenOf


class PolicyParameter(_Strict):
    """A threshold organisations set differently; used as ``value: {param: NAME}``."""

    type: str = Field(json_schema_extra=_one_of(PARAMETER_TYPES))
    default: Any = Field(description="the value unless .hipaacheck.yaml sets one; null: the requirement is off")
    description: str = Field(min_length=1)


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
    parameters: dict[str, PolicyParameter] | None = Field(None, description="name -> declaration")
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
    account: str | None = Field(
        None, min_length=1, description="only findings of this AWS account (12-digit id, or glob); default: any"
    )


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


# ---------------------------------------------------------------- .hipaacheck.yaml

OneOrMore = str | Annotated[list[str], Field(min_length=1)]


class ConfigFile(_Strict):
    """.hipaacheck.yaml: every key mirrors a `hipaacheck scan` flag; paths are relative to the file."""

    model_config = ConfigDict(
        extra="forbid",
        title="hipaacheck config (.hipaacheck.yaml)",
        json_schema_extra={"$comment": "Generated from hipaacheck/file_models.py by scripts/generate-schemas."},
    )
    fail_on: SeverityName | None = Field(None, description="--fail-on")
    min_severity: SeverityName | None = Field(None, description="--min-severity")
    policy: OneOrMore | None = Field(None, description="--policy: globs of policy ids to run")
    skip_policy: OneOrMore | None = Field(None, description="--skip-policy: globs of policy ids to skip")
    policy_dirs: OneOrMore | None = Field(None, description="--policies: folders of your own policies")
    no_builtin: bool | None = None
    waivers: str | None = Field(None, description="--waivers FILE")
    baseline: str | None = Field(None, description="--baseline FILE")
    tf_dir: str | None = Field(None, description="--tf-dir DIR")
    regions: OneOrMore | None = Field(None, description="--region, for scan aws")
    allow_incomplete: bool | None = None
    exit_zero: bool | None = None
    fail_on_unknown: bool | None = None
    max_waiver_days: int | None = Field(None, ge=1)
    parameters: dict[str, dict[str, Any]] | None = Field(None, description="policy id -> {parameter: value}")
