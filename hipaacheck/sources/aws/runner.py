"""Run every collector over every region concurrently, then link cross-resource facts.

A bounded thread pool runs (region, collector) tasks; each thread has its own
boto3 Session (see session.py). A region whose endpoint does not answer, or
that is not enabled, becomes an account_region resource whose fields are all
error gaps, so it shows up as `error` findings instead of disappearing.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3

from ...models import Resource
from .builder import Where, placeholder
from .calls import CredentialFailure, Fetcher
from .collectors import COLLECTORS
from .collectors.ec2 import PROBE
from .context import Collector, Context, Facts
from .link import link
from .options import ScanOptions
from .session import open_session, resolve_regions


@dataclass
class LiveScan:
    account: str
    regions: list[str]
    resources: list[Resource]
    notes: list[str] = field(default_factory=list)
    enabled_regions: list[str] | None = None  # every region enabled for the account, when it could be listed
    not_scanned: dict[str, str] = field(default_factory=dict)  # requested region that could not be scanned: why
    caller_arn: str = ""  # who scanned (sts:GetCallerIdentity), for the report header


class Progress:
    """A one-line counter on stderr; only when asked (stderr is a terminal and not --quiet)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self.done = 0
        self.lock = threading.Lock()

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
    quiet_sdk_logs()
    factory, identity = open_session(options, on_session)
    regions, disabled, enabled = resolve_regions(factory, identity, options.regions)
    fetch = Fetcher(factory.client, options.max_attempts)
    facts = Facts()
    resources: list[Resource] = []
    notes: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="hipaacheck") as pool:
        probes = {region: pool.submit(fetch.call, PROBE, region) for region in regions}
        unreachable = {r: p.result().error or "" for r, p in probes.items() if p.result().unreachable}
        for region, reason in {**disabled, **unreachable}.items():
            resources.append(_region_error(identity.account, identity.partition, region, reason))
            notes.append(f"region {region} was not scanned: {reason}")
        live = [r for r in regions if r not in unreachable]
        home = identity.home_region if identity.home_region in live else (live[0] if live else identity.home_region)
        tasks: list[tuple[Collector, str]] = [
            (c, region) for c in COLLECTORS if c.scope == "regional" for region in live
        ] + [(c, home) for c in COLLECTORS if c.scope == "global" and live]
        progress = Progress(options.progress, len(tasks))
        futures: list[Future[list[Resource]]] = []
        for collector, region in tasks:
            ctx = Context(fetch, Where(identity.account, region, identity.partition), facts, tuple(live))
            futures.append(pool.submit(_run_one, collector, ctx, progress))
        try:
            for future in futures:
                resources.extend(future.result())  # re-raises a credential failure: exit 2
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        finally:
            progress.close()
        link(resources, facts, fetch)
    if fetch.failures:
        notes.append(
            f"{len(fetch.failures)} read(s) failed; dependent checks report error (first: {fetch.failures[0]})"
        )
    resources.sort(key=lambda r: (r.type, r.region or "", r.address))
    return LiveScan(identity.account, regions, resources, notes, enabled, {**disabled, **unreachable}, identity.arn)


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
