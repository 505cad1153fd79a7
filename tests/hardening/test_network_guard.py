"""The session guard in tests/conftest.py: no test reaches another machine, boto3 sees only dummies."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from .. import conftest
from ..conftest import ROOT, NetworkBlocked


@pytest.fixture
def forgive() -> Iterator[None]:
    """These tests trip the guard on purpose: forget what they did, so only their asserts count."""
    yield None
    with conftest._violations_lock:
        conftest._violations.clear()


@pytest.mark.parametrize(
    ("family", "address"),
    [(socket.AF_INET, ("192.0.2.1", 443)), (socket.AF_INET6, ("2001:db8::1", 443, 0, 0))],
    ids=["ipv4", "ipv6"],
)
def test_connect_elsewhere_is_blocked(forgive: None, family: socket.AddressFamily, address: tuple[object, ...]) -> None:
    with socket.socket(family, socket.SOCK_STREAM) as sock, pytest.raises(NetworkBlocked, match="connect to"):
        sock.connect(address)
    with socket.socket(family, socket.SOCK_STREAM) as sock, pytest.raises(NetworkBlocked):
        sock.connect_ex(address)
    assert conftest._violations  # recorded: the test would fail even if the code swallowed the error


def test_name_lookup_and_udp_elsewhere_are_blocked(forgive: None) -> None:
    with pytest.raises(NetworkBlocked, match=re.escape("name lookup of 'sts.amazonaws.com'")):
        socket.getaddrinfo("sts.amazonaws.com", 443)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(NetworkBlocked, match="sendto"):
        sock.sendto(b"x", ("192.0.2.53", 53))


def test_this_machine_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection((host, port), timeout=5):
                pass
    assert conftest.is_local("::1") and conftest.is_local("::ffff:127.0.0.1") and conftest.is_local("127.0.0.2")
    assert not conftest.is_local("10.0.0.1") and not conftest.is_local("example.com")
    left, right = socket.socketpair(socket.AF_UNIX)  # AF_UNIX is never network
    left.close()
    right.close()


def test_aws_environment_is_dummy_and_inherited_by_subprocesses() -> None:
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert "AWS_PROFILE" not in os.environ and "AWS_ENDPOINT_URL" not in os.environ
    code = "import os; print(os.environ['AWS_EC2_METADATA_DISABLED'], os.environ['AWS_SECRET_ACCESS_KEY'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["true", "testing"]


def test_a_swallowed_attempt_still_fails_the_test(tmp_path: Path) -> None:
    """The guard fails the test at teardown even when the code under test catches the exception."""
    suite = tmp_path / "suite"
    suite.mkdir()
    shutil.copy(ROOT / "tests" / "conftest.py", suite / "conftest.py")
    (suite / "test_sneaky.py").write_text(
        textwrap.dedent(
            """
            import socket

            def test_sneaky():
                try:
                    socket.create_connection(("192.0.2.1", 443), timeout=1)
                except Exception:
                    pass  # swallowed, as a retrying HTTP client would
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "network access outside this machine is not allowed in tests" in result.stdout
    assert "1 passed, 1 error" in result.stdout
