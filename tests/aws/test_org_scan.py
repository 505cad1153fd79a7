"""An organisation of 22 ACTIVE accounts in moto, scanned from the management account (issue 15).

One in-process moto for the module: 21 members in nested OUs, each with its
own violation, one whose role is missing, one closed. One scan of the whole
organisation in one region with a handful of the real collectors (SQS, SNS,
EC2, IAM, S3, account settings: what the seeded violations need), many
assertions over its report. The CLI end to end, with every collector, is
test_org_e2e.py.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.models import Severity
from hipaacheck.policy.loader import load_policies
from hipaacheck.report import Report
from hipaacheck.reporters.json_report import report_dict
from hipaacheck.sources.aws.options import OrgOptions, ScanOptions, Shard
from hipaacheck.sources.errors import InputError

from .conftest import REGION, in_process_moto
from .moto_sts import refusing_like_aws
from .org_seed import EXTERNAL_ID, MANAGEMENT, ROLE, SeededOrg, seed_organization

COLLECTORS = ("sqs", "sns", "ec2", "iam", "s3", "account")


@pytest.fixture(scope="module")
def org() -> Iterator[SeededOrg]:
    with in_process_moto(), refusing_like_aws():
        yield seed_organization()


def _scan(**org_options: Any) -> Report:
    from hipaacheck.scan import scan_aws

    options = ScanOptions(
        regions=(REGION,), workers=8, collectors=COLLECTORS, org=OrgOptions(external_id=EXTERNAL_ID, **org_options)
    )
    return scan_aws(options, load_policies([builtin_policy_dir()]), Severity.LOW)


@pytest.fixture(scope="module")
def report(org: SeededOrg) -> tuple[Report, dict[str, Any]]:
    scanned = _scan()
    return scanned, report_dict(scanned)


def test_every_active_account_is_in_scope_and_the_closed_one_is_not(
    org: SeededOrg, report: tuple[Report, dict[str, Any]]
) -> None:
    _, document = report
    accounts = {a["id"]: a for a in document["source"]["accounts"]}
    assert len(accounts) == 22 and set(accounts) == org.accounts()
    assert org.suspended not in accounts
    assert any(org.suspended in note and "suspended" in note for note in document["notes"])
    assert document["source"]["organization"] == {"id": org.org_id, "ou": None, "role": ROLE, "shard": None}
    assert document["source"]["account"] is None and document["source"]["regions"] == [REGION]
    for account_id, member in org.members.items():
        assert accounts[account_id]["name"] == member.name
        assert accounts[account_id]["started_at"] <= accounts[account_id]["finished_at"]
    assert [a["id"] for a in document["source"]["accounts"]] == sorted(accounts)


def test_the_account_whose_role_is_missing_is_one_error_finding_and_the_rest_is_scanned(
    org: SeededOrg, report: tuple[Report, dict[str, Any]]
) -> None:
    scanned, document = report
    accounts = {a["id"]: a for a in document["source"]["accounts"]}
    assert {i for i, a in accounts.items() if a["status"] == "error"} == {org.missing_role}
    missing = accounts[org.missing_role]
    assert "AccessDenied" in missing["error"] and f"{org.missing_role}:role/{ROLE}" in missing["error"]
    assert missing["regions"] == [REGION]  # what was asked for
    (finding,) = [f for f in document["findings"] if f["resource"]["account"] == org.missing_role]
    assert finding["policy_id"] == "account-scan" and finding["status"] == "error"
    assert finding["severity"] == "critical" and finding["gating"] is True  # it counts for the exit code
    assert finding["resource"]["address"] == f"account/{org.missing_role}"
    assert finding["resource"]["type"] == "account"
    assert finding["resource"]["account_name"] == org.members[org.missing_role].name
    assert "AccessDenied" in finding["message"] and ROLE in finding["remediation"]
    # With nothing failing, that one error keeps the verdict open: exit 3, never a pass.
    only_error = Report(source=scanned.source, findings=[f for f in scanned.findings if f.policy_id == "account-scan"])
    assert only_error.result == "incomplete" and only_error.exit_code == 3
    assert sum(1 for f in document["findings"] if f["policy_id"] == "account-scan") == 1


def test_each_members_violation_is_found_in_that_account_only(
    org: SeededOrg, report: tuple[Report, dict[str, Any]]
) -> None:
    _, document = report
    failing: dict[tuple[str, str], set[str]] = {}
    for f in document["findings"]:
        if f["status"] == "fail":
            failing.setdefault((f["policy_id"], f["resource"]["name"]), set()).add(f["resource"]["account"])
    for account_id, member in org.members.items():
        if account_id == org.missing_role:
            assert not any(
                f["resource"]["account"] == account_id and f["status"] != "error" for f in document["findings"]
            )
            continue
        assert failing.get(member.violation) == {account_id}, member
    passing = {(f["policy_id"], f["resource"]["name"], f["resource"]["account"]) for f in document["findings"]}
    for account_id, member in org.members.items():
        if account_id != org.missing_role:
            assert ("sqs-queue-encrypted", f"ok-queue-{member.name}", account_id) in passing
    # Account-wide settings are read once per account: one account resource each, its own id.
    accounts = [f for f in document["findings"] if f["policy_id"] == "account-password-policy"]
    assert sorted(f["resource"]["account"] for f in accounts) == sorted(org.accounts() - {org.missing_role})
    # A bucket ARN names no account: the bucket is still reported under the one account that has it.
    buckets = {f["resource"]["account"] for f in document["findings"] if f["resource"]["type"] == "s3_bucket"}
    assert buckets == {org.bucket_account}


def test_every_finding_names_its_account_and_keys_stay_unique(
    org: SeededOrg, report: tuple[Report, dict[str, Any]]
) -> None:
    _, document = report
    names = {account_id: member.name for account_id, member in org.members.items()}
    names[MANAGEMENT] = "master"  # moto's name for the management account
    for f in document["findings"]:
        assert f["resource"]["account_name"] == names[f["resource"]["account"]], f
    keys = [(f["policy_id"], f["resource"]["address"]) for f in document["findings"]]
    assert len(keys) == len(set(keys))  # merging and baselines key on these: never two accounts' alike


def test_the_report_fits_the_published_schema(report: tuple[Report, dict[str, Any]]) -> None:
    from jsonschema import Draft202012Validator

    from hipaacheck.report_model import ReportDocument
    from hipaacheck.reporters.json_report import render_json
    from hipaacheck.schema_files import SCHEMAS_DIR

    scanned, _ = report
    document = json.loads(render_json(scanned))
    assert document["schema_version"] == "1.6"
    schema = json.loads((SCHEMAS_DIR / "report.schema.json").read_text())
    assert not list(Draft202012Validator(schema).iter_errors(document))
    parsed = ReportDocument.model_validate(document)
    assert parsed.source.organization is not None and parsed.source.accounts is not None
    assert len(parsed.source.accounts) == 22


def test_the_table_header_names_the_organisation(org: SeededOrg, report: tuple[Report, dict[str, Any]]) -> None:
    from hipaacheck.reporters.table import render_table

    scanned, _ = report
    head = " ".join(render_table(scanned).split("\n\n")[0].split())
    assert f"AWS organization {org.org_id}, 22 account(s) (1 not scanned)" in head


def test_ou_lists_the_unit_and_every_unit_under_it(org: SeededOrg) -> None:
    from hipaacheck.sources.aws.calls import Fetcher
    from hipaacheck.sources.aws.org import list_organization
    from hipaacheck.sources.aws.session import open_session

    factory, _ = open_session(ScanOptions())
    fetch = Fetcher(factory.client, 2)
    workloads = list_organization(fetch, REGION, org.ous["workloads"])
    assert {t.id for t in workloads.targets} == org.under("workloads", "prod", "dev")
    assert org.suspended not in {t.id for t in workloads.targets}  # closed, though it sits in an OU
    security = list_organization(fetch, REGION, org.ous["security"])
    assert {t.id for t in security.targets} == org.under("security")
    whole = list_organization(fetch, REGION, None)
    assert {t.id for t in whole.targets} == org.accounts() and whole.id == org.org_id
    with pytest.raises(InputError, match="--ou ou-zzzz-zzzzzzzz: cannot list the accounts"):
        list_organization(fetch, REGION, "ou-zzzz-zzzzzzzz")


def test_shards_partition_the_organisation_deterministically(org: SeededOrg) -> None:
    from hipaacheck.sources.aws.targets import Target, in_shard, shard_of

    targets = [Target(a) for a in sorted(org.accounts())]
    shards = [in_shard(targets, Shard(i, 3)) for i in (1, 2, 3)]
    ids = [{t.id for t in shard} for shard in shards]
    assert set().union(*ids) == org.accounts()
    assert sum(len(s) for s in ids) == len(org.accounts())  # disjoint
    assert all(ids)  # 22 accounts over 3 shards: none empty
    # The same on another run, from the accounts listed in another order, and from any subset of them:
    # an account's shard depends on its id and N only.
    assert [{t.id for t in in_shard(list(reversed(targets)), Shard(i, 3))} for i in (1, 2, 3)] == ids
    assert {t.id for t in in_shard(targets[:5], Shard(2, 3))} == ids[1] & {t.id for t in targets[:5]}
    assert shard_of("123456789012", 3) == 2 and shard_of("111122223333", 3) == 1  # pinned: jobs must agree
    assert in_shard(targets, Shard(1, 1)) == sorted(targets, key=lambda t: t.id)


def test_a_shard_scans_only_its_accounts(org: SeededOrg) -> None:
    from hipaacheck.sources.aws.targets import shard_of

    scanned = _scan(
        accounts=(MANAGEMENT, org.missing_role, *list(org.members)[:4]), use_organizations=False, shard=Shard(2, 2)
    )
    expected = {a for a in (MANAGEMENT, org.missing_role, *list(org.members)[:4]) if shard_of(a, 2) == 2}
    assert {a["id"] for a in scanned.source["accounts"]} == expected
    assert {f.resource.account for f in scanned.findings} == expected
    assert scanned.source["organization"] == {"id": None, "ou": None, "role": ROLE, "shard": "2/2"}
    assert any(note.startswith("shard 2/2 holds") for note in scanned.notes)


def test_progress_prints_one_line_per_account_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from hipaacheck.sources.aws.accounts import AccountOutcome, AccountProgress
    from hipaacheck.sources.aws.runner import LiveScan
    from hipaacheck.sources.aws.targets import Target

    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    progress = AccountProgress(True, 2)
    when = datetime.now(UTC)
    prod = Target("111122223333", "prod")
    progress.started(prod)
    progress.started(Target("444455556666"))
    progress.finished(AccountOutcome(prod, [REGION], when, when, LiveScan(prod.id, [REGION], [])), 1.25)
    progress.finished(AccountOutcome(Target("444455556666"), [REGION], when, when, None, "AccessDenied: no"), 0.5)
    progress.close()
    text = err.getvalue()
    lines = [line.split("\r\033[K")[-1] for line in text.split("\n")]
    assert "hipaacheck: [1/2] 111122223333 (prod): scanned 1 region(s), 0 resources in 1.2 s" in lines
    assert "hipaacheck: [2/2] 444455556666: error: AccessDenied: no" in lines
    assert "0/2 accounts done; scanning prod, 444455556666" in text  # the redrawn status line
    assert text.endswith("\r\033[K")  # cleared at the end
    silent = io.StringIO()
    monkeypatch.setattr("sys.stderr", silent)
    quiet = AccountProgress(False, 1)
    quiet.started(Target("111122223333"))
    quiet.close()
    assert silent.getvalue() == ""


def test_the_scanning_identity_and_the_member_roles_need_only_what_permissions_prints(org: SeededOrg) -> None:
    """Like test_permissions.py, for an organisation scan: each identity's calls, recorded, against its policy."""
    import boto3

    from hipaacheck.sources.aws.accounts import scan_accounts
    from hipaacheck.sources.aws.permissions import actions, org_policies

    from .test_permissions import IRREGULAR

    calls: list[set[str]] = []  # per Session, in creation order: the scanning identity's first

    def attach(session: boto3.Session) -> None:
        seen: set[str] = set()
        calls.append(seen)

        def record(model: Any, **_: Any) -> None:
            service = model.service_model
            seen.add(IRREGULAR.get((service.service_name, model.name), f"{service.signing_name}:{model.name}"))

        session.events.register("before-call", record)

    options = ScanOptions(
        regions=(REGION,),
        workers=4,
        collectors=COLLECTORS,
        org=OrgOptions(external_id=EXTERNAL_ID, ou=org.ous["security"]),
    )
    scanned = scan_accounts(options, attach)
    assert len(scanned.outcomes) == len(org.under("security")) and all(o.scan for o in scanned.outcomes)
    documents = org_policies(ROLE, EXTERNAL_ID, None)
    granted = {
        action
        for statement in documents["scanning_identity_policy"]["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    scanner, *members = calls
    assert scanner - {"sts:GetCallerIdentity"} == granted - {"organizations:ListAccounts"}  # --ou: not listed all
    assert len(members) == len(scanned.outcomes)
    for member in members:
        assert "sqs:ListQueues" in member and member <= set(actions()), sorted(member - set(actions()))
