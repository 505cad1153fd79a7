"""Waivers: dated, owned, justified exceptions that turn a failure into ``waived``.

File format (default ``.hipaacheck-waivers.yaml`` in the working directory)::

    waivers:
      - policy: s3-bucket-access-logging      # policy id or glob
        resource: aws_s3_bucket.legacy_*      # resource address / ARN or glob
        reason: Legacy export bucket, deleted in Q3 (TICKET-123)
        owner: platform-team@example.com
        expires: 2026-09-30                   # YYYY-MM-DD, last day the waiver applies
        account: "111122223333"               # optional: only in this account (id or glob)

Globs: ``*`` matches any run of characters (dots included) and ``?`` one
character; everything else is literal, so addresses with ``[0]`` or
``["a"]`` can be written as they are.

Waivers are bounded, because a pull request can add one: a waiver whose policy
and resource are both match-all (only ``*`` and ``?``) is refused, and so is
one that expires more than ``max_waiver_days`` (default 365,
``--max-waiver-days``) from today. Every report says, per waiver, who owns it
and how many findings it covers.

The file is read with PyYAML's node API rather than ``safe_load`` so that a
date stays the text the user wrote (PyYAML turns ``2026-02-30`` into an
exception, not an error with a line) and every problem can name its line.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from .display import redact
from .models import Finding, Status
from .paths import portable_path
from .report import DEFAULT_MAX_WAIVER_DAYS, Report, Waiver, finding_key
from .sources.errors import InputError

_FIELDS = ("policy", "resource", "reason", "owner", "expires")
_OPTIONAL = ("account",)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SOON_DAYS = 14
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class WaiverSet:
    file: str
    active: list[Waiver]
    expired: list[Waiver]
    max_days: int = DEFAULT_MAX_WAIVER_DAYS
    revision: str | None = None  # --waivers-from-git: the commit the file was read from
    notes: list[str] = field(default_factory=list)  # said on stderr and in the report's notes

    def warnings(self) -> list[str]:
        return [
            f"{w.file}:{w.line}: waiver for {w.policy} on {w.resource} expired on {w.expires.isoformat()}; "
            "it no longer applies"
            for w in self.expired
        ]


def glob_match(pattern: str, text: str) -> bool:
    if pattern == text:
        return True
    if "*" not in pattern and "?" not in pattern:
        return False
    return _glob_regex(pattern).match(text) is not None


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    # fnmatch's translation puts every '*' but the last in an atomic group, so a
    # pattern like '*a*a*a*b' cannot backtrack exponentially (a naive '.*' regex
    # took minutes on a 40-character address). '[' is escaped: it is literal here.
    return re.compile(fnmatch.translate(pattern.replace("[", "[[]")))


def is_match_all(pattern: str) -> bool:
    """A glob of wildcards only (``*``, ``**``, ``?*``): it matches every policy id or address."""
    return "*" in pattern and not pattern.strip("*?")


def load_waivers(path: Path, today: date, max_days: int = DEFAULT_MAX_WAIVER_DAYS) -> WaiverSet:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name}: waivers file is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read waivers file ({exc.strerror or exc})") from None
    return parse_waivers(text, name, today, max_days)


def parse_waivers(text: str, name: str, today: date, max_days: int = DEFAULT_MAX_WAIVER_DAYS) -> WaiverSet:
    """Waivers from the text of a waivers file called ``name`` (a path, or ``REV:path`` from git)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
        raise InputError(f"{name}:{where}: YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: YAML error: {exc}") from None
    waivers = [] if root is None else _read_root(root, name, today, max_days)
    active = [w for w in waivers if w.expires >= today]
    expired = [w for w in waivers if w.expires < today]
    return WaiverSet(portable_path(name), active, expired, max_days)  # in reports: never an absolute local path


def _error(name: str, node: yaml.Node, message: str) -> InputError:
    return InputError(f"{name}:{node.start_mark.line + 1}:{node.start_mark.column + 1}: {message}")


def _mapping(node: yaml.Node, name: str, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise _error(name, node, f"{what} must be a mapping")
    result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise _error(name, key, "keys must be plain text")
        if key.value in result:
            raise _error(name, key, f"duplicate key {key.value!r}")
        result[key.value] = (key, value)
    return result


def _read_root(root: yaml.Node, name: str, today: date, max_days: int) -> list[Waiver]:
    top = _mapping(root, name, "the waivers file")
    for key, (key_node, _) in top.items():
        if key != "waivers":
            raise _error(name, key_node, f"unknown key {key!r} (the file holds one key, 'waivers')")
    if "waivers" not in top:
        raise _error(name, root, "missing 'waivers' (a list of waivers)")
    entries = top["waivers"][1]
    if isinstance(entries, yaml.ScalarNode) and entries.tag.endswith(":null"):
        return []
    if not isinstance(entries, yaml.SequenceNode):
        raise _error(name, entries, "'waivers' must be a list")
    return [_read_entry(entry, name, i + 1, today, max_days) for i, entry in enumerate(entries.value)]


def _read_entry(node: yaml.Node, name: str, number: int, today: date, max_days: int) -> Waiver:
    fields = _mapping(node, name, f"waiver {number}")
    for key, (key_node, _) in fields.items():
        if key not in _FIELDS and key not in _OPTIONAL:
            allowed = ", ".join(_FIELDS + _OPTIONAL)
            raise _error(name, key_node, f"waiver {number}: unknown key {key!r} (allowed: {allowed})")
    values: dict[str, str] = {}
    for key in _FIELDS:
        if key not in fields:
            raise _error(name, node, f"waiver {number}: missing {key!r} (every waiver needs {', '.join(_FIELDS)})")
        value = fields[key][1]
        if not isinstance(value, yaml.ScalarNode) or not value.value.strip():
            raise _error(name, value, f"waiver {number}: {key!r} must be non-empty text")
        values[key] = value.value.strip()
    for key in _OPTIONAL:
        if key in fields:
            value = fields[key][1]
            if not isinstance(value, yaml.ScalarNode) or not value.value.strip():
                raise _error(name, value, f"waiver {number}: {key!r} must be non-empty text")
            values[key] = value.value.strip()
    expires_node = fields["expires"][1]
    text = values["expires"]
    try:
        if not _DATE.match(text):
            raise ValueError
        expires = date.fromisoformat(text)
    except ValueError:
        raise _error(
            name, expires_node, f"waiver {number}: 'expires' must be a date YYYY-MM-DD, not {text!r}"
        ) from None
    if is_match_all(values["policy"]) and is_match_all(values["resource"]):
        raise _error(
            name,
            node,
            f"waiver {number}: policy {values['policy']!r} on resource {values['resource']!r} would waive every "
            "finding; name the policy or the resources it accepts",
        )
    if (expires - today).days > max_days:
        raise _error(
            name,
            expires_node,
            f"waiver {number}: expires {expires.isoformat()}, more than {max_days} days after today "
            f"({today.isoformat()}); renew it closer to the date (limit: --max-waiver-days, max_waiver_days)",
        )
    return Waiver(
        policy=values["policy"],
        resource=values["resource"],
        reason=redact(values["reason"]),  # shown in every report: never a pasted secret
        owner=redact(values["owner"]),
        expires=expires,
        file=portable_path(name),
        line=node.start_mark.line + 1,
        account=values.get("account"),
    )


def waiver_matches(waiver: Waiver, finding: Finding) -> bool:
    """The waiver's policy, resource and (when it names one) account globs all match the finding."""
    if not glob_match(waiver.policy, finding.policy_id) or not glob_match(waiver.resource, finding.resource.address):
        return False
    return waiver.account is None or glob_match(waiver.account, finding.resource.account or "")


def apply_waivers(report: Report, waivers: WaiverSet, today: date) -> None:
    """Turn matching failures into ``waived``; record why in the report's notes."""
    covers = [0] * len(waivers.active)
    # Under --fail-on-unknown an unknown gates like a failure, so it can be accepted like one.
    waivable = (Status.FAIL, Status.UNKNOWN) if report.fail_on_unknown else (Status.FAIL,)
    for finding in report.findings:
        if finding.status not in waivable:
            continue
        for i, waiver in enumerate(waivers.active):
            if waiver_matches(waiver, finding):
                finding.status = Status.WAIVED
                report.waivers[finding_key(finding)] = waiver
                covers[i] += 1
                break
    report.waiver_uses = sorted(
        [*zip(waivers.active, covers, strict=True), *((w, 0) for w in waivers.expired)], key=lambda use: use[0].line
    )
    report.notes.extend(waivers.notes)
    report.notes.extend(waivers.warnings())
    for i, waiver in enumerate(waivers.active):
        if not covers[i]:
            report.notes.append(
                f"{waiver.file}:{waiver.line}: waiver for {waiver.policy} on {waiver.resource} matched no failing finding"
            )
        elif (waiver.expires - today).days <= _SOON_DAYS:
            report.notes.append(
                f"{waiver.file}:{waiver.line}: waiver for {waiver.policy} on {waiver.resource} "
                f"expires on {waiver.expires.isoformat()}"
            )
    report.gate["waivers"] = {
        "file": waivers.file,
        "applied": sum(1 for f in report.findings if f.status is Status.WAIVED),
        "expired": len(waivers.expired),
        "max_days": waivers.max_days,
        "revision": waivers.revision,
        # Who owns each exemption and how much it hides: a reviewer's first two questions.
        "entries": [
            {**waiver.as_dict(), "covers": count, "expired": waiver.expires < today}
            for waiver, count in report.waiver_uses
        ],
    }


def stale_waiver_warnings(
    report: Report, waivers: WaiverSet, loaded_policy_ids: list[str] | None, full_scan: bool
) -> list[str]:
    """Waivers that look like mistakes: naming no loaded policy, or (in a full scan) matching no failure.

    Only a full scan (every loaded policy, every region) can tell that a waiver
    matches nothing: --policy or --region may simply have left its finding out.
    """
    from .suggest import suggestion

    warnings: list[str] = []
    waived = {id(w) for w in report.waivers.values()}
    for waiver in waivers.active + waivers.expired:
        where = f"{waiver.file}:{waiver.line}: waiver for {waiver.policy} on {waiver.resource}"
        if loaded_policy_ids is not None and not any(glob_match(waiver.policy, i) for i in loaded_policy_ids):
            warnings.append(f"{where} names no loaded policy{suggestion(waiver.policy, loaded_policy_ids)}")
        elif full_scan and waiver in waivers.active and id(waiver) not in waived:
            warnings.append(f"{where} matched no failing finding")
    return warnings
