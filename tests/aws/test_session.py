"""Credentials and role assumption; the plan path never loads boto3."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from hipaacheck.sources.aws import session as aws_session
from hipaacheck.sources.aws.options import ScanOptions
from hipaacheck.sources.errors import InputError

from ..conftest import FIXTURES, ROOT

ROLE = "arn:aws:iam::210987654321:role/hipaacheck-audit"


def test_role_is_assumed_with_external_id_and_used_for_the_scan(mocked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []

    class Recording(boto3.Session):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.events.register("before-parameter-build.sts.AssumeRole", lambda params, **_: seen.append(params))

    monkeypatch.setattr(aws_session.boto3, "Session", Recording)
    _, identity = aws_session.open_session(ScanOptions(role_arn=ROLE, external_id="audit-2026"))
    assert seen and seen[0]["RoleArn"] == ROLE and seen[0]["ExternalId"] == "audit-2026"
    assert identity.account == "210987654321"  # moto answers GetCallerIdentity as the assumed role


def test_unassumable_role_is_one_clear_input_error(mocked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    class Denying(boto3.Session):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.events.register("before-call.sts.AssumeRole", self.deny)

        @staticmethod
        def deny(**_: Any) -> Any:
            error = {"Code": "AccessDenied", "Message": "not authorized to perform: sts:AssumeRole"}
            return SimpleNamespace(status_code=403), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 403}}

    monkeypatch.setattr(aws_session.boto3, "Session", Denying)
    with pytest.raises(InputError) as caught:
        aws_session.open_session(ScanOptions(role_arn=ROLE))
    message = str(caught.value)
    assert message.startswith(f"cannot assume role {ROLE}; credentials were rejected: AccessDenied")
    assert "\n" not in message


def test_plan_scans_never_import_boto3() -> None:
    code = (
        "import sys\n"
        "from hipaacheck.cli import main\n"
        f"main(['scan', 'plan', {str(FIXTURES / 'compliant' / 'plan.json')!r}, '--format', 'json', "
        "'--output', '/dev/null'])\n"
        "print('boto3' in sys.modules, 'botocore' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "False False", result.stderr
