"""Credentials, role assumption, shared clients, the account id and the regions to scan.

Credentials are resolved once, from the standard boto3 chain (env vars,
shared config and SSO profiles, container and instance roles) or by assuming
--role-arn, and shared as one thread-safe credentials object.

Memory: botocore's service models are large (EC2's alone is tens of MB once
parsed), and a Session loads them into its own data loader. One Session per
thread meant one copy of every model per worker, and one client per (thread,
service, region): ~700 MB for an all-regions scan. Now:

* a ``ClientPool`` holds the one data loader every session shares (the
  parsed models and endpoint data, loaded once per process) and one lock;
* a ``ClientFactory`` is one account's credentials: one Session, and one
  client per (service, region), created under the pool's lock (Sessions are
  not thread-safe) and then shared by every thread (botocore clients are).

A scan of several accounts (organisations) makes one pool and one factory
per account, all on the same thread pool. AWS_ENDPOINT_URL (and
AWS_ENDPOINT_URL_<SERVICE>) are honoured by botocore when clients are created.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, Credentials, RefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    TokenRetrievalError,
)
from botocore.loaders import Loader

from ..errors import InputError
from .options import ScanOptions

DEFAULT_REGION = "us-east-1"
_ENABLED = ("opt-in-not-required", "opted-in")


def endpoint_override() -> bool:
    """A custom endpoint (a local moto server, a VPC endpoint proxy) is configured."""
    return any(k == "AWS_ENDPOINT_URL" or k.startswith("AWS_ENDPOINT_URL_") for k in os.environ)


def client_config(mode: Literal["standard", "adaptive"], max_attempts: int) -> Config:
    override = endpoint_override()
    return Config(
        retries={"mode": mode, "total_max_attempts": max_attempts},  # attempts, the first one included
        connect_timeout=10,
        read_timeout=60,
        s3={"addressing_style": "path"} if override else None,
        user_agent_extra="hipaacheck",
    )


class _SharedCredentials(CredentialProvider):
    """Hands every thread's session the one credentials object resolved at start."""

    METHOD = "hipaacheck-shared"
    CANONICAL_NAME = "hipaacheck-shared"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


def _default_loader() -> Loader:
    """The loader a plain botocore Session would make (it honours AWS_DATA_PATH)."""
    loader: Loader = botocore.session.Session().get_component("data_loader")
    return loader


@dataclass
class ClientPool:
    """What every account's clients share: one botocore data loader and the lock that guards client creation."""

    loader: Loader = field(default_factory=_default_loader)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def dedupe_paths(self) -> None:
        """boto3.Session appends its data folder to the loader's search path each time: keep one copy."""
        paths = self.loader.search_paths
        paths[:] = list(dict.fromkeys(paths))


@dataclass
class ClientFactory:
    """One account's credentials: one boto3 Session, one thread-safe client per (service, region)."""

    credentials: Credentials
    config: Config
    on_session: Callable[[boto3.Session], None] | None = None  # tests hook events here
    pool: ClientPool = field(default_factory=ClientPool)
    # The first calls give up quickly (an unreachable endpoint is one line, not minutes of retries), with
    # clients of their own; a member account of an organisation scan uses its scan clients instead.
    quick_start: bool = True
    _session: boto3.Session | None = None
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def session(self) -> boto3.Session:
        with self.pool.lock:
            if self._session is None:
                core = botocore.session.Session()
                core.register_component("data_loader", self.pool.loader)
                resolver = core.get_component("credential_provider")
                resolver.insert_before("env", _SharedCredentials(self.credentials))
                session = boto3.Session(botocore_session=core)
                self.pool.dedupe_paths()
                if self.on_session is not None:
                    self.on_session(session)
                self._session = session
            return self._session

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self.pool.lock:
            client = self._clients.get(key)
            if client is None:
                client = self.session().client(service, region_name=region, config=self.config)  # type: ignore[call-overload]
                if service == "s3control" and endpoint_override():
                    client.meta.events.register("before-sign.s3-control", _strip_account_host)
                self._clients[key] = client
            return client

    def startup_client(self, service: str, region: str) -> Any:
        if not self.quick_start:
            return self.client(service, region)
        with self.pool.lock:  # a Session is not thread-safe: build the client under the pool's lock
            return self.session().client(service, region_name=region, config=client_config("standard", 2))  # type: ignore[call-overload]

    def close(self) -> None:
        """Drop this account's clients and Session once its scan is done (memory stays bounded by the
        accounts in flight, not the accounts scanned); the shared loader stays with the pool."""
        with self.pool.lock:
            clients = list(self._clients.values())
            self._clients.clear()
            self._session = None
        for client in clients:
            client.close()


def _strip_account_host(request: Any, **_: Any) -> None:
    """S3 Control's endpoint rules put "{AccountId}." before the host; a custom endpoint has no such name."""
    scheme, rest = request.url.split("://", 1)
    host, _, path = rest.partition("/")
    first, _, others = host.partition(".")
    if first.isdigit() and len(first) == 12 and others:
        request.url = f"{scheme}://{others}/{path}"


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str
    partition: str
    home_region: str


def credential_error(exc: BaseException, what: str = "AWS credentials") -> InputError:
    """One line that says what is wrong with the credentials or the endpoint."""
    if isinstance(exc, ProfileNotFound):
        return InputError(f"AWS profile {exc.kwargs.get('profile')!r} not found in the AWS config files")
    if isinstance(exc, NoCredentialsError):
        return InputError(
            "no AWS credentials found: use --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "or run `aws sso login`"
        )
    if isinstance(exc, TokenRetrievalError | PartialCredentialsError):
        return InputError(f"{what} could not be loaded: {exc}")
    if isinstance(exc, ConnectionError):
        return InputError(f"cannot reach AWS: {exc}")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Error"), error.get("Message", "")
        if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
            return InputError(f"{what} have expired ({message or code}): refresh them (e.g. `aws sso login`)")
        return InputError(f"{what} were rejected: {code}: {message}".rstrip(": "))
    return InputError(f"{what}: {exc}")


def open_session(
    options: ScanOptions,
    on_session: Callable[[boto3.Session], None] | None = None,
    pool: ClientPool | None = None,
) -> tuple[ClientFactory, Identity]:
    """Resolve credentials (assuming the role if asked), then ask STS who we are."""
    try:
        base = boto3.Session(profile_name=options.profile)
        credentials = base.get_credentials()
    except (BotoCoreError, ClientError) as exc:
        raise credential_error(exc) from None
    if credentials is None:
        raise credential_error(NoCredentialsError())
    # Not the first --region: an unknown name must be reported as such, not as an unreachable endpoint.
    home = base.region_name or DEFAULT_REGION
    # Start-up calls give up quickly: an unreachable endpoint is a one-line error, not minutes of retries.
    quick = client_config("standard", 2)
    if options.role_arn:
        sts = base.client("sts", region_name=home, config=quick)
        credentials = assume_role(sts, options.role_arn, options.external_id)
    config = client_config(options.retry_mode, options.max_attempts)
    factory = ClientFactory(credentials, config, on_session, pool or ClientPool())
    return factory, identify(factory, home)


def identify(factory: ClientFactory, home: str) -> Identity:
    """Who the factory's credentials are (sts:GetCallerIdentity), asked in the home region."""
    try:
        caller = factory.startup_client("sts", home).get_caller_identity()
    except NoRegionError as exc:
        raise InputError(f"no AWS region configured: {exc}") from None
    except (BotoCoreError, ClientError) as exc:
        raise credential_error(exc) from None
    arn = str(caller["Arn"])
    return Identity(str(caller["Account"]), arn, arn.split(":")[1] or "aws", home)


def assume_role(sts: Any, role_arn: str, external_id: str | None) -> Credentials:
    """Credentials of ``role_arn``, refreshed before they expire; an InputError when it cannot be assumed."""
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": "hipaacheck"}
    if external_id:
        params["ExternalId"] = external_id

    def fetch() -> dict[str, Any]:
        answer = sts.assume_role(**params)["Credentials"]
        expiry = answer["Expiration"]
        return {
            "access_key": answer["AccessKeyId"],
            "secret_key": answer["SecretAccessKey"],
            "token": answer["SessionToken"],
            "expiry_time": expiry.isoformat() if isinstance(expiry, datetime) else str(expiry),
        }

    try:
        metadata = fetch()
    except (BotoCoreError, ClientError) as exc:
        raise credential_error(exc, f"cannot assume role {role_arn}; credentials") from None
    # Refreshed by botocore before expiry, so scans longer than the role session keep working.
    return RefreshableCredentials.create_from_metadata(metadata, refresh_using=fetch, method="assume-role")


def resolve_regions(
    factory: ClientFactory, identity: Identity, requested: tuple[str, ...]
) -> tuple[list[str], dict[str, str], list[str] | None]:
    """(regions to scan, {requested region that cannot be scanned: why}, every enabled region or None if unknown).

    The enabled regions let the evidence pack say which ones a --region scan left out.
    """
    ec2 = factory.startup_client("ec2", identity.home_region)
    try:
        answer = ec2.describe_regions(AllRegions=True)["Regions"]
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if not requested:
            raise InputError(
                f"cannot list the account's regions (ec2:DescribeRegions: {error.get('Code')}); pass --region"
            ) from None
        known = set(boto3.Session().get_available_regions("ec2", identity.partition))
        unknown = [r for r in requested if r not in known]
        if unknown:
            raise InputError(f"unknown region {unknown[0]!r}") from None
        return list(dict.fromkeys(requested)), {}, None
    except BotoCoreError as exc:
        raise credential_error(exc) from None
    status = {str(r["RegionName"]): str(r.get("OptInStatus", "opt-in-not-required")) for r in answer}
    enabled = sorted(r for r, s in status.items() if s in _ENABLED)
    if not requested:
        return enabled, {}, enabled
    unknown = [r for r in requested if r not in status]
    if unknown:
        raise InputError(f"unknown region {unknown[0]!r} (known: {', '.join(sorted(status))})")
    scan = [r for r in dict.fromkeys(requested) if status[r] in _ENABLED]
    disabled = {
        r: f"region {r} is not enabled for account {identity.account} (opt-in status: {status[r]})"
        for r in dict.fromkeys(requested)
        if status[r] not in _ENABLED
    }
    return scan, disabled, enabled
