"""The GitHub Action's entry point: ``python -m hipaacheck.action``.

``action.yml`` passes each input as an environment variable
``HIPAACHECK_INPUT_<NAME>`` (upper case, ``-`` -> ``_``) and runs this
module; here the inputs become an ordinary ``hipaacheck scan`` command line,
so the Action behaves exactly like the CLI and the YAML holds no logic.
Input values never pass through a shell.

Annotations, the step summary and the step outputs (``failed``, ``passed``,
``unknown``, ``errors``, ``sarif-file`` and more) come from the CLI itself
because the runner sets ``GITHUB_ACTIONS=true``.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping, Sequence

PREFIX = "HIPAACHECK_INPUT_"
# Every input action.yml declares (python-version is used by the setup step only).
INPUTS = (
    "plan",
    "aws",
    "aws-regions",
    "tf-dir",
    "policies",
    "fail-on",
    "waivers",
    "baseline",
    "changed-only",
    "sarif-file",
    "reports",
    "format",
)
# Inputs for issue 13's gate, read here; action.yml declares them (its owner adds them to INPUTS then).
GATE_INPUTS = ("fail-on-unknown", "waivers-from-base")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off", ""}


class ActionInputError(Exception):
    pass


def _get(env: Mapping[str, str], name: str) -> str:
    return env.get(PREFIX + name.upper().replace("-", "_"), "").strip()


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


def base_commit(env: Mapping[str, str]) -> str:
    """The pull request's base commit, from the event payload the runner wrote (``GITHUB_EVENT_PATH``)."""
    import json

    event_path = env.get("GITHUB_EVENT_PATH", "")
    if not event_path:
        raise ActionInputError("'waivers-from-base' needs GITHUB_EVENT_PATH (run it in a pull_request workflow)")
    try:
        with open(event_path, encoding="utf-8") as handle:
            event = json.loads(handle.read(16 * 1024 * 1024))
    except (OSError, ValueError) as exc:
        raise ActionInputError(f"'waivers-from-base': cannot read the event payload {event_path} ({exc})") from None
    pull = event.get("pull_request") if isinstance(event, dict) else None
    merge_group = event.get("merge_group") if isinstance(event, dict) else None
    sha = None
    if isinstance(pull, dict) and isinstance(pull.get("base"), dict):
        sha = pull["base"].get("sha")
    elif isinstance(merge_group, dict):
        sha = merge_group.get("base_sha")
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
        raise ActionInputError(
            f"'waivers-from-base' needs a pull_request or merge_group event with a base commit "
            f"(this is {env.get('GITHUB_EVENT_NAME') or 'not one'})"
        )
    return sha


def build_argv(env: Mapping[str, str]) -> list[str]:
    plan, aws = _get(env, "plan"), _flag(env, "aws")
    if plan and aws:
        raise ActionInputError("set either 'plan' or 'aws: true', not both (use two steps to scan both)")
    if not plan and not aws:
        raise ActionInputError("nothing to scan: set 'plan' (a plan JSON or binary plan file) or 'aws: true'")
    if aws:
        argv = ["scan", "aws"]
        for region in _items(_get(env, "aws-regions")):
            argv += ["--region", region]
        if _flag(env, "changed-only"):
            raise ActionInputError("'changed-only' applies to plan scans, not 'aws: true'")
    else:
        argv = ["scan", "plan", plan]
        if _flag(env, "changed-only"):
            argv.append("--changed-only")
    for name in ("tf-dir", "fail-on", "waivers", "baseline"):
        if value := _get(env, name):
            argv += [f"--{name}", value]
    if _flag(env, "fail-on-unknown"):
        argv.append("--fail-on-unknown")
    if _flag(env, "waivers-from-base"):
        argv += ["--waivers-from-git", base_commit(env)]
    for directory in _items(_get(env, "policies")):
        argv += ["--policies", directory]
    argv += ["--format", _get(env, "format") or "table"]
    if sarif := _get(env, "sarif-file"):
        argv += ["--report", f"sarif={sarif}"]
    for spec in _items(_get(env, "reports")):
        argv += ["--report", spec]
    return argv


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
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
        return cli_main([*arguments, *(argv or [])])


if __name__ == "__main__":
    sys.exit(main())
