"""Live-scan test helpers: dummy credentials always, moto in-process or as a server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hipaacheck.models import Resource

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def dummy_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never real AWS: dummy keys, no profile or config file, no endpoint override leaking in."""
    for name in list(__import__("os").environ):
        if name.startswith("AWS_") and name != "AWS_CA_BUNDLE":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    empty = tmp_path_factory.mktemp("aws") / "config"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


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
