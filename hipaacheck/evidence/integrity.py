"""Integrity of the evidence pack: the sha256 of every input, and a digest of the pack's own content.

The pack lists the sha256 of each file it was made from (the scan reports,
the attestations file, the evidence documents it links or embeds) in a
visible table and again in a machine-readable manifest comment, and ends
with its content digest: the sha256 of the pack's own text with the digest's
64 hex digits written as zeros. ``hipaacheck report --verify PACK INPUTS...``
recomputes both, so a pack whose text was edited, or one made from reports
edited after the scan, is detected.

The digest shows that the pack is unchanged and which exact files it was
made from; it is not a signature (whoever edits the pack can recompute it):
keep the inputs, or sign the pack, to prove who made it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..paths import portable_path
from ..sources.errors import InputError

ZERO_DIGEST = "sha256:" + "0" * 64
_DIGEST = re.compile(r"sha256:([0-9a-f]{64})")
_MANIFEST = re.compile(r"<!-- hipaacheck-manifest v1 ([A-Za-z0-9_=-]+) -->")
MAX_PACK_BYTES = 1024 * 1024 * 1024
ROLES = {"report": "scan report", "attestations": "attestations file", "document": "evidence document"}
REQUIRED_ROLES = ("report", "attestations")  # a verification must be given these; documents are optional


@dataclass(frozen=True, slots=True)
class InputFile:
    role: str  # a key of ROLES
    name: str  # as shown: relative to the working directory, never an absolute local path
    sha256: str
    size: int


def sha256_file(path: Path) -> tuple[str, int]:
    """(hex digest, size in bytes) of a regular file; one line and exit 2 if it cannot be read."""
    digest = hashlib.sha256()
    size = 0
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise InputError(f"{path}: is not a regular file")
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        raise InputError(f"{path}: cannot read: file does not exist") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return digest.hexdigest(), size


def input_file(role: str, path: Path) -> InputFile:
    digest, size = sha256_file(path)
    return InputFile(role, portable_path(path), digest, size)


def manifest_comment(inputs: list[InputFile]) -> str:
    """The inputs as one comment line, the same in HTML and Markdown (base64url: no ``--`` or ``>``)."""
    doc = {"inputs": [{"role": i.role, "name": i.name, "sha256": i.sha256, "size": i.size} for i in inputs]}
    payload = base64.urlsafe_b64encode(json.dumps(doc, sort_keys=True).encode()).decode()
    return f"<!-- hipaacheck-manifest v1 {payload} -->"


def seal(text: str) -> str:
    """Write the content digest over the last ``ZERO_DIGEST`` placeholder (the page's last line holds it)."""
    at = text.rindex(ZERO_DIGEST)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{text[:at]}sha256:{digest}{text[at + len(ZERO_DIGEST) :]}"


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    line: str


def verify(pack: Path, given: list[Path]) -> Verification:
    text = _read_pack(pack)
    matches = list(_DIGEST.finditer(text))
    # The last of each: the pack's own come at its end, after any text taken from an input.
    manifests = list(_MANIFEST.finditer(text))
    manifest = manifests[-1] if manifests else None
    if not matches or manifest is None:
        raise InputError(f"{pack}: not an evidence pack made by hipaacheck report (no manifest or content digest)")
    last = matches[-1]
    zeroed = text[: last.start()] + ZERO_DIGEST + text[last.end() :]
    if hashlib.sha256(zeroed.encode("utf-8")).hexdigest() != last.group(1):
        return Verification(
            False, f"{pack} does NOT match: the pack was edited after it was made (content digest differs)"
        )
    listed = _parse_manifest(pack, manifest.group(1))
    by_sha = {entry.sha256: entry for entry in listed}
    seen: set[str] = set()
    for path in given:
        digest, _ = sha256_file(path)
        if digest in by_sha:
            seen.add(digest)
            continue
        same_name = [e for e in listed if Path(e.name).name == path.name]
        if same_name:
            return Verification(
                False,
                f"{pack} does NOT match: {path} has sha256 {digest[:16]}…, the pack was made from "
                f"{same_name[0].name} with sha256 {same_name[0].sha256[:16]}… (changed since the pack was made)",
            )
        return Verification(False, f"{pack} does NOT match: {path} (sha256 {digest[:16]}…) is not one of its inputs")
    missing = [e for e in listed if e.role in REQUIRED_ROLES and e.sha256 not in seen]
    if missing:
        names = ", ".join(f"{ROLES[e.role]} {e.name}" for e in missing)
        return Verification(False, f"{pack}: cannot confirm: it was also made from {names}; give every input")
    given_per_role = ((role, sum(1 for e in listed if e.role == role and e.sha256 in seen)) for role in ROLES)
    counts = ", ".join(f"{n} {ROLES[role]}{'' if n == 1 else 's'}" for role, n in given_per_role if n)
    return Verification(True, f"{pack} matches its inputs ({counts}); content digest sha256:{last.group(1)}")


def _read_pack(pack: Path) -> str:
    try:
        info = pack.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{pack}: is not a regular file (expected an evidence pack)")
        if info.st_size > MAX_PACK_BYTES:
            raise InputError(f"{pack}: larger than {MAX_PACK_BYTES // 2**20} MiB; not an evidence pack")
        return pack.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{pack}: cannot read: file does not exist") from None
    except UnicodeDecodeError:
        raise InputError(f"{pack}: not UTF-8 text (expected an evidence pack)") from None
    except OSError as exc:
        raise InputError(f"{pack}: cannot read ({exc.strerror or exc})") from None


def _parse_manifest(pack: Path, payload: str) -> list[InputFile]:
    try:
        doc: Any = json.loads(base64.urlsafe_b64decode(payload.encode()))
        entries = [InputFile(str(e["role"]), str(e["name"]), str(e["sha256"]), int(e["size"])) for e in doc["inputs"]]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InputError(f"{pack}: its manifest is damaged; not an evidence pack this hipaacheck can verify") from None
    if any(e.role not in ROLES for e in entries):
        raise InputError(f"{pack}: its manifest names an unknown kind of input")
    return entries
