"""``hipaacheck report`` and ``hipaacheck matrix --reports/--attestations``: what cli.py calls."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ..attest.commands import attestations_path, load_and_evaluate
from ..attest.model import AttestationResult
from ..output import check_writable, write_atomic
from ..paths import portable_path
from ..policy.model import Policy
from ..sources.errors import InputError
from .inputs import load_reports
from .integrity import InputFile

EXIT_OK = 0
EXIT_MISMATCH = 1


def _attestations(given: Path | None, today: date) -> tuple[str | None, str | None, list[AttestationResult]]:
    path = attestations_path(given, required=False)
    if path is None:
        return None, None, []
    attestations, results = load_and_evaluate(path, today)
    return str(path), attestations.organization, results


def cmd_verify(pack: Path, inputs: Sequence[Path], html: Path | None, markdown: Path | None, embed: bool) -> int:
    """``report --verify PACK INPUTS...``: one line, exit 0 when the pack matches its inputs, 1 when not."""
    from .integrity import verify

    if html is not None or markdown is not None or embed:
        raise InputError("report --verify checks a pack; it takes no --html, --markdown or --embed-evidence")
    result = verify(pack, list(inputs))
    print(f"hipaacheck: {result.line}")
    return EXIT_OK if result.ok else EXIT_MISMATCH


def _input_files(
    reports: Sequence[Path], attestations: str | None, results: list[AttestationResult]
) -> list[InputFile]:
    from .embed import local_documents
    from .integrity import input_file

    files = [input_file("report", path) for path in reports]
    if attestations is not None:
        files.append(input_file("attestations", Path(attestations)))
    files += [input_file("document", path) for path in local_documents(results)]
    return files


def cmd_report(
    reports: Sequence[Path],
    attestations: Path | None,
    html: Path | None,
    markdown: Path | None,
    today: date | None,
    embed: bool = False,
) -> int:
    from .html import render_html
    from .integrity import seal
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
    inputs = _input_files(reports, file, results)
    embedded = None
    if embed:
        from .embed import embed_documents

        embedded = embed_documents(results)
    pack = build_pack(
        scans,
        results,
        as_of=as_of,
        attestation_file=None if file is None else portable_path(file),
        organization=organization,
        inputs=inputs,
        embedded=embedded,
    )
    pages = []
    if html is not None:
        pages.append((html, seal(render_html(pack, html.parent))))
    if markdown is not None:
        pages.append((markdown, seal(render_markdown(pack, markdown.parent))))
    written = []
    for target, text in pages:  # both rendered before either is written: a failure leaves no half pack
        write_atomic(target, text)
        written.append(str(target))
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
