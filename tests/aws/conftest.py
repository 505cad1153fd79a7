"""Live-scan test helpers: dummy credentials always, moto in-process or as a server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from hipaacheck.models import Resource

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def dummy_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never real AWS: dummy keys, no profile or config file, no endpoint override leaking in."""
    _dummy_aws_environment(monkeypatch)


def _dummy_aws_environment(patch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_") and name != "AWS_CA_BUNDLE":
            patch.delenv(name, raising=False)
    patch.setenv("AWS_ACCESS_KEY_ID", "testing")
    patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    patch.setenv("AWS_DEFAULT_REGION", REGION)
    patch.setenv("AWS_CONFIG_FILE", os.devnull)  # an empty config: no profile of the machine's
    patch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@contextmanager
def in_process_moto() -> Iterator[None]:
    """moto in this process with the dummy environment, for module-scoped fixtures (no monkeypatch there)."""
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as patch:
        _dummy_aws_environment(patch)
        with mock_aws():
            yield


@pytest.fixture
def mocked(dummy_aws: None) -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


def live_scan(*regions: str, **options: Any) -> Any:
    from hipaacheck.sources.aws.options import ScanOptions
    from hipaacheck.sources.aws.runner import scan_account

    return scan_account(ScanOptions(regions=regions or (REGION,), workers=4, **options))


def of_type(resources: list[Resource], type_name: str) -> dict[str, Resource]:
    """Resources of one type by name."""
    return {str(r.name): r for r in resources if r.type == type_name}
