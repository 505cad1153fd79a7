"""Where the built-in policy pack lives: inside the installed package, or at the repository root."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_policy_dir() -> Path:
    packaged = _PACKAGE / "policies"  # wheels carry the pack here (see pyproject.toml)
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / "policies"  # a source checkout or an editable install
