"""Run every collector over every region concurrently, then link cross-resource facts.

One bounded pool (pool.py) runs the (region, collector) tasks of an account,
and of every account in an organisation scan (accounts.py); the account's
clients are shared by every thread (see session.py). A region whose endpoint
does not answer, or that is not enabled, becomes an account_region resource
whose fields are all error gaps, so it shows up as `error` findings instead of
disappearing.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import boto3

from ...models import Resource
from .builder import Where, placeholder
from .calls import CredentialFailure, Fetcher
from .collectors import COLLECTORS
from .collectors.ec2 import PROBE
from .context import Collector, Context, Facts
from .link import link
from .options import ScanOptions
from .permissions import ACCOUNT_ALIAS
from .pool import WorkPool
from .session import ClientFactory, Identity, open_session, resolve_regions


@dataclass
class LiveScan:
    account: str
    regions: list[str]
    resources: list[Resource]
    notes: list[str] = field(default_factory=list)
    enabled_regions: list[str] | None = None  # every region enabled for the account, when it could be listed
    not_scanned: dict[str, str] = field(default_factory=dict)  # requested region that could not be scanned: why
    caller_arn: str = ""  # who scanned (sts:GetCallerIdentity), for the report header
    account_name: str | None = None  # Organizations' name for the account, else its IAM alias
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Progress:
    """A one-line counter on stderr; only when asked (stderr is a terminal and not --quiet)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self.done = 0
        self.lock = threading.Lock()

    def add(self, tasks: int) -> None:
        with self.lock:
            self.total += tasks

    def step(self, label: str) -> None:
        with self.lock:
            self.done += 1
            if self.enabled:
                sys.stderr.write(f"\r\033[Khipaacheck: {self.done}/{self.total} collected ({label})")
                sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


# The SDK logs whole API responses (tags, policies) at DEBUG: a logging setup that
# turns DEBUG on must not copy an account's free text into a CI log.
QUIET_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")


def quiet_sdk_logs() -> None:
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def scan_account(options: ScanOptions, on_session: Callable[[boto3.Session], None] | None = None) -> LiveScan:
    """The credentials' own account (or --role-arn's): what `scan aws` without --org/--accounts does."""
    quiet_sdk_logs()
    started = now()
    factory, identity = open_session(options, on_session)
    with WorkPool(options.workers) as pool:
        return scan_with(factory, identity, options, pool, Progress(options.progress, 0), started=started)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def scan_with(
    factory: ClientFactory,
    identity: Identity,
    options: ScanOptions,
    pool: WorkPool,
    progress: Progress,
    account_name: str | None = None,
    started: datetime | None = None,
) -> LiveScan:
    """Scan one account whose credentials are open, on the scan's pool; every resource names the account."""
    started = started or now()
    regions, disabled, enabled = resolve_regions(factory, identity, options.regions)
    fetch = Fetcher(factory.client, options.max_attempts)
    facts = Facts()
    resources: list[Resource] = []
    notes: list[str] = []
    answers = pool.map(lambda region: fetch.call(PROBE, region), regions)
    unreachable = {r: a.error or "" for r, a in zip(regions, answers, strict=True) if a.unreachable}
    for region, reason in {**disabled, **unreachable}.items():
        resources.append(_region_error(identity.account, identity.partition, region, reason))
        notes.append(f"region {region} was not scanned: {reason}")
    live = [r for r in regions if r not in unreachable]
    home = identity.home_region if identity.home_region in live else (live[0] if live else identity.home_region)
    chosen = [c for c in COLLECTORS if not options.collectors or c.name in options.collectors]
    tasks: list[tuple[Collector, str]] = [(c, region) for c in chosen if c.scope == "regional" for region in live] + [
        (c, home) for c in chosen if c.scope == "global" and live
    ]
    progress.add(len(tasks))

    def run(task: tuple[Collector, str]) -> list[Resource]:
        collector, region = task
        ctx = Context(fetch, Where(identity.account, region, identity.partition), facts, tuple(live), pool=pool)
        return _run_one(collector, ctx, progress)

    try:
        for found in pool.map(run, tasks):  # re-raises a credential failure: exit 2 (one account: its error)
            resources.extend(found)
    finally:
        progress.close()
    link(resources, facts, fetch)
    if account_name is None:
        account_name = _alias(fetch, identity.home_region)
    for resource in resources:
        resource.account_name = account_name
    if fetch.failures:
        notes.append(
            f"{len(fetch.failures)} read(s) failed; dependent checks report error (first: {fetch.failures[0]})"
        )
    resources.sort(key=lambda r: (r.type, r.region or "", r.address))
    return LiveScan(
        identity.account,
        regions,
        resources,
        notes,
        enabled,
        {**disabled, **unreachable},
        identity.arn,
        account_name,
        started,
        now(),
    )


def _alias(fetch: Fetcher, region: str) -> str | None:
    """The account's IAM alias: its name when Organizations did not give one (None without an alias)."""
    answer = fetch.call(ACCOUNT_ALIAS, region)
    aliases = answer.data.get("AccountAliases") if answer.ok else None
    return str(aliases[0]) if isinstance(aliases, list) and aliases else None


def _run_one(collector: Collector, ctx: Context, progress: Progress) -> list[Resource]:
    try:
        return collector.run(ctx)
    except CredentialFailure:
        raise
    except Exception as exc:
        # A shape we did not expect must not end the scan: its resources report error.
        reason = f"collector {collector.name} failed in {ctx.where.region}: {type(exc).__name__}: {exc}"
        return [placeholder(t, ctx.where, reason) for t in collector.types]
    finally:
        progress.step(f"{ctx.where.region} {collector.name}")


def _region_error(account: str, partition: str, region: str, reason: str) -> Resource:
    resource = placeholder("account_region", Where(account, region, partition), reason)
    resource.address = f"account/{account}/{region}"
    resource.name = region
    return resource
