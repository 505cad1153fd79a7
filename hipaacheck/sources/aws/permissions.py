"""The minimal read-only IAM policy for a live scan, built from the collectors' declarations."""

from __future__ import annotations

import json
from typing import Any

from .calls import Call
from .collectors import COLLECTORS

# The account's name when Organizations does not give one (a single account, or --accounts).
ACCOUNT_ALIAS = Call("iam", "list_account_aliases", "iam:ListAccountAliases", note="the account's name")
# Calls the scan makes in each account besides the collectors'.
SESSION_CALLS = (
    Call("sts", "get_caller_identity", "sts:GetCallerIdentity", note="the account id (needs no permission in fact)"),
    Call("ec2", "describe_regions", "ec2:DescribeRegions", note="the regions enabled for the account"),
    ACCOUNT_ALIAS,
)
READ_VERBS = ("Get", "List", "Describe")
# The one action that is not named like a read, and why it is still needed: see collectors/account.py.
NOT_READ_NAMED = frozenset({"iam:GenerateCredentialReport"})


def all_calls() -> list[Call]:
    return [*SESSION_CALLS, *(call for collector in COLLECTORS for call in collector.calls.values())]


def actions() -> list[str]:
    return sorted({call.action for call in all_calls()})


def policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "HipaacheckReadOnlyScan", "Effect": "Allow", "Action": actions(), "Resource": "*"}],
    }


def policy_json() -> str:
    return json.dumps(policy(), indent=2) + "\n"


def explanations() -> list[str]:
    """Why each action that is not plainly Get/List/Describe is there."""
    seen: dict[str, str] = {}
    for call in all_calls():
        if call.action in NOT_READ_NAMED and call.note:
            seen.setdefault(call.action, call.note)
    return [f"{action}: {note}" for action, note in sorted(seen.items())]


# What the scanning identity itself calls in an organisation scan (--org, --accounts).
ASSUME_MEMBER_ROLE = Call("sts", "assume_role", "sts:AssumeRole", note="the member role, in each account")
TRUSTED_PLACEHOLDER = "SCANNING_ACCOUNT_ID"


def scanner_calls() -> list[Call]:
    from .org import ORG_CALLS

    return [SESSION_CALLS[0], *ORG_CALLS.values(), ASSUME_MEMBER_ROLE]


def org_policies(role: str, external_id: str | None, trusted_account: str | None) -> dict[str, Any]:
    """The three documents an organisation scan needs: see README "Organizations"."""
    listing = sorted({c.action for c in scanner_calls() if c.service == "organizations"})
    scanner = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "HipaacheckListAccounts", "Effect": "Allow", "Action": listing, "Resource": "*"},
            {
                "Sid": "HipaacheckAssumeMemberRole",
                "Effect": "Allow",
                "Action": ASSUME_MEMBER_ROLE.action,
                "Resource": f"arn:aws:iam::*:role/{role}",
            },
        ],
    }
    trust: dict[str, Any] = {
        "Sid": "HipaacheckScanner",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{trusted_account or TRUSTED_PLACEHOLDER}:root"},
        "Action": "sts:AssumeRole",
    }
    if external_id:
        trust["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return {
        "scanning_identity_policy": scanner,
        "member_role_name": role,
        "member_role_trust_policy": {"Version": "2012-10-17", "Statement": [trust]},
        "member_role_policy": policy(),
    }


def org_policies_json(role: str, external_id: str | None, trusted_account: str | None) -> str:
    return json.dumps(org_policies(role, external_id, trusted_account), indent=2) + "\n"
