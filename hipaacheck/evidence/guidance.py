"""The words for a person: limitations, definitions, what a gap means, and the prioritised to-do list.

Fixed text lives here so the HTML and Markdown pages say exactly the same
thing; the to-do list is computed once from the counted findings and the
attestations, critical first.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..attest.model import AttestationResult
from ..models import Severity, Status
from .inputs import FindingRecord
from .topics import TopicAnswer, Verdict

LIMITATIONS = (
    "Automated checks are evidence, not certification. HIPAA has no certification: no tool, auditor or "
    "vendor can certify a practice or a vendor as HIPAA compliant, and HHS does not endorse any.",
    "This is a point in time: it shows the inputs listed under Inputs, as of the dates shown, and says "
    "nothing about any other day.",
    "The scans see only cloud configuration (a Terraform plan or a live AWS account). They cannot see the "
    "administrative and physical safeguards (the BAA, training, risk analysis, incident procedures, who may "
    "enter a building): those come only from the signed attestations, and only as far as their evidence goes.",
    "A check that passes shows one setting as configured; it does not show that the setting is used correctly, "
    "that no other system holds ePHI, or that people follow the written policies.",
)

DEFINITIONS = (
    (
        "ePHI",
        "electronic protected health information: any patient information (names, dates, diagnoses, "
        "claims, account numbers...) that is stored or sent electronically.",
    ),
    ("Gaps found", "at least one check failed, or an attestation does not count: something needs fixing."),
    ("Not fully known", "some checks could not be decided (a value known only after deployment, or unreadable)."),
    ("Partly evidenced", "some parts of the question have evidence and others none."),
    ("In place", "every check of the question passed and every attestation is current."),
    ("No evidence", "nothing in these inputs answers the question. This does not mean it is in place."),
    ("pass / fail", "the check's setting was seen and met, or not met, the Security Rule safeguard it tests."),
    ("unknown / error", "the check could not decide: a value known only after deployment, or a read that failed."),
    ("skipped", "the check did not apply, or what was scanned could not show it."),
    ("waived", "a failure accepted as a dated, owned exception."),
)

# For each question: what a gap means for the practice, and what to ask the vendor.
NEXT_STEPS = {
    "storage": (
        "Patient records may be stored unencrypted; if that data is lost or stolen, it is a reportable breach.",
        "Ask the vendor to encrypt every store holding ePHI (with keys they manage and rotate) and to show the fix.",
    ),
    "transmission": (
        "Patient data may travel over connections that can be read or altered on the way.",
        "Ask the vendor to require TLS 1.2 or later on every connection that carries ePHI.",
    ),
    "access": (
        "People or systems may reach patient data without need, or sign in without a second factor (MFA).",
        "Ask the vendor who can reach ePHI, to close public access, and to require MFA for every person.",
    ),
    "logging": (
        "Without logs that are kept and reviewed, nobody would notice misuse of patient data.",
        "Ask the vendor to keep audit logs for every system with ePHI and to show a dated record of log review.",
    ),
    "backups": (
        "Patient data may not be recoverable after a mistake, an outage or ransomware.",
        "Ask the vendor for backups of every ePHI store and for the result of their last restore test.",
    ),
    "incidents": (
        "A break-in might go unnoticed, or the practice might not hear of a breach in time.",
        "Ask the vendor how incidents are detected and to confirm in writing they will report a breach within "
        "the BAA's deadline (at most 60 days).",
    ),
    "baa": (
        "Without a signed Business Associate Agreement, the vendor may not lawfully handle the practice's ePHI.",
        "Ask for a signed BAA, and for confirmation that the vendor has one with AWS and every subcontractor.",
    ),
    "training": (
        "Untrained staff are the most common cause of breaches (phishing, weak passwords).",
        "Ask the vendor for the date and content of their staff's last security awareness training.",
    ),
    "governance": (
        "Without a current risk analysis and written policies, security is not being managed, and the "
        "vendor cannot show it meets the Security Rule.",
        "Ask the vendor for the date of their last risk analysis, their named security official, and their policies.",
    ),
}

ACT_ON = (Verdict.GAPS, Verdict.UNDETERMINED, Verdict.NO_EVIDENCE, Verdict.PARTIAL)


@dataclass(frozen=True)
class NextStep:
    answer: TopicAnswer
    meaning: str
    ask: str


def next_steps(topics: list[TopicAnswer]) -> list[NextStep]:
    """One entry per question that is not in place, gaps first."""
    order = {verdict: i for i, verdict in enumerate(ACT_ON)}
    chosen = sorted((a for a in topics if a.verdict in ACT_ON), key=lambda a: order[a.verdict])
    return [NextStep(a, *NEXT_STEPS[a.topic.key]) for a in chosen]


@dataclass(frozen=True)
class ToDo:
    priority: str  # "critical", "high", ... or "attestation"
    what: str  # what is wrong, in a few words
    where: str  # the resource address, or the attestation id
    source: str  # the scanned source, or the attestations file
    fix: str
    anchor: str  # link target on the page ("f-3", "a-baa")


_PRIORITY = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 3, Severity.LOW: 4}


def todo(
    findings: list[FindingRecord],
    anchors: dict[int, str],
    results: list[AttestationResult],
    intended: dict[int, FindingRecord] | None = None,
) -> list[ToDo]:
    """Failing checks, plan changes that would fail, and lapsed attestations: critical first.

    ``intended`` maps a counted live finding to the plan finding it superseded: a plan that
    would turn a deployed pass into a failure is not counted, but must not go unnoticed.
    """
    items: list[tuple[int, ToDo]] = []
    for f in findings:
        fix = " ".join(f.remediation.split())
        if f.status is Status.FAIL:
            items.append(
                (_PRIORITY[f.severity], ToDo(f.severity.value, f.title, f.address, f.source, fix, anchors[id(f)]))
            )
            continue
        plan = (intended or {}).get(id(f))
        if plan is not None and plan.status is Status.FAIL:
            what = f"Before applying the plan: {plan.title} (deployed: {f.status.value}; the plan would fail it)"
            fix = " ".join(plan.remediation.split())
            items.append(
                (
                    _PRIORITY[plan.severity],
                    ToDo(plan.severity.value, what, plan.address, plan.source, fix, anchors[id(f)]),
                )
            )
    for r in results:
        if r.status is Status.FAIL:
            why = "; ".join(r.reasons)
            fix = (
                f"Have {r.attestation.owner} renew it: sign it, review it and keep its evidence where it says ({why})."
            )
            items.append(
                (
                    2,
                    ToDo(
                        "attestation",
                        f"Attestation does not count: {r.attestation.statement}",
                        r.attestation.id,
                        "attestations file",
                        fix,
                        f"a-{r.attestation.id}",
                    ),
                )
            )
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]
