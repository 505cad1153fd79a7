"""The waivers file as a git revision had it (``--waivers-from-git REV``).

A pull request can edit the waivers file it is judged with, and so waive its
own findings. Reading the file from the pull request's base commit instead
means a new or widened waiver counts only once it has been reviewed and
merged. A file the base commit does not have means no waivers at all.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .git_revision import read_from_git
from .report import DEFAULT_MAX_WAIVER_DAYS
from .waivers import WaiverSet, parse_waivers


def load_waivers_from_git(
    revision: str, path: Path, max_days: int = DEFAULT_MAX_WAIVER_DAYS, cwd: Path | None = None
) -> WaiverSet:
    found = read_from_git(revision, path, "--waivers-from-git", "waivers file", cwd)
    if found.text is None:
        waivers = WaiverSet(found.name, [], [], max_days)
        waivers.notes.append(f"{found.name} does not exist at {revision[:12]}: no waivers apply (--waivers-from-git)")
    else:
        waivers = parse_waivers(found.text, found.name, date.today(), max_days)
    waivers.revision = revision
    return waivers
