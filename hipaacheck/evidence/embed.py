"""``report --embed-evidence``: the attested documents carried inside the pack, so it can be mailed as one file.

A text document (UTF-8) is shown in the page itself; any other file (a signed
PDF, a scan) becomes a download link holding its bytes (HTML only: Markdown
cannot carry them, and says so). Sizes are bounded so that a pack stays a
file one can mail; a document over the bound is refused with one line, and
nothing is written.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from ..attest.model import AttestationResult
from ..display import redact
from ..sources.errors import InputError
from .integrity import sha256_file

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Embedded:
    anchor: str  # "doc-1": the link target in the page
    name: str  # the file name (no directories)
    sha256: str
    size: int
    mime: str
    text: str | None  # the document, redacted, when it is UTF-8 text
    data: str | None  # base64 of the bytes otherwise
    redacted: bool = False  # the text shown differs from the file: a credential-shaped string was hidden


def local_documents(results: list[AttestationResult]) -> dict[Path, list[str]]:
    """Each local evidence file that exists, with the attestations that cite it (in order)."""
    found: dict[Path, list[str]] = {}
    for result in results:
        path = result.attestation.evidence.path
        if path is not None and path.is_file():
            found.setdefault(path, []).append(result.attestation.id)
    return found


def embed_documents(results: list[AttestationResult]) -> dict[Path, Embedded]:
    embedded: dict[Path, Embedded] = {}
    total = 0
    for i, path in enumerate(local_documents(results)):
        digest, size = sha256_file(path)
        if size > MAX_DOCUMENT_BYTES:
            raise InputError(
                f"{path.name}: evidence document too large to embed ({size // 2**20} MiB; the limit is "
                f"{MAX_DOCUMENT_BYTES // 2**20} MiB per document); share the documents beside the pack instead"
            )
        total += size
        if total > MAX_TOTAL_BYTES:
            raise InputError(
                f"the evidence documents are too large to embed together (over {MAX_TOTAL_BYTES // 2**20} MiB); "
                "share them beside the pack instead"
            )
        raw = path.read_bytes()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and "\x00" in text:
            text = None
        embedded[path] = Embedded(
            anchor=f"doc-{i + 1}",
            name=path.name,
            sha256=digest,
            size=size,
            mime=mime,
            text=None if text is None else redact(text),
            data=None if text is not None else base64.b64encode(raw).decode("ascii"),
            redacted=text is not None and redact(text) != text,
        )
    return embedded
