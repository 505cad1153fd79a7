"""AWS managed policies that make whoever holds them an administrator."""

from __future__ import annotations

import re

# AdministratorAccess: Action "*" on Resource "*". IAMFullAccess: "iam:*" on "*", enough to
# attach AdministratorAccess to oneself (AWS Managed Policy Reference Guide).
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "IAMFullAccess")
_AWS_MANAGED = re.compile(r"^arn:aws(?:-[a-z-]+)?:iam::aws:policy/(?P<name>[A-Za-z0-9+=,.@_-]+)$")


def admin_managed_policy(arn: str) -> str | None:
    """The name of the AWS managed administrator policy this ARN names, or None."""
    match = _AWS_MANAGED.match(arn.strip())
    if match and match["name"] in ADMIN_MANAGED_POLICIES:
        return match["name"]
    return None
