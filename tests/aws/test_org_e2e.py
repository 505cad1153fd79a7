"""`hipaacheck scan aws --org` through the real CLI against a moto_server on 127.0.0.1 (issue 15).

A smaller organisation than test_org_scan.py's (6 members in nested OUs, one
without its role, one closed; 7 ACTIVE accounts with the management account),
scanned with every collector: the whole organisation, one OU, three shards,
a list of accounts, and the misuse paths (one line on stderr, exit 2).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from hipaacheck.cli import main

from ..conftest import Run, assert_input_error, run_cli
from .moto_sts import launcher
from .org_seed import EXTERNAL_ID, MANAGEMENT, ROLE, SeededOrg, seed_organization
from .tools import generator, scan_env

SCAN = ("scan", "aws", "--region", "us-east-1", "--format", "json", "--external-id", EXTERNAL_ID)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], SeededOrg]]:
    """A moto_server that refuses AssumeRole as AWS does (moto_sts.py), seeded with the organisation."""
    work = tmp_path_factory.mktemp("moto-org")
    config = work / "aws-config"
    config.write_text("")
    moto = generator().MotoServer(launcher(work), work / "moto.log")
    try:
        moto.start()
        with pytest.MonkeyPatch.context() as patch:
            env = scan_env(moto.url, config)
            for name, value in env.items():
                if name.startswith("AWS_") or name.lower() == "no_proxy":
                    patch.setenv(name, value)
            yield env, seed_organization(6)
    finally:
        moto.stop()


def _report(result: Run, code: int | None) -> dict[str, Any]:
    """The JSON report of a run that exited ``code`` (None: any verdict, 0, 1 or 3)."""
    assert result.code == code if code is not None else result.code in (0, 1, 3), result.err
    assert result.err == ""  # not a terminal: no progress line
    report: dict[str, Any] = json.loads(result.out)
    return report


def _findings(report: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {
        (f["policy_id"], f["resource"]["address"], f["resource"]["account"], f["status"]) for f in report["findings"]
    }


@pytest.fixture(scope="module")
def whole(server: tuple[dict[str, str], SeededOrg]) -> dict[str, Any]:
    env, _ = server
    return _report(run_cli(*SCAN, "--org", env=env), 1)


def test_the_whole_organisation(server: tuple[dict[str, str], SeededOrg], whole: dict[str, Any]) -> None:
    _, org = server
    accounts = {a["id"]: a for a in whole["source"]["accounts"]}
    assert set(accounts) == org.accounts() and len(accounts) == 7
    assert {i for i, a in accounts.items() if a["status"] == "error"} == {org.missing_role}
    assert whole["source"]["organization"] == {"id": org.org_id, "ou": None, "role": ROLE, "shard": None}
    errors = [f for f in whole["findings"] if f["status"] == "error"]
    assert [(f["policy_id"], f["resource"]["account"]) for f in errors] == [("account-scan", org.missing_role)]
    assert whole["summary"]["unknown"] == 0
    failing = {(f["policy_id"], f["resource"]["name"], f["resource"]["account"]) for f in whole["findings"]}
    for account, member in org.members.items():
        if account != org.missing_role:
            assert (*member.violation, account) in failing
    # Every collector ran in every scanned account: the regional settings and account-wide checks too.
    for policy in ("guardduty-enabled", "account-password-policy", "cloudtrail-multi-region-logging"):
        assert {f["resource"]["account"] for f in whole["findings"] if f["policy_id"] == policy} == (
            org.accounts() - {org.missing_role}
        )
    assert all(f["resource"]["account_name"] for f in whole["findings"])


def test_an_ou_and_the_units_under_it(server: tuple[dict[str, str], SeededOrg]) -> None:
    env, org = server
    report = _report(run_cli(*SCAN, "--org", "--ou", org.ous["workloads"], env=env), 1)
    expected = org.under("workloads", "prod", "dev")
    assert org.missing_role in expected and MANAGEMENT not in expected
    assert {a["id"] for a in report["source"]["accounts"]} == expected
    assert {f["resource"]["account"] for f in report["findings"]} == expected
    assert report["source"]["organization"]["ou"] == org.ous["workloads"]


def test_three_shards_are_the_whole_organisation(
    server: tuple[dict[str, str], SeededOrg], whole: dict[str, Any]
) -> None:
    env, org = server
    shards = [_report(run_cli(*SCAN, "--org", "--shard", f"{i}/3", env=env), None) for i in (1, 2, 3)]
    ids = [{a["id"] for a in shard["source"]["accounts"]} for shard in shards]
    assert set().union(*ids) == org.accounts() and sum(map(len, ids)) == len(org.accounts())
    assert set().union(*(_findings(shard) for shard in shards)) == _findings(whole)
    assert [shard["source"]["organization"]["shard"] for shard in shards] == ["1/3", "2/3", "3/3"]


def test_a_list_of_accounts_without_organizations(server: tuple[dict[str, str], SeededOrg]) -> None:
    env, org = server
    member = next(a for a in org.members if a != org.missing_role)
    report = _report(run_cli(*SCAN, "--accounts", f"{member},{member}", env=env), 1)
    (account,) = report["source"]["accounts"]
    assert account["id"] == member and account["name"] is None  # no Organizations, no IAM alias
    assert report["source"]["organization"] == {"id": None, "ou": None, "role": ROLE, "shard": None}
    only_missing = run_cli(*SCAN, "--accounts", org.missing_role, env=env)
    incomplete = _report(only_missing, 3)  # nothing failing, one account not scanned: never a pass
    assert incomplete["result"] == "incomplete" and incomplete["summary"]["error"] == 1


def test_without_the_external_id_no_account_is_scanned(server: tuple[dict[str, str], SeededOrg]) -> None:
    env, org = server
    result = run_cli(*SCAN[:-2], "--org", env=env)
    report = _report(result, 3)
    assert {f["resource"]["account"] for f in report["findings"]} == org.accounts()
    assert {f["policy_id"] for f in report["findings"]} == {"account-scan"}


def test_an_unknown_ou_or_region_is_one_line_exit_2(server: tuple[dict[str, str], SeededOrg]) -> None:
    env, _ = server
    result = run_cli(*SCAN, "--org", "--ou", "ou-zzzz-zzzzzzzz", env=env)
    assert_input_error(result, "--ou ou-zzzz-zzzzzzzz: cannot list the accounts of ou-zzzz-zzzzzzzz")
    result = run_cli(*SCAN, "--org", "--region", "us-middle-9", env=env)
    assert_input_error(result, "unknown region 'us-middle-9'")  # not an error finding in every account


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--accounts", "12345"), "--accounts: '12345' is not an AWS account id (12 digits)"),
        (("--accounts", "111122223333,abc"), "--accounts: 'abc' is not an AWS account id"),
        (("--org", "--shard", "4/3"), "--shard '4/3': I must be between 1 and N"),
        (("--org", "--shard", "0/3"), "--shard '0/3': I must be between 1 and N"),
        (("--org", "--shard", "half"), "--shard 'half': expected I/N"),
        (("--shard", "1/2"), "--shard needs --org or --accounts"),
        (("--ou", "ou-ab12-abcdefgh"), "--ou needs --org or --accounts"),
        (("--accounts", "111122223333", "--ou", "ou-ab12-abcdefgh"), "--ou needs --org"),
        (("--org", "--ou", "finance"), "--ou 'finance' is not an organisational unit id"),
        (("--org", "--accounts", "111122223333"), "--org and --accounts exclude each other"),
        (("--org", "--role-arn", "arn:aws:iam::111122223333:role/x"), "--role-arn scans one account"),
        (("--org", "--org-role", "bad role"), "--org-role 'bad role' is not an IAM role name"),
        (("--org-role", "audit"), "--org-role needs --org or --accounts"),
        (("--external-id", "x"), "--external-id needs --role-arn"),
        (("--org", "--max-workers", "0"), "--max-workers must be between 1 and 256"),
    ],
)
def test_misuse_is_one_line_exit_2(args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Checked before any AWS call: in this process, with no moto needed.
    code = main(["scan", "aws", *args])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert message in line, line


def test_misuse_through_the_real_cli() -> None:
    assert_input_error(run_cli("scan", "aws", "--accounts", "1234"), "is not an AWS account id (12 digits)")


def test_permissions_for_an_organisation(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli("permissions", "--org", "--external-id", "audit-2026", "--trusted-account", "111122223333")
    assert result.code == 0 and result.err == ""
    documents = json.loads(result.out)
    scanner = documents["scanning_identity_policy"]["Statement"]
    assert scanner[0]["Action"] == [
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListChildren",
    ]
    assert scanner[1] == {
        "Sid": "HipaacheckAssumeMemberRole",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": "arn:aws:iam::*:role/hipaacheck-audit",
    }
    (trust,) = documents["member_role_trust_policy"]["Statement"]
    assert trust["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "audit-2026"}}
    assert main(["permissions"]) == 0
    assert documents["member_role_policy"] == json.loads(capsys.readouterr().out)
    assert main(["permissions", "--org", "--org-role", "audit/hc"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["scanning_identity_policy"]["Statement"][1]["Resource"] == "arn:aws:iam::*:role/audit/hc"
    (trust,) = plain["member_role_trust_policy"]["Statement"]
    assert "Condition" not in trust and trust["Principal"] == {"AWS": "arn:aws:iam::SCANNING_ACCOUNT_ID:root"}
    for args, message in (
        (["--org", "--trusted-account", "12"], "--trusted-account: '12'"),
        (["--org-role", "x"], "permissions --org-role needs --org"),
    ):
        assert main(["permissions", *args]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and message in captured.err and len(captured.err.splitlines()) == 1
