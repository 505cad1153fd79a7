"""The edge's derived facts, shared by the plan adapters and the live collectors."""

from __future__ import annotations

from hipaacheck.derive.edge import (
    MethodCache,
    Origin,
    cache_encrypted,
    custom_origin_policies,
    effective_minimum_protocol,
    origins_https_only,
    uses_default_certificate,
    viewer_https_only,
)


def test_viewer_https_only_needs_every_behavior() -> None:
    assert viewer_https_only(["redirect-to-https", "https-only"])
    assert not viewer_https_only(["redirect-to-https", "allow-all"])
    assert not viewer_https_only([])  # no behavior read is not a pass


def test_the_default_certificate_forces_tlsv1() -> None:
    assert effective_minimum_protocol(True, "TLSv1.2_2021") == "TLSv1"
    assert effective_minimum_protocol(False, None) == "TLSv1"
    assert effective_minimum_protocol(False, "TLSv1.2_2021") == "TLSv1.2_2021"
    assert uses_default_certificate(True, None)
    assert not uses_default_certificate(True, "arn:aws:acm:us-east-1:123456789012:certificate/x")
    assert not uses_default_certificate(False, None)


def test_only_custom_origins_need_https_only() -> None:
    s3 = Origin(custom=False)
    assert origins_https_only([s3, Origin(True, "https-only")])
    assert not origins_https_only([s3, Origin(True, "match-viewer")])
    assert not origins_https_only([Origin(True, None)])  # a custom origin without a policy read
    assert custom_origin_policies([s3, Origin(True, "http-only")]) == ["http-only"]


def test_cache_encryption_needs_the_stage_wide_entry_and_no_unencrypted_method() -> None:
    stage_wide = MethodCache("*/*", True, True)
    assert cache_encrypted([stage_wide])
    assert not cache_encrypted([])  # no settings: AWS does not encrypt
    assert not cache_encrypted([MethodCache("*/*", True, False)])
    assert not cache_encrypted([stage_wide, MethodCache("claims/GET", True, False)])
    assert cache_encrypted([stage_wide, MethodCache("claims/GET", False, False)])  # that method does not cache
    assert not cache_encrypted([MethodCache("claims/GET", True, True)])  # no stage-wide entry
