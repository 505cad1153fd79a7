"""The attestation template that ``hipaacheck attest init`` writes.

One record per item of docs/HIPAA.md section 3 ("What infrastructure cannot
show"), plus the addressable decisions for the encryption and integrity
specifications and the organizational requirements that usually do not apply
to a billing vendor, so that a filled-in template and the built-in policies
together account for every Security Rule specification. Every record holds
``TODO`` placeholders, so ``attest check`` fails it until a person signs it.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

from .model import PLACEHOLDER


@dataclass(frozen=True)
class Item:
    id: str
    safeguards: tuple[str, ...]
    statement: str
    evidence: str  # what to attach, as the placeholder's hint
    review_interval_days: int
    decision: bool = False  # cites addressable specifications
    applicable: bool = True
    rationale: str = ""
    note: str = ""  # a comment above the record


ITEMS: tuple[Item, ...] = (
    Item(
        "baa-clients-and-subcontractors",
        ("164.308(b)(1)", "164.308(b)(2)", "164.308(b)(3)", "164.314(a)(1)", "164.314(a)(2)(i)", "164.314(a)(2)(iii)"),
        "A Business Associate Agreement signed by both parties is on file for every covered-entity client, and a "
        "downstream BAA for every subcontractor that creates, receives, keeps or sends ePHI for us (AWS through "
        "AWS Artifact, clearinghouses, e-mail and SMS, support and logging services). The register lists each "
        "agreement, its parties and its date, and is updated whenever a client or subcontractor is added.",
        "signed BAAs and the subcontractor register",
        365,
        note="Review on every new client or subcontractor, and at least yearly.",
    ),
    Item(
        "risk-analysis",
        ("164.308(a)(1)(i)", "164.308(a)(1)(ii)(A)"),
        "An accurate and thorough assessment of the risks to the confidentiality, integrity and availability of "
        "the ePHI we hold was completed; it is repeated every year and after any major change.",
        "the risk analysis report",
        365,
    ),
    Item(
        "risk-management",
        ("164.308(a)(1)(ii)(B)",),
        "Security measures that reduce the risks found in the risk analysis to a reasonable and appropriate level "
        "are tracked in a risk register, each with an owner and a date.",
        "the risk register",
        365,
    ),
    Item(
        "sanction-policy",
        ("164.308(a)(1)(ii)(C)",),
        "A written sanction policy applies appropriate sanctions to workforce members who do not follow our "
        "security policies and procedures; every workforce member has acknowledged it.",
        "the HR sanction policy and acknowledgements",
        365,
    ),
    Item(
        "activity-review",
        ("164.308(a)(1)(ii)(D)",),
        "Records of information system activity (audit logs, access reports, security incident tracking) are "
        "actually reviewed on a schedule; each review is recorded with its date, reviewer and follow-up.",
        "review tickets or sign-offs",
        90,
        note="The automated checks show that logs exist; this attests that someone reads them.",
    ),
    Item(
        "security-official",
        ("164.308(a)(2)",),
        "A named security official is responsible for developing and implementing our security policies and "
        "procedures.",
        "the appointment memo",
        365,
        note="Review whenever the security official changes, and at least yearly.",
    ),
    Item(
        "workforce-security",
        ("164.308(a)(3)(i)", "164.308(a)(3)(ii)(A)", "164.308(a)(3)(ii)(B)", "164.308(a)(3)(ii)(C)"),
        "Workforce members' access to ePHI is authorized and supervised, cleared before it is granted, and "
        "removed when their employment or engagement ends.",
        "onboarding and offboarding records",
        90,
        decision=True,
    ),
    Item(
        "access-management",
        ("164.308(a)(4)(i)", "164.308(a)(4)(ii)(B)", "164.308(a)(4)(ii)(C)"),
        "Access to ePHI is granted only on a documented approval, every change to it is recorded, and all "
        "access is reviewed every quarter.",
        "access approvals and the quarterly access review",
        90,
        decision=True,
    ),
    Item(
        "clearinghouse-isolation",
        ("164.308(a)(4)(ii)(A)",),
        "Our health care clearinghouse functions (converting claims to and from the standard 837/835 formats) "
        "are isolated from unauthorized access by the rest of the organization.",
        "the architecture statement",
        365,
        note="If you never convert claims between nonstandard and standard formats you are not a clearinghouse: "
        "set applicable: false and say so in a rationale.",
    ),
    Item(
        "security-awareness-training",
        (
            "164.308(a)(5)(i)",
            "164.308(a)(5)(ii)(A)",
            "164.308(a)(5)(ii)(B)",
            "164.308(a)(5)(ii)(C)",
            "164.308(a)(5)(ii)(D)",
        ),
        "Every workforce member completes security awareness training each year and receives periodic security "
        "reminders, covering protection from malicious software, log-in monitoring and password management.",
        "the training system's completion export",
        365,
        decision=True,
    ),
    Item(
        "incident-response",
        ("164.308(a)(6)(i)", "164.308(a)(6)(ii)"),
        "A written incident response procedure identifies, responds to, mitigates and documents security "
        "incidents, and an incident log is kept.",
        "the incident response plan and incident log",
        365,
    ),
    Item(
        "breach-notification",
        ("164.308(a)(6)(ii)", "164.314(a)(2)(i)"),
        "We notify the covered entity of a breach of unsecured PHI without unreasonable delay and no later than "
        "60 calendar days after discovery (164.410), or sooner where the BAA says so, identifying each "
        "individual affected; a breach log is kept.",
        "the breach notification procedure and breach log",
        365,
    ),
    Item(
        "contingency-plan",
        ("164.308(a)(7)(i)", "164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)", "164.308(a)(7)(ii)(C)"),
        "A written contingency plan covers data backup, disaster recovery and emergency-mode operation: how "
        "critical business processes keep protecting ePHI during an emergency.",
        "the DR runbook",
        365,
    ),
    Item(
        "contingency-testing",
        ("164.308(a)(7)(ii)(D)", "164.308(a)(7)(ii)(E)"),
        "The contingency plan is tested at least yearly, including a restore of ePHI from backup, and revised "
        "from what the test shows; applications and data are ranked by how critical they are.",
        "the restore-test report and the criticality analysis",
        365,
        decision=True,
    ),
    Item(
        "evaluation",
        ("164.308(a)(8)",),
        "A technical and non-technical evaluation of our security against the Security Rule is performed "
        "periodically and after environmental or operational changes; hipaacheck scan reports are part of it.",
        "the evaluation report",
        365,
    ),
    Item(
        "facility-access",
        (
            "164.310(a)(1)",
            "164.310(a)(2)(i)",
            "164.310(a)(2)(ii)",
            "164.310(a)(2)(iii)",
            "164.310(a)(2)(iv)",
        ),
        "Physical access to the facilities that hold ePHI is controlled. ePHI is hosted only in AWS data "
        "centers, whose controls are inherited and evidenced by AWS's SOC 2 and HITRUST reports (AWS Artifact); "
        "our offices hold no servers with ePHI.",
        "the AWS Artifact reports",
        365,
        decision=True,
    ),
    Item(
        "workstation-security",
        ("164.310(b)", "164.310(c)"),
        "Written rules say how workstations that access ePHI are used, and every staff laptop that accesses ePHI "
        "is managed: full-disk encryption, screen lock and current patches, enforced by device management.",
        "the device-management compliance export",
        365,
    ),
    Item(
        "device-and-media-controls",
        (
            "164.310(d)(1)",
            "164.310(d)(2)(i)",
            "164.310(d)(2)(ii)",
            "164.310(d)(2)(iii)",
            "164.310(d)(2)(iv)",
        ),
        "Devices and media that hold ePHI are tracked, wiped before re-use and destroyed on disposal, with "
        "records kept; an exact copy of ePHI is made before equipment is moved.",
        "the device register and disposal certificates",
        365,
        decision=True,
    ),
    Item(
        "emergency-access",
        ("164.312(a)(2)(ii)",),
        "A break-glass procedure gives access to ePHI during an emergency; the break-glass role was tested, and "
        "every use of it is logged and alerted.",
        "the procedure and the last break-glass test",
        365,
    ),
    Item(
        "automatic-logoff",
        ("164.312(a)(2)(iii)",),
        "The billing application ends idle sessions after a set period of inactivity.",
        "the session-timeout setting or a test of it",
        365,
        decision=True,
    ),
    Item(
        "policies-and-documentation",
        ("164.316(a)", "164.316(b)(1)", "164.316(b)(2)(i)", "164.316(b)(2)(ii)", "164.316(b)(2)(iii)"),
        "Written security policies and procedures are kept in a versioned repository for 6 years from their "
        "creation or the date they were last in effect, whichever is later; they are available to the staff "
        "who apply them and reviewed and updated every year.",
        "the policy repository with its version history",
        365,
    ),
    Item(
        "unique-user-identification",
        ("164.312(a)(2)(i)", "164.312(d)"),
        "Every person who uses a system with ePHI has a unique user name, shared accounts are not used, and "
        "people are authenticated (with MFA) before they get access.",
        "the identity provider's user export",
        365,
        note="The automated checks cover root and IAM users in AWS; this covers every other system.",
    ),
    Item(
        "encryption-and-integrity-decisions",
        ("164.312(a)(2)(iv)", "164.312(c)(2)", "164.312(e)(2)(i)", "164.312(e)(2)(ii)"),
        "ePHI is encrypted at rest and in transit and protected from improper alteration in storage and in "
        "transmission; the hipaacheck scan reports show the technical controls.",
        "the hipaacheck scan reports",
        365,
        decision=True,
        note="Records the 164.306(d) decision for these addressable specifications.",
    ),
    Item(
        "group-health-plan-requirements",
        ("164.314(b)(1)", "164.314(b)(2)(i)", "164.314(b)(2)(ii)", "164.314(b)(2)(iii)", "164.314(b)(2)(iv)"),
        "The requirements for group health plans do not apply to us.",
        "a statement of the organization's role",
        365,
        applicable=False,
        rationale="We are a business associate providing billing services, not a group health plan or a plan sponsor.",
    ),
    Item(
        "government-arrangements",
        ("164.314(a)(2)(ii)",),
        "Other arrangements between government entities do not apply to us.",
        "a statement of the organization's role",
        365,
        applicable=False,
        rationale="Neither we nor our clients are government entities; our business associate relationships "
        "are written contracts.",
    ),
)

_HEADER = """\
# yaml-language-server: $schema={schema}
# (for editors: the schema of the hipaacheck that wrote this file; point it at your own copy if needed)
# hipaacheck attestations: signed statements for the HIPAA Security Rule
# safeguards that infrastructure cannot show (section 3 of docs/HIPAA.md in
# the hipaacheck repository).
#
# Every value that starts with TODO is a placeholder: `hipaacheck attest check`
# reports the record as fail until a person fills it in and signs it.
#
#   safeguards            Security Rule citations, e.g. 164.308(a)(2)
#   owner                 who keeps this true (a role or team)
#   signed_by, signed_at  who vouches for it, and when (YYYY-MM-DD, not in the future)
#   evidence              a path inside this repository, or an https:// or s3:// address;
#                         add `sha256: <64 hex>` to have a local file's content verified
#   review_interval_days  the record fails once signed_at + this many days has passed
#   decision              for addressable specifications (164.306(d)(3)): implemented,
#                         alternative or not-reasonable; the last two need a rationale
#   applicable: false     the specifications do not apply to you; a rationale says why
#
# Keep signed evidence for 6 years (164.316(b)(2)(i)), e.g. in an S3 bucket
# with Object Lock.
organization: "TODO: your organization's legal name"
attestations:
"""


def render_template() -> str:
    from ..schema_files import schema_uri

    parts = [_HEADER.replace("{schema}", schema_uri("attestations.schema.json"))]
    for item in ITEMS:
        parts.append(_render_item(item))
    return "\n".join(parts)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _block(key: str, text: str) -> list[str]:
    lines = textwrap.wrap(text, width=76)
    return [f"    {key}: >-", *(f"      {line}" for line in lines)]


def _render_item(item: Item) -> str:
    lines: list[str] = []
    if item.note:
        lines.extend(f"  # {line}" for line in textwrap.wrap(item.note, width=76))
    lines.append(f"  - id: {item.id}")
    lines.append(f"    safeguards: [{', '.join(_q(c) for c in item.safeguards)}]")
    lines.extend(_block("statement", item.statement))
    lines.append(f"    owner: {_q(PLACEHOLDER + ': the role or team that keeps this true')}")
    lines.append(f"    signed_by: {_q(PLACEHOLDER + ': name and title of the person who signs')}")
    lines.append(f"    signed_at: {_q(PLACEHOLDER + ': YYYY-MM-DD')}")
    lines.append(f"    evidence: {_q(f'{PLACEHOLDER}: path or URL of {item.evidence}')}")
    lines.append(f"    review_interval_days: {item.review_interval_days}")
    if item.decision:
        lines.append(f"    decision: {_q(PLACEHOLDER + ': implemented, alternative or not-reasonable')}")
    if not item.applicable:
        lines.append("    applicable: false")
        lines.extend(_block("rationale", item.rationale))
    return "\n".join(lines) + "\n"
