"""``hipaacheck merge``: reports of several accounts (shards of an organisation scan) as one report.

How inputs combine:

* **Findings** are de-duplicated: the same policy, resource address, account
  and region is one finding. When the inputs disagree on its status (the same
  account scanned by two shards at different times, say), the worse status by
  the tool's order -- fail, error, unknown, waived, skipped, pass -- is kept,
  never the better one, and the disagreement is listed in
  ``source.conflicts`` (each input's status) with one note. A finding an
  input waived stays waived with that input's waiver while the waiver is
  current; an expired one is a failure again.
* Findings that name **no account** (a plan's) from two different sources
  with the same policy and address cannot be told apart in one report: merge
  refuses them with one line rather than fold two resources into one.
* ``source.accounts`` is the union of the inputs' accounts (an account in
  several inputs: the union of its regions, its earliest start and latest
  finish, and ``error`` if any input could not scan it); ``source.inputs``
  lists every input with its own ``content_sha256``.
* **Shards**: when inputs come from ``scan aws --org --shard I/N``, every
  shard 1..N must be there. A missing one is an ``error`` finding
  (``merge-missing-shard``, critical), so the merged result is ``incomplete``
  (exit 3) rather than a pass over the accounts no one scanned.
* The **gate** is decided afresh from the merged findings with the merge's
  own --fail-on, --fail-on-unknown, --allow-incomplete, --exit-zero,
  waivers and baseline; the inputs' ``gating`` and ``result`` are not used.
* ``policies`` is the most any input ran; ``resources`` the inputs' sum when
  no account or plan is in two of them, else the distinct resources the merged
  findings name (a count the overlap cannot inflate).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from .merge_inputs import MergeInput
from .models import Finding, Resource, Severity, Status
from .report import STATUS_ORDER, Location, Report, Waiver, finding_key
from .sources.errors import InputError

KIND = "merged"
MISSING_SHARD = "merge-missing-shard"
_RANK = {status: i for i, status in enumerate(STATUS_ORDER)}
_SHARD = re.compile(r"^(\d+)/(\d+)$")

MergeKey = tuple[str, str, str | None, str | None]  # policy id, address, account, region


class RecordedLocations:
    """The file and line each input recorded for its findings (a merge has no Terraform sources to read)."""

    def __init__(self, locations: dict[int, Location]) -> None:
        self.locations = locations

    def locate(self, finding: Finding) -> Location | None:
        return self.locations.get(id(finding))


def _key(finding: Finding) -> MergeKey:
    r = finding.resource
    return (finding.policy_id, r.address, r.account, r.region)


def _identity(item: MergeInput) -> str:
    """What an input scanned, for telling two sources of account-less findings apart."""
    source = item.source
    return f"{source.get('kind')}:{source.get('path') or source.get('account') or item.path}"


def merge_reports(inputs: list[MergeInput], fail_on: Severity, today: date | None = None) -> Report:
    today = today or datetime.now(UTC).date()
    kept: dict[MergeKey, tuple[Finding, MergeInput]] = {}
    seen: dict[MergeKey, list[tuple[str, Status]]] = defaultdict(list)
    for item in inputs:
        for finding in item.findings:
            key = _key(finding)
            seen[key].append((item.path, finding.status))
            previous = kept.get(key)
            if previous is None:
                kept[key] = (finding, item)
                continue
            if finding.resource.account is None and _identity(previous[1]) != _identity(item):
                raise InputError(
                    f"{item.path}: {finding.policy_id} on {finding.resource.address} is also in {previous[1].path}, "
                    "a different source, and neither names an account: the merged report could not tell the two "
                    "resources apart (merge live scans, or reports of one plan)"
                )
            if _RANK[finding.status] < _RANK[previous[0].status]:
                kept[key] = (finding, item)
    findings: list[Finding] = []
    locations: dict[int, Location] = {}
    carried: dict[tuple[Any, ...], Waiver] = {}
    notes: list[str] = []
    for key in sorted(kept, key=lambda k: (k[0], k[1], k[2] or "", k[3] or "")):
        finding, item = kept[key]
        findings.append(finding)
        if id(finding) in item.locations:
            locations[id(finding)] = item.locations[id(finding)]
        waiver = item.waivers.get(id(finding))
        if waiver is not None:
            if waiver.expires < today:
                finding.status = Status.FAIL
                notes.append(
                    f"{item.path}: the waiver of {finding.policy_id} on {finding.resource.address} expired on "
                    f"{waiver.expires.isoformat()}; the finding fails again"
                )
            else:
                carried[finding_key(finding)] = waiver
    conflicts = [_conflict(key, seen[key], kept[key][0].status) for key in sorted(seen, key=str) if _differs(seen[key])]
    if conflicts:
        notes.append(
            f"{len(conflicts)} finding(s) have different statuses in different inputs; the worse status is kept "
            "(see source.conflicts)"
        )
    findings += _missing_shards(inputs)
    report = Report(
        source=_source(inputs, conflicts),
        findings=findings,
        fail_on=fail_on,
        policy_count=max(i.document.policies for i in inputs),
        resource_count=_resources(inputs, findings),
        notes=[f"{i.path}: {note}" for i in inputs for note in i.document.notes] + notes + _differences(inputs),
        waivers=carried,
        locator=RecordedLocations(locations),
    )
    report.selection, report.parameters = _common_selection(inputs)
    return report


def _differs(statuses: list[tuple[str, Status]]) -> bool:
    return len({status for _, status in statuses}) > 1


def _conflict(key: MergeKey, statuses: list[tuple[str, Status]], kept: Status) -> dict[str, Any]:
    policy_id, address, account, region = key
    return {
        "policy_id": policy_id,
        "address": address,
        "account": account,
        "region": region,
        "kept": kept.value,
        "statuses": [{"input": path, "status": status.value} for path, status in statuses],
    }


def _resources(inputs: list[MergeInput], findings: list[Finding]) -> int:
    scopes: list[str] = []
    for item in inputs:
        accounts = {a["id"] for a in account_entries(item)} or {f.resource.account for f in item.findings}
        scopes += sorted(a or _identity(item) for a in accounts) or [_identity(item)]
    if len(scopes) == len(set(scopes)):
        return sum(i.document.resources for i in inputs)
    return len({(f.resource.type, f.resource.address, f.resource.account, f.resource.region) for f in findings})


def _common_selection(inputs: list[MergeInput]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    selections = [i.document.selection for i in inputs]
    parameters = [i.document.parameters for i in inputs]
    selection = selections[0] if all(s == selections[0] for s in selections) else None
    parameter = parameters[0] if all(p == parameters[0] for p in parameters) else None
    return selection or {}, parameter or {}


def _differences(inputs: list[MergeInput]) -> list[str]:
    notes = []
    if len({repr(i.document.selection) for i in inputs}) > 1:
        notes.append("the inputs evaluated different policy selections (--policy, --skip-policy, --min-severity)")
    if len({repr(i.document.parameters) for i in inputs}) > 1:
        notes.append("the inputs evaluated policies with different parameter values")
    return notes


# ---------------------------------------------------------------- accounts, organisation, shards


def account_entries(item: MergeInput) -> list[dict[str, Any]]:
    """The accounts an input covers: its ``source.accounts`` (1.6), else one made from a live report's account."""
    accounts = item.document.source.accounts
    if accounts is not None:
        return [a.model_dump() for a in accounts]
    source = item.source
    if source.get("kind") == "aws" and isinstance(source.get("account"), str):
        regions = source.get("regions")
        return [
            {
                "id": source["account"],
                "name": None,
                "regions": [str(r) for r in regions] if isinstance(regions, list) else [],
                "started_at": None,  # a report before 1.6 records only when it was written
                "finished_at": item.document.generated_at,
                "status": "scanned",
                "error": None,
            }
        ]
    return []


def _union_accounts(inputs: list[MergeInput]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for item in inputs:
        for entry in account_entries(item):
            have = merged.get(entry["id"])
            if have is None:
                merged[entry["id"]] = {**entry, "regions": sorted(set(entry["regions"]))}
                continue
            have["name"] = have["name"] or entry["name"]
            have["regions"] = sorted(set(have["regions"]) | set(entry["regions"]))
            have["started_at"] = _earliest(have["started_at"], entry["started_at"])
            have["finished_at"] = _latest(have["finished_at"], entry["finished_at"])
            if entry["status"] == "error":  # an input that could not scan it keeps the account in error
                have["status"] = "error"
                have["error"] = "; ".join(e for e in (have["error"], entry["error"]) if e) or None
    return [merged[k] for k in sorted(merged)]


def _earliest(a: str | None, b: str | None) -> str | None:
    return min((x for x in (a, b) if x), default=None)


def _latest(a: str | None, b: str | None) -> str | None:
    return max((x for x in (a, b) if x), default=None)


def _organizations(item: MergeInput) -> list[dict[str, Any]]:
    organization = item.source.get("organization")
    found = [organization] if isinstance(organization, dict) else []
    for nested in item.source.get("inputs") or []:
        source = nested.get("source") if isinstance(nested, dict) else None
        if isinstance(source, dict) and isinstance(source.get("organization"), dict):
            found.append(source["organization"])
    return found


def _organization(inputs: list[MergeInput]) -> dict[str, Any] | None:
    found = [o for item in inputs for o in _organizations(item)]
    if not found:
        return None

    def common(key: str) -> Any:
        values = {repr(o.get(key)) for o in found}
        return found[0].get(key) if len(values) == 1 else None

    roles = sorted({str(o.get("role")) for o in found if o.get("role")})
    return {"id": common("id"), "ou": common("ou"), "role": ", ".join(roles), "shard": None}


def _shards(inputs: list[MergeInput]) -> tuple[set[int], int | None]:
    present: set[int] = set()
    total: int | None = None
    for item in inputs:
        for organization in _organizations(item):
            shard = organization.get("shard")
            match = _SHARD.match(shard) if isinstance(shard, str) else None
            if match is None:
                continue
            index, count = int(match.group(1)), int(match.group(2))
            if total is not None and count != total:
                raise InputError(
                    f"{item.path}: shard {shard} is one of {count} shards, but another input is one of {total}; "
                    "merge the shards of one sharded scan"
                )
            total = count
            present.add(index)
    return present, total


def _missing_shards(inputs: list[MergeInput]) -> list[Finding]:
    present, total = _shards(inputs)
    if total is None:
        return []
    organization = _organization(inputs) or {}
    where = organization.get("id") or "organization"
    missing = [i for i in range(1, total + 1) if i not in present]
    return [
        Finding(
            policy_id=MISSING_SHARD,
            title="Every shard of a sharded organisation scan is merged",
            severity=Severity.CRITICAL,
            status=Status.ERROR,
            safeguards=(),
            resource=Resource(
                type="organization",
                address=f"organization/{where}/shard/{index}-of-{total}",
                source="aws",
                attrs={},
                name=f"shard {index}/{total}",
            ),
            message=f"shard {index}/{total} is not among the merged reports: the accounts it holds were not "
            "scanned, or their report is missing, so nothing here says whether they comply",
            remediation=f"Run `hipaacheck scan aws --org --shard {index}/{total} --format json` (it may have "
            "failed or been cancelled) and merge again with every shard's report.",
        )
        for index in missing
    ]


def _source(inputs: list[MergeInput], conflicts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": KIND,
        "accounts": _union_accounts(inputs),
        "organization": _organization(inputs),
        "inputs": [item.entry() for item in inputs],
        "conflicts": conflicts,
    }
