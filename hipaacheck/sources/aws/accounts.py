"""Scan several accounts (an organisation, or a list) from one identity, on one bounded pool.

The scanning identity (the management account, a delegated administrator,
or any identity the member roles trust) lists the accounts, then each
account's scan is one task on the pool: assume ``--org-role`` there, read
who we are, then fan the account's (region, collector) tasks out on the same
pool (pool.py). An account's clients and credentials are its own -- so
botocore's adaptive retry mode slows each account down on its own throttling
-- and are dropped when its scan ends; every account shares the one parsed
copy of the service models (session.ClientPool). At most ``--max-workers``
accounts are in flight, so memory follows the workers, not the accounts.

An account whose role cannot be assumed (or whose scan cannot start) is one
``error`` finding, policy ``account-scan`` on ``account/<id>``: never a
silent gap, and it keeps the verdict incomplete (exit 3) like any check that
could not run. The other accounts are scanned.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import boto3

from ...display import one_line, redact
from ...models import Finding, Resource, Severity, Status
from ..errors import InputError
from .calls import Fetcher
from .options import OrgOptions, ScanOptions
from .org import list_organization
from .pool import WorkPool
from .runner import LiveScan, Progress, now, quiet_sdk_logs, scan_with
from .session import ClientFactory, ClientPool, Identity, assume_role, client_config, identify, open_session
from .targets import Target, in_shard, role_arn

ACCOUNT_SCAN_ID = "account-scan"
TITLE = "The account could be scanned"
# Evaluation (164.308(a)(8)): an account left out of the technical evaluation is a gap in it.
SAFEGUARDS = ("164.308(a)(8)",)


@dataclass
class AccountOutcome:
    """One account's scan, or why there is none."""

    target: Target
    regions: list[str]
    started_at: Any
    finished_at: Any
    scan: LiveScan | None = None
    error: str | None = None

    def entry(self) -> dict[str, Any]:
        """The account's line in the JSON report's ``source.accounts``."""
        scan = self.scan
        return {
            "id": self.target.id,
            "name": scan.account_name if scan else self.target.name,
            "regions": scan.regions if scan else self.regions,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds"),
            "status": "scanned" if scan else "error",
            "error": self.error,
            "enabled_regions": scan.enabled_regions if scan else None,
            "regions_not_scanned": scan.not_scanned if scan else {},
        }


@dataclass
class OrgScan:
    caller: Identity
    options: OrgOptions
    organization_id: str | None
    outcomes: list[AccountOutcome]
    listed: int  # accounts in scope before --shard
    notes: list[str] = field(default_factory=list)

    @property
    def resources(self) -> list[Resource]:
        return [r for o in self.outcomes if o.scan for r in o.scan.resources]


def scan_accounts(options: ScanOptions, on_session: Callable[[boto3.Session], None] | None = None) -> OrgScan:
    """Every account the options name (Organizations or --accounts, then --shard), each with its role."""
    assert options.org is not None
    org = options.org
    quiet_sdk_logs()
    clients = ClientPool()  # one parsed copy of the service models for every account
    base, caller = open_session(replace(options, org=None), on_session, clients)
    _check_region_names(base, caller, options.regions)
    notes: list[str] = []
    organization_id: str | None = None
    if org.use_organizations:
        listing = list_organization(Fetcher(base.client, options.max_attempts), caller.home_region, org.ou)
        organization_id, everyone = listing.id, listing.targets
        notes.extend(listing.notes)
    else:
        everyone = [Target(account) for account in org.accounts]
    targets = in_shard(everyone, org.shard)
    if org.shard is not None:
        notes.append(f"shard {org.shard} holds {len(targets)} of the {len(everyone)} account(s) in scope")
    # Member roles are assumed with the scan's retry settings: an organisation's worth of AssumeRole calls
    # may be throttled, and must then wait, not fail.
    with clients.lock:
        sts = base.session().client(
            "sts", region_name=caller.home_region, config=client_config(options.retry_mode, options.max_attempts)
        )
    progress = AccountProgress(options.progress, len(targets))
    with WorkPool(options.workers) as pool:
        futures = [
            pool.submit(partial(_scan_target, t, sts, caller, options, clients, pool, progress, on_session))
            for t in targets
        ]
        try:
            outcomes = [future.result() for future in futures]
        finally:
            progress.close()
    for outcome in outcomes:
        if outcome.scan is not None:
            notes.extend(f"account {outcome.target.id}: {note}" for note in outcome.scan.notes)
    return OrgScan(caller, org, organization_id, outcomes, len(everyone), notes)


def _check_region_names(base: ClientFactory, caller: Identity, regions: tuple[str, ...]) -> None:
    """A --region that names no region is bad input (exit 2), not an error in every account."""
    if not regions:
        return
    with base.pool.lock:
        known = set(base.session().get_available_regions("ec2", caller.partition))
    unknown = [r for r in regions if r not in known]
    if unknown:
        raise InputError(f"unknown region {unknown[0]!r}")


def _scan_target(
    target: Target,
    sts: Any,
    caller: Identity,
    options: ScanOptions,
    clients: ClientPool,
    pool: WorkPool,
    progress: AccountProgress,
    on_session: Callable[[boto3.Session], None] | None,
) -> AccountOutcome:
    assert options.org is not None
    started = now()
    clock = time.monotonic()
    progress.started(target)
    factory: ClientFactory | None = None
    outcome = AccountOutcome(target, list(options.regions), started, started)
    try:
        arn = role_arn(caller.partition, target.id, options.org.role_name)
        credentials = assume_role(sts, arn, options.org.external_id)
        config = client_config(options.retry_mode, options.max_attempts)
        factory = ClientFactory(credentials, config, on_session, pool=clients, quick_start=False)
        identity = identify(factory, caller.home_region)
        if identity.account != target.id:
            raise InputError(f"role {arn} answers as account {identity.account}, not {target.id}")
        outcome.scan = scan_with(factory, identity, options, pool, Progress(False, 0), target.name, started)
    except InputError as exc:  # the role, the credentials or the account's regions: this account only
        outcome.error = str(exc)
    except Exception as exc:  # one account's surprise must not end the others' scans
        outcome.error = f"the scan of account {target.id} failed: {type(exc).__name__}: {exc}"
    finally:
        if factory is not None:
            factory.close()  # this account's clients go now; the shared models stay
        outcome.finished_at = now()
        progress.finished(outcome, time.monotonic() - clock)
    return outcome


def account_scan_finding(outcome: AccountOutcome, role: str) -> Finding:
    """The one error finding that stands for an account that could not be scanned."""
    target = outcome.target
    resource = Resource(
        type="account",
        address=f"account/{target.id}",
        source="aws",
        attrs={},
        name=target.name or target.id,
        account=target.id,
        account_name=target.name,
    )
    return Finding(
        policy_id=ACCOUNT_SCAN_ID,
        title=TITLE,
        # Critical: whatever --fail-on says, an account nobody looked at keeps the verdict open.
        severity=Severity.CRITICAL,
        status=Status.ERROR,
        safeguards=SAFEGUARDS,
        resource=resource,
        message=f"Could not be checked: {outcome.error}",
        remediation=(
            f"Create the role {role} in account {target.id} with the trust policy and read-only policy that "
            "`hipaacheck permissions --org` prints (CloudFormation StackSets with service-managed permissions "
            "deploy it to every member account, but not to the management account), or leave the account out "
            "of the scan with --ou or --accounts."
        ),
    )


class AccountProgress:
    """On a terminal: one line per account as it finishes, under a redrawn count of what is in flight."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self.done = 0
        self.running: dict[str, str] = {}
        self.lock = threading.Lock()

    def started(self, target: Target) -> None:
        with self.lock:
            self.running[target.id] = target.name or target.id
            self._status()

    def finished(self, outcome: AccountOutcome, seconds: float) -> None:
        with self.lock:
            self.done += 1
            self.running.pop(outcome.target.id, None)
            if not self.enabled:
                return
            label = outcome.target.id + (f" ({outcome.target.name})" if outcome.target.name else "")
            if outcome.scan is not None:
                what = (
                    f"scanned {len(outcome.scan.regions)} region(s), {len(outcome.scan.resources)} resources "
                    f"in {seconds:.1f} s"
                )
            else:
                what = f"error: {outcome.error}"
            line = redact(one_line(f"[{self.done}/{self.total}] {label}: {what}"))
            sys.stderr.write(f"\r\033[Khipaacheck: {line}\n")
            self._status()

    def _status(self) -> None:
        if self.enabled:
            names = ", ".join(list(self.running.values())[:3]) + (", ..." if len(self.running) > 3 else "")
            doing = redact(one_line(f"; scanning {names}")) if names else ""
            sys.stderr.write(f"\r\033[Khipaacheck: {self.done}/{self.total} accounts done{doing}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
