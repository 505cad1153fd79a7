"""Merge ``.hipaacheck.yaml`` into a scan's parsed arguments: a flag given on the command line wins.

Lists (``--policy``, ``--skip-policy``, ``--policies``, ``--region``) given on
the command line replace the file's list; switches (``--exit-zero``,
``--allow-incomplete``, ``--no-builtin``) are on when either turns them on.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .config import CONFIG_FILE, Config, find_config, load_config, load_config_from_git
from .models import Severity

# config key -> argparse destination, for settings a command line can give once.
_SINGLE = {"fail_on": "fail_on", "min_severity": "min_severity", "waivers": "waivers", "baseline": "baseline"}
_LISTS = {"policy": "policy", "skip_policy": "skip_policy", "policy_dirs": "policies"}
_SWITCHES = {"exit_zero": "exit_zero", "allow_incomplete": "allow_incomplete", "no_builtin": "no_builtin"}
# Settings of one kind of scan; the other kind ignores them, so one file serves both.
_PLAN_ONLY = {"tf_dir": "tf_dir"}
_LIVE_ONLY = {"regions": "region"}
# The gate options (--fail-on-unknown, --max-waiver-days); a config key is refused if its flag is missing.
_GATE = {"fail_on_unknown": "fail_on_unknown", "max_waiver_days": "max_waiver_days"}


def apply_policy_config(args: argparse.Namespace) -> None:
    """For `policies list`: only what decides which policies load and with which parameter values."""
    path = find_config(args.config)
    args.config_file = str(path) if path is not None else None
    args.overrides = {}
    if path is not None:
        config = load_config(path)
        args.overrides = config.overrides
        if "policy_dirs" in config.values and not args.policies:
            args.policies = list(config.values["policy_dirs"])
        if config.values.get("no_builtin"):
            args.no_builtin = True


def _scan_config(args: argparse.Namespace) -> Config | None:
    """The config a scan uses: the working tree's, or with --config-from-git the one that revision has."""
    revision = getattr(args, "config_from_git", None)
    if revision is None:
        path = find_config(args.config)
        return load_config(path) if path is not None else None
    path = args.config if args.config is not None else Path(CONFIG_FILE)
    config = load_config_from_git(revision, path)
    if config is None:
        # The working tree's file, if any, is the pull request's: it does not count.
        args.config_notes.append(
            f"{path.as_posix()} does not exist at {revision[:12]}: no config applies (--config-from-git)"
        )
    return config


def apply_config(args: argparse.Namespace) -> None:
    """Read the config (if any) into ``args``; sets ``args.config_file`` and ``args.overrides``."""
    args.config_file = None
    args.config_notes = []
    args.overrides = {}
    config = _scan_config(args)
    if config is not None:
        args.config_file = config.file
        args.overrides = config.overrides
        values = config.values
        is_plan = getattr(args, "target", "plan") == "plan"
        singles = {**_SINGLE, **(_PLAN_ONLY if is_plan else {})}
        lists = {**_LISTS, **({} if is_plan else _LIVE_ONLY)}
        for key, dest in singles.items():
            if key in values and getattr(args, dest, None) is None:
                value = values[key]
                setattr(args, dest, value.value if isinstance(value, Severity) else value)
        for key, dest in lists.items():
            if key in values and not getattr(args, dest):
                setattr(args, dest, list(values[key]))
        for key, dest in _SWITCHES.items():
            if values.get(key):
                setattr(args, dest, True)
        for key, dest in _GATE.items():
            if key not in values:
                continue
            if not hasattr(args, dest):
                raise config.error(key, "not supported by this version of hipaacheck (no such option yet)")
            if getattr(args, dest) is None or getattr(args, dest) is False:
                setattr(args, dest, values[key])
    if args.fail_on is None:
        args.fail_on = Severity.LOW.value
