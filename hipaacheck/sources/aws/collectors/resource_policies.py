"""A resource policy read from AWS, judged by derive.resource_policy like the plan's."""

from __future__ import annotations

from typing import Any

from ....derive.policy_document import DocumentError
from ....derive.resource_policy import ServiceProfile, resource_policy_facts
from ..builder import LiveBuilder


def apply_policy(
    b: LiveBuilder,
    document: Any,
    arn: str,
    service: ServiceProfile,
    *,
    tls: bool,
    default: dict[str, bool],
) -> None:
    """Set ``policy.*`` from ``document`` (None or empty: no policy, the service's ``default`` facts)."""
    if document is None or (isinstance(document, str) and not document.strip()):
        for key, value in default.items():
            b.set(f"policy.{key}", value)
        return
    fields = ["policy.public", "policy.denies_insecure_transport"] if tls else ["policy.public"]
    b.set("policy.present", True)
    try:
        facts = resource_policy_facts(document, arn, service)
    except DocumentError as exc:
        b.error(fields, f"resource policy: {exc}")
        return
    b.set("policy.public", facts.public)
    if tls:
        b.set("policy.denies_insecure_transport", facts.denies_insecure_transport is True)
