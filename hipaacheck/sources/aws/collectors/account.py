"""Account-wide settings: root user, console users' MFA, password policy, S3 account public access block.

multi_region_trail_logging is set by the link step from the collected trails.
"""

from __future__ import annotations

import csv
import io
import threading
import time
import weakref
from concurrent.futures import Future

from ....models import Resource
from ..builder import PLAN_ONLY_TYPES, LiveBuilder, Where, plan_only
from ..calls import Call, Fetcher, Result, calls
from ..context import Collector, Context

_PASSWORD_FIELDS = {
    "MinimumPasswordLength": "minimum_length",
    "RequireSymbols": "require_symbols",
    "RequireNumbers": "require_numbers",
    "RequireUppercaseCharacters": "require_uppercase",
    "RequireLowercaseCharacters": "require_lowercase",
    "PasswordReusePrevention": "reuse_prevention",
    "MaxPasswordAge": "max_age_days",
}
_PAB_FLAGS = {
    "BlockPublicAcls": "block_public_acls",
    "IgnorePublicAcls": "ignore_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "RestrictPublicBuckets": "restrict_public_buckets",
}
_REPORT_MISSING = frozenset({"ReportNotPresent", "ReportExpired", "ReportInProgress"})

CALLS = calls(
    Call("iam", "get_account_summary", "iam:GetAccountSummary", ("root_mfa_enabled", "root_access_keys_present")),
    Call(
        "iam",
        "get_account_password_policy",
        "iam:GetAccountPasswordPolicy",
        ("password_policy",),
        frozenset({"NoSuchEntity"}),
    ),
    Call(
        "iam",
        "get_credential_report",
        "iam:GetCredentialReport",
        ("console_users_without_mfa",),
        _REPORT_MISSING,
    ),
    Call(
        "iam",
        "generate_credential_report",
        "iam:GenerateCredentialReport",
        ("console_users_without_mfa",),
        note=(
            "not a Get/List/Describe action: it asks IAM to build the credential report when none is recent "
            "(under 4 hours); it changes no account setting. AWS's SecurityAudit policy grants it too."
        ),
    ),
    Call(
        "s3control",
        "get_public_access_block",
        "s3:GetAccountPublicAccessBlock",
        ("s3_public_access_block",),
        frozenset({"NoSuchPublicAccessBlockConfiguration"}),
    ),
)
C = CALLS
REPORT_WAIT_SECONDS = 60.0


def address(account: str) -> str:
    return f"account/{account}"


def collect(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    b = LiveBuilder("account", address(ctx.where.account), Where(ctx.where.account, "", ctx.where.partition))
    summary = ctx.fetch.call(C["get_account_summary"], region)
    if not b.failed(C["get_account_summary"], summary):
        values = summary.data.get("SummaryMap") or {}
        b.set("root_mfa_enabled", values.get("AccountMFAEnabled") == 1)
        b.set("root_access_keys_present", values.get("AccountAccessKeysPresent", 0) > 0)
    policy = ctx.fetch.call(C["get_account_password_policy"], region)
    if not b.failed(C["get_account_password_policy"], policy) and policy.ok:
        # NoSuchEntity (no policy set) leaves password_policy absent: the documented "none set".
        settings = policy.data.get("PasswordPolicy") or {}
        for key, field in _PASSWORD_FIELDS.items():
            b.set(f"password_policy.{field}", settings.get(key))
    _console_users(ctx, b)
    block = ctx.fetch.call(C["get_public_access_block"], region, AccountId=ctx.where.account)
    if not b.failed(C["get_public_access_block"], block):
        config = block.data.get("PublicAccessBlockConfiguration") or {}
        for key, field in _PAB_FLAGS.items():
            b.set(f"s3_public_access_block.{field}", config.get(key) is True)
        b.set("s3_public_access_block.all_enabled", all(config.get(k) is True for k in _PAB_FLAGS))
    resource = b.build(ctx.where.account)
    resource.region = None
    # Once per account, like this resource: the plan-only types, whose checks are skipped live.
    return [resource, *(plan_only(t, ctx.where) for t in PLAN_ONLY_TYPES)]


def _console_users(ctx: Context, b: LiveBuilder) -> None:
    report = credential_report(ctx)
    if b.failed(C["get_credential_report"], report):
        return
    if report.not_configured:
        b.error(
            ["console_users_without_mfa"], f"the IAM credential report was not ready within {REPORT_WAIT_SECONDS:.0f}s"
        )
        return
    content = report.data.get("Content", b"")
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    users = [
        row["user"]
        for row in csv.DictReader(io.StringIO(text))
        if row.get("user") != "<root_account>"
        and row.get("password_enabled") == "true"
        and row.get("mfa_active") != "true"
    ]
    b.set("console_users_without_mfa", sorted(users))


# One credential report per scan, shared by every collector that reads it (account, iam identities):
# asking for it and polling until it is ready happens once.
_REPORTS: weakref.WeakKeyDictionary[Fetcher, Future[Result]] = weakref.WeakKeyDictionary()
_REPORTS_LOCK = threading.Lock()


def credential_report(ctx: Context) -> Result:
    """The scan's credential report (read once per fetcher, however many collectors ask)."""
    with _REPORTS_LOCK:
        future = _REPORTS.get(ctx.fetch)
        owner = future is None
        if future is None:
            future = _REPORTS[ctx.fetch] = Future()
    if not owner:
        return future.result()
    try:
        result = _credential_report(ctx)
    except BaseException as exc:
        future.set_exception(exc)
        raise
    future.set_result(result)
    return result


def _credential_report(ctx: Context) -> Result:
    """Use a recent report; otherwise ask IAM for one and wait for it."""
    region = ctx.where.region
    report = ctx.fetch.call(C["get_credential_report"], region)
    if not report.not_configured:
        return report
    generated = ctx.fetch.call(C["generate_credential_report"], region)
    if generated.error:
        return generated
    deadline = time.monotonic() + REPORT_WAIT_SECONDS
    attempt = 0
    while True:
        attempt += 1
        # A poll must really ask again: the first answer ("not present") is cached.
        report = ctx.fetch.call_uncached(C["get_credential_report"], region)
        if not report.not_configured or time.monotonic() > deadline:
            return report
        time.sleep(min(2.0, 0.2 * attempt))


COLLECTOR = Collector("account", ("account",), CALLS, collect, scope="global")
