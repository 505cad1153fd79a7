"""The Markdown page's sections for a person and an auditor: the same words as html_sections, as Markdown.

Every value goes through markdown.py's ``m`` and ``code``: one escaping for the whole page.
"""

from __future__ import annotations

import re

from .deployed import RULE
from .guidance import DEFINITIONS, LIMITATIONS
from .integrity import ROLES, ZERO_DIGEST, manifest_comment
from .markdown import code, m, table
from .model import EvidencePack


def next_steps(pack: EvidencePack) -> list[str]:
    out = ["## What to do next", ""]
    if pack.todo:
        critical = sum(1 for item in pack.todo if item.priority == "critical")
        out += [f"{len(pack.todo)} item(s) to fix, {critical} critical; most urgent first.", ""]
        rows = [
            [item.priority, m(item.what), f"{code(item.where)} ({m(item.source)})", m(item.fix)] for item in pack.todo
        ]
        out += table(["Priority", "What", "Where", "Fix"], rows)
    else:
        out += ["0 failing checks or lapsed attestations to fix in these inputs.", ""]
    if pack.steps:
        out += ["### Questions to take up with the vendor", ""]
        out += [
            f"- **{m(s.answer.topic.question)}** {m(s.answer.verdict.label)}. {m(s.meaning)} _{m(s.ask)}_"
            for s in pack.steps
        ]
        out.append("")
    return out


def scope(pack: EvidencePack) -> list[str]:
    out = ["## What was scanned", ""]
    out += table(
        ["Source", "Shows", "Regions", "Enabled regions not scanned", "Scanned", "Size"],
        [[m(r.label), m(r.state), m(r.where), m(r.left_out), m(r.scanned_at), m(r.counts)] for r in pack.scope],
    )
    differs = pack.merged.differs()
    out += [
        f"**Plan and deployed state.** {m(RULE)}",
        "",
        f"In these inputs: {len(pack.merged.superseded)} plan finding(s) matched a live finding of the same resource "
        f"and are not counted again; {len(differs)} of them differ from what is deployed.",
        "",
    ]
    out += [
        f"- {code(live.name or live.address)} {m(live.policy_id)}: deployed {live.status.value}, plan {plan.status.value}"
        for live, plan in differs
    ]
    return [*out, ""] if differs else out


def limitations(pack: EvidencePack) -> list[str]:
    out = ["## Limitations, and the words used here", ""]
    out += [f"- {m(text)}" for text in LIMITATIONS]
    out.append("")
    out += [f"- **{m(term)}**: {m(meaning)}" for term, meaning in DEFINITIONS]
    return [*out, ""]


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def documents(pack: EvidencePack) -> list[str]:
    if not pack.embedded:
        return []
    out = [f"## Evidence documents ({len(pack.embedded)})", ""]
    for number, doc in enumerate(pack.embedded.values(), start=1):
        out += [f"### Document {number}: {m(doc.name)}", "", f"{doc.size} bytes, sha256 {code(doc.sha256)}.", ""]
        if doc.text is None:
            out += ["A binary file: carried in the HTML pack only (Markdown cannot hold its bytes).", ""]
            continue
        fence = _fence(doc.text)
        out += [f"{fence}text", doc.text.rstrip("\n"), fence, ""]
    return out


def integrity(pack: EvidencePack) -> list[str]:
    out = [
        "## Integrity",
        "",
        "The sha256 of every file this pack was made from. `hipaacheck report --verify PACK FILES...` recomputes "
        "them and this file's content digest (at the end): an input or a page edited afterwards is detected. The "
        "digest is not a signature: anyone who edits the file can recompute it, so keep the inputs.",
        "",
        "Evidence documents are embedded in this file (see Evidence documents)."
        if pack.embedded
        else "Evidence links are relative to this file: keep the documents beside it, in the same folders, or make "
        "the pack with `--embed-evidence` to carry them inside it.",
        "",
    ]
    out += table(
        ["Input", "File", "Bytes", "sha256"],
        [[ROLES[i.role], code(i.name), str(i.size), code(i.sha256)] for i in pack.inputs],
    )
    return [*out, manifest_comment(pack.inputs), ""]


def digest_line() -> str:
    return f"Content digest (sha256 of this file with these 64 digits as zeros): `{ZERO_DIGEST}`"
