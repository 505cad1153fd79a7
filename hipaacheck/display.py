"""How values are shown to people: short, and never a secret.

Every value that reaches a message, a table or a report passes through
``show_value``. Values Terraform marks sensitive are replaced before they
get here; this is the second line of defence for secrets that were not
marked (an access key in a tag, a password in user data).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .safe_text import flat

MAX_TEXT = 80

# Shapes of credentials worth hiding wherever they turn up.
_CREDENTIAL_PATTERNS = re.compile(
    r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}"  # AWS key ids
    # key=value secrets, also with a suffixed key: aws_secret_access_key=..., DB_PASSWORD: ... (no leading
    # wildcard: a lazy prefix made this quadratic on long strings)
    # (not after "<account digits>:": an ARN's resource type, as in "123456789012:secret:claims-AbCdEf",
    # names a Secrets Manager secret and holds no value)
    r"|(?i:(?<![0-9]:)(?:secret|password|passwd|pwd|token|private[_-]?key|api[_-]?key)(?:[_-]?access)?(?:[_-]?key)?"
    r"\s*[=:]\s*\S+)"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|xox[abpr]-[A-Za-z0-9-]{10,}"  # Slack tokens
)

REDACTED = "(redacted)"


# A necessary condition for any match above, checked first: most text (addresses,
# messages) has none of these, and the full pattern costs 3-6 times as much.
# (One case-insensitive pattern for both would be 5x slower on long text: (?i:)
# alternatives defeat the regex engine's literal search.)
_TRIGGERS = re.compile(r"A(?:3T|KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA)|-----BEGIN|gh[pousr]_|xox[abpr]-")
_KEYWORDS = ("secret", "passw", "pwd", "token", "private", "api")  # casefolded, as (?i:) matches


def _may_hold_secret(text: str) -> bool:
    if _TRIGGERS.search(text):
        return True
    folded = text.casefold()
    return any(keyword in folded for keyword in _KEYWORDS)


def _redact(text: str) -> str:
    return _CREDENTIAL_PATTERNS.sub(REDACTED, text) if _may_hold_secret(text) else text


# Reports repeat the same short texts (values, expectations, messages) thousands of times on a
# large plan: those are redacted once. Long texts are not kept, so the cache stays small.
_redact_cached = lru_cache(maxsize=8192)(_redact)
_CACHED_LENGTH = 256


def redact(text: str) -> str:
    return _redact_cached(text) if len(text) <= _CACHED_LENGTH else _redact(text)


# Redact a little past the cut: a credential that starts before it is still recognised whole.
_MARGIN = 64


def short(text: str, limit: int) -> str:
    """At most ``limit`` characters (with an ellipsis), redacted; cheap on huge strings."""
    if len(text) <= limit:
        return redact(text)
    shown = redact(text[: limit + _MARGIN])
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


MAX_NAME = 200


def one_line(text: str) -> str:
    """An error message as one line: CI logs and the exit-2 contract (one line on stderr) need it.

    Messages can carry input text (a YAML parser's multi-line report, a key
    with a newline): line breaks become spaces, and other control, bidi and
    invisible characters are shown as escapes (safe_text.visible).
    """
    return " ".join(flat(text.replace("\r", " ")).split())


def looks_secret(text: str) -> bool:
    return _may_hold_secret(text) and _CREDENTIAL_PATTERNS.search(text) is not None


def show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{short(value, MAX_TEXT)}"'
    if isinstance(value, list):
        shown = [show_value(v) for v in value[:8]]
        if len(value) > 8:
            shown.append(f"… {len(value) - 8} more")
        return "[" + ", ".join(shown) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in list(value.items())[:8]) + "}"
    if value is None:
        return "not set"
    return redact(str(value))
