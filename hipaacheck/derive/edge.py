"""Derived facts of the network edge, computed once for both sources (plan adapters and live collectors).

Each function takes the values as both sources can give them (plain strings,
booleans, lists of dicts in a neutral shape) and returns the canonical value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .service_defaults import SERVICE_DEFAULTS

# Viewer protocol policies that never serve content over plain HTTP.
_HTTPS_VIEWER = frozenset({"https-only", "redirect-to-https"})


def viewer_https_only(policies: Iterable[str]) -> bool:
    """Every cache behavior refuses or redirects plain HTTP ("allow-all" serves it)."""
    found = list(policies)
    return bool(found) and all(p in _HTTPS_VIEWER for p in found)


def uses_default_certificate(default_flag: bool, own_certificate: str | None) -> bool:
    """The *.cloudfront.net certificate serves viewers.

    ViewerCertificate takes exactly one of CloudFrontDefaultCertificate, ACMCertificateArn and
    IAMCertificateId, so a distribution with its own certificate does not use the default one,
    whatever a stale flag beside it says.
    """
    return default_flag and not own_certificate


def effective_minimum_protocol(uses_default_certificate: bool, configured: str | None) -> str:
    """The TLS floor viewers really get.

    With the default *.cloudfront.net certificate CloudFront "automatically sets the security policy to
    TLSv1 regardless of the value that you set here"; with a custom certificate and no value, the API
    default is TLSv1 too (see service_defaults "cloudfront.minimum_protocol_version").
    """
    default = SERVICE_DEFAULTS["cloudfront.minimum_protocol_version"].value
    if uses_default_certificate or not configured:
        return str(default)
    return configured


@dataclass(frozen=True, slots=True)
class Origin:
    """One CloudFront origin: a custom origin has a protocol policy; an S3 REST origin has none."""

    custom: bool
    protocol_policy: str | None = None


def custom_origin_policies(origins: Iterable[Origin]) -> list[str]:
    return [o.protocol_policy or "" for o in origins if o.custom]


def origins_https_only(origins: Iterable[Origin]) -> bool:
    """Every custom origin is reached over HTTPS only; S3 REST origins (OAC/OAI) always pass."""
    return all(o.protocol_policy == "https-only" for o in origins if o.custom)


@dataclass(frozen=True, slots=True)
class MethodCache:
    """One entry of a REST stage's method settings ("*/*" is stage-wide)."""

    path: str
    caching_enabled: bool
    data_encrypted: bool


STAGE_WIDE = "*/*"


def cache_encrypted(settings: Iterable[MethodCache]) -> bool:
    """The stage-wide settings encrypt cached data and no method caches without encryption.

    A method-level entry overrides the stage-wide one for its method, so one
    that enables caching unencrypted leaves that method's responses in the
    cache in the clear.
    """
    entries = list(settings)
    stage_wide = next((e for e in entries if e.path == STAGE_WIDE), None)
    if stage_wide is None or not stage_wide.data_encrypted:
        return False
    return all(e.data_encrypted for e in entries if e.caching_enabled)
