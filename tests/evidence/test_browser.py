"""The evidence page in a real headless browser (Debian's chromium): it renders, with no console message.

Chromium runs as root here, hence --no-sandbox; the background-networking
flags keep it from reaching for Google's hosts on a closed network. A console
line of any kind fails the test: the page has no script, so the only source of
one would be an error or a blocked load (the Content-Security-Policy refuses
every external asset). A control page with a blocked image and a script error
proves the detector catches both. Set HIPAACHECK_ARTIFACTS=DIR to keep the
screenshot.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from ..conftest import run_cli
from .conftest import AS_OF, EXAMPLE, Reports
from .page import Page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)


def _chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def test_the_detector_sees_console_errors(tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '<title>control</title></head><body><img src="http://127.0.0.1:9/x.png"><script>nope();</script></body></html>'
    )
    result = _chromium(control, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = _console(result.stderr)
    assert any("Content Security Policy" in line for line in lines), result.stderr[-2000:]


def test_the_report_renders_without_console_errors(reports: Reports, org_report: Path, tmp_path: Path) -> None:
    html = tmp_path / "pack.html"
    result = run_cli(
        "report",
        str(reports.noncompliant),
        str(reports.older),
        str(reports.newer),
        str(org_report),  # a merged organisation report: the per-account view renders too
        "--attestations",
        str(EXAMPLE),
        "--today",
        AS_OF,
        "--html",
        str(html),
        "--embed-evidence",  # the documents travel inside the page: inline text, no file links
    )
    assert result.code == 0, result.err

    dom = _chromium(html, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console(dom.stderr) == []
    rendered = Page(dom.stdout)
    sections = ("glance", "next", "answers", "scope", "limits", "charts", "coverage", "findings", "attestations")
    for section in (*sections, "accounts", "documents", "inputs", "integrity"):
        assert section in rendered.text_by_id, section
    assert "chart-trend" in rendered.text_by_id
    assert rendered.text_by_id["pack-digest"].startswith("sha256:")

    shot = tmp_path / "report.png"
    taken = _chromium(html, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,2400")
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert _console(taken.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2400)
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes
    artifacts = os.environ.get("HIPAACHECK_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(artifacts) / "report-screenshot.png")
