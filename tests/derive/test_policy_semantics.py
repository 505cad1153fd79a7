"""The shared derivations, case by case, from tables of statement (or rule) -> expected fact.

Each case's id states the AWS fact it checks. The same functions serve the plan and the
live source: tests/derive/test_both_sources.py runs real plans and moto through them.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaacheck.derive.network import internet_exposure
from hipaacheck.derive.patterns import arn_covers, arn_matches, covers, matches, overlaps
from hipaacheck.derive.policy_document import DocumentError, identity_policy_facts, parse_document
from hipaacheck.derive.resource_policy import resource_policy_facts

HERE = Path(__file__).parent
BUCKET_ARN = "arn:aws:s3:::claims"
QUEUE = "arn:aws:sqs:us-east-1:111122223333:claims"
LOG_GROUP = "arn:aws:logs:us-east-1:111122223333:log-group:claims:*"
LOG_GROUP_PATTERN = "arn:aws:logs:us-east-1:111122223333:log-group:*"


def _cases(name: str) -> list[Any]:
    cases = yaml.safe_load((HERE / name).read_text())["cases"]
    return [pytest.param(case, id=case["id"]) for case in cases]


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize("case", _cases("public_cases.yaml"))
def test_public_as_s3_defines_it(case: dict[str, Any]) -> None:
    statement = case.get("statement") or {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET_ARN}/*",
    }
    if case.get("condition") is not None:
        statement["Condition"] = case["condition"]
    assert resource_policy_facts(_document(statement), BUCKET_ARN).public is case["public"]


TLS_BASE = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


@pytest.mark.parametrize("case", _cases("tls_cases.yaml"))
def test_tls_only_deny(case: dict[str, Any]) -> None:
    statement = copy.deepcopy(TLS_BASE)
    for key, value in (case.get("set") or {}).items():
        if value is None:
            statement.pop(key, None)
        else:
            statement[key] = value
    facts = resource_policy_facts(_document(statement), BUCKET_ARN)
    assert facts.denies_insecure_transport is case["denies"]


def test_a_symbolic_bucket_arn_is_matched_like_any_other() -> None:
    # The plan source passes a stand-in for an ARN known only after apply, and a document
    # that names the same stand-in: plain pattern matching, no special case.
    symbol = "arn:aws:s3:::${aws_s3_bucket.claims.bucket}"
    statement = {**TLS_BASE, "Resource": [symbol, f"{symbol}/*"]}
    assert resource_policy_facts(_document(statement), symbol).denies_insecure_transport is True
    assert resource_policy_facts(_document(statement), BUCKET_ARN).denies_insecure_transport is False


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        pytest.param(["*"], True, id="Resource * covers any bucket name"),
        pytest.param(["arn:aws:s3:::*/*"], True, id="arn:aws:s3:::*/* covers any bucket name"),
        pytest.param(["arn:aws:s3:::claims-*/*"], None, id="a name pattern covers only some names: unknown"),
        pytest.param(["arn:aws:s3:::claims/*"], None, id="a literal name may be the bucket's: unknown"),
    ],
)
def test_bucket_name_known_only_after_apply(resource: list[str], expected: bool | None) -> None:
    facts = resource_policy_facts(_document({**TLS_BASE, "Resource": resource}), None)
    assert facts.denies_insecure_transport is expected


def test_no_qualifying_deny_is_false_even_before_the_name_is_known() -> None:
    statement = {**TLS_BASE, "Action": "s3:GetObject"}
    assert resource_policy_facts(_document(statement), None).denies_insecure_transport is False


@pytest.mark.parametrize("case", _cases("admin_cases.yaml"))
def test_administrator_rights(case: dict[str, Any]) -> None:
    assert identity_policy_facts(_document(case["statement"])).allows_admin is case["admin"]


def _rule(short: dict[str, Any]) -> dict[str, object]:
    low, high = short["ports"]
    return {
        "protocol": short["proto"],
        "from_port": low,
        "to_port": high,
        "cidr_ipv4": short.get("v4", []),
        "cidr_ipv6": short.get("v6", []),
    }


@pytest.mark.parametrize("case", _cases("internet_cases.yaml"))
def test_internet_is_a_set_of_addresses(case: dict[str, Any]) -> None:
    exposure = internet_exposure([_rule(r) for r in case["rules"]])
    if "ports" in case:
        assert exposure.ports == case["ports"]
    assert exposure.all_traffic is case.get("all_traffic", False)


def test_public_ipv4_covered_by_ranges_each_narrower_than_slash8() -> None:
    # 512 /9 ranges, none wide enough alone: together (minus what is never public) they are
    # the internet; without one public /9 they are not.
    pieces = [str(n) for n in ipaddress.ip_network("0.0.0.0/0").subnets(new_prefix=9)]
    rule = {"proto": "tcp", "ports": [22, 22], "v4": pieces}
    assert internet_exposure([_rule(rule)]).ports == [22]
    rule["v4"] = [p for p in pieces if p != "8.0.0.0/9"]
    assert internet_exposure([_rule(rule)]).ports == []


def test_public_ipv6_covered_by_ranges_each_narrower_than_slash8() -> None:
    # 2000::/3 (all global unicast) as 64 /9 ranges: none the internet alone, together they are.
    pieces = [str(n) for n in ipaddress.ip_network("2000::/3").subnets(new_prefix=9)]
    rule = {"proto": "tcp", "ports": [22, 22], "v6": pieces}
    assert internet_exposure([_rule(rule)]).ports == [22]
    rule["v6"] = pieces[1:]
    assert internet_exposure([_rule(rule)]).ports == []


@pytest.mark.parametrize("rule_protocol", ["tcp", "udp"])
def test_an_all_protocols_rule_adds_its_sources_to_each_protocol(rule_protocol: str) -> None:
    # Protocol -1 from one half of the internet (as /9s, none the internet alone) plus a tcp (or
    # udp) rule on port 22 from the other half: together port 22 of that protocol is open.
    halves = [str(n) for n in ipaddress.ip_network("0.0.0.0/0").subnets(new_prefix=9)]
    everything = {"proto": "-1", "ports": [0, 0], "v4": halves[:256]}
    one_port = {"proto": rule_protocol, "ports": [22, 22], "v4": halves[256:]}
    exposure = internet_exposure([_rule(everything), _rule(one_port)])
    assert (exposure.ports, exposure.all_traffic) == ([22], False)


@pytest.mark.parametrize(
    ("function", "pattern", "text", "expected"),
    [
        pytest.param(matches, "s3:Get*", "s3:GetObject", True, id="* matches a run"),
        pytest.param(matches, "s3:Get?bject", "s3:GetObject", True, id="? matches one character"),
        pytest.param(matches, "a[bc]", "ab", False, id="brackets are literal in IAM (not fnmatch)"),
        pytest.param(matches, "a[bc]", "a[bc]", True, id="brackets match themselves"),
        pytest.param(covers, "arn:aws:s3:::b*?", "arn:aws:s3:::b/", True, id="*? still covers every continuation"),
        pytest.param(covers, "arn:aws:s3:::b/x*", "arn:aws:s3:::b/", False, id="a fixed character after the prefix"),
        pytest.param(overlaps, "arn:aws:s3:::b/public/*", "arn:aws:s3:::b/", True, id="some object matches"),
        pytest.param(overlaps, "arn:aws:s3:::c/*", "arn:aws:s3:::b/", False, id="no object of b matches"),
        pytest.param(arn_covers, "arn:aws:s3:::*", "arn:aws:s3:::b/", True, id="the resource segment spans /"),
        pytest.param(arn_covers, "arn:aws:*", "arn:aws:s3:::b/", False, id="a wildcard does not span segments"),
        pytest.param(arn_matches, "*", QUEUE, True, id="* matches any one ARN"),
        pytest.param(matches, "s3:Get**Object", "s3:GetObject", True, id="a run of stars may match nothing"),
        pytest.param(matches, "s3:getobject", "s3:GetObject", False, id="case-sensitive unless folded"),
        pytest.param(covers, "arn:aws:s3:::Claims/*", "arn:aws:s3:::claims/", False, id="covers is case-sensitive"),
        pytest.param(arn_matches, LOG_GROUP, LOG_GROUP, True, id="the last segment keeps its colons"),
        pytest.param(arn_matches, LOG_GROUP_PATTERN, LOG_GROUP, True, id="a wildcard in the last segment"),
        pytest.param(arn_matches, "claims", QUEUE, False, id="a name that is not an ARN matches no ARN"),
        pytest.param(arn_matches, "arn:aws:sqs:*:111122223333:claims", QUEUE, True, id="segment wildcards"),
    ],
)
def test_patterns(function: Any, pattern: str, text: str, expected: bool) -> None:
    assert function(pattern, text) is expected


@pytest.mark.parametrize(
    ("function", "pattern", "text", "expected"),
    [
        # IAM action names are case-insensitive: the readers fold case for them.
        pytest.param(matches, "S3:GET*", "s3:getObject", True, id="folded with a wildcard"),
        pytest.param(matches, "s3:Get*", "s3:PutObject", False, id="folding does not make letters equal"),
        pytest.param(covers, "S3:*", "s3:get", True, id="covers folded"),
        pytest.param(overlaps, "S3:GET*", "s3:get", True, id="overlaps folded"),
    ],
)
def test_patterns_folding_case(function: Any, pattern: str, text: str, expected: bool) -> None:
    assert function(pattern, text, fold_case=True) is expected


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("Allow", "policy Statement entries must be objects"),
        ({"Effect": "Permit", "Action": "*", "Resource": "*"}, "a policy statement's Effect must be Allow or Deny"),
        ({"Effect": "Allow", "Action": 5, "Resource": "*"}, "a policy statement's Action must be a string or a list"),
        ({"Effect": "Allow", "Action": ["s3:GetObject", 5]}, "a policy statement's Action must be a string or a list"),
    ],
)
def test_a_statement_iam_would_refuse_says_why(statement: Any, message: str) -> None:
    with pytest.raises(DocumentError, match=f"^{re.escape(message)}"):
        identity_policy_facts({"Version": "2012-10-17", "Statement": [statement]})


def test_statement_shapes_iam_accepts() -> None:
    # No Statement: nothing granted. One statement may be written as an object, not a list.
    assert identity_policy_facts({"Version": "2012-10-17"}).allows_admin is False
    single = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    assert identity_policy_facts(single).allows_admin is True


def _nested(levels: int) -> dict[str, Any]:
    document: dict[str, Any] = {"Version": "2012-10-17"}
    for _ in range(levels - 1):
        document = {"Nested": document}
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "policy is not valid JSON (Expecting property name enclosed in double quotes"),
        ("[]", "policy is not a JSON object"),
        (_nested(33), "policy is nested more than 32 levels deep"),
        ([_nested(2)], "policy is not a JSON object"),
    ],
)
def test_a_document_that_is_not_a_policy_says_why(document: Any, message: str) -> None:
    with pytest.raises(DocumentError) as caught:
        parse_document(document)
    assert str(caught.value).startswith(message)


def test_a_document_nested_to_the_limit_is_read() -> None:
    assert parse_document(_nested(32))["Nested"] is not None


def test_the_reader_serves_a_service_whose_data_is_the_resource_itself() -> None:
    # SQS-style: the queue ARN itself holds the data (no "/*" objects). Another service is one
    # more ServiceProfile, not another reader.
    from hipaacheck.derive.resource_policy import ServiceProfile

    queue = "arn:aws:sqs:us-east-1:111122223333:claims"
    sqs = ServiceProfile("sqs", ("sqs:SendMessage", "sqs:ReceiveMessage"), lambda arn: ((arn, False),))
    deny = {**TLS_BASE, "Action": "sqs:*", "Resource": queue}
    assert resource_policy_facts(_document(deny), queue, sqs).denies_insecure_transport is True
    other = {**deny, "Resource": "arn:aws:sqs:us-east-1:111122223333:claims-dlq"}
    assert resource_policy_facts(_document(other), queue, sqs).denies_insecure_transport is False
    wildcard = {**deny, "Resource": "arn:aws:sqs:*:111122223333:claims"}
    assert resource_policy_facts(_document(wildcard), queue, sqs).denies_insecure_transport is True
    # The queue's ARN known only after apply: a Deny on a pattern only apply can match is undetermined.
    unknown = resource_policy_facts(_document(wildcard), None, sqs, arn_prefix="arn:aws:sqs:us-east-1:111122223333:")
    assert unknown.denies_insecure_transport is None
    # NotResource on another queue (even one whose name starts with this one's) spares none of this one.
    dlq = {**deny, "Resource": None, "NotResource": "arn:aws:sqs:us-east-1:111122223333:claims-dlq"}
    del dlq["Resource"]
    assert resource_policy_facts(_document(dlq), queue, sqs).denies_insecure_transport is True
    spares_it = {k: v for k, v in dlq.items() if k != "NotResource"} | {"NotResource": queue}
    assert resource_policy_facts(_document(spares_it), queue, sqs).denies_insecure_transport is False


def test_identity_facts_name_each_administrator_statement() -> None:
    # A Deny first: reading goes on past it. Statements are named by Sid, else by position.
    document = _document(
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
        {"Sid": "Escalate", "Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
    )
    facts = identity_policy_facts(document)
    assert (facts.allows_admin, facts.admin_statements, facts.allows_not_action) == (True, ["Escalate", "2"], True)
    plain = identity_policy_facts(_document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    assert (plain.allows_admin, plain.admin_statements, plain.allows_not_action) == (False, [], False)
