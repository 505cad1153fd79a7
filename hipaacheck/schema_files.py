"""The published JSON Schemas under ``schemas/``: generated from the pydantic models, never edited by hand.

``scripts/generate-schemas`` writes them; a test regenerates them and fails
when a committed file differs. Each schema is JSON Schema draft 2020-12 (what
pydantic emits), with ``$id`` the file's name so a relative ``$schema`` in a
YAML comment or a JSON document resolves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
_PACKAGED = Path(__file__).resolve().parent / "schemas"  # wheels carry them here (see pyproject.toml)
REGENERATE = ".venv/bin/python scripts/generate-schemas"

NAMES = (
    "report.schema.json",
    "policy.schema.json",
    "waivers.schema.json",
    "attestations.schema.json",
    "config.schema.json",
)


def models() -> dict[str, type[BaseModel]]:
    """file name -> the model it is generated from (imported here: `attest init` needs only schema_path)."""
    from .file_models import AttestationsFile, ConfigFile, PolicyFile, WaiversFile
    from .report_model import ReportDocument

    return dict(zip(NAMES, (ReportDocument, PolicyFile, WaiversFile, AttestationsFile, ConfigFile), strict=True))


def schema_of(name: str) -> dict[str, Any]:
    body = models()[name].model_json_schema(by_alias=True)
    return {"$schema": DRAFT, "$id": name, **body}


def render_schemas() -> dict[str, str]:
    return {name: json.dumps(schema_of(name), indent=2, ensure_ascii=False) + "\n" for name in NAMES}


def schema_uri(name: str) -> str:
    """For a ``# yaml-language-server: $schema=`` line in a file hipaacheck writes: the schema's raw web
    address in the clone's GitHub/GitLab origin at its commit, else this installation's file (a path that
    only means something on this machine, which is where the editor runs)."""
    from .policy_docs_link import clone_origin, clone_raw_url

    remote, commit = clone_origin()
    return clone_raw_url(remote, commit, f"schemas/{name}") or schema_path(name).as_uri()


def schema_path(name: str) -> Path:
    """The schema file of this hipaacheck (a clone's schemas/, or the copy inside an installed wheel)."""
    packaged = _PACKAGED / name
    return packaged if packaged.is_file() else SCHEMAS_DIR / name
