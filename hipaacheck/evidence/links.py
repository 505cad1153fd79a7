"""Text and links shared by the HTML and Markdown pages: redaction first, then each format's escaping."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from ..attest.model import Attestation, AttestationResult
from ..display import redact
from ..models import Status
from ..policy_docs_link import CLONE, DOCS_DIR, builtin_ids, policy_doc_url
from ..safe_text import flat


def clean(value: object) -> str:
    """Every value taken from an input passes through here before any format escapes it: one line, no controls."""
    return redact(flat(str(value)))


def evidence_href(attestation: Attestation, page_dir: Path) -> str | None:
    """A link to the attestation's evidence from a page written in ``page_dir``, or None if not linkable."""
    evidence = attestation.evidence
    if evidence.uri is not None:
        if not evidence.uri.lower().startswith(("https://", "http://")):
            return None
        return quote(evidence.uri, safe=":/?#[]@!$&'()*+,;=%-._~")
    if evidence.path is None:
        return None
    page = page_dir.resolve()
    common = Path(os.path.commonpath([evidence.path, page]))
    if not common.is_relative_to(Path.cwd().resolve()):
        # The link would climb out of the working directory and name this machine's folders on the way
        # back down (an absolute path in disguise, and one that breaks once the pack is mailed).
        return None
    relative = os.path.relpath(evidence.path, page)
    return quote(Path(relative).as_posix())


def policy_href(policy_id: str, page_dir: Path) -> str | None:
    """A link to a built-in policy's documentation page from a page written in ``page_dir``.

    Its web address when one is known (see policy_docs_link), else the page in
    this clone's docs/policies relative to the evidence pack when the pack is
    written inside the clone, else None: the policy id is shown as text. A pack
    written elsewhere would need a path out of its folder that names the
    machine's directories (and breaks as soon as the pack is mailed).
    """
    url = policy_doc_url(policy_id)
    if url is not None:
        return url
    page = DOCS_DIR / f"{policy_id}.md"
    if policy_id not in builtin_ids() or not page.is_file():
        return None
    here, clone = page_dir.resolve(), CLONE.resolve()
    if not here.is_relative_to(clone):
        return None
    return quote(Path(os.path.relpath(page, here)).as_posix())


def signed_line(attestation: Attestation) -> str:
    if attestation.signed_at is None:
        return "not signed yet"
    return f"signed by {attestation.signed_by} on {attestation.signed_at.isoformat()}"


def decision_line(attestation: Attestation) -> str:
    if not attestation.applicable:
        return f"does not apply: {attestation.rationale}"
    if attestation.decision is None:
        return ""
    specs = ", ".join(spec.citation for spec in attestation.addressable())
    text = f"addressable decision for {specs}: {attestation.decision}"
    return f"{text} ({attestation.rationale})" if attestation.rationale else text


def result_line(result: AttestationResult) -> str:
    """What the attestation's state is, in words."""
    why = "; ".join(result.reasons)
    if result.status is Status.FAIL:
        return f"does not count: {why}"
    if result.due_soon:
        return f"review due in {result.days_left} days; {why}"
    return why


def evidence_state(result: AttestationResult) -> str:
    return {
        "verified": "file present, sha256 verified",
        "present": "file present (no sha256 recorded)",
        "remote": "remote link, not fetched",
        "missing": "file missing",
        "mismatch": "file changed since signing",
        "placeholder": "not given yet",
        "unreadable": "cannot be checked",
    }.get(result.evidence_state, result.evidence_state)
