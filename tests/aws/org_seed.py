"""A simulated AWS Organization in moto: OUs, 21 member accounts with different violations.

moto keeps one backend per account id, and credentials from sts:AssumeRole
select the role's account, so each member is seeded through the
OrganizationAccountAccessRole that CreateAccount makes there (in AWS as in
moto), and gets the ``hipaacheck-audit`` role with the trust and read-only
policies `hipaacheck permissions --org` prints (the trust policy requires an
external id).

The account "whose role is missing" has no ``hipaacheck-audit`` role. moto
would let the scan assume it anyway; the tests run moto with moto_sts.py's
patch, which refuses AssumeRole as AWS does (a role that does not exist, or
a missing or wrong external id: AccessDenied).

Works in-process (mock_aws) and against a moto_server (AWS_ENDPOINT_URL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

from hipaacheck.sources.aws.permissions import org_policies

MANAGEMENT = "123456789012"  # moto's default account: the organisation's management account
REGION = "us-east-1"
ROLE = "hipaacheck-audit"
EXTERNAL_ID = "hipaacheck-test-2026"
MEMBERS = 21
# What each member gets wrong, by index modulo 4: (policy that fails, resource name prefix).
VIOLATIONS = (
    ("sqs-queue-encrypted", "bad-queue"),
    ("sns-topic-kms-encryption", "bad-topic"),
    ("security-group-no-internet-admin-ports", "bad-ssh"),
    ("iam-policy-no-admin", "bad-admin"),
)


@dataclass
class Member:
    id: str
    name: str
    ou: str  # the OU's name
    violation: tuple[str, str]  # (policy id, resource name)


@dataclass
class SeededOrg:
    org_id: str
    ous: dict[str, str]  # name -> id
    members: dict[str, Member]  # account id -> member (ACTIVE ones, the missing-role one included)
    missing_role: str  # the member whose role cannot be assumed
    suspended: str  # a closed member: not ACTIVE, never scanned
    bucket_account: str  # the one member with an S3 bucket (bucket ARNs carry no account id)

    def accounts(self) -> set[str]:
        """Every ACTIVE account the organisation lists: the members and the management account."""
        return {*self.members, MANAGEMENT}

    def under(self, *ou_names: str) -> set[str]:
        return {m.id for m in self.members.values() if m.ou in ou_names}


class _Account:
    """Clients in one account, all made by boto3's default session: one parsed copy of each service model."""

    def __init__(self, account: str | None) -> None:
        self.credentials: dict[str, str] = {}
        if account is not None:
            # The role AWS (and moto) creates in every account made with CreateAccount.
            role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
            answer = boto3.client("sts", region_name=REGION).assume_role(RoleArn=role, RoleSessionName="seed")
            keys = answer["Credentials"]
            self.credentials = {
                "aws_access_key_id": keys["AccessKeyId"],
                "aws_secret_access_key": keys["SecretAccessKey"],
                "aws_session_token": keys["SessionToken"],
            }

    @cache  # noqa: B019 -- one _Account per account, for the seeding only
    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION, **self.credentials)  # type: ignore[call-overload]


def seed_organization(count: int = MEMBERS) -> SeededOrg:
    """``count`` ACTIVE members (at least 6) in four OUs, one more closed; every account has its role but one."""
    org = boto3.client("organizations", region_name=REGION)
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]

    def unit(parent: str, name: str) -> str:
        return str(org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"])

    ous = {"workloads": unit(root, "workloads"), "security": unit(root, "security")}
    ous["prod"] = unit(ous["workloads"], "prod")  # nested: --ou workloads must reach it
    ous["dev"] = unit(ous["workloads"], "dev")
    placement = ("prod", "dev", "security", "workloads")
    members: dict[str, Member] = {}
    for k in range(count + 1):  # one more: closed below
        status = org.create_account(Email=f"member{k:02d}@example.com", AccountName=f"member-{k:02d}")
        account = str(status["CreateAccountStatus"]["AccountId"])
        ou = placement[k % len(placement)]
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ous[ou])
        policy, prefix = VIOLATIONS[k % len(VIOLATIONS)]
        members[account] = Member(account, f"member-{k:02d}", ou, (policy, f"{prefix}-{k:02d}"))
    ids = list(members)
    suspended = ids[-1]
    org.close_account(AccountId=suspended)
    del members[suspended]
    missing_role = ids[5]
    bucket_account = ids[2]

    documents = org_policies(ROLE, EXTERNAL_ID, MANAGEMENT)
    trust = documents["member_role_trust_policy"]
    for account in [MANAGEMENT, *members]:
        clients = _Account(None if account == MANAGEMENT else account)
        if account != missing_role:
            _audit_role(clients, trust, documents["member_role_policy"])
        if account in members:
            _violations(clients, members[account], with_bucket=account == bucket_account)
    return SeededOrg(org_id, ous, members, missing_role, suspended, bucket_account)


def _audit_role(session: _Account, trust: dict[str, Any], policy: dict[str, Any]) -> None:
    iam = session.client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=ROLE, PolicyName="hipaacheck-read-only", PolicyDocument=json.dumps(policy))


def _violations(session: _Account, member: Member, with_bucket: bool) -> None:
    """The member's one violation, and a compliant queue beside it."""
    policy, name = member.violation
    session.client("sqs").create_queue(QueueName=f"ok-queue-{member.name}", Attributes={"SqsManagedSseEnabled": "true"})
    if policy == "sqs-queue-encrypted":
        session.client("sqs").create_queue(QueueName=name, Attributes={"SqsManagedSseEnabled": "false"})
    elif policy == "sns-topic-kms-encryption":
        session.client("sns").create_topic(Name=name)
    elif policy == "security-group-no-internet-admin-ports":
        ec2 = session.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        group = ec2.create_security_group(GroupName=name, Description="ssh", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
    else:
        document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        session.client("iam").create_policy(PolicyName=name, PolicyDocument=json.dumps(document))
    if with_bucket:
        session.client("s3").create_bucket(Bucket=f"bucket-of-{member.id}")
