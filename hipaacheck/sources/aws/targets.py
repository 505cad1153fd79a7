"""Which accounts a multi-account scan covers: ids, names, the role to assume, the shard. Free of boto3.

Sharding (--shard I/N) is by a stable hash of the account id: an account
belongs to shard ``sha256(id) mod N + 1``. An account's shard depends on
nothing but its id and N, so N CI jobs that list the organisation at
slightly different moments (an account created or closed in between) still
never scan an account twice, and each job needs no knowledge of the others.
The price is balance: shards of a small organisation differ in size by a few
accounts (20 accounts over 3 shards gave 5, 7 and 8 in the test organisation).
Sorting the ids and taking every N-th would balance exactly, but an account
added between two jobs' listings would shift every later account to another
shard: one account scanned twice and another not at all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InputError
from .options import Shard

_ACCOUNT_ID = re.compile(r"\d{12}")
# IAM role names (and optional paths): letters, digits and +=,.@_- ; the name at most 64 characters.
_ROLE = re.compile(r"(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}", re.ASCII)
# Organizations ids: an OU (ou-<root part>-<ou part>) or the root itself (r-...).
_PARENT = re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32}")


@dataclass(frozen=True, slots=True)
class Target:
    """One account to scan, and what Organizations calls it (None when it was not listed there)."""

    id: str
    name: str | None = None


def check_account_id(text: str, flag: str) -> str:
    account = text.strip()
    if not _ACCOUNT_ID.fullmatch(account):
        shown = account if len(account) <= 40 else account[:40] + "..."
        raise InputError(f"{flag}: {shown!r} is not an AWS account id (12 digits)")
    return account


def parse_accounts(text: str) -> tuple[str, ...]:
    """--accounts 111122223333,444455556666: twelve-digit ids, comma-separated; duplicates dropped."""
    return tuple(dict.fromkeys(check_account_id(part, "--accounts") for part in text.split(",")))


def parse_shard(text: str) -> Shard:
    """--shard I/N with 1 <= I <= N."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*/\s*(\d{1,6})\s*", text)
    if not match:
        raise InputError(f"--shard {text!r}: expected I/N, e.g. 2/3 (the second of three shards)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise InputError(f"--shard {text!r}: I must be between 1 and N, and N at least 1")
    return Shard(index, count)


def check_role_name(name: str) -> str:
    if not _ROLE.fullmatch(name):
        raise InputError(f"--org-role {name!r} is not an IAM role name (letters, digits, +=,.@_- and / for a path)")
    return name


def check_parent_id(ou: str) -> str:
    if not _PARENT.fullmatch(ou):
        raise InputError(f"--ou {ou!r} is not an organisational unit id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)")
    return ou


def shard_of(account_id: str, count: int) -> int:
    """The shard (1-based) an account belongs to when accounts are split N ways (see the module docstring)."""
    return int.from_bytes(hashlib.sha256(account_id.encode("ascii")).digest()[:8], "big") % count + 1


def in_shard(targets: Iterable[Target], shard: Shard | None) -> list[Target]:
    """The targets of one shard, sorted by id (all of them, sorted, when there is no --shard)."""
    chosen = [t for t in targets if shard is None or shard_of(t.id, shard.count) == shard.index]
    return sorted(chosen, key=lambda t: t.id)


def role_arn(partition: str, account: str, role: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{role}"
