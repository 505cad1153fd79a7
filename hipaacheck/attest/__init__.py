"""Attestations for the Security Rule safeguards that infrastructure cannot show (``hipaacheck attest``)."""

from __future__ import annotations

from .evaluate import evaluate
from .loader import AttestationError, load_attestations
from .model import DEFAULT_FILE, Attestation, AttestationResult, AttestationSet
from .template import render_template

__all__ = [
    "DEFAULT_FILE",
    "Attestation",
    "AttestationError",
    "AttestationResult",
    "AttestationSet",
    "evaluate",
    "load_attestations",
    "render_template",
]
