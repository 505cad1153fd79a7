"""The waivers file as a git revision had it (``--waivers-from-git REV``).

A pull request can edit the waivers file it is judged with, and so waive its
own findings. Reading the file from the pull request's base commit instead
means a new or widened waiver counts only once it has been reviewed and
merged (protect the file with CODEOWNERS too). A file the base commit does not
have means no waivers at all.

``git`` is run without a shell, with a timeout, and never prompts. A shallow CI
checkout may not hold the base commit: a full commit id is then fetched from
``origin`` (depth 1) before reading.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

from .report import DEFAULT_MAX_WAIVER_DAYS
from .sources.errors import InputError
from .waivers import WaiverSet, parse_waivers

_TIMEOUT_SECONDS = 120
_MAX_BYTES = 1024 * 1024
# A revision git understands and argv cannot mistake for an option.
_REVISION = re.compile(r"^[0-9A-Za-z_][0-9A-Za-z._/@{}^~-]{0,199}$")
_FULL_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    binary = shutil.which("git")
    if binary is None:
        raise InputError("--waivers-from-git needs git on PATH")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            [binary, *args], cwd=cwd, capture_output=True, timeout=_TIMEOUT_SECONDS, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"git {args[0]} took more than {_TIMEOUT_SECONDS} s; giving up") from None
    except OSError as exc:
        raise InputError(f"could not run git ({exc.strerror or exc})") from None


def _first_line(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else f"exit status {result.returncode}"


def _has_commit(revision: str, cwd: Path) -> bool:
    return _git("cat-file", "-e", f"{revision}^{{commit}}", cwd=cwd).returncode == 0


def load_waivers_from_git(
    revision: str, path: Path, max_days: int = DEFAULT_MAX_WAIVER_DAYS, cwd: Path | None = None
) -> WaiverSet:
    here = (cwd or Path.cwd()).resolve()
    if not _REVISION.match(revision):
        raise InputError(f"--waivers-from-git: {revision!r} is not a git revision")
    top = _git("rev-parse", "--show-toplevel", cwd=here)
    if top.returncode != 0:
        raise InputError(f"--waivers-from-git: {here} is not in a git repository ({_first_line(top)})")
    root = Path(top.stdout.decode("utf-8", "surrogateescape").strip()).resolve()
    # Lexical, not resolved: a symbolic link in the working tree (which the pull request
    # controls) must not choose which file of the base commit is read.
    absolute = Path(os.path.normpath(path if path.is_absolute() else here / path))
    relative = os.path.relpath(absolute, root)
    if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
        raise InputError(f"--waivers-from-git: {path} is outside the repository {root}")
    if not _has_commit(revision, root):
        if not _FULL_SHA.match(revision):
            raise InputError(f"--waivers-from-git: no commit {revision!r} in {root}")
        fetched = _git("fetch", "--no-tags", "--depth=1", "origin", revision, cwd=root)
        if fetched.returncode != 0 or not _has_commit(revision, root):
            raise InputError(
                f"--waivers-from-git: commit {revision} is not in the checkout and fetching it failed "
                f"({_first_line(fetched)}); check out with fetch-depth: 0"
            )
    spec = f"{revision}:{Path(relative).as_posix()}"
    name = Path(relative).as_posix()  # line numbers and code-scanning locations refer to this file
    today = date.today()
    if _git("cat-file", "-e", spec, cwd=root).returncode != 0:
        waivers = WaiverSet(name, [], [], max_days)
        waivers.revision = revision
        waivers.notes.append(f"{name} does not exist at {revision[:12]}: no waivers apply (--waivers-from-git)")
        return waivers
    # A symbolic link is a blob too (its target's name): only a regular file's mode will do.
    entry = _git("ls-tree", "--full-tree", revision, "--", name, cwd=root).stdout.decode("utf-8", "replace")
    mode = entry.partition(" ")[0]
    if mode not in ("100644", "100755"):
        kind = {"120000": "symbolic link", "160000": "submodule", "040000": "folder"}.get(mode, "non-file")
        raise InputError(f"--waivers-from-git: {name} at {revision[:12]} is a {kind}, not a file")
    size = _git("cat-file", "-s", spec, cwd=root).stdout.decode().strip()
    if not size.isdigit() or int(size) > _MAX_BYTES:
        raise InputError(f"--waivers-from-git: {name} at {revision[:12]} is larger than 1 MiB")
    shown = _git("cat-file", "blob", spec, cwd=root)
    if shown.returncode != 0:
        raise InputError(f"--waivers-from-git: cannot read {spec} ({_first_line(shown)})")
    try:
        text = shown.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name} at {revision[:12]}: waivers file is not UTF-8 text") from None
    waivers = parse_waivers(text, name, today, max_days)
    waivers.revision = revision
    return waivers
