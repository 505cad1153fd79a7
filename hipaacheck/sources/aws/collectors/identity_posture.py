"""IAM users and roles as identities, AWS Config recorders and ACM certificates (issue 14, item 6).

Nothing here is fetched twice: users and roles come from the same
get_account_authorization_details listing the iam collector reads (same
call, same parameters: the Fetcher serves it once), and credential ages from
the one credential report the account collector also reads (shared through
account.credential_report). The report can be up to four hours old: IAM
builds at most one every four hours.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

from ....derive.policy_document import DocumentError
from ....derive.trust_policy import trust_policy_facts
from ....models import Resource
from ..builder import LiveBuilder, Where, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context
from . import account, iam

_CREDENTIAL_FIELDS = (
    "has_console_password",
    "active_access_keys",
    "oldest_active_key_age_days",
    "stalest_credential_unused_days",
)
_TRUST_FIELDS = ("trust_public", "public_statements", "trusted_accounts", "cross_account_without_external_id")

IDENTITY_CALLS = calls(
    Call(
        "iam",
        "get_account_authorization_details",
        "iam:GetAccountAuthorizationDetails",
        (ALL_FIELDS,),
        paginate=True,
    ),
    Call(
        "iam",
        "get_credential_report",
        "iam:GetCredentialReport",
        _CREDENTIAL_FIELDS,
        account.C["get_credential_report"].not_configured,
    ),
    Call(
        "iam",
        "generate_credential_report",
        "iam:GenerateCredentialReport",
        _CREDENTIAL_FIELDS,
        note=account.C["generate_credential_report"].note,
    ),
)
CONFIG_CALLS = calls(
    Call("config", "describe_configuration_recorders", "config:DescribeConfigurationRecorders", (ALL_FIELDS,)),
    Call(
        "config",
        "describe_configuration_recorder_status",
        "config:DescribeConfigurationRecorderStatus",
        ("recording",),
    ),
)
ACM_CALLS = calls(
    Call("acm", "list_certificates", "acm:ListCertificates", (ALL_FIELDS,), paginate=True),
    Call("acm", "describe_certificate", "acm:DescribeCertificate", (ALL_FIELDS,)),
)
# ListCertificates returns only RSA_1024/RSA_2048 certificates unless asked for every key type.
_KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


def _when(text: str | None) -> datetime | None:
    """A credential report date ("N/A", "no_information", "not_supported" are none)."""
    if not text or not text[:4].isdigit():
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _days(since: datetime | None, now: datetime) -> int:
    return max(0, (now - since).days) if since is not None else 0


def credential_facts(row: dict[str, str], now: datetime) -> dict[str, Any]:
    """One credential report row -> the iam_user credential fields."""
    created = _when(row.get("user_creation_time"))
    ages: list[int] = []
    unused: list[int] = []
    password = row.get("password_enabled") == "true"
    if password:
        last = _when(row.get("password_last_used")) or _when(row.get("password_last_changed")) or created
        unused.append(_days(last, now))
    active = 0
    for n in (1, 2):
        if row.get(f"access_key_{n}_active") != "true":
            continue
        active += 1
        rotated = _when(row.get(f"access_key_{n}_last_rotated")) or created
        ages.append(_days(rotated, now))
        unused.append(_days(_when(row.get(f"access_key_{n}_last_used_date")) or rotated, now))
    return {
        "has_console_password": password,
        "active_access_keys": active,
        "oldest_active_key_age_days": max(ages, default=0),
        "stalest_credential_unused_days": max(unused, default=0),
    }


def collect_identities(ctx: Context) -> list[Resource]:
    where = Where(ctx.where.account, "", ctx.where.partition)
    details = ctx.fetch.call(
        IDENTITY_CALLS["get_account_authorization_details"], ctx.where.region, Filter=iam.AUTH_FILTER
    )
    if details.error:
        return [_regionless(placeholder(t, ctx.where, details.error)) for t in ("iam_user", "iam_role")]
    resources = [_role(role, where) for role in details.data.get("RoleDetailList", [])]
    users = details.data.get("UserDetailList", [])
    if not users:
        return resources
    report = account.credential_report(ctx)
    rows: dict[str, dict[str, str]] | None = None
    report_problem = report.error
    if report.ok:
        content = report.data.get("Content", b"")
        text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
        rows = {row.get("user", ""): row for row in csv.DictReader(io.StringIO(text))}
    elif report.not_configured:
        report_problem = f"the IAM credential report was not ready within {account.REPORT_WAIT_SECONDS:.0f}s"
    now = datetime.now(UTC)
    for user in users:
        name = str(user.get("UserName"))
        b = LiveBuilder("iam_user", str(user.get("Arn")), where)
        b.tags(tag_map(user.get("Tags")))
        b.set("user_name", name)
        direct = [str(p.get("PolicyArn")) for p in user.get("AttachedManagedPolicies") or [] if isinstance(p, dict)]
        direct += [str(p.get("PolicyName")) for p in user.get("UserPolicyList") or [] if isinstance(p, dict)]
        b.set("direct_policies", direct)
        b.set("has_direct_policies", bool(direct))
        row = rows.get(name) if rows is not None else None
        if row is not None:
            b.setdefault(credential_facts(row, now))
        else:
            b.error(
                _CREDENTIAL_FIELDS,
                report_problem or "the user is newer than the IAM credential report (built at most every 4 hours)",
            )
        resources.append(_regionless(b.build(name)))
    return resources


def _role(role: dict[str, Any], where: Where) -> Resource:
    b = LiveBuilder("iam_role", str(role.get("Arn")), where)
    b.tags(tag_map(role.get("Tags")))
    b.set("role_name", role.get("RoleName"))
    b.set("path", role.get("Path"))
    try:
        facts = trust_policy_facts(role.get("AssumeRolePolicyDocument") or "{}", where.account)
    except DocumentError as exc:
        b.error(_TRUST_FIELDS, f"trust policy: {exc}")
    else:
        b.set("trust_public", facts.public)
        b.set("public_statements", list(facts.public_statements))
        b.set("trusted_accounts", list(facts.trusted_accounts))
        b.set("cross_account_without_external_id", list(facts.without_external_id))
    return _regionless(b.build(str(role.get("RoleName"))))


def _regionless(resource: Resource) -> Resource:
    resource.region = None
    return resource


def collect_recorders(ctx: Context) -> list[Resource]:
    """Every scanned region (global scope): a region records global types for all the others."""
    builders: list[LiveBuilder] = []
    resources: list[Resource] = []
    global_votes: list[bool | None] = []
    for region in ctx.regions:
        where = Where(ctx.where.account, region, ctx.where.partition)
        listing = ctx.fetch.call(CONFIG_CALLS["describe_configuration_recorders"], region)
        if listing.error:
            resources.append(placeholder("config_recorder", where, listing.error))
            global_votes.append(None)
            continue
        status = ctx.fetch.call(CONFIG_CALLS["describe_configuration_recorder_status"], region)
        recording = {
            s.get("name"): s.get("recording") is True for s in status.data.get("ConfigurationRecordersStatus", [])
        }
        # Service-linked recorders (ServicePrincipal set) record for one service only: not the account's recorder.
        own = [r for r in listing.data.get("ConfigurationRecorders", []) if not r.get("servicePrincipal")]
        if not own:
            b = LiveBuilder("config_recorder", f"account/{ctx.where.account}/{region}/config-recorder", where)
            b.set("region", region)
            b.set("present", False)
            b.name = f"no recorder in {region}"
            builders.append(b)
            continue
        for recorder in own:
            name = str(recorder.get("name"))
            group = recorder.get("recordingGroup") or {}
            b = LiveBuilder("config_recorder", where.arn("config", f"configuration-recorder/{name}"), where)
            b.set("region", region)
            b.set("name", name)
            b.set("present", True)
            every = group.get("allSupported") is True
            glob = group.get("includeGlobalResourceTypes") is True
            b.set("all_supported", every)
            b.set("include_global_resource_types", glob)
            if b.failed(CONFIG_CALLS["describe_configuration_recorder_status"], status):
                global_votes.append(None if every and glob else False)
            else:
                b.set("recording", recording.get(name, False))
                global_votes.append(every and glob and recording.get(name, False))
            b.name = name
            builders.append(b)
    for b in builders:
        if True in global_votes:
            b.set("global_types_recorded", True)
        elif None in global_votes:
            b.error(["global_types_recorded"], "a region's configuration recorders could not be read")
        else:
            b.set("global_types_recorded", False)
        resources.append(b.build())
    return resources


def collect_certificates(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    listing = ctx.fetch.call(ACM_CALLS["list_certificates"], region, Includes={"keyTypes": _KEY_TYPES})
    if listing.error:
        return [placeholder("acm_certificate", ctx.where, listing.error)]
    now = datetime.now(UTC)
    resources = []
    for summary in listing.data.get("CertificateSummaryList", []):
        arn = str(summary.get("CertificateArn"))
        b = LiveBuilder("acm_certificate", arn, ctx.where)
        b.set("domain_name", summary.get("DomainName"))
        described = ctx.fetch.call(ACM_CALLS["describe_certificate"], region, CertificateArn=arn)
        if not b.failed(ACM_CALLS["describe_certificate"], described):
            certificate = described.data.get("Certificate") or {}
            b.set("status", certificate.get("Status"))
            b.set("certificate_type", certificate.get("Type"))
            b.set("in_use", bool(certificate.get("InUseBy")))
            not_after = certificate.get("NotAfter")
            if isinstance(not_after, datetime):
                b.set("not_after", not_after.astimezone(UTC).isoformat())
                b.set("days_until_expiry", (not_after - now).days)
        resources.append(b.build(summary.get("DomainName")))
    return resources


IDENTITIES = Collector("iam identities", ("iam_user", "iam_role"), IDENTITY_CALLS, collect_identities, scope="global")
CONFIG = Collector("config", ("config_recorder",), CONFIG_CALLS, collect_recorders, scope="global")
ACM = Collector("acm", ("acm_certificate",), ACM_CALLS, collect_certificates)
