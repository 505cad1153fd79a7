"""Which loaded policies a scan evaluates: --policy, --skip-policy (fnmatch globs) and --min-severity.

A pattern that matches no loaded policy is an input error, not an empty
selection: a typo in ``--skip-policy`` would otherwise silently keep a policy
the user meant to drop, and one in ``--policy`` would report a pass over
nothing.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .models import Severity
from .policy.model import Policy
from .sources.errors import InputError
from .suggest import suggestion


@dataclass(frozen=True, slots=True)
class Selection:
    include: tuple[str, ...] = ()  # --policy: evaluate only policies matching one of these
    exclude: tuple[str, ...] = ()  # --skip-policy: never evaluate policies matching one of these
    min_severity: Severity | None = None  # policies below it are not evaluated

    @property
    def is_full(self) -> bool:
        """Every loaded policy is evaluated (so a waiver that matches nothing is stale, not filtered out)."""
        return not self.include and not self.exclude and self.min_severity in (None, Severity.LOW)

    def apply(self, policies: Sequence[Policy]) -> list[Policy]:
        ids = [p.id for p in policies]
        for flag, patterns in (("--policy", self.include), ("--skip-policy", self.exclude)):
            for pattern in patterns:
                if not any(fnmatch.fnmatchcase(i, pattern) for i in ids):
                    raise InputError(f"{flag} {pattern!r} matches no loaded policy{suggestion(pattern, ids)}")
        floor = self.min_severity.rank if self.min_severity else 0
        return [
            p
            for p in policies
            if (not self.include or any(fnmatch.fnmatchcase(p.id, pattern) for pattern in self.include))
            and not any(fnmatch.fnmatchcase(p.id, pattern) for pattern in self.exclude)
            and p.severity.rank >= floor
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": list(self.include),
            "skip_policy": list(self.exclude),
            "min_severity": self.min_severity.value if self.min_severity else None,
        }

    def describe(self) -> str:
        """For the table header: "" when every policy runs."""
        parts = [f"--policy {p}" for p in self.include] + [f"--skip-policy {p}" for p in self.exclude]
        if self.min_severity is not None:
            parts.append(f"--min-severity {self.min_severity.value}")
        return " ".join(parts)
