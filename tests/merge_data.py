"""Inputs for `hipaacheck merge` tests: real reports, changed the way another scan would have written them.

Until `scan aws --org` lands, an organisation's reports are made here from
real scans: a plan report whose findings are given an account (the same plan
deployed to two accounts), and a live report given the 1.6 ``source.accounts``
/ ``organization`` an organisation scan writes. Every changed report is
resealed (a fresh ``content_sha256``), as hipaacheck would have written it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hipaacheck.reporters.json_report import seal_report


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def reseal(path: Path, document: dict[str, Any]) -> Path:
    document = {**document, "content_sha256": "0" * 64}
    path.write_text(seal_report(json.dumps(document, indent=2)), encoding="utf-8")
    return path


def recount(document: dict[str, Any]) -> dict[str, Any]:
    """The summaries a report of these findings has (after findings were added or changed)."""
    statuses = ("pass", "fail", "unknown", "error", "skipped", "waived")
    document["summary"] = {s: sum(1 for f in document["findings"] if f["status"] == s) for s in statuses}
    by_account: dict[str, dict[str, int]] = {}
    for finding in document["findings"]:
        account = finding["resource"].get("account")
        if account:
            counts = by_account.setdefault(account, dict.fromkeys(statuses, 0))
            counts[finding["status"]] += 1
    document["summary_by_account"] = by_account
    return document


def with_account(source: Path, target: Path, account: str, name: str | None = None) -> Path:
    """A report whose every finding is in ``account`` (a plan deployed there)."""
    document = load(source)
    for finding in document["findings"]:
        finding["resource"]["account"] = account
        finding["resource"]["account_name"] = name
    return reseal(target, recount(document))


def as_org_scan(
    source: Path,
    target: Path,
    *,
    shard: str | None = None,
    org: str = "o-example",
    extra: Sequence[dict[str, Any]] = (),
) -> Path:
    """A live report as `scan aws --org` (1.6) writes one: source.accounts, organization, and error accounts."""
    document = load(source)
    src = document["source"]
    accounts = [
        {
            "id": src["account"],
            "name": f"acct-{src['account'][-4:]}",
            "regions": src["regions"],
            "started_at": document["generated_at"],
            "finished_at": document["generated_at"],
            "status": "scanned",
            "error": None,
        }
    ]
    for entry in extra:  # accounts whose role could not be assumed: one `account-scan` error finding each
        accounts.append({"regions": [], "started_at": None, "finished_at": None, "name": None, **entry})
        document["findings"].append(account_scan_error(entry["id"], entry["error"]))
    src["accounts"] = accounts
    src["organization"] = {"id": org, "ou": None, "role": "hipaacheck-audit", "shard": shard}
    return reseal(target, recount(document))


def account_scan_error(account: str, why: str) -> dict[str, Any]:
    return {
        "policy_id": "account-scan",
        "title": "The account could be scanned",
        "severity": "critical",
        "status": "error",
        "safeguards": ["164.308(a)(1)(ii)(A)"],
        "resource": {
            "type": "account",
            "address": f"account/{account}",
            "name": account,
            "source": "aws",
            "region": None,
            "account": account,
            "account_name": None,
            "action": None,
        },
        "message": why,
        "evidence": [],
        "remediation": "Create the hipaacheck-audit role in the account with the trust policy in the README.",
        "location": None,
        "waiver": None,
        "baseline": False,
        "gating": True,
    }


def unscannable(like: Path, target: Path, account: str, why: str) -> Path:
    """An organisation scan's report of one account whose role could not be assumed (as `scan aws --org` writes)."""
    document = load(like)  # the header (tool, version, policies) of a real report of this hipaacheck
    document["source"] = {
        "kind": "aws",
        "account": account,
        "regions": [],
        "accounts": [
            {
                "id": account,
                "name": "claims-legacy",
                "regions": [],
                "started_at": document["generated_at"],
                "finished_at": document["generated_at"],
                "status": "error",
                "error": why,
            }
        ],
        "organization": {"id": "o-example", "ou": None, "role": "hipaacheck-audit", "shard": None},
    }
    document["findings"] = [account_scan_error(account, why)]
    document["resources"] = 0
    return reseal(target, recount(document))
