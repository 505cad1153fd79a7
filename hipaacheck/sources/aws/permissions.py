"""The minimal read-only IAM policy for a live scan, built from the collectors' declarations."""

from __future__ import annotations

import json
from typing import Any

from .calls import Call
from .collectors import COLLECTORS

# Calls the scan makes before any collector runs.
SESSION_CALLS = (
    Call("sts", "get_caller_identity", "sts:GetCallerIdentity", note="the account id (needs no permission in fact)"),
    Call("ec2", "describe_regions", "ec2:DescribeRegions", note="the regions enabled for the account"),
)
READ_VERBS = ("Get", "List", "Describe")
# The one action that is not named like a read, and why it is still needed: see collectors/account.py.
# API Gateway authorises its management API by HTTP verb: apigateway:GET is its read-only action.
NOT_READ_NAMED = frozenset({"iam:GenerateCredentialReport", "apigateway:GET"})


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
