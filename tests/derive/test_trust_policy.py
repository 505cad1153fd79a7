"""Role trust policies, case by case (tests/derive/trust_cases.yaml); both sources use this reader.

The plan and the live source are checked on the same documents in
fixtures/terraform/identity (expected.yaml) and tests/aws/test_identity_live.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaacheck.derive.policy_document import DocumentError
from hipaacheck.derive.trust_policy import trust_policy_facts

HERE = Path(__file__).parent
CASES = [pytest.param(c, id=c["id"]) for c in yaml.safe_load((HERE / "trust_cases.yaml").read_text())["cases"]]


@pytest.mark.parametrize("case", CASES)
def test_trust_policy_case(case: dict[str, Any]) -> None:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", **case["statement"]}
    facts = trust_policy_facts({"Version": "2012-10-17", "Statement": [statement]}, case.get("own", "111111111111"))
    if "public" in case:
        assert facts.public is case["public"]
        assert bool(facts.public_statements) is case["public"]
    if "trusted" in case:
        assert list(facts.trusted_accounts) == case["trusted"]
    if "bare" in case:
        assert list(facts.without_external_id) == case["bare"]
    assert list(facts.undetermined_accounts) == case.get("undetermined", [])


def test_json_text_and_parsed_documents_read_the_same() -> None:
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}'
    assert trust_policy_facts(document, None).public is True


def test_a_document_that_is_not_a_policy_is_an_error() -> None:
    with pytest.raises(DocumentError):
        trust_policy_facts("[1, 2]", None)
