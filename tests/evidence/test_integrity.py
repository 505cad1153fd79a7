"""`report --verify`: the pack lists its inputs' sha256 and its own content digest; edits are detected."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from hipaacheck.reporters.json_report import SCHEMA_VERSION

from ..conftest import assert_input_error, run_cli
from .conftest import AS_OF, EXAMPLE, Reports, rewrite
from .page import Page


def _make(tmp_path: Path, *inputs: Path, attestations: Path = EXAMPLE) -> tuple[Path, Path]:
    tmp_path.mkdir(exist_ok=True)
    html, markdown = tmp_path / "pack.html", tmp_path / "pack.md"
    args = [*map(str, inputs), "--attestations", str(attestations), "--today", AS_OF]
    result = run_cli("report", *args, "--html", str(html), "--markdown", str(markdown), cwd=tmp_path)
    assert result.code == 0, result.err
    return html, markdown


def _verify(pack: Path, *inputs: Path) -> tuple[int, str]:
    result = run_cli("report", "--verify", str(pack), *map(str, inputs))
    assert "Traceback" not in result.err
    lines = (result.out + result.err).strip().splitlines()
    assert len(lines) == 1, lines
    return result.code, lines[0]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def copies(reports: Reports, tmp_path: Path) -> tuple[Path, Path]:
    """Private copies of two reports, so a test can edit them."""
    folder = tmp_path / "in"
    folder.mkdir()
    return Path(shutil.copy(reports.noncompliant, folder)), Path(shutil.copy(reports.lifecycle, folder))


def test_the_pack_lists_every_input_and_verifies(copies: tuple[Path, Path], tmp_path: Path) -> None:
    html, markdown = _make(tmp_path, *copies)
    page = Page(html.read_text())
    listed = {row[1]: row[3] for row in page.rows["integrity"] if len(row) == 4 and len(row[3]) == 64}
    documents = [p for p in (EXAMPLE.parent / "documents").iterdir()]
    assert listed["in/noncompliant.json"] == _sha(copies[0])
    assert listed["in/lifecycle.json"] == _sha(copies[1])
    assert _sha(EXAMPLE) in listed.values()
    assert all(_sha(p) in listed.values() for p in documents)
    digest = page.text_by_id["pack-digest"]
    assert digest.startswith("sha256:") and digest != "sha256:" + "0" * 64
    for pack in (html, markdown):
        code, line = _verify(pack, *copies, EXAMPLE)
        assert code == 0 and "matches its inputs (2 scan reports, 1 attestations file)" in line, line
        assert line.endswith(_content_digest(pack))
    # Documents are optional to give, but checked when given.
    assert _verify(html, *copies, EXAMPLE, *documents)[0] == 0


def _content_digest(pack: Path) -> str:
    text = pack.read_text()
    digest = text[text.rindex("sha256:") : text.rindex("sha256:") + 71]
    zeroed = text.replace(digest, "sha256:" + "0" * 64)
    assert hashlib.sha256(zeroed.encode()).hexdigest() == digest[7:]
    return digest


def test_a_report_edited_after_the_pack_was_made_is_detected(copies: tuple[Path, Path], tmp_path: Path) -> None:
    html, markdown = _make(tmp_path, *copies)
    doc = json.loads(copies[0].read_text())
    failing = next(f for f in doc["findings"] if f["status"] == "fail")
    failing["status"] = "pass"  # the kind of edit that would make the pack look better than the scan
    doc["summary"]["fail"] -= 1
    doc["summary"]["pass"] += 1
    copies[0].write_text(json.dumps(doc))
    for pack in (html, markdown):
        code, line = _verify(pack, *copies, EXAMPLE)
        assert code == 1, line
        assert "does NOT match" in line and "noncompliant.json" in line and "changed since the pack was made" in line
    # And a pack made from the edited report is refused: the report's own content digest no longer matches.
    again = tmp_path / "again.html"
    result = run_cli("report", *map(str, copies), "--html", str(again), "--today", AS_OF)
    assert_input_error(result, "edited after the scan (its content_sha256 does not match its content)")
    assert not again.exists()
    # Dropping the digest does not help while the report still says it is a schema that carries one.
    del doc["content_sha256"]
    copies[0].write_text(json.dumps(doc))
    result = run_cli("report", *map(str, copies), "--html", str(again), "--today", AS_OF)
    assert_input_error(result, f"edited after the scan (schema {SCHEMA_VERSION} without its content_sha256)")
    assert not again.exists()


def test_an_edited_pack_is_detected(copies: tuple[Path, Path], tmp_path: Path) -> None:
    html, markdown = _make(tmp_path, *copies)
    for pack, old, new in ((html, "Gaps found", "In place"), (markdown, "Gaps found", "In place")):
        pack.write_text(pack.read_text().replace(old, new, 1))
        code, line = _verify(pack, *copies, EXAMPLE)
        assert code == 1 and "the pack was edited after it was made" in line, line


def test_a_missing_or_foreign_input_does_not_verify(
    copies: tuple[Path, Path], reports: Reports, tmp_path: Path
) -> None:
    html, _ = _make(tmp_path, *copies)
    code, line = _verify(html, copies[0], EXAMPLE)
    assert code == 1 and "cannot confirm" in line and "in/lifecycle.json" in line, line
    code, line = _verify(html, *copies, EXAMPLE, reports.compliant)
    assert code == 1 and "compliant.json" in line and "is not one of its inputs" in line, line


def test_verify_usage_errors_are_one_line(copies: tuple[Path, Path], tmp_path: Path) -> None:
    html, _ = _make(tmp_path, *copies)
    assert_input_error(run_cli("report", "--verify", str(copies[0]), str(copies[0])), "not an evidence pack")
    assert_input_error(run_cli("report", "--verify", str(tmp_path / "none.html"), str(copies[0])), "does not exist")
    assert_input_error(
        run_cli("report", "--verify", str(html), str(copies[0]), "--html", str(tmp_path / "x.html")),
        "takes no --html",
    )
    damaged = tmp_path / "damaged.html"
    damaged.write_text(html.read_text().replace("hipaacheck-manifest v1 ", "hipaacheck-manifest v1 !!"))
    assert_input_error(run_cli("report", "--verify", str(damaged), str(copies[0])), "not an evidence pack")


def test_a_manifest_smuggled_into_an_input_is_not_the_one_read(copies: tuple[Path, Path], tmp_path: Path) -> None:
    """An input's text (here a resource address, shown as a code span in Markdown) cannot replace the manifest."""
    fake = _make(tmp_path / "other", copies[1])[1].read_text()  # a genuine manifest, of another pack
    smuggled = next(line for line in fake.splitlines() if line.startswith("<!-- hipaacheck-manifest v1 "))
    doc = json.loads(copies[0].read_text())
    doc["findings"][0]["resource"]["address"] = smuggled
    rewrite(copies[0], doc)
    _, markdown = _make(tmp_path, copies[0])
    assert smuggled in markdown.read_text()
    code, line = _verify(markdown, copies[1], EXAMPLE)  # what the smuggled manifest would accept
    assert code == 1 and "is not one of its inputs" in line, line
    assert _verify(markdown, copies[0], EXAMPLE)[0] == 0
