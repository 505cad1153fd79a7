"""The text of a Terraform reference: what it names (resource, module output, var, local, data) and its index.

Plans list the references of an expression as strings (``aws_s3_bucket.phi[0].arn``,
``module.m["k"].out``, ``var.x``); these helpers parse them, pure and cached,
for the Linker in references.py to follow.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RESOURCE_REF = re.compile(
    r"^(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?:\[(?P<index>[^\]]+)\])?(?:\.(?P<attr>[A-Za-z_][A-Za-z0-9_-]*))?"
)
_MODULE_REF = re.compile(
    r"^module\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?P<key>\[[^\]]+\])?\.(?P<output>[A-Za-z_][A-Za-z0-9_-]*)"
)
_VAR_REF = re.compile(r"^var\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)")
_LOCAL_REF = re.compile(r"^local\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)")
MAX_DEPTH = 12
# Names that never lead to a resource: the referrer's own index, paths, workspace.
_INERT_ROOTS = ("count.", "path.", "terraform.", "self.")


def parse_index(text: str) -> int | str | None:
    """A constant index, or None for count.index / each.key (meaning: the referrer's own)."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 20:
        return int(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return None


@lru_cache(maxsize=4096)
def most_specific(references: tuple[str, ...]) -> tuple[str, ...]:
    """Drop ``type.name`` when ``type.name[i]`` is also listed: the index is what the expression says."""
    indexed = {r.split("[", 1)[0] for r in references if "[" in r}
    kept = [r for r in references if "[" in r or r.split(".")[0] in ("var", "local") or bare(r) not in indexed]
    # Terraform also lists every prefix of a traversal (x.y[0] beside x.y[0].id): the longest says it all.
    longer = {r[:i] for r in kept for i, c in enumerate(r) if c in ".[" and i}
    specific = [r for r in kept if r not in longer]
    # ... right after that traversal. A bare resource listed anywhere else is a traversal of its own
    # (x.y[*].id, length(x.y)) and names every instance: [x.y[0].id, x.y[*].id] lists x.y twice.
    alone = [r for i, r in enumerate(references) if _alone(r, references[i - 1] if i else "")]
    return tuple(specific + [r for r in dict.fromkeys(alone) if r not in specific])


def _alone(reference: str, previous: str) -> bool:
    """A bare resource or module (type.name, data.type.name, module.name) that is not the tail of the traversal listed before it."""
    if "[" in reference or reference.split(".")[0] in ("var", "local") or reference != bare(reference):
        return False
    return not previous.startswith((reference + "[", reference + "."))


@lru_cache(maxsize=8192)
def parse_reference(reference: str) -> tuple[str, re.Match[str] | None]:
    """What a reference names, parsed once per distinct text (plans repeat them per instance)."""
    if reference.startswith(_INERT_ROOTS) or reference == "each.key":
        return "inert", None
    if reference.startswith("each.value"):
        return "each.value", None
    if reference.startswith("module."):
        # module.m["k"] beside module.m["k"].output is a prefix most_specific drops; what is left
        # names the whole module (values(module.m)[0].out lists only module.m): any of its outputs.
        match = _MODULE_REF.match(reference)
        return ("module", match) if match else ("open", None)
    for kind, pattern in (("var", _VAR_REF), ("local", _LOCAL_REF)):
        if reference.startswith(kind + "."):
            match = pattern.match(reference)
            return (kind, match) if match else ("open", None)
    if reference.startswith("data."):
        return "data", None
    if reference.startswith("each."):
        return "open", None
    match = _RESOURCE_REF.match(reference)
    return ("resource", match) if match else ("open", None)


def bare(reference: str) -> str:
    parts = reference.split(".")
    return ".".join(parts[:2]) if parts[0] not in ("module", "data") else ".".join(parts[:3])


def parent_module(module: str) -> str:
    caller, _, _ = module.rpartition(".module.")
    return caller


def module_key(module: str) -> int | str | None:
    if not module.endswith("]"):
        return None
    return parse_index(module[module.rfind("[") + 1 : -1])
