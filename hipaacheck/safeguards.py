"""Registry of HIPAA Security Rule standards and implementation specifications.

Source: the structure tables in section 1 of the project's domain reference,
docs/HIPAA.md (45 CFR 164.308, 164.310, 164.312, 164.314 and 164.316),
with short names following the regulation's own paragraph headings (45 CFR
Part 164 Subpart C as amended by the 2013 Omnibus Rule). Only the current
rule is modelled; the 2025 NPRM, which would drop the "addressable"
category, is not final and belongs in a separate profile.

Citations use the hipaacheck form ``164.312(a)(2)(iv)``: the section, then
each paragraph level in parentheses, with no "45 CFR" or "§" prefix. Lookups
are exact and do no normalisation; cleaning up user input is the loader's job.

Kinds:

* ``"standard"``: a standard that has implementation specifications.
* ``"required"``: a Required implementation specification, or a standard with
  no implementation specifications, which 164.306 makes mandatory in itself
  (e.g. 164.312(b) Audit controls).
* ``"addressable"``: an Addressable implementation specification. This never
  means optional: 164.306(d)(3) requires a documented assessment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["standard", "required", "addressable"]

__all__ = [
    "BY_CITATION",
    "CITATION_PATTERN",
    "FAMILY_PREFIXES",
    "SPECIFICATIONS",
    "Kind",
    "Specification",
    "covers",
    "is_valid_citation",
    "resolve",
]


@dataclass(frozen=True)
class Specification:
    """One standard or implementation specification of the Security Rule."""

    citation: str
    name: str
    kind: Kind
    section: str
    standard: str
    area: str


# Section 1 of HIPAA.md groups 164.314 and 164.316 in one table, but they are
# separate sections with their own titles, so each gets its own area.
_AREAS: dict[str, str] = {
    "164.308": "Administrative safeguards",
    "164.310": "Physical safeguards",
    "164.312": "Technical safeguards",
    "164.314": "Organizational requirements",
    "164.316": "Policies, procedures and documentation",
}

_Spec = tuple[str, str, Kind]
_Standard = tuple[str, str, tuple[_Spec, ...]]

# Nested by standard so that each specification's parent, and whether a
# standard is "standard" or "required", follow from the shape of the data
# rather than being repeated by hand on every row.
_RULE: tuple[_Standard, ...] = (
    (
        "164.308(a)(1)(i)",
        "Security management process",
        (
            ("164.308(a)(1)(ii)(A)", "Risk analysis", "required"),
            ("164.308(a)(1)(ii)(B)", "Risk management", "required"),
            ("164.308(a)(1)(ii)(C)", "Sanction policy", "required"),
            ("164.308(a)(1)(ii)(D)", "Information system activity review", "required"),
        ),
    ),
    ("164.308(a)(2)", "Assigned security responsibility", ()),
    (
        "164.308(a)(3)(i)",
        "Workforce security",
        (
            ("164.308(a)(3)(ii)(A)", "Authorization and/or supervision", "addressable"),
            ("164.308(a)(3)(ii)(B)", "Workforce clearance procedure", "addressable"),
            ("164.308(a)(3)(ii)(C)", "Termination procedures", "addressable"),
        ),
    ),
    (
        "164.308(a)(4)(i)",
        "Information access management",
        (
            ("164.308(a)(4)(ii)(A)", "Isolating health care clearinghouse functions", "required"),
            ("164.308(a)(4)(ii)(B)", "Access authorization", "addressable"),
            ("164.308(a)(4)(ii)(C)", "Access establishment and modification", "addressable"),
        ),
    ),
    (
        "164.308(a)(5)(i)",
        "Security awareness and training",
        (
            ("164.308(a)(5)(ii)(A)", "Security reminders", "addressable"),
            ("164.308(a)(5)(ii)(B)", "Protection from malicious software", "addressable"),
            ("164.308(a)(5)(ii)(C)", "Log-in monitoring", "addressable"),
            ("164.308(a)(5)(ii)(D)", "Password management", "addressable"),
        ),
    ),
    (
        "164.308(a)(6)(i)",
        "Security incident procedures",
        (("164.308(a)(6)(ii)", "Response and reporting", "required"),),
    ),
    (
        "164.308(a)(7)(i)",
        "Contingency plan",
        (
            ("164.308(a)(7)(ii)(A)", "Data backup plan", "required"),
            ("164.308(a)(7)(ii)(B)", "Disaster recovery plan", "required"),
            ("164.308(a)(7)(ii)(C)", "Emergency mode operation plan", "required"),
            ("164.308(a)(7)(ii)(D)", "Testing and revision procedures", "addressable"),
            ("164.308(a)(7)(ii)(E)", "Applications and data criticality analysis", "addressable"),
        ),
    ),
    ("164.308(a)(8)", "Evaluation", ()),
    (
        "164.308(b)(1)",
        "Business associate contracts and other arrangements",
        (
            # (b)(2) is not an implementation specification but the second limb of
            # the (b)(1) standard (BA to subcontractor), so it is as mandatory as
            # the standard itself; "required" is the only kind that says so
            # without making it a standard in its own right.
            ("164.308(b)(2)", "Subcontractor satisfactory assurances", "required"),
            ("164.308(b)(3)", "Written contract or other arrangement", "required"),
        ),
    ),
    (
        "164.310(a)(1)",
        "Facility access controls",
        (
            ("164.310(a)(2)(i)", "Contingency operations", "addressable"),
            ("164.310(a)(2)(ii)", "Facility security plan", "addressable"),
            ("164.310(a)(2)(iii)", "Access control and validation procedures", "addressable"),
            ("164.310(a)(2)(iv)", "Maintenance records", "addressable"),
        ),
    ),
    ("164.310(b)", "Workstation use", ()),
    ("164.310(c)", "Workstation security", ()),
    (
        "164.310(d)(1)",
        "Device and media controls",
        (
            ("164.310(d)(2)(i)", "Disposal", "required"),
            ("164.310(d)(2)(ii)", "Media re-use", "required"),
            ("164.310(d)(2)(iii)", "Accountability", "addressable"),
            ("164.310(d)(2)(iv)", "Data backup and storage", "addressable"),
        ),
    ),
    (
        "164.312(a)(1)",
        "Access control",
        (
            ("164.312(a)(2)(i)", "Unique user identification", "required"),
            ("164.312(a)(2)(ii)", "Emergency access procedure", "required"),
            ("164.312(a)(2)(iii)", "Automatic logoff", "addressable"),
            ("164.312(a)(2)(iv)", "Encryption and decryption", "addressable"),
        ),
    ),
    ("164.312(b)", "Audit controls", ()),
    ("164.312(c)(1)", "Integrity", (("164.312(c)(2)", "Mechanism to authenticate ePHI", "addressable"),)),
    ("164.312(d)", "Person or entity authentication", ()),
    (
        "164.312(e)(1)",
        "Transmission security",
        (
            ("164.312(e)(2)(i)", "Integrity controls", "addressable"),
            ("164.312(e)(2)(ii)", "Encryption", "addressable"),
        ),
    ),
    (
        "164.314(a)(1)",
        "Business associate contracts or other arrangements",
        (
            ("164.314(a)(2)(i)", "Business associate contracts", "required"),
            ("164.314(a)(2)(ii)", "Other arrangements", "required"),
            ("164.314(a)(2)(iii)", "Business associate contracts with subcontractors", "required"),
        ),
    ),
    (
        "164.314(b)(1)",
        "Requirements for group health plans",
        (
            ("164.314(b)(2)(i)", "Plan sponsor implements safeguards", "required"),
            ("164.314(b)(2)(ii)", "Adequate separation supported by security measures", "required"),
            ("164.314(b)(2)(iii)", "Agents implement security measures", "required"),
            ("164.314(b)(2)(iv)", "Plan sponsor reports security incidents", "required"),
        ),
    ),
    ("164.316(a)", "Policies and procedures", ()),
    # HIPAA.md marks (b)(1) "R", but it has implementation specifications, and
    # the registry's rule is that such a standard is "standard"; its
    # obligations are carried by the three Required specifications below.
    (
        "164.316(b)(1)",
        "Documentation",
        (
            ("164.316(b)(2)(i)", "Time limit", "required"),
            ("164.316(b)(2)(ii)", "Availability", "required"),
            ("164.316(b)(2)(iii)", "Updates", "required"),
        ),
    ),
)


def _section_of(citation: str) -> str:
    return citation.split("(", 1)[0]


def _build() -> tuple[Specification, ...]:
    specs: list[Specification] = []
    for std_citation, std_name, children in _RULE:
        section = _section_of(std_citation)
        area = _AREAS[section]
        std_kind: Kind = "standard" if children else "required"
        specs.append(Specification(std_citation, std_name, std_kind, section, std_citation, area))
        for citation, name, kind in children:
            specs.append(Specification(citation, name, kind, section, std_citation, area))
    return tuple(specs)


SPECIFICATIONS: tuple[Specification, ...] = _build()
"""Every standard and implementation specification, in regulation order."""

BY_CITATION: dict[str, Specification] = {s.citation: s for s in SPECIFICATIONS}
"""Exact citation -> specification."""

# Policies often cite a whole standard by its parent paragraph (the standard
# minus its trailing "(i)"/"(1)", as in "164.308(a)(7)") or by the paragraph
# that introduces its implementation specifications ("164.310(d)(2)"). Both
# name one standard unambiguously. Paragraphs that span several standards
# (e.g. 164.308(a), or a bare section) are deliberately absent: they name no
# single standard, so a coverage matrix could not credit them honestly.
FAMILY_PREFIXES: dict[str, str] = {
    "164.308(a)(1)": "164.308(a)(1)(i)",
    "164.308(a)(1)(ii)": "164.308(a)(1)(i)",
    "164.308(a)(3)": "164.308(a)(3)(i)",
    "164.308(a)(3)(ii)": "164.308(a)(3)(i)",
    "164.308(a)(4)": "164.308(a)(4)(i)",
    "164.308(a)(4)(ii)": "164.308(a)(4)(i)",
    "164.308(a)(5)": "164.308(a)(5)(i)",
    "164.308(a)(5)(ii)": "164.308(a)(5)(i)",
    # (a)(6)(ii) is itself a specification (Response and reporting), so only
    # the parent paragraph is a family prefix here.
    "164.308(a)(6)": "164.308(a)(6)(i)",
    "164.308(a)(7)": "164.308(a)(7)(i)",
    "164.308(a)(7)(ii)": "164.308(a)(7)(i)",
    "164.308(b)": "164.308(b)(1)",
    "164.310(a)": "164.310(a)(1)",
    "164.310(a)(2)": "164.310(a)(1)",
    "164.310(d)": "164.310(d)(1)",
    "164.310(d)(2)": "164.310(d)(1)",
    "164.312(a)": "164.312(a)(1)",
    "164.312(a)(2)": "164.312(a)(1)",
    "164.312(c)": "164.312(c)(1)",
    "164.312(e)": "164.312(e)(1)",
    "164.312(e)(2)": "164.312(e)(1)",
    "164.314(a)": "164.314(a)(1)",
    "164.314(a)(2)": "164.314(a)(1)",
    "164.314(b)": "164.314(b)(1)",
    "164.314(b)(2)": "164.314(b)(1)",
    "164.316(b)": "164.316(b)(1)",
    "164.316(b)(2)": "164.316(b)(1)",
}
"""Family prefix -> citation of the standard it names."""

# Stricter than "any lowercase/digit groups": Subpart C sections are the even
# numbers 164.302-164.318, and paragraph levels nest in the CFR order
# (a) -> (1) -> (i) -> (A) -> (1), so "164.312(2)(a)" is malformed rather
# than merely unknown. Upper-case letters must be allowed for the (A) level.
CITATION_PATTERN: re.Pattern[str] = re.compile(
    r"^164\.3(?:0[2468]|1[02468])"
    r"(?:\([a-z]\)"
    r"(?:\([1-9][0-9]?\)"
    r"(?:\([ivx]+\)"
    r"(?:\([A-Z]\)"
    r"(?:\([1-9][0-9]?\))?)?)?)?)?$"
)
"""Syntax of a well-formed Subpart C citation (known or not)."""


def _check_registry() -> None:
    # Hand-maintained tables drift; fail at import rather than silently
    # mis-crediting coverage.
    if len(BY_CITATION) != len(SPECIFICATIONS):
        raise RuntimeError("duplicate citation in safeguards registry")
    for spec in SPECIFICATIONS:
        if not CITATION_PATTERN.match(spec.citation):
            raise RuntimeError(f"malformed registry citation {spec.citation!r}")
    for prefix, target in FAMILY_PREFIXES.items():
        if prefix in BY_CITATION or not CITATION_PATTERN.match(prefix):
            raise RuntimeError(f"bad family prefix {prefix!r}")
        if BY_CITATION[target].kind != "standard":
            raise RuntimeError(f"family prefix {prefix!r} must name a standard")


_check_registry()


def resolve(citation: str) -> Specification | None:
    """Return the specification a policy citation names, or None if unknown.

    An exact citation returns its own specification. A family prefix from
    FAMILY_PREFIXES (e.g. ``164.308(a)(7)``) returns the standard it names
    (``164.308(a)(7)(i)``), never one of that standard's implementation
    specifications.
    """
    spec = BY_CITATION.get(citation)
    if spec is not None:
        return spec
    target = FAMILY_PREFIXES.get(citation)
    return BY_CITATION[target] if target is not None else None


def is_valid_citation(citation: str) -> bool:
    """True if ``citation`` is a known specification or an accepted family prefix.

    A citation that matches CITATION_PATTERN but fails this check is
    well-formed yet names nothing in the registry (e.g. ``164.306(d)`` or
    ``164.312(f)``).
    """
    return resolve(citation) is not None


def covers(policy_citation: str, spec: Specification) -> bool:
    """True if a policy citing ``policy_citation`` counts toward ``spec``.

    Deliberately strict: a policy covers exactly the specification it
    resolves to. Citing ``164.312(a)(2)(iv)`` covers only Encryption and
    decryption. Citing a family prefix such as ``164.308(a)(7)`` covers the
    standard ``164.308(a)(7)(i)`` only, not Data backup plan, Disaster
    recovery plan or the other (a)(7)(ii) specifications, and citing a
    standard never covers its implementation specifications. A broad citation
    therefore cannot make a matrix look more complete than the checks behind
    it; each required or addressable specification must be cited by name.
    """
    resolved = resolve(policy_citation)
    return resolved is not None and resolved.citation == spec.citation
