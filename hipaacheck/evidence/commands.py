"""``hipaacheck report`` and ``hipaacheck matrix --reports/--attestations``: what cli.py calls."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ..attest.commands import attestations_path, load_and_evaluate
from ..attest.model import AttestationResult
from ..output import check_writable, write_atomic
from ..policy.model import Policy
from ..sources.errors import InputError
from .inputs import load_reports

EXIT_OK = 0


def _attestations(given: Path | None, today: date) -> tuple[str | None, str | None, list[AttestationResult]]:
    path = attestations_path(given, required=False)
    if path is None:
        return None, None, []
    attestations, results = load_and_evaluate(path, today)
    return str(path), attestations.organization, results


def cmd_report(
    reports: Sequence[Path],
    attestations: Path | None,
    html: Path | None,
    markdown: Path | None,
    today: date | None,
) -> int:
    from .html import render_html
    from .markdown import render_markdown
    from .model import build_pack

    if html is None and markdown is None:
        raise InputError("report: say where to write it: --html FILE and/or --markdown FILE")
    if html is not None and markdown is not None and html.resolve() == markdown.resolve():
        raise InputError(f"report: --html and --markdown are the same file ({html})")
    for target in (html, markdown):
        if target is not None:
            check_writable(target)
    as_of = today or date.today()
    scans = load_reports(list(reports))
    file, organization, results = _attestations(attestations, as_of)
    pack = build_pack(scans, results, as_of=as_of, attestation_file=file, organization=organization)
    written = []
    if html is not None:
        write_atomic(html, render_html(pack, html.parent))
        written.append(str(html))
    if markdown is not None:
        write_atomic(markdown, render_markdown(pack, markdown.parent))
        written.append(str(markdown))
    print(
        f"hipaacheck: evidence pack from {len(scans)} report(s) and {len(results)} attestation(s) "
        f"written to {' and '.join(written)}"
    )
    return EXIT_OK


def cmd_matrix(
    policies: Sequence[Policy], attestations: Path | None, reports: Sequence[Path], today: date | None
) -> int:
    from ..matrix import render_matrix

    as_of = today or date.today()
    _, _, results = _attestations(attestations, as_of)
    refs = [r.attestation for r in results]
    evaluations = None
    if reports:
        from .model import build_pack

        pack = build_pack(load_reports(list(reports)), results, as_of=as_of)
        evaluations = [(f.safeguards, f.status.value) for f in pack.findings]
        evaluations += [(r.attestation.safeguards, r.status.value) for r in results]
    elif results:
        evaluations = [(r.attestation.safeguards, r.status.value) for r in results]
    sys.stdout.write(render_matrix(policies, refs if results else None, evaluations))
    return EXIT_OK
