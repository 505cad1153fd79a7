"""The questions a practice asks a billing vendor, and how each is answered from the inputs.

A topic gathers the findings whose citations fall in its specifications, splits
them into parts (e.g. encryption at rest vs. keys and rotation) and adds the
attestations that cover its specifications. Its verdict is worded so that a
topic with no evidence says so: silence is never presented as compliance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from ..attest.model import AttestationResult
from ..models import Status
from ..safeguards import SPECIFICATIONS, resolve
from .inputs import FindingRecord


def plural(count: int, word: str) -> str:
    """``1 resource``, ``3 resources``: the count and the word, in agreement."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class Verdict(Enum):
    GAPS = ("Gaps found", "bad")
    UNDETERMINED = ("Not fully known", "warn")
    NO_EVIDENCE = ("No evidence", "none")
    PARTIAL = ("Partly evidenced", "warn")
    EXCEPTIONS = ("In place, with accepted exceptions", "ok")
    IN_PLACE = ("In place", "ok")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def tone(self) -> str:
        return self.value[1]


Match = Callable[[FindingRecord], bool]


def _standard(*standards: str) -> frozenset[str]:
    """Every specification of the given standards (the standard itself included)."""
    return frozenset(s.citation for s in SPECIFICATIONS if s.standard in standards)


@dataclass(frozen=True)
class Part:
    title: str
    noun: str  # what one of its checks is called in a sentence ("key check")
    match: Match | None = None  # None: every finding of the topic not taken by an earlier part


@dataclass(frozen=True)
class Topic:
    key: str
    question: str
    about: str
    specs: frozenset[str]  # findings citing these belong to the topic
    attest_specs: frozenset[str]  # attestations citing these belong to the topic
    parts: tuple[Part, ...] = ()
    attested: str = "Attested"  # title of the attestations part


def _cites(*citations: str) -> Match:
    return lambda f: any((s := resolve(c)) is not None and s.citation in citations for c in f.safeguards)


TOPICS: tuple[Topic, ...] = (
    Topic(
        "storage",
        "How is patient information stored: is it encrypted at rest?",
        "The Security Rule expects ePHI to be encrypted at rest where reasonable (164.312(a)(2)(iv)). Encrypted "
        "PHI that is lost or stolen is not a reportable breach, so this is also the strongest protection "
        "against breach notices.",
        frozenset({"164.312(a)(2)(iv)"}),
        frozenset({"164.312(a)(2)(iv)"}) | _standard("164.310(d)(1)"),
        (
            Part("Encryption at rest", "encryption-at-rest check", lambda f: f.resource_type != "kms_key"),
            Part("Encryption keys and rotation", "key check"),
        ),
        "Decisions, devices and media (attested)",
    ),
    Topic(
        "transmission",
        "How is it transmitted: is it encrypted in transit?",
        "ePHI sent over a network must be protected from interception and alteration (164.312(e)): "
        "connections should require TLS 1.2 or later.",
        _standard("164.312(e)(1)"),
        _standard("164.312(e)(1)"),
        (Part("TLS enforcement", "transmission check"),),
    ),
    Topic(
        "access",
        "Who has access to it, and do people sign in with MFA?",
        "Only authorized people and systems may reach ePHI (164.312(a), 164.308(a)(3)-(4)), each with a unique "
        "identity, and people must prove who they are (164.312(d)).",
        frozenset({"164.312(a)(1)", "164.312(a)(2)(i)", "164.312(d)", "164.308(a)(5)(ii)(D)"})
        | _standard("164.308(a)(3)(i)", "164.308(a)(4)(i)"),
        frozenset({"164.312(a)(1)", "164.312(a)(2)(i)", "164.312(a)(2)(ii)", "164.312(a)(2)(iii)", "164.312(d)"})
        | _standard("164.308(a)(3)(i)", "164.308(a)(4)(i)"),
        (
            Part(
                "Public exposure",
                "public-exposure check",
                lambda f: "public" in f.policy_id or "internet" in f.policy_id,
            ),
            Part("Sign-in, MFA and passwords", "sign-in check", _cites("164.312(d)", "164.312(a)(2)(i)")),
            Part(
                "Administrator permissions",
                "permission check",
                lambda f: f.resource_type in ("iam_policy", "iam_principal"),
            ),
            Part("Other access controls", "other access check"),
        ),
        "Access management (attested)",
    ),
    Topic(
        "logging",
        "Is activity logged, and are the logs reviewed?",
        "Activity in systems with ePHI must be recorded (audit controls, 164.312(b)) and the records actually "
        "reviewed (164.308(a)(1)(ii)(D)). The scans show that logs exist; only an attestation can show review.",
        frozenset({"164.312(b)", "164.308(a)(1)(ii)(D)"}),
        frozenset({"164.312(b)", "164.308(a)(1)(ii)(D)"}),
        (Part("Audit logs kept", "logging check"),),
        "Logs reviewed (attested)",
    ),
    Topic(
        "backups",
        "Are there backups, and can data be recovered?",
        "A contingency plan needs retrievable exact copies of ePHI, a disaster recovery plan and tests of both "
        "(164.308(a)(7), 164.310(d)(2)(iv)).",
        _standard("164.308(a)(7)(i)") | {"164.310(d)(2)(iv)"},
        _standard("164.308(a)(7)(i)") | {"164.310(d)(2)(iv)"},
        (Part("Backups and recovery settings", "backup and recovery check"),),
        "Contingency plan and restore tests (attested)",
    ),
    Topic(
        "incidents",
        "Would a security incident be detected, and is there a breach procedure?",
        "Security incidents must be identified, responded to and documented (164.308(a)(6)); a business "
        "associate must tell the covered entity of a breach within 60 days of discovering it (164.410), or "
        "sooner if the BAA says so.",
        _standard("164.308(a)(6)(i)") | {"164.308(a)(5)(ii)(B)", "164.308(a)(5)(ii)(C)"},
        _standard("164.308(a)(6)(i)"),
        (Part("Threat detection", "detection check"),),
        "Incident response and breach notification (attested)",
    ),
    Topic(
        "baa",
        "Is there a signed Business Associate Agreement?",
        "A business associate may handle ePHI only under a written BAA with its client, and must have one with "
        "every subcontractor that handles ePHI for it, AWS included (164.308(b), 164.314(a)).",
        _standard("164.308(b)(1)", "164.314(a)(1)"),
        _standard("164.308(b)(1)", "164.314(a)(1)"),
        (),
        "Business Associate Agreements (attested)",
    ),
    Topic(
        "training",
        "Are staff trained?",
        "Every workforce member needs security awareness training, with reminders and guidance on malware, "
        "log-in monitoring and passwords (164.308(a)(5)).",
        _standard("164.308(a)(5)(i)"),
        _standard("164.308(a)(5)(i)"),
        (Part("Password rules", "password check"),),
        "Security awareness training (attested)",
    ),
    Topic(
        "governance",
        "Is there a risk analysis, and is security managed and documented?",
        "A risk analysis and risk management, a sanction policy, a named security official, periodic "
        "evaluation, and written policies kept for 6 years (164.308(a)(1), (a)(2), (a)(8), 164.316).",
        frozenset({"164.308(a)(1)(i)", "164.308(a)(1)(ii)(A)", "164.308(a)(1)(ii)(B)", "164.308(a)(1)(ii)(C)"})
        | frozenset({"164.308(a)(2)", "164.308(a)(8)"})
        | frozenset(s.citation for s in SPECIFICATIONS if s.section == "164.316"),
        frozenset({"164.308(a)(1)(i)", "164.308(a)(1)(ii)(A)", "164.308(a)(1)(ii)(B)", "164.308(a)(1)(ii)(C)"})
        | frozenset({"164.308(a)(2)", "164.308(a)(8)"})
        | frozenset(s.citation for s in SPECIFICATIONS if s.section == "164.316"),
        (),
        "Risk analysis, policies and documentation (attested)",
    ),
)


@dataclass
class PartAnswer:
    title: str
    verdict: Verdict
    sentence: str
    listed: list[FindingRecord] = field(default_factory=list)  # the findings that need attention
    checked: int = 0
    passed: int = 0
    unchecked: int = 0  # skipped because what was scanned could not show them


@dataclass
class TopicAnswer:
    topic: Topic
    verdict: Verdict
    headline: str
    parts: list[PartAnswer]
    attestations: list[AttestationResult]
    attested: PartAnswer


def _in(specs: frozenset[str], citations: Sequence[str]) -> bool:
    return any((s := resolve(c)) is not None and s.citation in specs for c in citations)


def answer(topic: Topic, findings: Sequence[FindingRecord], results: Sequence[AttestationResult]) -> TopicAnswer:
    mine = [f for f in findings if _in(topic.specs, f.safeguards)]
    parts: list[PartAnswer] = []
    taken: set[int] = set()
    for part in topic.parts:
        chosen = [f for f in mine if id(f) not in taken and (part.match is None or part.match(f))]
        taken.update(id(f) for f in chosen)
        parts.append(_part_answer(part, chosen))
    attests = [r for r in results if _in(topic.attest_specs, r.attestation.safeguards)]
    attested = _attested_answer(topic.attested, attests)
    verdict = _combine([p.verdict for p in parts] + [attested.verdict])
    return TopicAnswer(topic, verdict, _headline(verdict, parts, attests), parts, attests, attested)


# The engine's words for a skipped check that could not be evaluated (not visible in a
# plan, or a setting the plan does not manage), as opposed to one out of the policy's scope.
NOT_EVALUATED = "Not evaluated"


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def _part_answer(part: Part, findings: list[FindingRecord]) -> PartAnswer:
    considered = [f for f in findings if f.status is not Status.SKIPPED]
    unchecked = [f for f in findings if f.status is Status.SKIPPED and f.message.startswith(NOT_EVALUATED)]
    out_of_scope = len(findings) - len(considered) - len(unchecked)
    n = len(considered)
    not_seen = (
        f"{plural(len(unchecked), part.noun)} could not be evaluated from what was scanned "
        "(a live account scan, or a plan that manages the setting, would show them)"
    )
    if not n:
        if unchecked:
            why = not_seen
        elif out_of_scope:
            why = f"the {plural(out_of_scope, part.noun)} in the reports {_was(out_of_scope)} out of scope"
        else:
            why = f"the reports contain no {part.noun}"
        return PartAnswer(part.title, Verdict.NO_EVIDENCE, f"No evidence: {why}.", unchecked, unchecked=len(unchecked))
    failed = [f for f in considered if f.status is Status.FAIL]
    open_ = [f for f in considered if f.status in (Status.UNKNOWN, Status.ERROR)]
    waived = [f for f in considered if f.status is Status.WAIVED]
    resources = len({(f.source, f.address) for f in considered})
    sentences = []
    if failed:
        bad = len({(f.source, f.address) for f in failed})
        sentences.append(
            f"{len(failed)} of {plural(n, part.noun)} failed, on {bad} of {plural(resources, 'resource')}."
        )
        verdict = Verdict.GAPS
    elif open_:
        verdict = Verdict.UNDETERMINED
    elif unchecked:
        verdict = Verdict.PARTIAL
    elif waived:
        verdict = Verdict.EXCEPTIONS
    else:
        verdict = Verdict.IN_PLACE
    if not failed and not open_ and not waived:
        every = "The" if n == 1 else f"All {n}"
        sentences.append(f"{every} {part.noun}{'' if n == 1 else 's'} passed, on {plural(resources, 'resource')}.")
    if open_:
        sentences.append(f"{len(open_)} of {n} could not be decided (a value known only after apply, or unreadable).")
    if waived:
        sentences.append(f"{plural(len(waived), 'failure')} accepted as dated exceptions (waived).")
    passed = sum(1 for f in considered if f.status is Status.PASS)
    if failed or open_ or waived:
        sentences.append(f"{passed} passed.")
    if unchecked:
        sentences.append(f"{not_seen[0].upper()}{not_seen[1:]}.")
    if out_of_scope:
        sentences.append(f"{out_of_scope} more {_was(out_of_scope)} skipped as out of scope.")
    listed = failed + open_ + waived + unchecked
    return PartAnswer(part.title, verdict, " ".join(sentences), listed, n, passed, len(unchecked))


def _attested_answer(title: str, results: list[AttestationResult]) -> PartAnswer:
    if not results:
        return PartAnswer(title, Verdict.NO_EVIDENCE, "No evidence: no attestation covers this.")
    failing = [r for r in results if r.status is Status.FAIL]
    if failing:
        sentence = (
            f"{len(failing)} of {plural(len(results), 'attestation')} "
            f"{'does' if len(failing) == 1 else 'do'} not count yet (unsigned, overdue, or evidence missing or changed)."
        )
        return PartAnswer(title, Verdict.GAPS, sentence, checked=len(results))
    return PartAnswer(
        title, Verdict.IN_PLACE, f"{plural(len(results), 'current, signed attestation')}.", checked=len(results)
    )


def _combine(verdicts: list[Verdict]) -> Verdict:
    for bad in (Verdict.GAPS, Verdict.UNDETERMINED):
        if bad in verdicts:
            return bad
    evidenced = [v for v in verdicts if v is not Verdict.NO_EVIDENCE]
    if not evidenced:
        return Verdict.NO_EVIDENCE
    if len(evidenced) < len(verdicts) or Verdict.PARTIAL in evidenced:
        return Verdict.PARTIAL
    return Verdict.EXCEPTIONS if Verdict.EXCEPTIONS in evidenced else Verdict.IN_PLACE


def _headline(verdict: Verdict, parts: list[PartAnswer], results: list[AttestationResult]) -> str:
    checked = sum(p.checked for p in parts)
    passed = sum(p.passed for p in parts)
    bits = []
    unchecked = sum(p.unchecked for p in parts)
    if checked:
        bits.append(f"{passed} of {plural(checked, 'automated check')} passed")
    else:
        bits.append("no automated check in the reports")
    if unchecked:
        bits.append(f"{unchecked} not evaluated from what was scanned")
    current = sum(1 for r in results if r.status is Status.PASS)
    bits.append(f"{current} of {plural(len(results), 'attestation')} current" if results else "no attestation")
    text = "; ".join(bits)
    if verdict is Verdict.NO_EVIDENCE:
        return f"No evidence: {text}. This does not mean it is in place."
    return f"{verdict.label}: {text}."
