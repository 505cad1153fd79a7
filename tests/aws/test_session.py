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


def test_a_scan_builds_one_session_and_one_client_per_service_and_region(mocked: None) -> None:
    """Memory: the worker threads share one Session's clients instead of building their own (issue 10 item 9)."""
    from collections import Counter

    from hipaacheck.sources.aws.runner import scan_account

    sessions: list[boto3.Session] = []
    created: Counter[tuple[str, str]] = Counter()

    def on_session(session: boto3.Session) -> None:
        sessions.append(session)
        build = session.client

        def client(service: str, region_name: str, **kwargs: Any) -> Any:
            created[(service, region_name)] += 1
            return build(service, region_name=region_name, **kwargs)

        session.client = client  # type: ignore[method-assign]

    scan_account(ScanOptions(regions=("us-east-1", "eu-west-1"), workers=8), on_session)
    assert len(sessions) == 1
    # Start-up (who am I, which regions) uses its own quick-failing clients: one each, in the home region.
    startup = Counter({("sts", "us-east-1"): 1, ("ec2", "us-east-1"): 1})
    shared = created - startup
    assert shared and set(shared.values()) == {1}, [key for key, n in shared.items() if n > 1]
    assert {region for _, region in shared} == {"us-east-1", "eu-west-1"}


def test_clients_are_shared_across_threads_and_accounts_share_one_loader(dummy_aws: None) -> None:
    import threading

    from botocore.credentials import Credentials

    pool = aws_session.ClientPool()
    config = aws_session.client_config("standard", 2)
    first = aws_session.ClientFactory(Credentials("a", "b"), config, pool=pool)
    second = aws_session.ClientFactory(Credentials("c", "d"), config, pool=pool)
    got: list[Any] = []
    barrier = threading.Barrier(8)

    def ask() -> None:
        barrier.wait()
        got.append(first.client("s3", "us-east-1"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 8 and all(client is got[0] for client in got)
    other = second.client("s3", "us-east-1")
    assert other is not got[0]  # one client per account: its own credentials
    assert other._request_signer._credentials.access_key == "c"
    loaders = {id(f.session()._session.get_component("data_loader")) for f in (first, second)}
    assert loaders == {id(pool.loader)}
    assert len(pool.loader.search_paths) == len(set(pool.loader.search_paths))
