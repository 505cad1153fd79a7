"""The shared output path of every scan: CI flags, checks before the scan, rendering and delivery after it.

Before the scan (``check``): every output path must be writable, the waivers
and baseline files must be valid. A bad one is one line and exit 2, and the
scan never starts, so no partial output file is ever left behind.

After the scan (``emit``), in this order: waivers turn matching failures
into ``waived``; the baseline marks failures it already had; --changed-only
marks failures on resources the plan does not change; then the report is
rendered in the main format (stdout or --output) and in every
``--report FORMAT=FILE``; under GitHub Actions the annotations, the step
summary and the step outputs follow.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .display import one_line, redact
from .output import ENCODING_ERRORS, OutputError, check_writable, write_atomic
from .paths import portable_path
from .report import DEFAULT_MAX_WAIVER_DAYS, Report
from .sources.errors import InputError

if TYPE_CHECKING:
    from .baseline import Baseline
    from .policy.model import Policy
    from .waivers import WaiverSet

DEFAULT_WAIVERS_FILE = ".hipaacheck-waivers.yaml"

FORMATS = ("table", "json", "sarif", "junit", "markdown", "asff", "ocsf", "csv")


def report_spec(text: str) -> tuple[str, Path]:
    """argparse type for ``--report FORMAT=FILE``."""
    fmt, sep, file = text.partition("=")
    if not sep or not file:
        raise argparse.ArgumentTypeError(f"expected FORMAT=FILE, e.g. sarif=hipaacheck.sarif, not {text!r}")
    if fmt not in FORMATS:
        raise argparse.ArgumentTypeError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return fmt, Path(file)


def _days(text: str) -> int:
    """argparse type for ``--max-waiver-days``: a whole number of days, 0 or more."""
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, not {text!r}") from None
    if days < 0 or days > 100 * 366:
        raise argparse.ArgumentTypeError(f"expected 0 to 36600 days, not {days}")
    return days


def add_arguments(parser: argparse.ArgumentParser, *, plan: bool = True) -> None:
    """The output and CI flags; --tf-dir and --changed-only only on plan scans (a live scan has neither)."""
    parser.add_argument("--format", choices=FORMATS, default="table", help="format of the main report (default: table)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the main report to FILE instead of stdout")
    parser.add_argument(
        "--report",
        type=report_spec,
        action="append",
        default=[],
        metavar="FORMAT=FILE",
        help=f"also write the report as FORMAT to FILE (repeatable; formats: {', '.join(FORMATS)})",
    )
    parser.add_argument(
        "--asff-account",
        metavar="ID",
        help="asff: the 12-digit AWS account a plan deploys to (required for plans; live scans use the scanned account)",
    )
    parser.add_argument(
        "--asff-region",
        metavar="REGION",
        help="asff: the region you import the findings into (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)",
    )
    if plan:
        parser.add_argument(
            "--tf-dir",
            type=Path,
            metavar="DIR",
            help="Terraform sources, to follow locals and point findings at file:line "
            "(default: the plan's directory if it has .tf files)",
        )
    parser.add_argument(
        "--waivers", type=Path, metavar="FILE", help=f"waivers file (default: {DEFAULT_WAIVERS_FILE} if it exists)"
    )
    parser.add_argument(
        "--waivers-from-git",
        metavar="REV",
        help="read the waivers file as of git revision REV (e.g. a pull request's base commit), not from the "
        "working tree: a change cannot waive its own findings",
    )
    parser.add_argument(
        "--max-waiver-days",
        type=_days,
        metavar="N",
        help=f"refuse a waiver that expires more than N days from today (default: {DEFAULT_MAX_WAIVER_DAYS})",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="JSON report of an earlier run: only failures it does not list fail this run",
    )
    if plan:
        parser.add_argument(
            "--changed-only",
            action="store_true",
            help="only resources the plan creates, updates or replaces can fail the run",
        )
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="exit 0, not 3, when nothing fails but some checks could not run (they stay `error` in the report)",
    )
    parser.add_argument(
        "--no-github",
        action="store_true",
        help="no annotations, step summary or step outputs even when GITHUB_ACTIONS=true",
    )


@dataclass
class Prepared:
    """What ``check`` read and validated, for ``emit`` to use."""

    outputs: list[tuple[str, Path | None]] = field(default_factory=list)  # (format, file); None = stdout
    waivers: WaiverSet | None = None
    baseline: Baseline | None = None
    baseline_file: str | None = None
    github: bool = False


def check(args: argparse.Namespace, env: dict[str, str] | None = None) -> Prepared:
    environment = dict(os.environ) if env is None else env
    prepared = Prepared(outputs=[(args.format, args.output), *args.report])
    seen: dict[Path, str] = {}
    for fmt, path in prepared.outputs:
        if path is None:
            continue
        check_writable(path)
        key = path.resolve()
        if key in seen:
            raise OutputError(f"{path}: given twice (as {seen[key]} and {fmt})")
        seen[key] = fmt
    _check_asff(args, prepared, getattr(args, "target", "plan") == "plan")
    tf_dir = getattr(args, "tf_dir", None)
    if tf_dir is not None and not tf_dir.is_dir():
        raise InputError(f"{tf_dir}: --tf-dir is not a directory")
    waivers_file = args.waivers
    # None: neither --max-waiver-days nor the config file set it (so the file can, and a flag still wins).
    max_days = getattr(args, "max_waiver_days", None)
    if max_days is None:
        max_days = DEFAULT_MAX_WAIVER_DAYS
    revision = getattr(args, "waivers_from_git", None)
    if revision is not None:
        from .waivers_git import load_waivers_from_git

        # The file as the base commit had it; one the change adds or edits does not count.
        prepared.waivers = load_waivers_from_git(revision, waivers_file or Path(DEFAULT_WAIVERS_FILE), max_days)
        waivers_file = None
    elif waivers_file is None and Path(DEFAULT_WAIVERS_FILE).is_file():
        waivers_file = Path(DEFAULT_WAIVERS_FILE)
    if waivers_file is not None:
        from .waivers import load_waivers

        if not waivers_file.is_file():
            what = "is not a regular file" if waivers_file.exists() else "does not exist"
            raise InputError(f"{waivers_file}: waivers file {what}")
        prepared.waivers = load_waivers(waivers_file, date.today(), max_days)
    if prepared.waivers is not None:
        for warning in [*prepared.waivers.notes, *prepared.waivers.warnings()]:
            print(f"hipaacheck: warning: {redact(one_line(warning))}", file=sys.stderr)
    if args.baseline is not None:
        from .baseline import load_baseline

        prepared.baseline = load_baseline(args.baseline)
        prepared.baseline_file = portable_path(args.baseline)
    # Checked here, not in reporters.github: outside Actions that module is never imported.
    prepared.github = environment.get("GITHUB_ACTIONS") == "true" and not args.no_github
    if prepared.github:
        from .reporters.github import github_files

        for path in github_files(environment):
            if not path.is_file() or not os.access(path, os.W_OK):
                check_writable(path)
    return prepared


def _check_asff(args: argparse.Namespace, prepared: Prepared, is_plan: bool) -> None:
    """Security Hub accepts only a 12-digit account and a region name; a plan names no account."""
    from .reporters.asff import ACCOUNT_ID, REGION_NAME

    account, region = getattr(args, "asff_account", None), getattr(args, "asff_region", None)
    if account is not None and not ACCOUNT_ID.match(account):
        raise InputError(f"--asff-account {account!r} is not a 12-digit AWS account id")
    if region is not None and not REGION_NAME.match(region):
        raise InputError(f"--asff-region {region!r} is not an AWS region name (e.g. us-east-1)")
    wants_asff = any(fmt == "asff" for fmt, _ in prepared.outputs)
    if wants_asff and is_plan and account is None:
        raise InputError(
            "--format asff on a plan needs --asff-account ID: a plan does not say which AWS account it "
            "deploys to, and Security Hub imports findings only for a real account"
        )


def use_colour(env: dict[str, str] | None = None) -> bool:
    """Colour only for a person at a terminal: not in a pipe or a file, not with NO_COLOR (no-color.org) or TERM=dumb."""
    environment = os.environ if env is None else env
    if environment.get("NO_COLOR") or environment.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def write_stdout(text: str, fmt: str = "text") -> None:
    """The main report on stdout; a character the stream cannot encode is escaped, not a crash.

    Under GitHub Actions no line of it can be a workflow command; the escape used
    keeps the format valid (a JSON report on stdout still parses to the same data).
    """
    from .console import under_actions

    if under_actions():
        from .safe_text import neutralize_commands

        text = neutralize_commands(text, fmt)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    if encoding.lower().replace("-", "").replace("_", "") not in ("utf8", "utf8sig"):
        # Escaped up front, so the text is written once, whole, whatever wraps the stream.
        text = text.encode(encoding, ENCODING_ERRORS).decode(encoding, "replace")
    sys.stdout.write(text)


def _tf_dir(args: argparse.Namespace) -> Path | None:
    if getattr(args, "tf_dir", None) is not None:
        return Path(args.tf_dir)
    plan = getattr(args, "path", None)
    if getattr(args, "target", "plan") == "plan" and isinstance(plan, Path):
        directory = plan.parent
        if any(directory.glob("*.tf")):
            return directory
    return None


def apply_gates(report: Report, args: argparse.Namespace, prepared: Prepared) -> None:
    from .baseline import apply_baseline, apply_changed_only
    from .waivers import apply_waivers

    if getattr(args, "allow_incomplete", False):
        report.allow_incomplete = True
    report.asff_account = getattr(args, "asff_account", None)
    report.asff_region = getattr(args, "asff_region", None)
    if getattr(args, "fail_on_unknown", False):
        report.fail_on_unknown = True
    if prepared.waivers is not None:
        apply_waivers(report, prepared.waivers, date.today())
    if prepared.baseline is not None and prepared.baseline_file is not None:
        apply_baseline(report, prepared.baseline, prepared.baseline_file)
    if getattr(args, "changed_only", False):
        apply_changed_only(report)
    tf_dir = _tf_dir(args)
    if tf_dir is not None:
        from .sources.terraform.locations import SourceLocator

        report.locator = SourceLocator(tf_dir)


def emit(
    report: Report,
    args: argparse.Namespace,
    prepared: Prepared,
    load_policies: Callable[[], Sequence[Policy]] | None = None,
    env: dict[str, str] | None = None,
) -> int:
    from .reporters import REPORTERS

    apply_gates(report, args, prepared)
    if prepared.waivers is not None:
        from .waivers import stale_waiver_warnings

        loaded = getattr(args, "loaded_policy_ids", None)
        for warning in stale_waiver_warnings(report, prepared.waivers, loaded, getattr(args, "full_scan", False)):
            print(f"hipaacheck: warning: {redact(one_line(warning))}", file=sys.stderr)
            if warning not in report.notes:
                report.notes.append(warning)
    if load_policies is not None and not report.policies and any(f == "sarif" for f, _ in prepared.outputs):
        report.policies = list(load_policies())
    rendered: list[tuple[str, Path | None, str]] = []
    for fmt, path in prepared.outputs:
        if fmt == "table":
            from .reporters.table import render_table

            compact = getattr(args, "compact", False)
            text = render_table(report, args.show_passed, compact, colour=path is None and use_colour(env))
        else:
            text = REPORTERS[fmt](report)
        rendered.append((fmt, path, text))
    for fmt, path, text in rendered:
        if path is None:
            write_stdout(text, fmt)
        else:
            write_atomic(path, text)
    if prepared.github:
        from .console import command
        from .reporters.github import publish

        sarif = next((str(p) for f, p in prepared.outputs if f == "sarif" and p is not None), None)
        # Expired waivers are annotated there too, on their lines, within GitHub's per-step warning cap.
        for line in publish(report, dict(os.environ) if env is None else env, sarif, prepared.waivers):
            command(line)
    return report.exit_code
