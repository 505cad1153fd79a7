"""Atomic outputs: a crash or a kill mid-write never leaves a partial report, and an earlier file stays whole.

Every file hipaacheck writes (--output, every --report, GitHub's step summary
and outputs) goes through hipaacheck.output: the new content is written to an
unnamed O_TMPFILE inode (Linux) or a hidden temporary file, and renamed over
the target only when complete.

The tests fail a write half-way (an exception, as a full disk would), then
kill a real process half-way through a write (SIGKILL from inside the write,
and SIGKILL from outside at whatever moment a report file is open), and check
the targets: the old content, or the complete new one, never anything between.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import FIXTURES, ROOT
from .fuzzing import run_main

PLAN = FIXTURES / "noncompliant" / "plan.json"
OLD = "previous report: must survive\n"
FORMATS = ("json", "sarif", "junit", "markdown", "table")


@pytest.fixture(params=["O_TMPFILE", "named temporary file"])
def strategy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both ways of writing: the Linux O_TMPFILE path, and the portable fallback."""
    from hipaacheck import output

    if request.param != "O_TMPFILE":
        monkeypatch.setattr(output, "_replace_via_tmpfile", lambda *args: False)
    yield request.param


def _outputs(folder: Path) -> dict[str, Path]:
    files = {fmt: folder / f"report.{fmt}" for fmt in FORMATS}
    for path in files.values():
        path.write_text(OLD)
    return files


def _args(files: dict[str, Path]) -> list[str]:
    return ["scan", "plan", str(PLAN), *[x for fmt, p in files.items() for x in ("--report", f"{fmt}={p}")]]


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _half_then(failure: BaseException) -> Any:
    """A replacement for output._write_all: writes half the bytes, then fails."""
    from hipaacheck import output

    real = output._write_all

    def write(fd: int, data: bytes) -> None:
        real(fd, data[: len(data) // 2])
        raise failure

    return write


def test_a_write_that_fails_half_way_leaves_the_old_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    from hipaacheck import output

    files = _outputs(tmp_path)
    before = _listing(tmp_path)
    monkeypatch.setattr(output, "_write_all", _half_then(OSError(errno.ENOSPC, "No space left on device")))
    result = run_main(capsys, _args(files))
    assert result.code == 2
    assert result.err.strip().endswith("cannot write (No space left on device)")
    assert len(result.err.splitlines()) == 1
    assert all(p.read_text() == OLD for p in files.values())
    assert _listing(tmp_path) == before  # no temporary file left behind either


def test_an_interrupt_half_way_leaves_the_old_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    from hipaacheck import output

    files = _outputs(tmp_path)
    before = _listing(tmp_path)
    monkeypatch.setattr(output, "_write_all", _half_then(KeyboardInterrupt()))
    result = run_main(capsys, _args(files))
    assert result.code == 130
    assert all(p.read_text() == OLD for p in files.values())
    assert _listing(tmp_path) == before


def test_github_files_are_appended_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hipaacheck import output

    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    summary.write_text("## an earlier step\n")
    outputs.write_text("earlier=1\n")
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": outputs}.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setattr(output, "_write_all", _half_then(OSError(errno.EIO, "Input/output error")))
    assert run_main(capsys, ["scan", "plan", str(PLAN), "--format", "json"]).code == 2
    assert summary.read_text() == "## an earlier step\n" and outputs.read_text() == "earlier=1\n"
    monkeypatch.undo()
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": outputs}.items():
        monkeypatch.setenv(name, str(value))
    assert run_main(capsys, ["scan", "plan", str(PLAN), "--format", "json"]).code == 1
    assert summary.read_text().startswith("## an earlier step\n## hipaacheck:")
    assert outputs.read_text().startswith("earlier=1\nfailed=")


# ---------------------------------------------------------------- real processes, really killed

KILL_INSIDE = textwrap.dedent(
    """
    import os, signal, sys
    from hipaacheck import output
    if sys.argv[1] == "fallback":
        output._replace_via_tmpfile = lambda *args: False
    real = output._write_all
    def write(fd, data):
        real(fd, data[: len(data) // 2])
        os.kill(os.getpid(), signal.SIGKILL)  # the process dies with half the report written
    output._write_all = write
    from hipaacheck.cli import main
    main(sys.argv[2:])
    """
)


@pytest.mark.parametrize("mode", ["tmpfile", "fallback"])
def test_sigkill_in_the_middle_of_a_write(tmp_path: Path, mode: str) -> None:
    files = _outputs(tmp_path)
    before = _listing(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", KILL_INSIDE, mode, *_args(files)], cwd=ROOT, capture_output=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL
    assert all(p.read_text() == OLD for p in files.values())  # every earlier report is whole
    left = _listing(tmp_path) - before
    if mode == "tmpfile":
        assert left == set()  # an unnamed inode dies with the process
    else:
        # The portable fallback may leave its hidden temporary file, never a report-named one.
        assert all(name.startswith(".report.") and name.endswith(".tmp") for name in left), left


def _big_plan(folder: Path, copies: int = 25) -> Path:
    """The non-compliant plan's resources, copied under new names: a report of several MB."""
    document = json.loads(PLAN.read_text())
    original = document["resource_changes"]
    changes = []
    for k in range(copies):
        for entry in original:
            twin = json.loads(json.dumps(entry))
            twin["name"] = f"{twin['name']}_{k}"
            twin["address"] = f"{twin['address']}_{k}"
            changes.append(twin)
    document["resource_changes"] = changes
    plan = folder / "big-plan.json"
    plan.write_text(json.dumps(document))
    return plan


def _complete(fmt: str, text: str) -> bool:
    try:
        if fmt in ("json", "sarif"):
            json.loads(text)
        elif fmt == "junit":
            ET.fromstring(text)
        else:
            return text.endswith("\n") and len(text) > 1000
    except (ValueError, ET.ParseError):
        return False
    return True


def _writing(pid: int, folder: Path) -> bool:
    """The process has a file open in ``folder`` (an O_TMPFILE inode shows as '<folder>/#<inode> (deleted)')."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(f"{folder}/"):
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the writes")
def test_sigkill_from_outside_while_reports_are_written(tmp_path: Path) -> None:
    """Kill a real scan at the moment it has a report open; the targets are old or complete, nothing else."""
    plan = _big_plan(tmp_path)
    caught = 0
    for attempt in range(3):
        folder = tmp_path / f"run{attempt}"
        folder.mkdir()
        files = _outputs(folder)
        before = _listing(folder)
        proc = subprocess.Popen(
            [sys.executable, "-m", "hipaacheck", *_args(files)[:2], str(plan), *_args(files)[3:]],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if _writing(proc.pid, folder):
                proc.send_signal(signal.SIGKILL)
                caught += 1
                break
            time.sleep(0.0005)
        proc.wait(timeout=120)
        for fmt, path in files.items():
            text = path.read_text(encoding="utf-8")
            assert text == OLD or _complete(fmt, text), (fmt, len(text))
        assert _listing(folder) == before
    print(f"killed {caught} of 3 runs while a report was open")
    assert caught >= 1, "never saw a report being written: make the plan bigger"
