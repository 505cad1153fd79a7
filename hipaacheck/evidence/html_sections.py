"""The HTML page's sections for a person and an auditor: next steps, scope, limitations, documents, integrity."""

from __future__ import annotations

from html import escape

from .deployed import RULE
from .guidance import DEFINITIONS, LIMITATIONS, ToDo
from .integrity import ROLES, ZERO_DIGEST, manifest_comment
from .links import clean
from .model import EvidencePack

TODO_LISTED = 15  # to-do items shown before "and N more"


def t(value: object) -> str:
    return escape(clean(value), quote=True)


def next_steps(pack: EvidencePack) -> str:
    out = ['<section id="next"><h2>What to do next</h2>']
    if pack.todo:
        critical = sum(1 for item in pack.todo if item.priority == "critical")
        out.append(
            f"<p>{_count('todo', len(pack.todo))} item(s) to fix, {_count('todo-critical', critical)} critical; "
            "most urgent first. Each names the resource and the fix; the vendor who runs the systems does the work.</p>"
        )
        head = '<table class="todo"><thead><tr><th>Priority</th><th>What</th><th>Where</th><th>Fix</th></tr></thead>'
        out.append(f"{head}<tbody>{_todo_rows(pack.todo[:TODO_LISTED])}</tbody></table>")
        more = pack.todo[TODO_LISTED:]
        if more:  # the whole list is in the page, the rest folded away
            out.append(
                f"<details><summary>and {len(more)} more</summary>{head}<tbody>{_todo_rows(more)}</tbody></table></details>"
            )
    else:
        out.append(f"<p>{_count('todo', 0)} failing checks or lapsed attestations to fix in these inputs.</p>")
    if pack.steps:
        out.append('<h3>Questions to take up with the vendor</h3><ul class="steps">')
        for step in pack.steps:
            out.append(
                f'<li id="next-{step.answer.topic.key}"><a href="#q-{step.answer.topic.key}">'
                f"{t(step.answer.topic.question)}</a> <strong>{t(step.answer.verdict.label)}.</strong> "
                f"{t(step.meaning)} <em>{t(step.ask)}</em></li>"
            )
        out.append("</ul>")
    out.append("</section>")
    return "\n".join(out)


def _todo_rows(items: list[ToDo]) -> str:
    return "".join(
        f'<tr><td class="nw"><span class="st {t(item.priority)}">{t(item.priority)}</span></td>'
        f'<td><a href="#{t(item.anchor)}">{t(item.what)}</a></td><td><code>{t(item.where)}</code><br>'
        f'<span class="muted">{t(item.source)}</span></td>'
        f"<td><details><summary>{t(_first_step(item.fix))}</summary><p>{t(item.fix)}</p></details></td></tr>"
        for item in items
    )


def _first_step(fix: str) -> str:
    """The fix's first instruction (remediations read "Terraform: ... Console: ... CLI: ..."), for the summary."""
    head = fix.split(" Console:", 1)[0].split(". ", 1)[0]
    return head if len(head) <= 140 else head[:139] + "…"


def _count(key: str, value: int) -> str:
    return f'<span id="n-{key}">{value}</span>'


def scope(pack: EvidencePack) -> str:
    rows = "".join(
        f"<tr><td>{t(row.label)}</td><td>{t(row.state)}</td><td>{t(row.where)}</td><td>{t(row.left_out)}</td>"
        f'<td class="nw">{t(row.scanned_at)}</td><td>{t(row.counts)}</td></tr>'
        for row in pack.scope
    )
    merged = pack.merged
    differs = merged.differs()
    lines = [
        '<section id="scope"><h2>What was scanned</h2>',
        "<table><thead><tr><th>Source</th><th>Shows</th><th>Regions</th><th>Enabled regions not scanned</th>"
        f"<th>Scanned</th><th>Size</th></tr></thead><tbody>{rows}</tbody></table>",
        f'<p id="rule"><strong>Plan and deployed state.</strong> {t(RULE)}</p>',
        f"<p>In these inputs: {_count('superseded', len(merged.superseded))} plan finding(s) matched a live finding "
        f"of the same resource and are not counted again; {_count('differs', len(differs))} of them differ from "
        "what is deployed (the plan would change the result).</p>",
    ]
    if differs:
        items = "".join(
            f'<li><a href="#{pack.anchor(live)}"><code>{t(live.name or live.address)}</code></a> {t(live.policy_id)}: '
            f"deployed {t(live.status.value)}, plan {t(plan.status.value)}</li>"
            for live, plan in differs
        )
        lines.append(f"<ul>{items}</ul>")
    lines.append("</section>")
    return "\n".join(lines)


def accounts(pack: EvidencePack) -> str:
    """Per account: its scan and totals, then the account x specification matrix (which accounts fail what)."""
    view = pack.accounts
    if view is None:
        return ""
    rows = []
    for row in view.rows:
        c = row.counts
        scan = _status("error") + " " + t(row.scan) if row.error is not None else t(row.scan)
        rows.append(
            f'<tr id="acct-{t(row.id)}"><td class="nw"><code>{t(row.id)}</code></td><td>{t(row.name or "")}</td>'
            f"<td>{scan}</td><td>{t(', '.join(row.regions) or '-')}</td>"
            f'<td class="nw">{t(row.scanned_at)}</td><td>{c.get("fail", 0)}</td>'
            f"<td>{c.get('error', 0) + c.get('unknown', 0)}</td><td>{c.get('waived', 0)}</td>"
            f"<td>{c.get('pass', 0)}</td></tr>"
        )
    head = "".join(
        f'<th title="{t(spec.name)}"><a href="#s-{t(spec.citation)}">{t(spec.citation)}</a></th>'
        for spec in view.specifications
    )
    cells = []
    for row in view.rows:
        if row.error is not None and not row.cells:
            line = f'<td colspan="{max(len(view.specifications), 1)}">{_status("error")} not scanned</td>'
        else:
            line = "".join(
                f"<td>{_status(row.cells[spec.citation].text) if spec.citation in row.cells else '-'}</td>"
                for spec in view.specifications
            )
        cells.append(f'<tr><td class="nw"><code>{t(row.label)}</code></td>{line}</tr>')
    return (
        '<section id="accounts"><h2>By account</h2>'
        f"<p>{_count('accounts', len(view.rows))} account(s): {_count('accounts-failing', view.failing_accounts())} "
        f"with failing checks, {_count('accounts-error', view.error_accounts())} could not be scanned (nothing "
        "here says whether those comply). The totals at a glance count every account together.</p>"
        '<table class="accounts"><thead><tr><th>Account</th><th>Name</th><th>Scan</th><th>Regions</th>'
        "<th>Scanned</th><th>Fail</th><th>Unknown or error</th><th>Waived</th><th>Pass</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        "<h3>Which accounts fail which safeguards</h3>"
        "<p>Each cell: the number of failing checks of the account that cite the specification, else the worst "
        "status of those checks; <em>-</em> when none of its checks cites it.</p>"
        '<div class="scroll"><table class="matrix"><thead><tr><th>Account</th>'
        f"{head}</tr></thead><tbody>{''.join(cells)}</tbody></table></div></section>"
    )


def _status(status: str) -> str:
    css = status.split(" ")[0]
    return f'<span class="st {t(css)}">{t(status)}</span>'


def limitations(pack: EvidencePack) -> str:
    items = "".join(f"<li>{t(text)}</li>" for text in LIMITATIONS)
    terms = "".join(f"<dt>{t(term)}</dt><dd>{t(meaning)}</dd>" for term, meaning in DEFINITIONS)
    return (
        '<section id="limits"><h2>Limitations, and the words used here</h2>'
        f'<ul class="limits">{items}</ul><dl class="terms">{terms}</dl></section>'
    )


def documents(pack: EvidencePack) -> str:
    if not pack.embedded:
        return ""
    out = [
        f'<section id="documents"><h2>Evidence documents ({len(pack.embedded)})</h2>'
        "<p>Carried inside this page (<code>--embed-evidence</code>), so it can be sent as one file. Text is shown "
        "as written (credential-shaped strings hidden); other files are downloads holding their exact bytes.</p>"
    ]
    for doc in pack.embedded.values():
        head = f"{t(doc.name)} · {doc.size} bytes · sha256 <code>{doc.sha256}</code>"
        if doc.text is not None:
            note = " · shown with a credential-shaped string hidden" if doc.redacted else ""
            out.append(
                f'<details id="{doc.anchor}"><summary>{head}{note}</summary><pre class="doc">{t_block(doc.text)}</pre></details>'
            )
        else:
            out.append(
                f'<p id="{doc.anchor}">{head}: <a download="{t(doc.name)}" '
                f'href="data:{t(doc.mime)};base64,{doc.data}">download {t(doc.name)}</a></p>'
            )
    out.append("</section>")
    return "\n".join(out)


def t_block(text: str) -> str:
    """A document's text, escaped, with its lines kept (clean() would fold them into one)."""
    return escape(text, quote=True)


def integrity(pack: EvidencePack) -> str:
    rows = "".join(
        f"<tr><td>{t(ROLES[i.role])}</td><td><code>{t(i.name)}</code></td><td>{i.size}</td>"
        f'<td><code class="hash">{i.sha256}</code></td></tr>'
        for i in pack.inputs
    )
    links = (
        "Evidence documents are embedded in this page (see Evidence documents)."
        if pack.embedded
        else "Evidence links are relative to this page: keep the documents beside it, in the same folders, or make "
        "the pack with <code>--embed-evidence</code> to carry them inside it."
    )
    return (
        '<section id="integrity"><h3>Integrity</h3>'
        "<p>The sha256 of every file this pack was made from. <code>hipaacheck report --verify PACK FILES...</code> "
        "recomputes them and this page's content digest (at the end): an input or a page edited afterwards is "
        "detected. The digest is not a signature: anyone who edits the page can recompute it, so keep the inputs.</p>"
        f"<p>{links}</p>"
        "<table><thead><tr><th>Input</th><th>File</th><th>Bytes</th><th>sha256</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>\n{manifest_comment(pack.inputs)}</section>"
    )


def digest_footer() -> str:
    return (
        '<p id="digest">Content digest (sha256 of this file with these 64 digits as zeros): '
        f'<code class="hash" id="pack-digest">{ZERO_DIGEST}</code></p>'
    )
