"""The JSON report: the stable, versioned contract that scripts and CI rely on.

schema_version follows semver: a new optional field is a minor bump, a
removed or renamed field a major one.

1.1 added, per finding: ``location`` (file and line of the resource block,
or null), ``waiver`` (the waiver that applies to a ``waived`` finding, or
null), ``baseline`` (a failure the baseline already had) and ``gating``
(this finding counts for the exit code); at the top level: ``gate`` (the
waivers file, baseline and --changed-only used, and how many failures decided
the result).

1.2 added ``result: "incomplete"`` (exit 3: nothing failing, but a check at or
above --fail-on could not run), ``gate.incomplete`` (how many such checks) and
``gate.allow_incomplete``; a finding's ``gating`` is also true for an
``error`` that leaves the scan incomplete.

1.3 added ``gate.fail_on_unknown`` and ``gate.failing_unknown`` (with
--fail-on-unknown an ``unknown`` at or above --fail-on gates, and its
``gating`` is true), and in ``gate.waivers``: ``max_days``, ``revision``
(--waivers-from-git) and ``entries``, every waiver with its owner, expiry and
``covers``, the number of findings it waived.

1.4 added ``source.enabled_regions`` to live scans (every region enabled for
the account, or null when it could not be listed), so a reader can tell which
enabled regions a ``--region`` scan left out, and ``source.regions_not_scanned``
(a region asked for or listed that could not be scanned, with why: not enabled,
or its endpoint did not answer); and ``source.path`` is never an
absolute path of the machine that ran the scan (relative to the working
directory, else the file name); and ``content_sha256``, the sha256 of the
report's own text with that value written as 64 zeros, so that a report
edited after the scan is detected (the evidence pack refuses it). Like any
digest, it catches edits, not forgery: it is not a signature.

1.5 added ``selection`` (--policy / --skip-policy globs and --min-severity:
which policies were evaluated), ``config`` (the .hipaacheck.yaml used, or
null), ``parameters`` (per policy id, each parameter's value in force, its
default and where the value came from) and ``gate.exit_zero``; a live scan's
``source`` has ``caller_arn``. Readers of 1.0-1.4 reports treat the new fields
as absent.

1.6 added, for live scans, each finding's ``resource.account_name`` (the
account's name in Organizations, else its IAM alias, else null) and
``source.accounts``: every account in scope with its id, name, regions,
start and end time, ``status`` (``scanned`` or ``error``) and ``error``
(also ``enabled_regions`` and ``regions_not_scanned`` per account); and
``source.organization`` (``id``, ``ou``, ``role``, ``shard``) for --org and
--accounts scans, null otherwise. An organisation scan's ``source.account``
is null (several accounts), its ``regions`` the union over accounts. An
account that could not be scanned is one ``error`` finding of policy
``account-scan`` on ``account/<id>``.

Also in 1.6: ``summary_by_account`` (the summary per account, of the
findings that name one: ``{}`` for a plan), a waiver's optional ``account``,
and, for ``hipaacheck merge``, ``source.kind: "merged"`` with the union of the
inputs' ``source.accounts``, ``source.inputs`` (each report merged: path,
generated_at, content_sha256, schema and tool version, source) and
``source.conflicts`` (findings the inputs disagreed on; the worse status is
kept).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from .. import __version__
from ..display import redact
from ..models import Finding, Resource
from ..report import Report, finding_key

SCHEMA_VERSION = "1.6"
_ZERO_DIGEST = "0" * 64
DIGEST_FIELD = f'"content_sha256": "{_ZERO_DIGEST}"'  # JSON-escaped text can never hold this with bare quotes


def _resource_dict(resource: Resource) -> dict[str, Any]:
    return {
        "type": resource.type,
        "address": resource.address,
        "name": resource.name,
        "source": resource.source,
        "region": resource.region,
        "account": resource.account,
        "account_name": resource.account_name,
        "action": resource.action,
    }


def finding_dict(finding: Finding, report: Report | None = None) -> dict[str, Any]:
    return {
        "policy_id": finding.policy_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "safeguards": list(finding.safeguards),
        "resource": _resource_dict(finding.resource),
        "message": redact(finding.message),
        "evidence": _evidence(finding),
        "remediation": finding.remediation,
        **_gate_fields(finding, report),
    }


def _evidence(finding: Finding) -> list[dict[str, Any]]:
    return [
        {"key": e.key, "observed": redact(e.observed), "expected": redact(e.expected), "undetermined": e.undetermined}
        for e in finding.evidence
    ]


def _gate_fields(finding: Finding, report: Report | None) -> dict[str, Any]:
    """What CI adds to a finding (the last fields of its JSON): location, waiver, baseline, gating."""
    location = report.locate(finding) if report is not None else None
    waiver = report.waiver(finding) if report is not None else None
    return {
        "location": {"file": location.file, "line": location.line} if location else None,
        "waiver": waiver.as_dict() if waiver else None,
        "baseline": report is not None and finding_key(finding) in report.in_baseline,
        "gating": report is not None and report.counts_for_exit(finding),
    }


def report_dict(report: Report, *, with_findings: bool = True) -> dict[str, Any]:
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "hipaacheck", "version": __version__},
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "source": report.source,
        "policies": report.policy_count,
        "resources": report.resource_count,
        "fail_on": report.fail_on.value,
        "result": report.result,
        "summary": report.counts(),
        "summary_by_account": report.counts_by_account(),
        "notes": report.notes,
        "selection": report.selection or {"policy": [], "skip_policy": [], "min_severity": None},
        "config": report.config_file,
        "parameters": report.parameters,
        "gate": {
            "failing": len(report.failing()),
            "incomplete": len(report.incomplete()),
            "allow_incomplete": report.allow_incomplete,
            "fail_on_unknown": report.fail_on_unknown,
            "failing_unknown": len(report.failing_unknown()),
            "waivers": report.gate.get("waivers"),
            "baseline": report.gate.get("baseline"),
            "changed_only": bool(report.gate.get("changed_only")),
            "exit_zero": report.exit_zero,
        },
    }
    if with_findings:
        document["findings"] = [finding_dict(f, report) for f in report.sorted_findings()]
    return document


def render_json(report: Report) -> str:
    document = report_dict(report, with_findings=False)
    head = json.dumps(document, indent=2, ensure_ascii=False)
    # One finding per line: still readable and diffable, and serialised by the C
    # encoder (indent= falls back to the pure-Python one, 5x slower on big plans).
    after = [',\n  "findings": [']
    for line in _FindingWriter(report).lines():
        after += ("\n    " if len(after) == 1 else ",\n    ", line)
    after.append("\n  ]\n}\n" if len(after) > 1 else "]\n}\n")
    return _sealed(f"{head[:-2]},\n  ", after)


def _sealed(before: str, after: list[str]) -> str:
    """``before``, the content digest field, then ``after``: what ``seal_report`` makes of that text
    with the zero placeholder, built once. (Joining the text, encoding it to hash it and then
    replacing the placeholder held three copies of a report that can be hundreds of MB.)"""
    digest = hashlib.sha256(before.encode("utf-8"))
    digest.update(DIGEST_FIELD.encode("utf-8"))
    for piece in after:
        digest.update(piece.encode("utf-8"))
    return "".join([before, f'"content_sha256": "{digest.hexdigest()}"', *after])


_encode = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(value, ensure_ascii=False) writes


class _FindingWriter:
    """Each finding as one line of JSON, exactly as ``json.dumps(finding_dict(f, report))`` writes it.

    A large plan has tens of thousands of findings but far fewer policies and resources: the
    parts a finding shares with its policy (id, title, severity, citations, remediation) and
    with its resource are encoded once, and only what is the finding's own is encoded per line.
    """

    def __init__(self, report: Report) -> None:
        self.report = report
        self.policy_parts: dict[tuple[str, str, str, tuple[str, ...], str], tuple[str, str, str]] = {}
        self.resource_parts: dict[int, str] = {}

    def lines(self) -> Iterator[str]:
        for finding in self.report.sorted_findings():
            yield self.line(finding)

    def line(self, finding: Finding) -> str:
        head, safeguards, remediation = self._policy_parts(finding)
        evidence = _encode(_evidence(finding))
        tail = _encode(_gate_fields(finding, self.report))
        return (
            f'{head}, "status": "{finding.status.value}", "safeguards": {safeguards}, '
            f'"resource": {self._resource(finding)}, "message": {_encode(redact(finding.message))}, '
            f'"evidence": {evidence}, "remediation": {remediation}, {tail[1:]}'
        )

    def _policy_parts(self, finding: Finding) -> tuple[str, str, str]:
        """What every finding of a policy shares, encoded once: the head (policy id, title and
        severity, without the closing brace), the citations and the remediation."""
        key = (finding.policy_id, finding.title, finding.severity.value, finding.safeguards, finding.remediation)
        parts = self.policy_parts.get(key)
        if parts is None:
            head = _encode({"policy_id": key[0], "title": key[1], "severity": key[2]})[:-1]
            parts = self.policy_parts[key] = (head, _encode(list(key[3])), _encode(key[4]))
        return parts

    def _resource(self, finding: Finding) -> str:
        resource = finding.resource
        part = self.resource_parts.get(id(resource))
        if part is None:
            part = self.resource_parts[id(resource)] = _encode(_resource_dict(resource))
        return part


def seal_report(text: str) -> str:
    """Write the report's content digest over its zero placeholder (see the 1.3 notes above).

    The last placeholder: the report's own field follows every other top-level field, and findings
    have no ``content_sha256`` key; an earlier one is a value copied from an input (a merged report's
    parameters), which the first-match replace used to overwrite, leaving the report unverifiable.
    """
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    head, found, tail = text.rpartition(DIGEST_FIELD)
    return f'{head}"content_sha256": "{digest}"{tail}' if found else text


def report_digest_matches(text: str, claimed: str) -> bool:
    """True when ``text`` (a report as written) still has the content digest it claims."""
    zeroed = text.replace(f'"content_sha256": "{claimed}"', DIGEST_FIELD, 1)
    return zeroed != text and hashlib.sha256(zeroed.encode("utf-8")).hexdigest() == claimed
