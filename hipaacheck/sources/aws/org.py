"""The accounts of an AWS Organization, listed from the management account or a delegated administrator.

Only ACTIVE accounts are scanned: a suspended or closing account cannot be
signed into, so assuming a role there would only add error findings; the
report's notes name every account left out and why. ``--ou`` lists the unit's
own accounts and, recursively, those of every unit under it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from .calls import Call, Fetcher, calls
from .targets import Target

# ListAccounts, ListAccountsForParent and ListChildren return at most 20 per page.
PAGE = {"PageSize": 20}

ORG_CALLS = calls(
    Call(
        "organizations",
        "describe_organization",
        "organizations:DescribeOrganization",
        note="the organisation's id, for the report",
    ),
    Call(
        "organizations",
        "list_accounts",
        "organizations:ListAccounts",
        paginate=True,
        note="every account of the organisation (--org)",
    ),
    Call(
        "organizations",
        "list_accounts_for_parent",
        "organizations:ListAccountsForParent",
        paginate=True,
        note="the accounts directly in an organisational unit (--ou)",
    ),
    Call(
        "organizations",
        "list_children",
        "organizations:ListChildren",
        paginate=True,
        note="the organisational units under one (--ou), recursively",
    ),
)
C = ORG_CALLS

_HOW_TO = "run from the management account or a delegated administrator, or name the accounts with --accounts"


@dataclass
class Organization:
    id: str | None  # o-..., None when DescribeOrganization was not allowed
    targets: list[Target]  # ACTIVE accounts in scope, sorted by id
    notes: list[str] = field(default_factory=list)


def _state(account: dict[str, Any]) -> str:
    # State (2025) replaces Status; both say ACTIVE for an account that can be scanned.
    return str(account.get("State") or account.get("Status") or "UNKNOWN")


def list_organization(fetch: Fetcher, region: str, ou: str | None) -> Organization:
    """The organisation's id and its ACTIVE accounts (those under ``ou`` when given)."""
    described = fetch.call(C["describe_organization"], region)
    notes: list[str] = []
    org_id: str | None = None
    if described.error:
        if "AWSOrganizationsNotInUseException" in described.error:
            raise InputError(f"this account is not in an AWS Organization ({described.error}); use --accounts")
        notes.append(f"the organisation's id could not be read: {described.error}")
    else:
        org_id = str(described.data.get("Organization", {}).get("Id") or "") or None
    accounts = _accounts_under(fetch, region, ou) if ou else _all_accounts(fetch, region)
    targets: dict[str, Target] = {}
    left_out: list[str] = []
    for account in accounts:
        account_id = str(account.get("Id", ""))
        if not account_id:
            continue
        if _state(account) != "ACTIVE":
            left_out.append(f"{account_id} ({_state(account).lower()})")
            continue
        name = account.get("Name")
        targets[account_id] = Target(account_id, str(name) if name else None)
    if left_out:
        notes.append(f"{len(left_out)} account(s) not ACTIVE were not scanned: {', '.join(sorted(left_out))}")
    if not targets:
        where = f"organisational unit {ou}" if ou else "the organisation"
        raise InputError(f"no ACTIVE account in {where}")
    return Organization(org_id, sorted(targets.values(), key=lambda t: t.id), notes)


def _all_accounts(fetch: Fetcher, region: str) -> list[dict[str, Any]]:
    listed = fetch.call(C["list_accounts"], region, PaginationConfig=PAGE)
    if listed.error:
        raise InputError(f"cannot list the organisation's accounts ({listed.error}): {_HOW_TO}")
    return [a for a in listed.data.get("Accounts", []) if isinstance(a, dict)]


def _accounts_under(fetch: Fetcher, region: str, ou: str) -> list[dict[str, Any]]:
    """Accounts in ``ou`` and every unit below it (breadth first; each unit once)."""
    accounts: list[dict[str, Any]] = []
    seen: set[str] = set()
    pending = [ou]
    while pending:
        parent = pending.pop(0)
        if parent in seen:
            continue
        seen.add(parent)
        listed = fetch.call(C["list_accounts_for_parent"], region, ParentId=parent, PaginationConfig=PAGE)
        if listed.error:
            raise InputError(f"--ou {ou}: cannot list the accounts of {parent} ({listed.error}): {_HOW_TO}")
        accounts.extend(a for a in listed.data.get("Accounts", []) if isinstance(a, dict))
        children = fetch.call(
            C["list_children"], region, ParentId=parent, ChildType="ORGANIZATIONAL_UNIT", PaginationConfig=PAGE
        )
        if children.error:
            raise InputError(f"--ou {ou}: cannot list the units under {parent} ({children.error}): {_HOW_TO}")
        pending.extend(str(c["Id"]) for c in children.data.get("Children", []) if isinstance(c, dict) and "Id" in c)
    return accounts
