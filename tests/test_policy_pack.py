"""Every built-in policy is valid and its own examples behave as declared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.policy.loader import load_policies
from hipaacheck.policy.selftest import run_examples

POLICIES = load_policies([builtin_policy_dir()])


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_policy_examples(policy: Any) -> None:
    assert run_examples([policy]) == []


def test_pack_spans_the_technical_safeguards() -> None:
    cited = {c for p in POLICIES for c in p.safeguards}
    for citation in (
        "164.312(a)(2)(iv)",
        "164.312(e)(1)",
        "164.312(e)(2)(ii)",
        "164.312(a)(1)",
        "164.312(d)",
        "164.312(b)",
        "164.308(a)(1)(ii)(D)",
        "164.312(c)(1)",
        "164.308(a)(7)(ii)(A)",
    ):
        assert citation in cited, citation
    assert len(POLICIES) >= 25


def test_policies_test_command_counts_examples() -> None:
    from .conftest import run_cli

    result = run_cli("policies", "test")
    assert result.code == 0, result.out
    total = sum(len(p.pass_examples) + len(p.fail_examples) + len(p.skip_examples) for p in POLICIES)
    assert f"{total} passed, 0 failed" in result.out


def test_the_parsed_copy_of_the_pack_is_current() -> None:
    """policies/parsed-pack.json must match the YAML (else scans parse it all again): run scripts/generate-policy-cache."""
    from hipaacheck.policy.loader import policy_files
    from hipaacheck.policy.parsed_pack import PACK_FILE, render_pack

    directory = builtin_policy_dir()
    committed = (directory / PACK_FILE).read_text(encoding="utf-8")
    assert committed == render_pack(directory, policy_files(directory)), "run scripts/generate-policy-cache"


def test_the_parsed_copy_gives_what_parsing_gives_and_never_a_stale_policy(tmp_path: Path) -> None:
    import shutil

    from hipaacheck.policy.parsed_pack import PACK_FILE, ParsedPack

    directory = tmp_path / "policies"
    shutil.copytree(builtin_policy_dir(), directory)
    pack = ParsedPack(directory)
    assert len(pack.entries) == len(POLICIES)
    from_copy = load_policies([directory])
    (directory / PACK_FILE).unlink()
    parsed = load_policies([directory])
    assert from_copy == parsed
    assert [p.line for p in from_copy] == [p.line for p in parsed]

    # An edited policy (same file, new text) is parsed afresh, never taken from the copy.
    shutil.copy(builtin_policy_dir() / PACK_FILE, directory / PACK_FILE)
    target = directory / "encryption-at-rest" / "db-snapshot-encrypted.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("severity: high", "severity: low"), encoding="utf-8")
    (edited,) = [p for p in load_policies([directory]) if p.id == "db-snapshot-encrypted"]
    assert edited.severity.value == "low"
    assert ParsedPack(directory).located(target, target.read_text(encoding="utf-8")) is None

    # A copy this version cannot read is ignored, never trusted.
    (directory / PACK_FILE).write_text('{"format": 99, "files": {}}', encoding="utf-8")
    assert ParsedPack(directory).entries == {}
    (directory / PACK_FILE).write_text("not json", encoding="utf-8")
    unreadable_copy = load_policies([directory])
    (directory / PACK_FILE).unlink()
    assert unreadable_copy == load_policies([directory])
