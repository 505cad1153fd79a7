"""``hipaacheck attest init`` and ``attest check``: what cli.py calls."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from ..display import redact
from ..models import Status
from ..output import write_atomic
from ..sources.errors import InputError
from .evaluate import evaluate
from .loader import load_attestations
from .model import DEFAULT_FILE, AttestationResult, AttestationSet
from .template import ITEMS, render_template

EXIT_OK, EXIT_FAIL = 0, 1


def attestations_path(given: Path | None, *, required: bool) -> Path | None:
    """The file given, else ./hipaacheck-attestations.yaml if it exists (or an error when it must)."""
    if given is not None:
        if not given.is_file():
            raise InputError(f"{given}: attestations file not found")
        return given
    default = Path(DEFAULT_FILE)
    if default.is_file():
        return default
    if required:
        raise InputError(f"{DEFAULT_FILE} not found (write one with `hipaacheck attest init`, or pass --attestations)")
    return None


def load_and_evaluate(path: Path, today: date) -> tuple[AttestationSet, list[AttestationResult]]:
    attestations = load_attestations(path, today)
    return attestations, evaluate(attestations, today)


def cmd_init(output: Path | None, force: bool) -> int:
    text = render_template()
    if output is not None and str(output) == "-":
        sys.stdout.write(text)
        return EXIT_OK
    target = output or Path(DEFAULT_FILE)
    if target.exists() and not force:
        raise InputError(f"{target}: already exists; use --force to overwrite it")
    write_atomic(target, text)
    print(
        f"wrote {target}: {len(ITEMS)} attestations to fill in and sign; "
        "`hipaacheck attest check` fails each one until it is done"
    )
    return EXIT_OK


def cmd_check(given: Path | None, today: date | None) -> int:
    path = attestations_path(given, required=True)
    assert path is not None
    _, results = load_and_evaluate(path, today or date.today())
    sys.stdout.write(render_check(results, str(path)))
    return EXIT_FAIL if any(r.status is Status.FAIL for r in results) else EXIT_OK


def render_check(results: list[AttestationResult], file: str) -> str:
    from tabulate import tabulate

    rows = []
    for result in sorted(results, key=lambda r: (r.status is Status.PASS, r.attestation.line)):
        a = result.attestation
        due = a.due.isoformat() if a.due else "-"
        why = "; ".join(result.reasons)
        if result.due_soon and result.days_left is not None:
            why = f"review due in {result.days_left} days; {why}"
        rows.append([result.status.value.upper(), f"{a.id}\n{', '.join(a.safeguards)}", due, redact(why)])
    table = tabulate(
        rows,
        headers=["STATUS", "ATTESTATION / SAFEGUARDS", "DUE", "WHY"],
        tablefmt="simple",
        maxcolwidths=[None, 36, None, 48],
    )
    failed = sum(1 for r in results if r.status is Status.FAIL)
    verdict = f"FAILED: {failed} need attention" if failed else "all current"
    return (
        f"{file}\n\n{table}\n\n{len(results)} attestations ({len(results) - failed} pass, {failed} fail). {verdict}\n"
    )
