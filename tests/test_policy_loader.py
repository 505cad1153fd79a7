"""Policy validation: every mistake is a hard error that points at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipaacheck.policy.loader import PolicyError, load_policies, load_policy_file

from .conftest import assert_input_error, run_cli

VALID = """\
id: my-policy
title: Buckets use KMS
resource: s3_bucket
severity: high
safeguards: ["164.312(a)(2)(iv)"]
require:
  all:
    - {key: encryption.algorithm, op: in, value: ["aws:kms"]}
    - {key: encryption.kms_key_id, op: exists}
remediation: Use KMS.
examples:
  pass: [{encryption: {algorithm: "aws:kms", kms_key_id: "k"}}]
  fail: [{}]
"""


def write(tmp_path: Path, text: str, name: str = "my-policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_valid_policy_loads(tmp_path: Path) -> None:
    policy = load_policy_file(write(tmp_path, VALID))
    assert policy.id == "my-policy"
    assert policy.safeguards == ("164.312(a)(2)(iv)",)


# (replace this, with that) -> expected line and message fragment
CASES = [
    ("op: in, value", "op: within, value", 8, "unknown operator 'within'"),
    ("key: encryption.algorithm", "key: encryption.algoritm", 8, "'encryption.algoritm' is not a field of s3_bucket"),
    ('value: ["aws:kms"]', "value: 5", 8, "'in' takes a non-empty list"),
    ('value: ["aws:kms"]', "value: [5]", 8, "holds str values"),
    ("op: exists}", "op: exists, value: true}", 9, "takes no value"),
    ('"164.312(a)(2)(iv)"', '"164.312(z)(9)"', 5, "is not a Security Rule specification"),
    ('"164.312(a)(2)(iv)"', '"45 CFR 164.312"', 5, "malformed citation"),
    ("severity: high", "severity: severe", 4, "severity 'severe'"),
    ("resource: s3_bucket", "resource: s3_buckett", 3, "unknown resource type 's3_buckett'"),
    ("remediation: Use KMS.\n", "", 1, "missing required field 'remediation'"),
    ("title: Buckets use KMS", "title: Buckets use KMS\ncolour: red", 3, "unknown field 'colour'"),
    ("  fail: [{}]", "  fail: []", 13, "at least one 'fail'"),
    ('kms_key_id: "k"}}]', "kms_key_id: 5}}]", 12, "example field 'encryption.kms_key_id'"),
    (
        "    - {key: encryption.kms_key_id, op: exists}",
        "    - {key: encryption.kms_key_id, op: exists",
        10,
        "YAML syntax error",
    ),
    ("id: my-policy", "id: other-policy", 1, "does not match the file name"),
    ("  all:", "  every:", 7, "unknown condition field 'every'"),
    ('value: ["aws:kms"]', "value: [2026-02-30]", 8, "bad value"),
]


@pytest.mark.parametrize(("old", "new", "line", "fragment"), CASES, ids=[c[3] for c in CASES])
def test_invalid_policy_is_a_located_error(tmp_path: Path, old: str, new: str, line: int, fragment: str) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new))
    with pytest.raises(PolicyError) as caught:
        load_policy_file(path)
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}:"), str(caught.value)


def test_examples_are_schema_checked_except_in_the_directory_named_checked(tmp_path: Path) -> None:
    """A scan skips the built-in pack's example check (the suite runs it); every other directory keeps it."""
    (tmp_path / "user").mkdir()
    (tmp_path / "builtin").mkdir()
    bad = VALID.replace('kms_key_id: "k"}}]', "kms_key_id: 5}}]")
    write(tmp_path / "user", bad)
    write(tmp_path / "builtin", bad.replace("my-policy", "pack-policy"), "pack-policy.yaml")
    with pytest.raises(PolicyError, match=r"example field 'encryption\.kms_key_id'"):
        load_policies([tmp_path / "builtin", tmp_path / "user"], examples_checked=tmp_path / "builtin")
    loaded = load_policies([tmp_path / "builtin"], examples_checked=tmp_path / "builtin")
    assert [p.id for p in loaded] == ["pack-policy"]
    assert loaded[0].pass_examples == ({"encryption": {"algorithm": "aws:kms", "kms_key_id": 5}},)
    with pytest.raises(PolicyError, match="example field"):
        load_policies([tmp_path / "builtin"])


def test_duplicate_ids_across_directories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", VALID)
    write(tmp_path / "b", VALID)
    with pytest.raises(PolicyError, match="duplicate policy id 'my-policy'"):
        load_policies([tmp_path / "a", tmp_path / "b"])


def test_symlink_loop_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "loop").symlink_to(tmp_path / "p")
    with pytest.raises(PolicyError, match="symlink loop"):
        load_policies([tmp_path / "p"])


def test_cli_validate_reports_every_bad_file(tmp_path: Path) -> None:
    write(tmp_path, VALID.replace("op: in", "op: nope"), "my-policy.yaml")
    write(
        tmp_path, VALID.replace("id: my-policy", "id: second").replace("severity: high", "severity: x"), "second.yaml"
    )
    result = run_cli("policies", "validate", str(tmp_path))
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 2
    assert "Traceback" not in result.err


def test_scan_with_a_bad_user_policy_exits_2(tmp_path: Path) -> None:
    write(tmp_path, VALID.replace("op: in", "op: nope"))
    result = run_cli("scan", "plan", "fixtures/terraform/compliant/plan.json", "--policies", str(tmp_path))
    assert_input_error(result, "my-policy.yaml:8:")


def test_user_policies_join_the_builtin_pack(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    result = run_cli("policies", "list", "--policies", str(tmp_path))
    assert result.code == 0
    assert "my-policy" in result.out and "s3-bucket-kms-encryption" in result.out
