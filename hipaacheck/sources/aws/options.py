"""What a live scan was asked to do. Free of boto3 so the CLI can build it cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RetryMode = Literal["standard", "adaptive"]
DEFAULT_ORG_ROLE = "hipaacheck-audit"


@dataclass(frozen=True, slots=True)
class Shard:
    """--shard I/N: the I-th of N disjoint parts of the accounts (1-based; see targets.in_shard)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True, slots=True)
class OrgOptions:
    """Scan several accounts: those of the organisation (--org, --ou) or a given list (--accounts)."""

    role_name: str = DEFAULT_ORG_ROLE  # --org-role: assumed in every account
    external_id: str | None = None  # --external-id: what the role's trust policy requires
    use_organizations: bool = True  # --org; False: the ids in ``accounts``
    ou: str | None = None  # --ou: only this organisational unit and the units under it
    accounts: tuple[str, ...] = ()  # --accounts
    shard: Shard | None = None


@dataclass(frozen=True, slots=True)
class ScanOptions:
    profile: str | None = None
    regions: tuple[str, ...] = ()  # empty: every region enabled for the account
    role_arn: str | None = None
    external_id: str | None = None
    retry_mode: RetryMode = "adaptive"
    max_attempts: int = 5
    workers: int = 8  # the one pool's threads (--max-workers; the CLI's default is pool.default_workers())
    progress: bool = False  # draw a progress line on stderr
    org: OrgOptions | None = None  # several accounts; None: the credentials' own account
    collectors: tuple[str, ...] = ()  # only these collectors (by name; tests and benchmarks); empty: all
