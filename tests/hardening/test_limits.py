"""Resource limits: deep documents, huge plans, and policy folders that hold loops, FIFOs or unreadable files.

Each is a clear one-line error (exit 2) or a report; never a RecursionError,
a hang or memory without bound. The deep-document cases also run through a
real subprocess, where the stack is shallow and the parser gets furthest.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path

import pytest

from ..conftest import FIXTURES, ROOT, assert_input_error, change, plan_doc, run_cli
from .fuzzing import assert_clean_outcome, no_hang, run_main

PLAN = FIXTURES / "noncompliant" / "plan.json"
POLICY = ROOT / "policies" / "encryption-at-rest" / "kms-key-rotation.yaml"


# ---------------------------------------------------------------- deep documents


def test_a_very_deep_plan_is_one_line_in_a_real_process(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "resource_changes": ' + "[" * 200_000 + "]" * 200_000 + "}")
    assert_input_error(run_cli("scan", "plan", str(plan)), "JSON nested too deeply to be a Terraform plan")


def test_a_very_deep_baseline_is_one_line_in_a_real_process(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"tool": {"name": "hipaacheck"}, "findings": ' + "[" * 200_000 + "]" * 200_000 + "}")
    assert_input_error(run_cli("scan", "plan", str(PLAN), "--baseline", str(baseline)), "nested too deeply")


@pytest.mark.parametrize("depth", [50, 900, 5000, 100_000])
def test_deep_policy_documents_in_strings_are_errors_in_a_real_process(tmp_path: Path, depth: int) -> None:
    """IAM and bucket policies are JSON inside a plan string: parsed on their own, at any depth."""
    deep = "[" * depth + '"*"' + "]" * depth
    iam = '{"Statement": [{"Effect": "Allow", "Action": ' + deep + ', "Resource": "*"}]}'
    bucket_policy = (
        '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", '
        '"Condition": {"Bool": {"aws:SecureTransport": ' + deep.replace('"*"', '"false"') + "}}}]}"
    )
    changes = [
        change("aws_iam_policy.deep", {"name": "deep", "policy": iam}),
        change("aws_s3_bucket.b", {"bucket": "b", "tags": {"phi": "true"}}),
        change("aws_s3_bucket_policy.b", {"bucket": "b", "policy": bucket_policy}),
    ]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(plan_doc(changes)))
    result = run_cli("scan", "plan", str(plan), "--format", "json")
    assert result.code in (1, 3) and "Traceback" not in result.err, result.err
    findings = {(f["policy_id"], f["resource"]["address"]): f for f in json.loads(result.out)["findings"]}
    admin = findings[("iam-policy-no-admin", "aws_iam_policy.deep")]
    tls = findings[("s3-bucket-denies-insecure-transport", "aws_s3_bucket.b")]
    assert admin["status"] == "error" and tls["status"] == "error"
    for finding in (admin, tls):
        assert "nested more than 32 levels" in finding["message"] or "not valid JSON" in finding["message"]


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, "".join("  " * i + "- \n" for i in range(3000)), "a: " + "{b: " * 5000 + "1"],
    ids=["flow", "block", "mappings"],
)
def test_a_very_deep_policy_file_is_one_located_error(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "deep.yaml").write_text(text)
    result = run_cli("scan", "plan", str(PLAN), "--no-builtin", "--policies", str(folder))
    assert_input_error(result, "deep.yaml:")


# ---------------------------------------------------------------- large plans


def test_a_plan_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hipaacheck.sources.terraform import plan_file

    monkeypatch.setattr(plan_file, "MAX_PLAN_BYTES", 64 * 1024)
    result = run_main(capsys, ["scan", "plan", str(PLAN)])  # 128 KiB
    assert_clean_outcome(result, "size")
    assert result.code == 2 and "is larger than the 0 MiB limit" not in result.err
    assert "larger than the limit of 64 KiB" in result.err


def test_a_plan_from_a_pipe_is_read_and_bounded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hipaacheck scan plan <(terraform show -json tfplan)` reads a pipe; its size is unknown up front."""
    from hipaacheck.sources.terraform import plan_file

    fifo = tmp_path / "plan.fifo"
    for limit, expected in ((None, 1), (64 * 1024, 2)):
        if limit is not None:
            monkeypatch.setattr(plan_file, "MAX_PLAN_BYTES", limit)
        os.mkfifo(fifo)
        data = PLAN.read_bytes()

        def feed(payload: bytes = data) -> None:
            with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as pipe:  # the reader may stop at the limit
                pipe.write(payload)

        writer = threading.Thread(target=feed)
        writer.start()
        result = run_main(capsys, ["scan", "plan", str(fifo), "--format", "json"])
        writer.join(timeout=10)
        fifo.unlink()
        assert_clean_outcome(result, "fifo")
        assert result.code == expected, result.err
        if expected == 2:
            assert "larger than the limit of 64 KiB" in result.err


@pytest.mark.skipif(not os.environ.get("HIPAACHECK_LARGE_PLAN"), reason="set HIPAACHECK_LARGE_PLAN=1 (about a minute)")
def test_a_200_mb_plan_within_the_memory_budget(tmp_path: Path) -> None:
    """The measurement of tests/hardening/large_plan.py as a test: a 200 MB plan, peak RSS recorded."""
    from .large_plan import measure

    result = measure(tmp_path, target_mb=200)
    print(result.describe())
    assert result.exit_code in (0, 1, 3)
    assert result.peak_rss_mb < result.budget_mb, result.describe()


# ---------------------------------------------------------------- policy folders


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    return folder


def _scan_with(capsys: pytest.CaptureFixture[str], folder: Path, bad_files: int = 1) -> tuple[str, str]:
    with no_hang(20):
        scan = run_main(capsys, ["scan", "plan", str(PLAN), "--no-builtin", "--policies", str(folder)])
        validate = run_main(capsys, ["policies", "validate", str(folder)])
    assert_clean_outcome(scan, str(folder))
    assert scan.code == 2 and validate.code == 2
    assert len(validate.err.splitlines()) == bad_files  # validate lists every bad file, one line each
    return scan.err, validate.err


def test_a_directory_symlink_loop_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path)
    (folder / "nested").mkdir()
    (folder / "nested" / "back").symlink_to(folder, target_is_directory=True)
    scan, validate = _scan_with(capsys, folder)
    assert "directory symlink loop" in scan and "directory symlink loop" in validate


def test_a_file_symlink_loop_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path)
    (folder / "a.yaml").symlink_to(folder / "b.yaml")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")
    scan, _ = _scan_with(capsys, folder, bad_files=2)
    assert "a.yaml:1:1: cannot read: Too many levels of symbolic links" in scan


def test_a_broken_symlink_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path)
    (folder / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    scan, _ = _scan_with(capsys, folder)
    assert "gone.yaml:1:1: cannot read: No such file or directory" in scan


def test_a_fifo_in_a_policy_folder_is_an_error_not_a_hang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Cause: reading a FIFO with no writer blocks forever; only regular files can be policies."""
    folder = _folder(tmp_path)
    os.mkfifo(folder / "pipe.yaml")
    scan, _ = _scan_with(capsys, folder)
    assert "pipe.yaml:1:1: not a regular file" in scan


def test_an_unreadable_policy_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite runs as root, where chmod 000 does not stop a read: the read itself is made to fail."""
    folder = _folder(tmp_path)
    (folder / POLICY.name).write_bytes(POLICY.read_bytes())
    real = Path.read_text

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        if self.parent == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", denied)
    scan, _ = _scan_with(capsys, folder)
    assert f"{POLICY.name}:1:1: cannot read: Permission denied" in scan


def test_an_unreadable_policy_directory_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    (folder / "team").mkdir()
    real = Path.iterdir

    def denied(self: Path) -> object:
        if self.name == "team":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", denied)
    scan, _ = _scan_with(capsys, folder)
    assert "team:1:1: cannot list directory: Permission denied" in scan


def test_an_oversized_policy_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path)
    (folder / "big.yaml").write_text("# " + "x" * (2 * 1024 * 1024))
    scan, _ = _scan_with(capsys, folder)
    assert "big.yaml:1:1: larger than 1024 KiB" in scan


def test_a_terraform_that_hangs_is_stopped_after_the_timeout(tmp_path: Path) -> None:
    # `terraform show -json` of a binary plan: a hung terraform must not hold the CI job until it is killed.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text("#!/bin/sh\nexec sleep 60\n", encoding="utf-8")
    fake.chmod(0o755)
    plan = tmp_path / "tfplan"
    plan.write_bytes(b"PK\x03\x04" + b"\x00" * 64)  # a zip: the binary-plan path
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = time.monotonic()
    result = run_cli("scan", "plan", str(plan), env={**env, "HIPAACHECK_TERRAFORM_TIMEOUT": "1"})
    assert time.monotonic() - started < 30
    assert_input_error(result, "terraform show -json did not finish within 1 s (HIPAACHECK_TERRAFORM_TIMEOUT)")
    bad = run_cli("scan", "plan", str(plan), env={**env, "HIPAACHECK_TERRAFORM_TIMEOUT": "soon"})
    assert_input_error(bad, "HIPAACHECK_TERRAFORM_TIMEOUT='soon': expected a number of seconds")
