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

``waivers-from-base: true`` and ``config-from-base: true`` pass the pull
request's base commit (from the event payload) as ``--waivers-from-git`` and
``--config-from-git``, so a pull request can neither waive its own findings by
editing the waivers file nor loosen the gate (fail_on, skip_policy,
parameters) by editing the config file.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from collections.abc import Mapping

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
    "config-from-base",
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
MAX_EVENT_BYTES = 64 << 20
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 repositories


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


def build_argv(env: Mapping[str, str]) -> list[str]:
    """The ``hipaacheck`` command line for these inputs."""
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
        if name == "tf-dir" and aws:
            continue  # file:line locations are for plans; `scan aws` has no --tf-dir
        if value := _get(env, name):
            argv.append(f"--{name}={value}")
    # The CLI reads these files from that commit (hipaacheck/git_revision.py), not the pull request's.
    if _flag(env, "waivers-from-base"):
        argv.append(f"--waivers-from-git={base_commit(env, 'waivers-from-base')}")
    if _flag(env, "config-from-base"):
        argv.append(f"--config-from-git={base_commit(env, 'config-from-base')}")
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


def base_commit(env: Mapping[str, str], name: str = "waivers-from-base") -> str:
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
            raise ActionInputError(f"{name}: cannot read the event payload ({exc})") from None
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
            f"{name} needs a pull_request or merge_group event with a base commit (this is {event_name}); "
            "in a workflow that also runs on push, set it to ${{ github.event_name == 'pull_request' }}"
        )
    return sha


def main(env: Mapping[str, str] | None = None) -> int:
    from .cli import EXIT_INPUT
    from .cli import main as cli_main
    from .console import command, guarded
    from .reporters.github import escape_data

    environment = os.environ if env is None else env
    # Input values are echoed below: under Actions no line of them can be a workflow command.
    with guarded(dict(environment)):
        try:
            arguments = build_argv(environment)
        except ActionInputError as exc:
            # An annotation makes the misconfiguration visible on the run page, not only in the log.
            command(f"::error title=hipaacheck action::{escape_data(str(exc))}")
            print(f"hipaacheck: error: {exc}", file=sys.stderr)
            return EXIT_INPUT
        print(f"hipaacheck {shlex.join(arguments)}", file=sys.stderr)
        return cli_main(arguments)


if __name__ == "__main__":
    sys.exit(main())
