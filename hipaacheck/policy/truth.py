"""The five-valued logic conditions evaluate to.

Terraform plans and live reads leave values undetermined for different
reasons, and each reason must survive to the finding: a requirement that
could not be decided is never a pass.
"""

from __future__ import annotations

from enum import Enum


class Truth(Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"  # known only after apply
    ERROR = "error"  # unreadable or malformed
    SKIPPED = "skipped"  # not managed by the scanned source

    def negate(self) -> Truth:
        if self is Truth.TRUE:
            return Truth.FALSE
        if self is Truth.FALSE:
            return Truth.TRUE
        return self


# When no child decides an all/any, the most serious indeterminate wins:
# an error hides more than an unknown, which hides more than an unmanaged field.
_UNDECIDED_ORDER = (Truth.ERROR, Truth.UNKNOWN, Truth.SKIPPED)


def combine(truths: list[Truth], decisive: Truth) -> Truth:
    """all() with decisive=FALSE, any() with decisive=TRUE (Kleene logic, extended)."""
    if decisive in truths:
        return decisive
    for undecided in _UNDECIDED_ORDER:
        if undecided in truths:
            return undecided
    return decisive.negate()
