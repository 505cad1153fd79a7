"""Paths as every output shows them: never an absolute path of the machine that ran hipaacheck.

Reports, SARIF, JUnit and the evidence pack travel (CI artifacts, an auditor's
inbox); ``/home/dana/clients/acme/plan.json`` says who ran the scan and where.
A path inside the working directory is shown relative to it, a relative path
as it was given, and an absolute path elsewhere by its file name alone.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath


def _is_absolute(text: str) -> bool:
    return PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() or text.startswith("~")


def portable_path(path: str | PurePath, cwd: Path | None = None) -> str:
    """``path`` relative to ``cwd`` (default: the working directory) when it is inside it, else its name."""
    text = str(path)
    if not text:
        return text
    if not _is_absolute(text):
        return PurePath(text).as_posix()
    base = (cwd or Path.cwd()).resolve()
    try:
        relative = Path(os.path.expanduser(text)).resolve().relative_to(base)
    except ValueError:
        relative = None
    if relative is not None:
        return relative.as_posix() or "."
    name = PureWindowsPath(text).name if "\\" in text else PurePosixPath(text).name
    return name or "."
