"""Generate one Markdown page per built-in policy, and an index, from the policy YAML files.

Pages are written under ``docs/policies/`` by ``scripts/generate-policy-docs``
and committed; a test regenerates them and fails when a committed page differs
(a policy was added or changed without re-running the script). Everything on a
page comes from the policy file (what it requires, why, remediation, examples,
parameters when the policy declares them) or from the Security Rule registry
in ``safeguards.py`` (each citation's name and kind), so a page can never
disagree with the policy it documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from . import safeguards
from .policy.model import Policy

INDEX = "README.md"
REGENERATE = ".venv/bin/python scripts/generate-policy-docs"
_HEADER = "<!-- Generated from {source} by scripts/generate-policy-docs. Do not edit: edit the policy and re-run. -->"
_KIND_WORDS = {
    "required": "required",
    "addressable": "addressable (164.306(d)(3): implement, or document why an equivalent or nothing is reasonable)",
    "standard": "standard",
}


def _yaml_block(value: Any) -> list[str]:
    text = yaml.safe_dump(value, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100)
    return ["```yaml", text.rstrip("\n"), "```"]


def _relative_source(policy: Policy, root: Path) -> str:
    path = Path(policy.file)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _citation_line(citation: str) -> str:
    spec = safeguards.resolve(citation)
    if spec is None:  # the loader refuses unknown citations, so this is only a guard
        return f"- `{citation}`"
    standard = safeguards.BY_CITATION.get(spec.standard)
    under = f"; standard {standard.citation} {standard.name}" if standard and standard is not spec else ""
    return f"- **{citation}** {spec.name}: {_KIND_WORDS[spec.kind]}{under} ({spec.area})"


def _field(parameter: Any, name: str) -> Any:
    return parameter.get(name) if isinstance(parameter, Mapping) else getattr(parameter, name, None)


def _parameters(policy: Policy) -> list[str]:
    """Parameters a policy declares (organisations set them in .hipaacheck.yaml), when policies have them."""
    declared = getattr(policy, "parameters", None)
    if not declared:
        return []
    lines = [
        "## Parameters",
        "",
        "Set per policy in `.hipaacheck.yaml` (`parameters: {policy id: {name: value}}`); a `null` default means "
        "the requirement is off unless set.",
        "",
        "| parameter | type | default | meaning |",
        "|---|---|---|---|",
    ]
    items = declared.items() if isinstance(declared, Mapping) else ((_field(p, "name"), p) for p in declared)
    for name, parameter in items:
        default = json.dumps(_field(parameter, "default"), default=str)
        meaning = " ".join(str(_field(parameter, "description") or "").split()).replace("|", "\\|")
        lines.append(f"| `{name}` | {_field(parameter, 'type') or ''} | `{default}` | {meaning} |")
    return [*lines, ""]


def render_policy_page(policy: Policy, raw: Mapping[str, Any], root: Path) -> str:
    """One page; ``raw`` is the policy's YAML document as written (for require, scope and examples)."""
    source = _relative_source(policy, root)
    lines = [
        _HEADER.format(source=source),
        "",
        f"# {policy.id}",
        "",
        f"**{policy.title}**",
        "",
        "| severity | resource type | policy file |",
        "|---|---|---|",
        f"| {policy.severity.value} | `{policy.resource_type}` | [{Path(source).name}](../../{source}) |",
        "",
        "## Why it matters",
        "",
        " ".join(policy.description.split()) or policy.title,
        "",
        "## HIPAA Security Rule (45 CFR Part 164)",
        "",
        *[_citation_line(c) for c in policy.safeguards],
        "",
        "## What is checked",
        "",
        f"Every `{policy.resource_type}` resource (`hipaacheck policies fields {policy.resource_type}` lists its "
        "fields) must satisfy:",
        "",
        *_yaml_block(raw.get("require")),
        "",
    ]
    if raw.get("scope") is not None:
        lines += ["Only resources in scope are checked; the others are `skipped`. In scope when:", ""]
        lines += [*_yaml_block(raw.get("scope")), ""]
    lines += [
        "A value known only after apply makes the check `unknown`; a value that could not be read makes it "
        "`error`; only a resource that satisfies every requirement is `pass`.",
        "",
    ]
    lines += _parameters(policy)
    lines += ["## Remediation", "", " ".join(policy.remediation.split()), ""]
    examples = raw.get("examples") or {}
    if isinstance(examples, Mapping) and examples:
        lines += ["## Examples", "", "Run by `hipaacheck policies test`; each is the canonical resource's fields.", ""]
        for kind, words in (("pass", "Passes"), ("fail", "Fails"), ("skip", "Out of scope (skipped)")):
            if examples.get(kind):
                lines += [f"{words}:", "", *_yaml_block(examples[kind]), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_index(policies: Iterable[Policy], root: Path) -> str:
    by_area: dict[str, list[Policy]] = {}
    for policy in policies:
        area = Path(_relative_source(policy, root)).parent.name or "policies"
        by_area.setdefault(area, []).append(policy)
    lines = [
        _HEADER.format(source="policies/"),
        "",
        "# Built-in policies",
        "",
        f"{sum(len(v) for v in by_area.values())} policies, one page each, generated from the YAML under "
        f"`policies/`. Regenerate with `{REGENERATE}`.",
        "",
    ]
    for area in sorted(by_area):
        lines += [f"## {area}", "", "| policy | severity | resource | HIPAA |", "|---|---|---|---|"]
        for policy in sorted(by_area[area], key=lambda p: p.id):
            cites = ", ".join(policy.safeguards)
            title = policy.title.replace("|", "\\|")
            lines.append(
                f"| [{policy.id}]({policy.id}.md): {title} | {policy.severity.value} | "
                f"`{policy.resource_type}` | {cites} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_all(policy_dir: Path, root: Path) -> dict[str, str]:
    """{file name: content} for every page and the index."""
    from .policy.loader import load_policies

    policies = load_policies([policy_dir])
    pages = {INDEX: render_index(policies, root)}
    for policy in policies:
        raw = yaml.safe_load(Path(policy.file).read_text(encoding="utf-8"))
        pages[f"{policy.id}.md"] = render_policy_page(policy, raw, root)
    return pages


def stale_pages(pages: Mapping[str, str], docs_dir: Path) -> list[str]:
    """Pages missing or different on disk, and pages on disk that no policy makes any more."""
    stale = [name for name, text in pages.items() if _read(docs_dir / name) != text]
    orphans = [p.name for p in docs_dir.glob("*.md")] if docs_dir.is_dir() else []
    return sorted(stale + [name for name in orphans if name not in pages])


def write_pages(pages: Mapping[str, str], docs_dir: Path) -> list[str]:
    """Write changed pages, delete orphans; returns what changed."""
    changed = stale_pages(pages, docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    for name in changed:
        if name in pages:
            (docs_dir / name).write_text(pages[name], encoding="utf-8")
        else:
            (docs_dir / name).unlink()
    return changed


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
