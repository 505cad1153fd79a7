"""The Security Rule coverage matrix, generated from policies and attestations (never kept by hand).

For every specification of 164.308, 164.310, 164.312, 164.314 and 164.316
the matrix says what covers it: automated policies, attestations, both, or
nothing; given scan results and evaluated attestations, also its current
status, the worst status of the findings and attestations that cover it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from .policy.model import Policy
from .safeguards import SPECIFICATIONS, Specification, covers, resolve

NO_CHECK = "no automated check"
NO_EVIDENCE = "no evidence"
NOT_APPLICABLE = "n/a"
_KIND = {"standard": "std", "required": "R", "addressable": "A"}

# Worst first. Skipped ranks below pass: it says "out of scope", not "checked
# and fine", so it shows only when nothing else covers the specification.
STATUS_RANK = {"fail": 5, "error": 4, "unknown": 3, "waived": 2, "pass": 1, "skipped": 0}

Evaluation = tuple[Sequence[str], str]  # (citations, status) of one finding or attestation result


class AttestationRef(Protocol):
    """What the matrix needs of an attestation (hipaacheck.attest.Attestation has it)."""

    @property
    def id(self) -> str: ...
    @property
    def safeguards(self) -> tuple[str, ...]: ...
    @property
    def applicable(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class MatrixRow:
    spec: Specification
    policies: tuple[str, ...]
    attestations: tuple[str, ...]
    status: str | None = None  # None when no results were given
    not_applicable: bool = False  # every attestation covering it says it does not apply

    @property
    def covered_by(self) -> str:
        if self.policies and self.attestations:
            return "both"
        if self.policies:
            return "policies"
        return "attestations" if self.attestations else "nothing"

    @property
    def shown_status(self) -> str | None:
        if self.status == "pass" and self.not_applicable:
            return NOT_APPLICABLE
        return self.status


def coverage(
    policies: Sequence[Policy], sections: Sequence[str] | None = None
) -> list[tuple[Specification, list[str]]]:
    rows = []
    for spec in SPECIFICATIONS:
        if sections and spec.section not in sections:
            continue
        ids = sorted({p.id for p in policies for citation in p.safeguards if covers(citation, spec)})
        rows.append((spec, ids))
    return rows


def policy_citations(policies: Sequence[Policy]) -> dict[str, tuple[str, ...]]:
    return {p.id: p.safeguards for p in policies}


def worst(statuses: Iterable[str]) -> str | None:
    ranked = [s for s in statuses if s in STATUS_RANK]
    return max(ranked, key=STATUS_RANK.__getitem__) if ranked else None


def full_matrix(
    policies: Mapping[str, Sequence[str]],
    attestations: Sequence[AttestationRef] = (),
    evaluations: Iterable[Evaluation] | None = None,
) -> list[MatrixRow]:
    """One row per specification. ``policies`` maps policy id -> citations; ``evaluations`` gives statuses."""
    by_spec: dict[str, list[str]] | None = None
    if evaluations is not None:
        by_spec = {spec.citation: [] for spec in SPECIFICATIONS}
        for citations, result in evaluations:
            for citation in {s.citation for s in map(resolve, citations) if s is not None}:
                by_spec[citation].append(result)
    rows = []
    for spec in SPECIFICATIONS:
        policy_ids = tuple(sorted({pid for pid, cites in policies.items() if any(covers(c, spec) for c in cites)}))
        covering = [a for a in attestations if any(covers(c, spec) for c in a.safeguards)]
        status: str | None = None
        if by_spec is not None:
            status = worst(by_spec[spec.citation]) or NO_EVIDENCE
        rows.append(
            MatrixRow(
                spec=spec,
                policies=policy_ids,
                attestations=tuple(a.id for a in covering),
                status=status,
                not_applicable=bool(covering) and all(not a.applicable for a in covering),
            )
        )
    return rows


def coverage_summary(rows: Sequence[MatrixRow]) -> str:
    by = {
        kind: sum(1 for r in rows if r.covered_by == kind) for kind in ("both", "policies", "attestations", "nothing")
    }
    return (
        f"{len(rows)} specifications: {by['both']} covered by policies and attestations, {by['policies']} by "
        f"policies only, {by['attestations']} by attestations only, {by['nothing']} by nothing."
    )


def status_summary(rows: Sequence[MatrixRow]) -> str:
    order = ["fail", "error", "unknown", "waived", "pass", NOT_APPLICABLE, "skipped", NO_EVIDENCE]
    counts = {s: sum(1 for r in rows if r.shown_status == s) for s in order}
    return "Status: " + ", ".join(f"{counts[s]} {s}" for s in order if counts[s]) + "."


def render_matrix(
    policies: Sequence[Policy],
    attestations: Sequence[AttestationRef] | None = None,
    evaluations: Iterable[Evaluation] | None = None,
) -> str:
    from tabulate import tabulate

    if attestations is None and evaluations is None:
        return _render_policies_only(policies)
    rows = full_matrix(policy_citations(policies), attestations or (), evaluations)
    table = []
    for row in rows:
        lines = list(row.policies) or [NO_CHECK]
        lines += [f"attested: {a}" for a in row.attestations]
        cells = [row.spec.citation, row.spec.name, _KIND[row.spec.kind], row.covered_by, "\n".join(lines)]
        if evaluations is not None:
            cells.append(row.shown_status or "")
        table.append(cells)
    headers = ["CITATION", "SPECIFICATION", "R/A", "COVERED BY", "POLICIES / ATTESTATIONS"]
    if evaluations is not None:
        headers.append("STATUS")
    text = tabulate(table, headers=headers, tablefmt="simple", maxcolwidths=[None, 28, None, None, None, None])
    lines = [text, "", coverage_summary(rows)]
    if evaluations is not None:
        lines.append(status_summary(rows))
    return "\n".join(lines) + "\n"


def _render_policies_only(policies: Sequence[Policy]) -> str:
    from tabulate import tabulate

    rows = coverage(policies)
    table = [[spec.citation, spec.name, _KIND[spec.kind], "\n".join(ids) if ids else NO_CHECK] for spec, ids in rows]
    covered = sum(1 for _, ids in rows if ids)
    text = tabulate(
        table,
        headers=["CITATION", "SPECIFICATION", "R/A", "POLICIES"],
        tablefmt="simple",
        maxcolwidths=[None, 28, None, None],
    )
    return f"{text}\n\n{covered} of {len(rows)} specifications have automated checks; the rest need attestations.\n"
