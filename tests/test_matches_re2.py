"""``matches`` runs on RE2: linear time whatever the pattern, and what RE2 cannot run is refused at load time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hipaacheck.models import Resource
from hipaacheck.policy.conditions import Leaf, RegexError, compile_regex
from hipaacheck.policy.loader import PolicyError, load_policy_file
from hipaacheck.policy.truth import Truth

from .conftest import ROOT, assert_input_error, run_cli

POLICY = """\
id: bucket-name-pattern
title: Bucket names follow the naming standard
resource: s3_bucket
severity: low
safeguards: ["164.308(a)(1)(ii)(B)"]
require:
  key: bucket
  op: matches
  value: 'PATTERN'
remediation: Rename the bucket.
examples:
  pass: [{bucket: "claims-prod"}]
  fail: [{bucket: "x"}]
"""


def _policy(tmp_path: Path, pattern: str) -> Path:
    path = tmp_path / "bucket-name-pattern.yaml"
    path.write_text(POLICY.replace("PATTERN", pattern.replace("'", "''")), encoding="utf-8")
    return path


def _truth(pattern: str, value: str) -> Truth:
    resource = Resource(type="s3_bucket", address="b", source="test", attrs={"bucket": value})
    return Leaf("bucket", "matches", compile_regex(pattern)).evaluate(resource).truth


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        (r"^(claims)-\1$", "invalid escape sequence"),  # backreference
        (r"^claims(?=-prod)", "invalid perl operator"),  # lookahead
        (r"^c(?<!x)laims", "invalid perl operator"),  # lookbehind
        (r"^claims-a++", "bad repetition operator"),  # possessive
        (r"claims\Z", "invalid escape sequence"),
        (r"[claims", "missing ]"),
    ],
)
def test_patterns_re2_cannot_run_are_refused_at_load_with_file_and_line(
    tmp_path: Path, pattern: str, fragment: str
) -> None:
    path = _policy(tmp_path, pattern)
    with pytest.raises(PolicyError) as caught:
        load_policy_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:9:"), message  # the line of the pattern
    assert fragment in message and "refused" in message and "RE2" in message


def test_a_refused_pattern_is_one_line_and_exit_2_through_the_cli(tmp_path: Path) -> None:
    _policy(tmp_path, r"^(a)\1$")
    plan = ROOT / "fixtures" / "terraform" / "compliant" / "plan.json"
    assert_input_error(run_cli("scan", "plan", str(plan), "--policies", str(tmp_path)), "bucket-name-pattern.yaml:9:")
    result = run_cli("policies", "validate", str(tmp_path))
    assert result.code == 2 and "refused" in result.err and len(result.err.strip().splitlines()) == 1
    assert "re2.cc" not in result.err  # RE2's own logging stays off


def test_matches_keeps_search_semantics() -> None:
    # Unanchored: a match anywhere in the value; anchors make it a full match.
    assert _truth("kms", "arn:aws:kms:us-east-1") is Truth.TRUE
    assert _truth("^kms", "arn:aws:kms:us-east-1") is Truth.FALSE
    assert _truth("^arn:aws:kms:.*$", "arn:aws:kms:us-east-1") is Truth.TRUE
    assert _truth("^claims-[a-z]+$", "claims-prod") is Truth.TRUE
    assert _truth("^claims-[a-z]+$", "claims-prod-2") is Truth.FALSE
    assert _truth(r"^\d{3}$", "123") is Truth.TRUE
    assert _truth("(?i)^CLAIMS", "claims") is Truth.TRUE
    assert _truth("é+", "café") is Truth.TRUE  # text, not bytes
    assert _truth("^$", "") is Truth.TRUE


def test_catastrophic_backtracking_patterns_run_in_linear_time(tmp_path: Path) -> None:
    # Python's re takes exponential time on these; RE2 answers at once. A subprocess with a
    # generous timeout keeps a regression from hanging the suite (this is not a timing test).
    code = (
        "from hipaacheck.policy.conditions import compile_regex\n"
        "value = 'a' * 50_000 + '!'\n"
        "for pattern in ['^(a+)+$', '^(a|aa)+$', '^(a|a?)+$', '(x+x+)+y', '^(\\\\w+\\\\s?)*$']:\n"
        "    assert compile_regex(pattern).search(value) is None, pattern\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def test_compile_regex_errors_are_text() -> None:
    with pytest.raises(RegexError, match="missing \\]"):
        compile_regex("[")
