"""Command line: parse arguments, call one function per command, choose the reporter, exit code.

Exit codes: 0 nothing failing at or above --fail-on; 1 failing findings
(or failing policy self-tests); 2 usage or input error; 3 incomplete scan:
nothing failing, but a check at or above --fail-on could not run (see
report.py). Input errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from . import __version__
from .display import one_line, redact
from .models import Severity
from .output import OutputError
from .policy.loader import PolicyError, load_policies
from .policy.model import Policy
from .report import Report
from .sources.errors import InputError

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: CI logs stay readable.
        self.exit(EXIT_INPUT, f"hipaacheck: error: {message} (see hipaacheck --help)\n")


def _policy_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policies",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="add a directory of policy YAML files (repeatable)",
    )
    parser.add_argument("--no-builtin", action="store_true", help="do not load the built-in policy pack")


def _scan_output_args(parser: argparse.ArgumentParser) -> None:
    """Flags every scan shares: policies, threshold, where the reports go, and CI gating (see emit.py)."""
    from .emit import add_arguments

    add_arguments(parser)
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        default="low",
        help="lowest severity whose failures fail the scan (default: low, i.e. any)",
    )
    parser.add_argument(
        "--fail-on-unknown",
        action="store_true",
        help="unknown findings (known only after apply) at or above --fail-on fail the scan like failures "
        "(recommended where the infrastructure holds PHI)",
    )
    parser.add_argument("--show-passed", action="store_true", help="table: list passing and skipped findings too")
    _policy_args(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hipaacheck", description="HIPAA Security Rule checks for AWS: Terraform plans and live accounts."
    )
    parser.add_argument("--version", action="version", version=f"hipaacheck {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = commands.add_parser("scan", help="scan a Terraform plan or a live AWS account")
    targets = scan.add_subparsers(dest="target", required=True, parser_class=_Parser)
    plan = targets.add_parser("plan", help="scan a plan: JSON from `terraform show -json`, or a binary plan file")
    plan.add_argument("path", type=Path, help="plan JSON or binary plan file")
    _scan_output_args(plan)
    _aws_scan_parser(targets)

    policies = commands.add_parser("policies", help="list, validate or test policies")
    actions = policies.add_subparsers(dest="action", required=True, parser_class=_Parser)
    listing = actions.add_parser("list", help="list the loaded policies")
    _policy_args(listing)
    for name, text in (
        ("validate", "check policy files and report every error"),
        ("test", "run every policy's own pass/fail examples"),
    ):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("directory", nargs="?", type=Path, help="policy directory (default: the built-in pack)")
    fields = actions.add_parser("fields", help="list the fields of a canonical resource type")
    fields.add_argument("type", nargs="?", help="resource type (default: list the types)")

    matrix = commands.add_parser(
        "matrix", help="Security Rule coverage: policies, attestations and current status per specification"
    )
    _policy_args(matrix)
    _evidence_args(matrix, reports_option=True)
    commands.add_parser("permissions", help="print the read-only IAM policy that `scan aws` needs")
    _attest_parser(commands)
    _report_parser(commands)
    return parser


def _date_arg(text: str) -> date:
    """argparse type for ``--today YYYY-MM-DD`` (here, not in attest/: every run builds the parser)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, not {text!r}") from None


def _evidence_args(parser: argparse.ArgumentParser, *, reports_option: bool) -> None:
    """--attestations (and, for matrix, --reports) plus --today: shared by matrix, attest check and report."""
    parser.add_argument(
        "--attestations",
        type=Path,
        metavar="FILE",
        help="attestations YAML (default: ./hipaacheck-attestations.yaml when it exists)",
    )
    if reports_option:
        parser.add_argument(
            "--reports",
            nargs="+",
            type=Path,
            default=[],
            metavar="REPORT.json",
            help="JSON scan reports whose findings give each specification its current status",
        )
    parser.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help="evaluate as of this date")


def _attest_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    attest = commands.add_parser("attest", help="attestations for the safeguards infrastructure cannot show")
    actions = attest.add_subparsers(dest="action", required=True, parser_class=_Parser)
    init = actions.add_parser("init", help="write a template with every attestation HIPAA needs, to fill in")
    init.add_argument("--output", type=Path, metavar="FILE", help="where (default: hipaacheck-attestations.yaml)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    check = actions.add_parser("check", help="evaluate attestations: pass while current, fail otherwise")
    _evidence_args(check, reports_option=False)


def _report_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    report = commands.add_parser("report", help="write the evidence pack (HTML and Markdown) from JSON scan reports")
    report.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json", help="JSON scan reports (plan or live)")
    report.add_argument("--html", type=Path, metavar="FILE", help="write the self-contained HTML page here")
    report.add_argument("--markdown", type=Path, metavar="FILE", help="write the Markdown version here")
    report.add_argument(
        "--embed-evidence",
        action="store_true",
        help="carry the attested documents inside the pack (one file to mail); else its links are relative",
    )
    report.add_argument(
        "--verify",
        type=Path,
        metavar="PACK",
        help="check PACK against the files given (reports, attestations, documents): one line, exit 0 or 1",
    )
    _evidence_args(report, reports_option=False)


def _aws_scan_parser(targets: argparse._SubParsersAction[_Parser]) -> None:
    aws = targets.add_parser("aws", help="scan a live AWS account (read-only API calls)")
    aws.add_argument("--profile", metavar="NAME", help="AWS config/SSO profile (default: the standard boto3 chain)")
    aws.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="REGION",
        help="region to scan (repeatable; default: every region enabled for the account)",
    )
    aws.add_argument("--role-arn", metavar="ARN", help="assume this role first (to scan another account)")
    aws.add_argument("--external-id", metavar="ID", help="external id for --role-arn")
    aws.add_argument(
        "--retry-mode",
        choices=("adaptive", "standard"),
        default="adaptive",
        help="botocore retry mode for throttling (default: adaptive)",
    )
    aws.add_argument("--max-attempts", type=int, default=5, metavar="N", help="attempts per API call (default: 5)")
    aws.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    _scan_output_args(aws)


def _load(args: argparse.Namespace) -> list[Policy]:
    from .builtin import builtin_policy_dir

    directories = ([] if args.no_builtin else [builtin_policy_dir()]) + list(args.policies)
    return load_policies(directories)


def _cmd_scan_plan(args: argparse.Namespace) -> int:
    from .scan import scan_plan

    _check_outputs(args)
    report = scan_plan(args.path, _load(args), Severity(args.fail_on))
    return _emit(report, args)


def _cmd_scan_aws(args: argparse.Namespace) -> int:
    from .scan import scan_aws
    from .sources.aws.options import ScanOptions

    if args.external_id and not args.role_arn:
        raise InputError("--external-id needs --role-arn")
    if args.max_attempts < 1:
        raise InputError("--max-attempts must be at least 1")
    _check_outputs(args)
    policies = _load(args)
    options = ScanOptions(
        profile=args.profile,
        regions=tuple(args.region),
        role_arn=args.role_arn,
        external_id=args.external_id,
        retry_mode=args.retry_mode,
        max_attempts=args.max_attempts,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    report = scan_aws(options, policies, Severity(args.fail_on))
    return _emit(report, args)


def _cmd_permissions() -> int:
    from .sources.aws.permissions import policy_json

    sys.stdout.write(policy_json())
    return EXIT_OK


def _check_outputs(args: argparse.Namespace) -> None:
    """Before scanning: refuse unwritable outputs and bad waivers/baseline files (exit 2, nothing written)."""
    from .emit import check

    args.prepared = check(args)


def _emit(report: Report, args: argparse.Namespace) -> int:
    """Apply waivers/baseline, render every requested format, write them, and return the exit code."""
    from .emit import check, emit

    prepared = getattr(args, "prepared", None) or check(args)
    return emit(report, args, prepared, lambda: _load(args))


def _cmd_policies(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from .builtin import builtin_policy_dir

    if args.action == "fields":
        return _cmd_fields(args.type)
    if args.action == "list":
        policies = _load(args)
        rows = [[p.id, p.severity.value, p.resource_type, "\n".join(p.safeguards)] for p in policies]
        print(tabulate(rows, headers=["ID", "SEVERITY", "RESOURCE", "SAFEGUARDS"], tablefmt="simple"))
        print(f"\n{len(policies)} policies")
        return EXIT_OK
    directory = args.directory or builtin_policy_dir()
    if args.action == "validate":
        return _cmd_validate(directory)
    from .policy.selftest import run_examples

    policies = load_policies([directory])
    failures = run_examples(policies)
    for failure in failures:
        print(failure)
    total = sum(len(p.pass_examples) + len(p.fail_examples) + len(p.skip_examples) for p in policies)
    print(f"{total - len(failures)} passed, {len(failures)} failed ({len(policies)} policies)")
    return EXIT_FAIL if failures else EXIT_OK


def _cmd_validate(directory: Path) -> int:
    from .policy.loader import load_policy_file, policy_files

    errors: list[str] = []
    seen: dict[str, str] = {}
    files = policy_files(directory)
    for path in files:
        try:
            policy = load_policy_file(path)
        except PolicyError as exc:
            errors.append(str(exc))
            continue
        if policy.id in seen:
            errors.append(
                f"{policy.file}:{policy.line}:1: duplicate policy id {policy.id!r} (first in {seen[policy.id]})"
            )
        seen.setdefault(policy.id, policy.file)
    for error in errors:
        print(redact(one_line(error)), file=sys.stderr)
    if errors:
        return EXIT_INPUT
    print(f"{len(files)} policies valid in {directory}")
    return EXIT_OK


def _cmd_fields(type_name: str | None) -> int:
    from tabulate import tabulate

    from .resource_types import RESOURCE_TYPES, schema_rows

    if type_name is None:
        print("\n".join(RESOURCE_TYPES))
        return EXIT_OK
    if type_name not in RESOURCE_TYPES:
        raise InputError(f"unknown resource type {type_name!r} (known: {', '.join(RESOURCE_TYPES)})")
    print(
        tabulate(
            schema_rows(type_name),
            headers=["FIELD", "KIND", "MEANING"],
            tablefmt="simple",
            maxcolwidths=[None, None, 50],
        )
    )
    return EXIT_OK


def _cmd_matrix(args: argparse.Namespace) -> int:
    from .evidence.commands import cmd_matrix

    return cmd_matrix(_load(args), args.attestations, args.reports, args.today)


def _cmd_attest(args: argparse.Namespace) -> int:
    from .attest.commands import cmd_check, cmd_init

    if args.action == "init":
        return cmd_init(args.output, args.force)
    return cmd_check(args.attestations, args.today)


def _cmd_report(args: argparse.Namespace) -> int:
    from .evidence.commands import cmd_report, cmd_verify

    if args.verify is not None:
        return cmd_verify(args.verify, args.reports, args.html, args.markdown, args.embed_evidence)
    return cmd_report(args.reports, args.attestations, args.html, args.markdown, args.today, args.embed_evidence)


def main(argv: Sequence[str] | None = None) -> int:
    from .console import guarded

    # Under GitHub Actions no line printed from here on can be read as a workflow command.
    with guarded():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "scan":
            return _cmd_scan_aws(args) if args.target == "aws" else _cmd_scan_plan(args)
        if args.command == "permissions":
            return _cmd_permissions()
        if args.command == "policies":
            return _cmd_policies(args)
        if args.command == "attest":
            return _cmd_attest(args)
        if args.command == "report":
            return _cmd_report(args)
        return _cmd_matrix(args)
    except (InputError, PolicyError, OutputError) as exc:
        print(f"hipaacheck: error: {redact(one_line(str(exc)))}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("hipaacheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def entry() -> None:
    sys.exit(main())
