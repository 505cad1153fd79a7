"""The Security Rule coverage matrix, generated from the loaded policies (never kept by hand)."""

from __future__ import annotations

from collections.abc import Sequence

from .policy.model import Policy
from .safeguards import SPECIFICATIONS, Specification, covers

NO_CHECK = "no automated check"
_KIND = {"standard": "std", "required": "R", "addressable": "A"}


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


def render_matrix(policies: Sequence[Policy]) -> str:
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
