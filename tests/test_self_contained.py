"""The repository carries everything its tests and code read: nothing outside the clone.

CI also runs the whole suite from a fresh clone in a temporary folder (see .ci/run), which proves
the same thing end to end; this test catches a new reference early, in a local run.
"""

from __future__ import annotations

import re
import subprocess

from .conftest import ROOT

# The reference folder that sits beside CI's clone (and not beside a user's). Spelled in parts so
# that this file does not match itself.
REFERENCE_DIR = "sha" + "red"
# Reaching it by a relative path or by climbing from a file's own location is what broke fresh
# clones before.
OUTSIDE = re.compile(rf"\.\./{REFERENCE_DIR}|parents\[\d+\]\s*/\s*[\"']{REFERENCE_DIR}[\"']|ROOT\.parent\s*/")


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.endswith((".py", ".sh", ".yml", ".yaml", ".toml", ".cfg"))]


def test_no_code_path_reads_outside_the_repository() -> None:
    offenders = []
    for name in tracked_files():
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    offenders += [f".ci/run:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not offenders, offenders


def test_vendored_data_is_present() -> None:
    assert (ROOT / "tests" / "data" / "schemas" / "sarif-schema-2.1.0.json").is_file()
    plans = sorted((ROOT / "fixtures" / "corpus" / "terraform-plans").glob("*.json"))
    assert len(plans) == 40
    assert (ROOT / "fixtures" / "corpus" / "terraform-plans" / "SOURCES.md").is_file()
    assert (ROOT / "LICENSE").is_file()
    assert (ROOT / "docs" / "HIPAA.md").is_file()
