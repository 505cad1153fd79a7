"""Shared pieces of the canonical schemas.

Every field is optional: a value that is absent was not configured. Models
forbid unknown keys and are strict, so a typo in a policy key or a value of
the wrong type in an adapter is caught instead of read as "absent".
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Canonical(BaseModel):
    # defer_build: pydantic's validators are not built at import; scans check values with
    # strict_check, and only schema generation (scripts/generate-schemas) builds them.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class Tagged(Canonical):
    tags: dict[str, str] | None = Field(None, description="Resource tags (key -> value).")


def doc(text: str) -> Any:
    """A documented optional field; keeps the schemas readable."""
    return Field(None, description=text)
