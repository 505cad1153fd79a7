"""The evidence pack as Markdown: the same answers and tables as the HTML page, charts as tables."""

from __future__ import annotations

from pathlib import Path

from ..attest.model import Attestation
from ..matrix import NO_CHECK
from ..models import Status
from ..safe_text import md_code, md_text
from .links import clean, decision_line, evidence_href, evidence_state, policy_href, result_line, signed_line
from .model import EvidencePack
from .topics import PartAnswer, TopicAnswer, Verdict

LISTED = 8
_KIND = {"standard": "standard", "required": "R", "addressable": "A"}


def m(value: object) -> str:
    """Redacted, on one line, with Markdown and HTML syntax escaped (table cells included)."""
    return md_text(clean(value))


def code(value: object) -> str:
    return md_code(clean(value))


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(pack: EvidencePack, page_dir: Path) -> str:
    from . import markdown_sections as extra  # it uses this module's escaping helpers

    title = "HIPAA Security Rule evidence pack" + (f" — {m(pack.organization)}" if pack.organization else "")
    s, a, c = pack.status_counts(), pack.attestation_counts(), pack.coverage_counts()
    out = [
        f"# {title}",
        "",
        f"Status as of **{pack.as_of.isoformat()}** from {len(pack.current)} scanned sources "
        f"({m(', '.join(pack.sources()))}) and {len(pack.results)} attestations.",
        "",
        "## At a glance",
        "",
        f"- **Automated checks:** {s.get('fail', 0)} of {len(pack.findings)} failing ({s.get('pass', 0)} pass, "
        f"{s.get('unknown', 0) + s.get('error', 0)} undecided, {s.get('waived', 0)} waived, "
        f"{s.get('skipped', 0)} skipped: out of scope, or not visible in what was scanned).",
        f"- **Attestations:** {a.get('pass', 0)} of {len(pack.results)} current; {a.get('fail', 0)} {'does' if a.get('fail', 0) == 1 else 'do'} not count yet."
        if pack.results
        else "- **Attestations:** none given.",
        f"- **Security Rule specifications:** {sum(1 for r in pack.matrix if r.status == 'no evidence')} of "
        f"{len(pack.matrix)} lack evidence in these inputs ({c.get('both', 0)} covered by automated checks "
        f"and attestations, {c.get('policies', 0)} checks only, {c.get('attestations', 0)} attestations only, "
        f"{c.get('nothing', 0)} nothing).",
        "",
    ]
    out += table(
        ["Question", "Answer", "On what evidence"],
        [[m(t.topic.question), f"**{m(t.verdict.label)}**", m(t.headline.split(": ", 1)[-1])] for t in pack.topics],
    )
    out += extra.next_steps(pack)
    out += ["## The questions a practice asks", ""]
    for answer in pack.topics:
        out += _topic(pack, answer, page_dir)
    out += extra.scope(pack)
    out += extra.limitations(pack)
    out += _charts(pack)
    out += _coverage(pack)
    out += _findings(pack, page_dir)
    out += _attestations(pack, page_dir)
    out += extra.documents(pack)
    out += _inputs(pack)
    out += extra.integrity(pack)
    out += [extra.digest_line()]
    return "\n".join(out).rstrip() + "\n"


def _link(pack: EvidencePack, answer_href: str | None, text: str) -> str:
    return f"[{m(text)}](<{answer_href}>)" if answer_href else code(text)


def _evidence(pack: EvidencePack, attestation: Attestation, page_dir: Path) -> str:
    """The embedded copy's number; else a link relative to the page; else the text as written."""
    path = attestation.evidence.path
    if path is not None and path in pack.embedded:
        number = list(pack.embedded).index(path) + 1
        return f"{code(attestation.evidence.text)} (embedded below as document {number})"
    return _link(pack, evidence_href(attestation, page_dir), attestation.evidence.text)


def _topic(pack: EvidencePack, answer: TopicAnswer, page_dir: Path) -> list[str]:
    out = [f"### {m(answer.topic.question)} — {m(answer.verdict.label)}", "", f"_{m(answer.topic.about)}_", ""]
    headline = m(answer.headline)
    out += [f"> **{headline}**" if answer.verdict is Verdict.NO_EVIDENCE else f"**{headline}**", ""]
    for part in answer.parts:
        out += _part(part)
    out += [
        f"**{m(answer.attested.title)}: {m(answer.attested.verdict.label).lower()}.** {m(answer.attested.sentence)}",
        "",
    ]
    for result in answer.attestations:
        att = result.attestation
        decision = decision_line(att)
        evidence = _evidence(pack, att, page_dir)
        out.append(
            f"- **{result.status.value.upper()}** `{att.id}`: “{m(att.statement)}” — {m(signed_line(att))}; "
            f"evidence: {evidence}" + (f"; {m(decision)}" if decision else "") + f". _{m(result_line(result))}_"
        )
    return [*out, ""] if answer.attestations else out


def _part(part: PartAnswer) -> list[str]:
    out = [f"**{m(part.title)}: {m(part.verdict.label).lower()}.** {m(part.sentence)}", ""]
    for f in part.listed[:LISTED]:
        out.append(f"- **{f.status.value.upper()}** {code(f.address)} — {m(f.title)}: {m(f.message)}")
    if len(part.listed) > LISTED:
        out.append(f"- and {len(part.listed) - LISTED} more in the findings table")
    return [*out, ""] if part.listed else out


def _charts(pack: EvidencePack) -> list[str]:
    out = ["## Checks by Security Rule specification", ""]
    rows = pack.by_safeguard()
    if rows:
        out += table(
            ["Specification", "Fail", "Unknown or error", "Waived", "Pass"],
            [
                [
                    f"{code(spec.citation)} {m(spec.name)}",
                    str(row.counts.get("fail", 0)),
                    str(row.counts.get("unknown", 0) + row.counts.get("error", 0)),
                    str(row.counts.get("waived", 0)),
                    str(row.counts.get("pass", 0)),
                ]
                for spec, row in rows
            ],
        )
    else:
        out += ["No automated check in the reports was evaluated.", ""]
    out += ["## Checks by severity", ""]
    out += table(
        ["Severity", "Fail", "Unknown or error", "Waived", "Pass", "Skipped"],
        [
            [
                row.label,
                *(str(row.counts.get(k, 0)) for k in ("fail",)),
                str(row.counts.get("unknown", 0) + row.counts.get("error", 0)),
                str(row.counts.get("waived", 0)),
                str(row.counts.get("pass", 0)),
                str(row.counts.get("skipped", 0)),
            ]
            for row in pack.by_severity()
        ],
    )
    if pack.trend:
        out += ["## Trend", ""]
        out += table(
            ["Scanned source", "Generated", "Failing", "Passing"],
            [
                [m(series.label), p.when.isoformat(), str(p.failing), str(p.passing)]
                for series in pack.trend
                for p in sorted(series.points, key=lambda p: p.when)
            ],
        )
    return out


def _coverage(pack: EvidencePack) -> list[str]:
    out = [
        "## Security Rule coverage",
        "",
        "Every specification of 164.308–164.316. Status is the worst status of the findings and attestations "
        "that cover it; _no evidence_ means neither says anything about it.",
        "",
    ]
    return out + table(
        ["Citation", "Specification", "R/A", "Covered by", "Automated checks", "Attestations", "Status"],
        [
            [
                code(row.spec.citation),
                m(row.spec.name),
                _KIND[row.spec.kind],
                row.covered_by,
                m(", ".join(row.policies) or NO_CHECK),
                m(", ".join(row.attestations) or "none"),
                m(row.shown_status or ""),
            ]
            for row in pack.matrix
        ],
    )


def _findings(pack: EvidencePack, page_dir: Path) -> list[str]:
    out = [f"## Findings ({len(pack.findings)})", ""]
    if not pack.findings:
        return [*out, "The reports hold no findings.", ""]
    rows = []
    for f in pack.findings:
        seen = "; ".join(f"{k}: {o} (expected {e})" for k, o, e in f.evidence) or f.message
        fix = f.remediation if f.status in (Status.FAIL, Status.UNKNOWN, Status.ERROR) else ""
        if f.waiver:
            fix = f"waived: {f.waiver}"
        rows.append(
            [
                pack.anchor(f)[2:],
                f.status.value,
                f.severity.value,
                f"{_link(pack, policy_href(f.policy_id, page_dir), f.policy_id)} {m(f.title)}",
                f"{code(f.address)} ({m(f.source)})",
                m(seen),
                m(", ".join(f.safeguards)),
                m(fix),
            ]
        )
    return out + table(
        ["#", "Status", "Severity", "Check", "Resource", "What was seen", "Safeguards", "How to fix"], rows
    )


def _attestations(pack: EvidencePack, page_dir: Path) -> list[str]:
    out = [f"## Attestations ({len(pack.results)})", ""]
    if not pack.results:
        return [*out, "No attestations file was given. Write one with `hipaacheck attest init`.", ""]
    out += [f"From {code(pack.attestation_file)}, evaluated as of {pack.as_of.isoformat()}.", ""]
    rows = []
    for result in pack.results:
        a = result.attestation
        rows.append(
            [
                code(a.id),
                result.status.value,
                m(", ".join(a.safeguards)),
                m(a.statement) + (f" ({m(decision_line(a))})" if decision_line(a) else ""),
                m(signed_line(a)),
                a.due.isoformat() if a.due else "-",
                f"{_evidence(pack, a, page_dir)} ({m(evidence_state(result))})",
                m(result_line(result)),
            ]
        )
    return out + table(["ID", "Status", "Safeguards", "Statement", "Signed", "Review due", "Evidence", "State"], rows)


def _inputs(pack: EvidencePack) -> list[str]:
    current = {id(r) for r in pack.current}
    out = ["## Inputs", ""]
    rows = []
    for r in pack.reports:
        counts = r.counts()
        rows.append(
            [
                code(r.path),
                m(r.label),
                r.generated_at.isoformat(),
                f"{m(r.schema_version)} / {m(r.tool_version)}; {m(r.sealed)}",
                ", ".join(f"{counts[s.value]} {s.value}" for s in Status if counts.get(s.value)) or "no findings",
                "current" if id(r) in current else "history (trend only)",
            ]
        )
    out += table(["Report", "Scanned", "Generated", "Schema / tool", "Findings", "Used as"], rows)
    out += [
        f"Attestations: {code(pack.attestation_file) if pack.attestation_file else 'none given'}.",
        "",
        "Every number here is counted from these inputs. _pass_ is the only pass; _unknown_, _error_ and "
        "_skipped_ are not.",
        "",
        f"_Generated by hipaacheck {m(pack.tool_version)} on {pack.created.strftime('%Y-%m-%d %H:%M UTC')}._",
    ]
    return out
