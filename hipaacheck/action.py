"""The GitHub Action's entry point: ``python -m hipaacheck.action``.

``action.yml`` passes each input as an environment variable
``HIPAACHECK_INPUT_<NAME>`` (upper case, ``-`` -> ``_``) and runs this
module; here the inputs become an ordinary ``hipaacheck scan`` command line,
so the Action behaves exactly like the CLI and the YAML holds no logic.
Input values never pass through a shell: every option is one ``--name=value``
argument (a value starting with ``-`` stays a value) and the plan path comes
after ``--``. An input that must be one line but holds a line break is refused.

Annotations, the step summary and the step outputs (``failed``, ``passed``,
``unknown``, ``errors``, ``sarif-file`` and more) come from the CLI itself
because the runner sets ``GITHUB_ACTIONS=true``.

``waivers-from-base: true`` reads the waivers file as it is in the pull
request's base commit (plumbing ``git`` commands on object ids, no shell, no
filters), so a pull request cannot waive its own findings by editing it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

PREFIX = "HIPAACHECK_INPUT_"
# Inputs whose values are one item each: a line break in them is never meaningful.
SCALAR_INPUTS = (
    "plan",
    "aws",
    "tf-dir",
    "fail-on",
    "waivers",
    "baseline",
    "changed-only",
    "sarif-file",
    "format",
    "config",
    "allow-incomplete",
    "exit-zero",
    "show-passed",
    "fail-on-unknown",
    "waivers-from-base",
)
# Inputs that are lists: one item per line or separated by commas.
LIST_INPUTS = ("aws-regions", "policies", "policy", "skip-policy", "reports")
# Every input action.yml passes to this module (python-version is used by the setup step only).
INPUTS = (*SCALAR_INPUTS, *LIST_INPUTS)
# Switch inputs and the CLI flag each one turns on (the names are the agreed CLI flags).
SWITCHES = {
    "allow-incomplete": "--allow-incomplete",
    "exit-zero": "--exit-zero",
    "show-passed": "--show-passed",
    "fail-on-unknown": "--fail-on-unknown",
}
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off", ""}
DEFAULT_WAIVERS = ".hipaacheck-waivers.yaml"  # the CLI's default, see emit.DEFAULT_WAIVERS_FILE
MAX_WAIVERS_BYTES = 1 << 20  # a waivers file is a few KiB; refuse a blob that is not one
MAX_EVENT_BYTES = 64 << 20
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 repositories
_REGULAR_FILE_MODES = {"100644", "100755"}


class ActionInputError(Exception):
    pass


def _get(env: Mapping[str, str], name: str) -> str:
    value = env.get(PREFIX + name.upper().replace("-", "_"), "").strip()
    if name in SCALAR_INPUTS and ("\n" in value or "\r" in value):
        # Not echoed: the value may be text a pull request wrote.
        raise ActionInputError(f"input {name!r} must be a single line (it contains a line break)")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = _get(env, name).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ActionInputError(f"input {name!r} must be true or false, not {value!r}")


def _items(text: str) -> list[str]:
    """A list input: one item per line or separated by commas."""
    return [item.strip() for item in re.split(r"[\n,]", text) if item.strip()]


def build_argv(env: Mapping[str, str], waivers_override: str | None = None) -> list[str]:
    """The ``hipaacheck`` command line for these inputs (``waivers_override``: the base commit's waivers)."""
    for name in SCALAR_INPUTS:
        _get(env, name)  # refuse a line break in any one-line input, used or not
    plan, aws = _get(env, "plan"), _flag(env, "aws")
    if plan and aws:
        raise ActionInputError("set either 'plan' or 'aws: true', not both (use two steps to scan both)")
    if not plan and not aws:
        raise ActionInputError("nothing to scan: set 'plan' (a plan JSON or binary plan file) or 'aws: true'")
    argv = ["scan", "aws" if aws else "plan"]
    if aws:
        argv += [f"--region={region}" for region in _items(_get(env, "aws-regions"))]
        if _flag(env, "changed-only"):
            raise ActionInputError("'changed-only' applies to plan scans, not 'aws: true'")
    elif _flag(env, "changed-only"):
        argv.append("--changed-only")
    for name in ("config", "tf-dir", "fail-on", "waivers", "baseline"):
        value = waivers_override if name == "waivers" and waivers_override is not None else _get(env, name)
        if value:
            argv.append(f"--{name}={value}")
    argv += [f"--policies={directory}" for directory in _items(_get(env, "policies"))]
    argv += [f"--policy={pattern}" for pattern in _items(_get(env, "policy"))]
    argv += [f"--skip-policy={pattern}" for pattern in _items(_get(env, "skip-policy"))]
    argv += [flag for name, flag in SWITCHES.items() if _flag(env, name)]
    argv.append(f"--format={_get(env, 'format') or 'table'}")
    if sarif := _get(env, "sarif-file"):
        argv.append(f"--report=sarif={sarif}")
    argv += [f"--report={spec}" for spec in _items(_get(env, "reports"))]
    if not aws:
        argv += ["--", plan]  # a plan path is a file argument, whatever it starts with
    return argv


# --- waivers-from-base -------------------------------------------------------


def base_commit(env: Mapping[str, str]) -> str:
    """The pull request's (or merge queue's) base commit, from the event payload the runner wrote.

    Any other event is an input error, not a quiet fallback to the checked-out file: the input
    promises reviewed waivers (a workflow that also runs on push sets it from the event name).
    """
    event_path = env.get("GITHUB_EVENT_PATH", "")
    event: object = None
    if event_path:
        try:
            with open(event_path, "rb") as handle:
                raw = handle.read(MAX_EVENT_BYTES + 1)
            event = json.loads(raw) if len(raw) <= MAX_EVENT_BYTES else None
        except (OSError, ValueError) as exc:
            raise ActionInputError(f"waivers-from-base: cannot read the event payload ({exc})") from None
    pull_request = event.get("pull_request") if isinstance(event, dict) else None
    merge_group = event.get("merge_group") if isinstance(event, dict) else None
    sha: object = None
    if isinstance(pull_request, dict) and isinstance(pull_request.get("base"), dict):
        sha = pull_request["base"].get("sha")
    elif isinstance(merge_group, dict):
        sha = merge_group.get("base_sha")
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        event_name = env.get("GITHUB_EVENT_NAME") or "no event"
        raise ActionInputError(
            f"waivers-from-base needs a pull_request or merge_group event with a base commit (this is {event_name}); "
            "in a workflow that also runs on push, set it to ${{ github.event_name == 'pull_request' }}"
        )
    return sha


def _git(args: Sequence[str], cwd: Path) -> bytes:
    # Plumbing only, no pager, no fsmonitor hook, no prompt: nothing here runs code from the repository.
    # Literal pathspecs: a file name with `*` or `:(...)` names that file, not a pattern.
    command = ["git", "--no-pager", "-c", "core.fsmonitor=false", *args]
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_LITERAL_PATHSPECS": "1"}
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, env=environment, timeout=60, check=False)
    except FileNotFoundError:
        raise ActionInputError("waivers-from-base needs git on PATH") from None
    except subprocess.TimeoutExpired:
        raise ActionInputError(f"waivers-from-base: git {args[0]} timed out") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1] if lines else f"exit {proc.returncode}"
        raise ActionInputError(f"waivers-from-base: git {args[0]} failed: {reason}")
    return proc.stdout


def read_base_waivers(waivers: str, sha: str, cwd: Path) -> bytes | None:
    """The waivers file's bytes in commit ``sha`` (None if it has no such file).

    ``waivers`` is the path as the scan would use it (relative to ``cwd``). Refused: a
    path outside the repository, a commit not in the clone (shallow checkout), a
    symbolic link or submodule at that path, a blob over ``MAX_WAIVERS_BYTES``.
    """
    if not _SHA.fullmatch(sha):
        raise ActionInputError(f"waivers-from-base: {sha!r} is not a commit id")
    top = Path(os.path.realpath(os.fsdecode(_git(["rev-parse", "--show-toplevel"], cwd).strip())))
    # Lexical, not resolved: a symbolic link in the working tree must not choose what is read.
    target = Path(os.path.normpath(os.path.join(os.path.realpath(cwd), waivers)))
    if not target.is_relative_to(top) or target == top:
        raise ActionInputError(f"waivers-from-base: {waivers} is not a file inside the repository")
    relative = target.relative_to(top)
    try:
        _git(["cat-file", "-e", f"{sha}^{{commit}}"], top)
    except ActionInputError:
        raise ActionInputError(
            f"waivers-from-base: the base commit {sha[:12]} is not in this clone; "
            "check out with `fetch-depth: 0` (or 2: the merge commit and its parents)"
        ) from None
    listing = os.fsdecode(_git(["ls-tree", "-z", "--full-tree", sha, "--", relative.as_posix()], top))
    entries = [entry for entry in listing.split("\0") if entry]
    if not entries:
        return None
    meta, _, path = entries[0].partition("\t")
    mode, kind, blob = meta.split(" ")
    if path != relative.as_posix() or kind != "blob" or mode not in _REGULAR_FILE_MODES:
        raise ActionInputError(f"waivers-from-base: {relative.as_posix()} in the base commit is not a regular file")
    size = int(_git(["cat-file", "-s", blob], top).strip())
    if size > MAX_WAIVERS_BYTES:
        raise ActionInputError(f"waivers-from-base: {relative.as_posix()} in the base commit is {size} bytes")
    return _git(["cat-file", "blob", blob], top)


def _base_waivers_file(env: Mapping[str, str], cwd: Path) -> str | None:
    """With waivers-from-base, the path of a private copy of the base commit's waivers file."""
    if not _flag(env, "waivers-from-base"):
        return None
    sha = base_commit(env)
    waivers = _get(env, "waivers") or DEFAULT_WAIVERS
    content = read_base_waivers(waivers, sha, cwd)
    folder = Path(tempfile.mkdtemp(prefix=f"hipaacheck-base-{sha[:12]}-", dir=env.get("RUNNER_TEMP") or None))
    copy = folder / Path(waivers).name
    # As stored (the scan judges its encoding). None in the base: an empty file, so the head's
    # default file is not picked up instead.
    copy.write_bytes(content or b"")
    found = "read" if content is not None else "absent there, so no waivers apply"
    print(f"hipaacheck: waivers-from-base: {waivers} from base commit {sha} ({found})", file=sys.stderr)
    return str(copy)


def main(env: Mapping[str, str] | None = None) -> int:
    from .cli import EXIT_INPUT
    from .cli import main as cli_main
    from .reporters.github import escape_data

    environment = os.environ if env is None else env
    base_waivers: str | None = None
    try:
        build_argv(environment)  # every input checked before git is run
        base_waivers = _base_waivers_file(environment, Path.cwd())
        command = build_argv(environment, base_waivers)
        print(f"hipaacheck {shlex.join(command)}", file=sys.stderr)
        return cli_main(command)
    except ActionInputError as exc:
        # An annotation makes the misconfiguration visible on the run page, not only in the log.
        print(f"::error title=hipaacheck action::{escape_data(str(exc))}", file=sys.stderr)
        print(f"hipaacheck: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    finally:
        if base_waivers is not None:  # the private copy of the base commit's waivers file
            shutil.rmtree(Path(base_waivers).parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
