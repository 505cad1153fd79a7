"""Command line: parse arguments, call one function per command, choose the reporter, exit code.

Exit codes: 0 nothing failing at or above --fail-on; 1 failing findings
(or failing policy self-tests); 2 usage or input error; 3 incomplete scan:
nothing failing, but a check at or above --fail-on could not run (see
report.py). Input errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .display import one_line, redact
from .models import Severity
from .output import OutputError
from .policy.loader import PolicyError, load_policies
from .policy.model import Policy
from .report import Report
from .sources.errors import InputError

if TYPE_CHECKING:
    from .sources.aws.options import OrgOptions

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2
DEFAULT_EVIDENCE_PACK = "evidence-pack.html"


# Flags that only mean something for a plan: `scan aws` does not take them.
PLAN_ONLY_FLAGS = ("--tf-dir", "--changed-only")
_ACTIVE: list[argparse.ArgumentParser] = []  # the (sub)parsers this command line went through, outermost first


class _Parser(argparse.ArgumentParser):
    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        # Remember the deepest subcommand reached: its flags are the ones a typo should be compared with.
        _ACTIVE.append(self)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: CI logs stay readable.
        self.exit(EXIT_INPUT, f"hipaacheck: error: {_with_hint(message)} (see hipaacheck --help)\n")


def _with_hint(message: str) -> str:
    """argparse's message plus what the user probably meant: a close flag, subcommand or value."""
    from .suggest import suggestion

    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
    if choice:
        return message + suggestion(choice.group(1), re.findall(r"'([^']*)'", choice.group(2)))
    unknown = re.match(r"unrecognized arguments: (.*)$", message)
    if unknown:
        flags = sorted(_ACTIVE[-1]._option_string_actions) if _ACTIVE else []
        for word in unknown.group(1).split():
            name = word.split("=", 1)[0]
            if name in PLAN_ONLY_FLAGS:
                return f"{name} applies to plan scans only (`hipaacheck scan plan`), not to `scan aws`"
            if name.startswith("--"):
                hint = suggestion(name, flags)
                if hint:
                    return message + hint
    return message


def _severity(text: str) -> str:
    """argparse type for severities: case-insensitive (HIGH, High and high are the same)."""
    return text.strip().lower()


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


def _scan_output_args(parser: argparse.ArgumentParser, *, plan: bool, select: bool = True) -> None:
    """Flags every scan (and merge) shares: policies, threshold, where the reports go, CI gating (see emit.py)."""
    from .emit import add_arguments

    add_arguments(parser, plan=plan)
    severities = [s.value for s in Severity]
    parser.add_argument(
        "--fail-on",
        type=_severity,
        choices=severities,
        help="lowest severity whose failures fail the scan (default: low, i.e. any)",
    )
    if select:
        parser.add_argument(
            "--min-severity",
            type=_severity,
            choices=severities,
            help="evaluate only policies of this severity or higher",
        )
        parser.add_argument(
            "--policy",
            action="append",
            default=[],
            metavar="ID",
            help="evaluate only policies whose id matches this glob (repeatable)",
        )
        parser.add_argument(
            "--skip-policy", action="append", default=[], metavar="ID", help="do not evaluate these (glob, repeatable)"
        )
    parser.add_argument(
        "--exit-zero",
        action="store_true",
        help="soft fail: report everything and exit 0 (bad input is still exit 2)",
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (default: ./.hipaacheck.yaml)")
    parser.add_argument(
        "--config-from-git",
        metavar="REV",
        help="read the settings file as of git revision REV (e.g. a pull request's base commit), not from the "
        "working tree: a change cannot loosen the gate it is judged by",
    )
    parser.add_argument(
        "--fail-on-unknown",
        action="store_true",
        help="unknown findings (known only after apply) at or above --fail-on fail the scan like failures "
        "(recommended where the infrastructure holds PHI)",
    )
    parser.add_argument("--show-passed", action="store_true", help="table: list passing and skipped findings too")
    parser.add_argument("--compact", action="store_true", help="table: one line per finding")
    _policy_args(parser)


def build_parser() -> argparse.ArgumentParser:
    _ACTIVE.clear()
    parser = _Parser(
        prog="hipaacheck", description="HIPAA Security Rule checks for AWS: Terraform plans and live accounts."
    )
    parser.add_argument("--version", action="version", version=f"hipaacheck {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = commands.add_parser("scan", help="scan a Terraform plan or a live AWS account")
    targets = scan.add_subparsers(dest="target", required=True, parser_class=_Parser)
    plan = targets.add_parser("plan", help="scan a plan: JSON from `terraform show -json`, or a binary plan file")
    plan.add_argument("path", type=Path, help="plan JSON or binary plan file")
    _scan_output_args(plan, plan=True)
    _aws_scan_parser(targets)

    policies = commands.add_parser("policies", help="list, validate or test policies")
    actions = policies.add_subparsers(dest="action", required=True, parser_class=_Parser)
    listing = actions.add_parser("list", help="list the loaded policies")
    _policy_args(listing)
    listing.add_argument(
        "--parameters", action="store_true", help="list the policies' parameters: type, value in force and meaning"
    )
    listing.add_argument("--config", type=Path, metavar="FILE", help="settings file (default: ./.hipaacheck.yaml)")
    for name, text in (
        ("validate", "check policy files and report every error"),
        ("test", "run every policy's own pass/fail examples"),
    ):
        sub = actions.add_parser(name, help=text)
        sub.add_argument(
            "paths", nargs="*", type=Path, metavar="PATH", help="policy files or folders (default: the built-in pack)"
        )
    fields = actions.add_parser("fields", help="list the fields of a canonical resource type")
    fields.add_argument("type", nargs="?", help="resource type (default: list the types)")

    matrix = commands.add_parser(
        "matrix", help="Security Rule coverage: policies, attestations and current status per specification"
    )
    _policy_args(matrix)
    _evidence_args(matrix, reports_option=True)
    permissions = commands.add_parser("permissions", help="print the read-only IAM policy that `scan aws` needs")
    permissions.add_argument(
        "--org",
        action="store_true",
        help="print what `scan aws --org`/`--accounts` needs: the scanning identity's policy, and the member "
        "role's trust and read-only policies (one JSON document)",
    )
    permissions.add_argument("--org-role", metavar="NAME", help="the member role's name (default: hipaacheck-audit)")
    permissions.add_argument("--external-id", metavar="ID", help="the external id the trust policy requires")
    permissions.add_argument(
        "--trusted-account",
        metavar="ID",
        help="the account the scan runs from, trusted by the member role (default: a placeholder to fill in)",
    )
    _attest_parser(commands)
    _report_parser(commands)
    _merge_parser(commands)
    return parser


def _merge_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    merge = commands.add_parser(
        "merge", help="combine JSON reports (accounts, shards of an organisation scan) into one report"
    )
    merge.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json", help="JSON reports to combine")
    # No --policy/--skip-policy/--min-severity: the inputs were evaluated already (config keys for them are unused).
    _scan_output_args(merge, plan=False, select=False)
    merge.set_defaults(target="merge", policy=[], skip_policy=[], min_severity=None, region=[])


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
    report.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help=f"write the self-contained HTML page here (default: {DEFAULT_EVIDENCE_PACK} unless --markdown is given)",
    )
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
    aws.add_argument(
        "--external-id", metavar="ID", help="external id the role's trust policy requires (--role-arn or --org-role)"
    )
    _org_args(aws)
    aws.add_argument(
        "--retry-mode",
        choices=("adaptive", "standard"),
        default="adaptive",
        help="botocore retry mode for throttling (default: adaptive)",
    )
    aws.add_argument("--max-attempts", type=int, default=5, metavar="N", help="attempts per API call (default: 5)")
    aws.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    _scan_output_args(aws, plan=False)


def _org_args(aws: argparse.ArgumentParser) -> None:
    """Several accounts from one identity (see README "Organizations")."""
    aws.add_argument(
        "--org",
        action="store_true",
        help="scan every ACTIVE account of the AWS Organization (run from the management account or a "
        "delegated administrator)",
    )
    aws.add_argument("--ou", metavar="OU_ID", help="with --org: only this organisational unit and the units under it")
    aws.add_argument(
        "--accounts", metavar="ID,ID", help="scan these accounts (12-digit ids, comma-separated) without Organizations"
    )
    aws.add_argument(
        "--org-role",
        metavar="NAME",
        help="role assumed in each account of --org/--accounts (default: hipaacheck-audit)",
    )
    aws.add_argument(
        "--shard",
        metavar="I/N",
        help="scan only the I-th of N disjoint parts of the accounts (a stable hash of the id; for CI matrices)",
    )
    aws.add_argument(
        "--max-workers",
        type=int,
        metavar="N",
        help="threads for API calls, shared by accounts, regions and collectors (default: 4 per CPU, 4 to 32)",
    )


def _org_options(args: argparse.Namespace) -> OrgOptions | None:
    """--org/--ou/--accounts/--org-role/--shard, checked: one clear line (exit 2) for what does not fit."""
    from .sources.aws.options import DEFAULT_ORG_ROLE, OrgOptions
    from .sources.aws.targets import check_parent_id, check_role_name, parse_accounts, parse_shard

    several = args.org or args.accounts is not None
    for flag, value in (("--ou", args.ou), ("--org-role", args.org_role), ("--shard", args.shard)):
        if value is not None and not several:
            raise InputError(f"{flag} needs --org or --accounts")
    if not several:
        if args.external_id and not args.role_arn:
            raise InputError("--external-id needs --role-arn (or --org/--accounts with --org-role)")
        return None
    if args.org and args.accounts is not None:
        raise InputError("--org and --accounts exclude each other: --accounts names the accounts itself")
    if args.ou is not None and not args.org:
        raise InputError("--ou needs --org (it selects accounts of the organisation)")
    if args.role_arn:
        raise InputError(
            "--role-arn scans one account; with --org/--accounts the role in each account is --org-role "
            "(the scanning identity comes from --profile or the environment)"
        )
    return OrgOptions(
        role_name=check_role_name(args.org_role or DEFAULT_ORG_ROLE),
        external_id=args.external_id,
        use_organizations=bool(args.org),
        ou=check_parent_id(args.ou) if args.ou is not None else None,
        accounts=parse_accounts(args.accounts) if args.accounts is not None else (),
        shard=parse_shard(args.shard) if args.shard is not None else None,
    )


def _load(args: argparse.Namespace, *, for_scan: bool = False) -> list[Policy]:
    from .builtin import builtin_policy_dir

    builtin = builtin_policy_dir()
    directories = ([] if args.no_builtin else [builtin]) + list(args.policies)
    # A scan does not re-check the built-in pack's examples (the suite does, and they decide no
    # verdict); `policies test` and the other commands check every example.
    return load_policies(directories, getattr(args, "overrides", None), examples_checked=builtin if for_scan else None)


def _scan_policies(args: argparse.Namespace) -> list[Policy]:
    """The loaded policies (with the config's parameters) that --policy/--skip-policy/--min-severity select."""
    from .selection import Selection

    loaded = _load(args, for_scan=True)
    args.loaded_policy_ids = [p.id for p in loaded]
    selection = Selection(
        tuple(args.policy), tuple(args.skip_policy), Severity(args.min_severity) if args.min_severity else None
    )
    selected = selection.apply(loaded)
    if not selected:
        raise InputError(f"no policy left to evaluate ({selection.describe()} leaves none of {len(loaded)})")
    args.selection = selection
    # Only a scan of every policy (and, live, every region) can call a waiver that matches nothing stale.
    args.full_scan = selection.is_full and not getattr(args, "region", None)
    return selected


def _record(report: Report, args: argparse.Namespace, policies: list[Policy]) -> Report:
    """What the run was asked for, for the report: selection, config, parameter values, --exit-zero."""
    report.exit_zero = bool(args.exit_zero)
    report.selection = args.selection.as_dict()
    report.config_file = args.config_file
    report.notes.extend(args.config_notes)
    report.parameters = {
        p.id: {parameter.name: parameter.as_dict() for parameter in p.parameters} for p in policies if p.parameters
    }
    return report


def _cmd_scan_plan(args: argparse.Namespace) -> int:
    from .batch_gc import long_lived_objects
    from .config_args import apply_config
    from .scan import scan_plan

    apply_config(args)
    _check_outputs(args)
    policies = _scan_policies(args)
    # --tf-dir (checked by _check_outputs) also gives the sources that plan JSON leaves out: locals.
    with long_lived_objects():
        report = scan_plan(args.path, policies, Severity(args.fail_on), args.tf_dir)
        return _emit(_record(report, args, policies), args)


def _cmd_scan_aws(args: argparse.Namespace) -> int:
    from .scan import scan_aws
    from .sources.aws.options import ScanOptions
    from .sources.aws.pool import default_workers

    org = _org_options(args)
    if args.max_attempts < 1:
        raise InputError("--max-attempts must be at least 1")
    if args.max_workers is not None and not 1 <= args.max_workers <= 256:
        raise InputError("--max-workers must be between 1 and 256")
    from .config_args import apply_config

    apply_config(args)
    _check_outputs(args)
    policies = _scan_policies(args)
    if org is not None and (org.shard is not None or org.ou is not None or not org.use_organizations):
        # A waiver for an account this run does not cover is not stale: only a whole-organisation run can tell.
        args.full_scan = False
    options = ScanOptions(
        profile=args.profile,
        regions=tuple(args.region),
        role_arn=args.role_arn,
        external_id=None if org is not None else args.external_id,
        retry_mode=args.retry_mode,
        max_attempts=args.max_attempts,
        workers=args.max_workers or default_workers(),
        progress=not args.quiet and sys.stderr.isatty(),
        org=org,
    )
    report = scan_aws(options, policies, Severity(args.fail_on))
    return _emit(_record(report, args, policies), args)


def _cmd_merge(args: argparse.Namespace) -> int:
    from .config_args import apply_config
    from .merge import merge_reports
    from .merge_inputs import read_inputs

    apply_config(args)
    _check_outputs(args)
    report = merge_reports(read_inputs(list(args.reports)), Severity(args.fail_on))
    wants_asff = any(fmt == "asff" for fmt, _ in args.prepared.outputs)
    if wants_asff and args.asff_account is None and any(f.resource.account is None for f in report.findings):
        raise InputError(
            "--format asff: some merged findings name no AWS account (a plan's); give --asff-account ID, the "
            "account Security Hub imports them into"
        )
    report.exit_zero = bool(args.exit_zero)
    report.config_file = args.config_file
    return _emit(report, args)


def _cmd_permissions(args: argparse.Namespace) -> int:
    from .sources.aws.options import DEFAULT_ORG_ROLE
    from .sources.aws.targets import check_account_id, check_role_name

    if not args.org:
        for flag, value in (
            ("--org-role", args.org_role),
            ("--external-id", args.external_id),
            ("--trusted-account", args.trusted_account),
        ):
            if value is not None:
                raise InputError(f"permissions {flag} needs --org")
        from .sources.aws.permissions import policy_json

        sys.stdout.write(policy_json())
        return EXIT_OK
    from .sources.aws.permissions import org_policies_json

    role = check_role_name(args.org_role or DEFAULT_ORG_ROLE)
    trusted = check_account_id(args.trusted_account, "--trusted-account") if args.trusted_account else None
    sys.stdout.write(org_policies_json(role, args.external_id, trusted))
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
    from .policy.commands import cmd_policies

    if args.action == "list":
        from .config_args import apply_policy_config

        apply_policy_config(args)  # the policy folders and parameter values a scan here would use
    return cmd_policies(args, lambda: _load(args))


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
    html = args.html
    if html is None and args.markdown is None:
        html = Path(DEFAULT_EVIDENCE_PACK)
    return cmd_report(args.reports, args.attestations, html, args.markdown, args.today, args.embed_evidence)


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
            return _cmd_permissions(args)
        if args.command == "policies":
            return _cmd_policies(args)
        if args.command == "attest":
            return _cmd_attest(args)
        if args.command == "report":
            return _cmd_report(args)
        if args.command == "merge":
            return _cmd_merge(args)
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
