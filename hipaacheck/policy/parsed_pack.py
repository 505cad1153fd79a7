"""A parsed copy of a policy directory, so that a scan does not parse every YAML file at start-up.

Parsing the built-in pack's YAML was most of loading it (about 85 of 115 ms, a fifth of a small
scan). The copy, ``parsed-pack.json`` in the directory, holds for each policy file the sha256 of
its text and what ``yaml_source.parse_located`` makes of that text: its values and their
line/column marks. A file is taken from the copy only when its text has that digest, so an
edited policy is parsed afresh, never read stale. ``scripts/generate-policy-cache`` rewrites the
copy, and tests/test_policy_pack.py checks that the committed one is current.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .yaml_source import Located, SourceError, parse_located

PACK_FILE = "parsed-pack.json"
_FORMAT = 1


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ParsedPack:
    """The parsed copy of one policy directory (empty when it has none, or one this version cannot read)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.entries: dict[str, Any] = {}
        try:
            document = json.loads((directory / PACK_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # no copy, or an unreadable one: every file is parsed, as without it
        if isinstance(document, dict) and document.get("format") == _FORMAT and isinstance(document.get("files"), dict):
            self.entries = document["files"]

    def located(self, path: Path, text: str) -> Located | None:
        """The parsed ``text`` of ``path`` from the copy, or None (not in it, or the text changed)."""
        if not self.entries:
            return None
        try:
            entry = self.entries.get(path.relative_to(self.directory).as_posix())
        except ValueError:
            return None
        if not isinstance(entry, dict) or entry.get("sha256") != text_digest(text):
            return None
        marks = {tuple(path_key): (line, col) for path_key, line, col in entry["marks"]}
        return Located(str(path), entry["value"], marks)


def render_pack(directory: Path, files: list[Path]) -> str:
    """The parsed copy of ``files`` (policy files under ``directory``) as JSON text.

    A file whose parsed values JSON cannot carry unchanged (a date, a key that is not a string)
    is left out: it is parsed at every load instead.
    """
    entries: dict[str, Any] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            located = parse_located(text, str(path))
        except SourceError:
            continue  # an invalid policy is reported by the loader, from its text
        record = {
            "sha256": text_digest(text),
            "value": located.value,
            "marks": [[list(key), line, col] for key, (line, col) in located.marks.items()],
        }
        try:
            if json.loads(json.dumps(record["value"])) != located.value:
                continue
        except (TypeError, ValueError):
            continue
        entries[path.relative_to(directory).as_posix()] = record
    # One file per line, so that a change to one policy is a one-line diff.
    lines = [f"  {json.dumps(name)}: {json.dumps(entries[name], ensure_ascii=False)}" for name in sorted(entries)]
    return f'{{"format": {_FORMAT}, "files": {{\n' + ",\n".join(lines) + "\n}}\n"
