"""One file as a git revision has it: what a pull request's base commit says, not its working tree.

A pull request can edit the files it is judged with (the waivers that excuse
its findings, the config that sets the gate). Reading them from the base
commit instead means a change to them counts only once it has been reviewed
and merged (protect them with CODEOWNERS too).

``git`` is run without a shell, with a timeout, and never prompts. A shallow CI
checkout may not hold the base commit: a full commit id is then fetched from
``origin`` (depth 1) before reading. A symbolic link, submodule or folder at
that path is refused: only a regular file's bytes are read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .sources.errors import InputError

_TIMEOUT_SECONDS = 120
_MAX_BYTES = 1024 * 1024
# A revision git understands and argv cannot mistake for an option.
_REVISION = re.compile(r"^[0-9A-Za-z_][0-9A-Za-z._/@{}^~-]{0,199}$")
_FULL_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass(frozen=True)
class RevisionFile:
    name: str  # the path inside the repository: what line numbers and code-scanning locations refer to
    revision: str
    text: str | None  # None: the revision has no file at that path


class _Git:
    def __init__(self, flag: str) -> None:
        self.flag = flag  # the option being served, named in every error

    def __call__(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
        binary = shutil.which("git")
        if binary is None:
            raise InputError(f"{self.flag} needs git on PATH")
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        try:
            return subprocess.run(
                [binary, *args], cwd=cwd, capture_output=True, timeout=_TIMEOUT_SECONDS, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise InputError(f"{self.flag}: git {args[0]} took more than {_TIMEOUT_SECONDS} s; giving up") from None
        except OSError as exc:
            raise InputError(f"{self.flag}: could not run git ({exc.strerror or exc})") from None

    def has_commit(self, revision: str, cwd: Path) -> bool:
        return self("cat-file", "-e", f"{revision}^{{commit}}", cwd=cwd).returncode == 0


def _first_line(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else f"exit status {result.returncode}"


def read_from_git(revision: str, path: Path, flag: str, what: str, cwd: Path | None = None) -> RevisionFile:
    """``path`` (relative to ``cwd``) as ``revision`` has it; ``what`` names the file in errors ("waivers file")."""
    git = _Git(flag)
    here = (cwd or Path.cwd()).resolve()
    if not _REVISION.match(revision):
        raise InputError(f"{flag}: {revision!r} is not a git revision")
    top = git("rev-parse", "--show-toplevel", cwd=here)
    if top.returncode != 0:
        raise InputError(f"{flag}: {here} is not in a git repository ({_first_line(top)})")
    root = Path(top.stdout.decode("utf-8", "surrogateescape").strip()).resolve()
    # Lexical, not resolved: a symbolic link in the working tree (which the pull request
    # controls) must not choose which file of the base commit is read.
    absolute = Path(os.path.normpath(path if path.is_absolute() else here / path))
    relative = os.path.relpath(absolute, root)
    if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
        raise InputError(f"{flag}: {path} is outside the repository {root}")
    if not git.has_commit(revision, root):
        if not _FULL_SHA.match(revision):
            raise InputError(f"{flag}: no commit {revision!r} in {root}")
        fetched = git("fetch", "--no-tags", "--depth=1", "origin", revision, cwd=root)
        if fetched.returncode != 0 or not git.has_commit(revision, root):
            raise InputError(
                f"{flag}: commit {revision} is not in the checkout and fetching it failed "
                f"({_first_line(fetched)}); check out with fetch-depth: 0"
            )
    name = Path(relative).as_posix()
    spec = f"{revision}:{name}"
    if git("cat-file", "-e", spec, cwd=root).returncode != 0:
        return RevisionFile(name, revision, None)
    # A symbolic link is a blob too (its target's name): only a regular file's mode will do.
    entry = git("ls-tree", "--full-tree", revision, "--", name, cwd=root).stdout.decode("utf-8", "replace")
    mode = entry.partition(" ")[0]
    if mode not in ("100644", "100755"):
        kind = {"120000": "symbolic link", "160000": "submodule", "040000": "folder"}.get(mode, "non-file")
        raise InputError(f"{flag}: {name} at {revision[:12]} is a {kind}, not a file")
    size = git("cat-file", "-s", spec, cwd=root).stdout.decode().strip()
    if not size.isdigit() or int(size) > _MAX_BYTES:
        raise InputError(f"{flag}: {name} at {revision[:12]} is larger than 1 MiB")
    shown = git("cat-file", "blob", spec, cwd=root)
    if shown.returncode != 0:
        raise InputError(f"{flag}: cannot read {spec} ({_first_line(shown)})")
    try:
        return RevisionFile(name, revision, shown.stdout.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{name} at {revision[:12]}: {what} is not UTF-8 text") from None
