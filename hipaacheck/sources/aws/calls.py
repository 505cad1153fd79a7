"""API calls as data, and the one place where their errors are handled.

Each collector declares its calls (service, operation, the IAM action that
authorises it, the canonical fields that depend on it, the error codes that
mean "not configured"). The Fetcher runs them: it pages through every
paginated call, fetches each distinct (call, region, parameters) once even
when several collectors ask concurrently, and turns every failure into a
Result that names the reason, so a denied or throttled read becomes an
`error` gap on exactly the dependent fields and the scan goes on.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    TokenRetrievalError,
)

from ..errors import InputError

ALL_FIELDS = "*"  # a listing call: when it fails, no resource of the type can be seen

# Error codes by what they mean for the scan.
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
        "OptInRequired",
    }
)
THROTTLED_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "ProvisionedThroughputExceededException",
    }
)
# The credentials themselves are bad: nothing else will work, so the scan stops (exit 2).
CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "RequestExpired",
        "SignatureDoesNotMatch",
    }
)


@dataclass(frozen=True, slots=True)
class Call:
    """One read-only API operation and what depends on it."""

    service: str  # boto3 client name, e.g. "s3"
    operation: str  # boto3 method name, e.g. "get_bucket_encryption"
    action: str  # IAM action that authorises it, e.g. "s3:GetEncryptionConfiguration"
    fields: tuple[str, ...] = ()  # canonical fields it fills; ALL_FIELDS for a listing
    not_configured: frozenset[str] = frozenset()  # error codes that mean "not set": the documented default
    paginate: bool = False
    note: str = ""  # why an unusual action is needed (shown by `hipaacheck permissions --explain`)


def calls(*items: Call) -> dict[str, Call]:
    """A collector's declaration table, keyed by operation name."""
    return {c.operation: c for c in items}


@dataclass(frozen=True, slots=True)
class Result:
    data: dict[str, Any] = field(default_factory=dict)
    not_configured: bool = False
    error: str | None = None  # why the read failed; None when it worked
    unreachable: bool = False  # the endpoint did not answer at all (connection refused, DNS, timeout)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_configured


class CredentialFailure(InputError):
    """The credentials stopped working mid-scan: one line, exit 2."""


ClientGetter = Callable[[str, str], Any]  # (service, region) -> botocore client


class Fetcher:
    """Runs declared calls, once each, and classifies every failure."""

    def __init__(self, client: ClientGetter, max_attempts: int) -> None:
        self._client = client
        self._max_attempts = max_attempts
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, ...], Future[Result]] = {}
        self.failures: list[str] = []  # every failed read, for the report notes

    def call(self, spec: Call, region: str, **params: Any) -> Result:
        key = (spec.service, region, spec.operation, json.dumps(params, sort_keys=True, default=str))
        with self._lock:
            future = self._cache.get(key)
            owner = future is None
            if future is None:
                future = self._cache[key] = Future()
        if owner:
            try:
                result = self._run(spec, region, params)
            except BaseException as exc:
                future.set_exception(exc)
                raise
            future.set_result(result)
            if result.error is not None:
                with self._lock:
                    self.failures.append(f"{region}: {result.error}")
            return result
        return future.result()

    def call_uncached(self, spec: Call, region: str, **params: Any) -> Result:
        """For polling only (a report being generated): every call is a new read."""
        result = self._run(spec, region, params)
        if result.error is not None:
            with self._lock:
                self.failures.append(f"{region}: {result.error}")
        return result

    def _run(self, spec: Call, region: str, params: dict[str, Any]) -> Result:
        try:
            client = self._client(spec.service, region)
            if spec.paginate:
                data = client.get_paginator(spec.operation).paginate(**params).build_full_result()
            else:
                data = getattr(client, spec.operation)(**params)
        except ClientError as exc:
            return self._client_error(spec, region, exc)
        except (NoCredentialsError, PartialCredentialsError, TokenRetrievalError) as exc:
            raise CredentialFailure(f"AWS credentials stopped working during the scan ({exc})") from None
        except ConnectionError as exc:
            return Result(
                error=f"{spec.action} failed: cannot reach the {spec.service} endpoint in {region} ({exc})",
                unreachable=True,
            )
        except BotoCoreError as exc:
            return Result(error=f"{spec.action} failed: {exc}")
        data.pop("ResponseMetadata", None)
        return Result(data=data)

    def _client_error(self, spec: Call, region: str, exc: ClientError) -> Result:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")) or code
        if code in spec.not_configured:
            return Result(not_configured=True)
        if code in CREDENTIAL_CODES:
            raise CredentialFailure(f"AWS credentials were rejected during the scan ({code}: {message})")
        if code in DENIED_CODES:
            return Result(error=f"{spec.action} denied: {message}")
        if code in THROTTLED_CODES:
            attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1
            return Result(error=f"{spec.action} throttled: gave up after {attempts} attempt(s) ({code})")
        return Result(error=f"{spec.action} failed: {code}: {message}")
