"""Shared test helpers: repository paths, running the CLI, building small plan documents.

Also two session-wide guards: no test may open a network connection to
anything but this machine (a socket connect, or a name lookup, elsewhere
fails the test), and boto3 sees only dummy credentials with the instance
metadata service disabled, in this process and in every subprocess a test
starts (they inherit the environment).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "terraform"
CORPUS = ROOT / "fixtures" / "corpus" / "terraform-plans"


# ---------------------------------------------------------------- network guard

LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class NetworkBlocked(RuntimeError):
    """A test tried to reach another machine."""


_violations: list[str] = []
_violations_lock = threading.Lock()


def is_local(host: Any) -> bool:
    if host is None:  # getaddrinfo(None, port): the local wildcard
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%")[0].lower()
    if name in LOCAL_HOSTS or name == "":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _blocked(what: str) -> NetworkBlocked:
    message = f"network access outside this machine is not allowed in tests: {what}"
    with _violations_lock:
        _violations.append(message)
    return NetworkBlocked(message)


def _guarded_connect(original: Any) -> Any:
    def connect(self: socket.socket, address: Any, *args: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            raise _blocked(f"connect to {address!r}")
        return original(self, address, *args)

    return connect


def _guarded_sendto(original: Any) -> Any:
    def sendto(self: socket.socket, data: Any, *args: Any) -> Any:
        address = args[-1]
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            raise _blocked(f"sendto {address!r}")
        return original(self, data, *args)

    return sendto


def _guarded_getaddrinfo(original: Any) -> Any:
    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_local(host):
            raise _blocked(f"name lookup of {host!r}")
        return original(host, *args, **kwargs)

    return getaddrinfo


# Dummy credentials, no instance metadata, no profile or config file, no endpoint override.
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@pytest.fixture(scope="session", autouse=True)
def no_network() -> Iterator[None]:
    """Session-wide: sockets reach only 127.0.0.1, ::1, localhost (and AF_UNIX); AWS sees dummies."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("AWS_") and name != "AWS_CA_BUNDLE":
                patch.delenv(name)
        for name, value in DUMMY_AWS_ENV.items():
            patch.setenv(name, value)
        patch.setattr(socket.socket, "connect", _guarded_connect(socket.socket.connect))
        patch.setattr(socket.socket, "connect_ex", _guarded_connect(socket.socket.connect_ex))
        patch.setattr(socket.socket, "sendto", _guarded_sendto(socket.socket.sendto))
        patch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo(socket.getaddrinfo))
        yield


@pytest.fixture(autouse=True)
def _network_violations() -> Iterator[None]:
    """Fail the test that tried, even when the code under test swallowed the exception."""
    with _violations_lock:
        _violations.clear()
    yield
    with _violations_lock:
        found = list(_violations)
        _violations.clear()
    if found:
        pytest.fail("; ".join(dict.fromkeys(found)), pytrace=False)


# ---------------------------------------------------------------- CLI helpers


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the real CLI in a subprocess, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "hipaacheck", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_input_error(result: Run, fragment: str) -> None:
    """Exit 2, exactly one line on stderr that says what is wrong, no traceback, no stdout."""
    assert result.code == 2, (result.code, result.err, result.out[:500])
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert fragment in lines[0], lines[0]
    assert result.out == ""


def change(
    address: str,
    after: dict[str, Any],
    *,
    actions: tuple[str, ...] = ("create",),
    unknown: dict[str, Any] | None = None,
    sensitive: dict[str, Any] | None = None,
    module: str = "",
    index: int | str | None = None,
) -> dict[str, Any]:
    """One resource_changes entry, shaped as terraform show -json writes it."""
    local = address[len(module) + 1 :] if module else address
    rtype, name = local.split("[")[0].split(".")[:2]
    entry: dict[str, Any] = {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {
            "actions": list(actions),
            "before": None,
            "after": after,
            "after_unknown": unknown or {},
            "after_sensitive": sensitive or {},
        },
    }
    if module:
        entry["module_address"] = module
    if index is not None:
        entry["index"] = index
    return entry


def plan_doc(changes: list[dict[str, Any]], root_module: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}},
            "root_module": root_module or {"resources": []},
        },
    }


def ref(*references: str) -> dict[str, Any]:
    return {"references": list(references)}


def config_resource(address: str, **expressions: Any) -> dict[str, Any]:
    rtype, name = address.split(".")
    return {"address": address, "mode": "managed", "type": rtype, "name": name, "expressions": expressions}


@pytest.fixture
def builtin_policies() -> list[Any]:
    from hipaacheck.builtin import builtin_policy_dir
    from hipaacheck.policy.loader import load_policies

    return load_policies([builtin_policy_dir()])
