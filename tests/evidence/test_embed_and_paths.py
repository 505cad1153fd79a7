"""`--embed-evidence` (one file to mail), and no absolute local path in any output (reports, SARIF, JUnit, pack)."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest

from hipaacheck.evidence.embed import MAX_DOCUMENT_BYTES

from ..conftest import FIXTURES, run_cli
from .conftest import AS_OF, EXAMPLE, Reports, record, write_attestations, write_evidence
from .page import Page


def _report(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = run_cli("report", *args, "--today", AS_OF, cwd=tmp_path)
    return result.code, result.err


def test_embedded_evidence_travels_with_the_pack(reports: Reports, tmp_path: Path) -> None:
    out = tmp_path / "mail"
    out.mkdir()
    html, markdown = out / "pack.html", out / "pack.md"
    code, err = _report(
        tmp_path, str(reports.noncompliant), "--attestations", str(EXAMPLE), "--embed-evidence",
        "--html", str(html), "--markdown", str(markdown),
    )  # fmt: skip
    assert code == 0, err
    page = Page(html.read_text())
    documents = sorted((EXAMPLE.parent / "documents").iterdir())
    assert "documents" in page.text_by_id
    for doc in documents:
        first = next(line for line in doc.read_text().splitlines() if line.strip())
        assert first in html.read_text() or first in page.text_by_id["documents"], doc.name
    # Every link now resolves inside the one file: no relative file links left.
    hrefs = page.hrefs()
    assert not [h for h in hrefs if not h.startswith(("#", "https://", "http://", "data:"))]
    anchors = {h[1:] for h in hrefs if h.startswith("#")}
    assert anchors <= set(page.text_by_id), anchors - set(page.text_by_id)
    assert "(embedded)" in page.text_by_id["attestations"]
    text = markdown.read_text()
    assert "## Evidence documents" in text and "embedded below as document" in text
    # Moved alone to another folder, the pack still verifies and still holds its documents.
    moved = tmp_path / "elsewhere.html"
    shutil.move(html, moved)
    check = run_cli("report", "--verify", str(moved), str(reports.noncompliant), str(EXAMPLE))
    assert check.code == 0, check.out + check.err


def test_without_embedding_the_pack_says_its_links_are_relative(reports: Reports, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE.parent, tmp_path / "evidence")
    html = tmp_path / "pack.html"
    attestations = tmp_path / "evidence" / EXAMPLE.name
    code, err = _report(tmp_path, str(reports.compliant), "--attestations", str(attestations), "--html", str(html))
    assert code == 0, err
    page = Page(html.read_text())
    assert "Evidence links are relative to this page" in page.text_by_id["integrity"]
    assert "documents" not in page.text_by_id
    local = [h for h in page.hrefs() if not h.startswith(("#", "https://"))]
    assert local and all(h.startswith("evidence/documents/") for h in local), local
    assert all((tmp_path / unquote(h)).resolve().is_file() for h in local)
    # Documents reachable only through the filesystem root are named, not linked (no absolute path in disguise).
    far = tmp_path / "far" / "pack.html"
    far.parent.mkdir()
    code, err = _report(tmp_path, str(reports.compliant), "--attestations", str(EXAMPLE), "--html", str(far))
    assert code == 0, err
    assert [h for h in Page(far.read_text()).hrefs() if not h.startswith(("#", "https://"))] == []
    assert "../" * 4 not in far.read_text()


def test_a_binary_document_is_a_download_and_an_oversized_one_is_refused(reports: Reports, tmp_path: Path) -> None:
    pdf = tmp_path / "baa.pdf"
    pdf.write_bytes(b"%PDF-1.4\n\x00\xff\xfe binary\n")
    _, digest = write_evidence(tmp_path, "register.md", "BAA register\n")
    attestations = write_attestations(
        tmp_path,
        record(id="baa", safeguards=["164.308(b)(1)"], evidence="baa.pdf"),
        record(evidence="register.md", sha256=digest),
    )
    html, markdown = tmp_path / "pack.html", tmp_path / "pack.md"
    args = [str(reports.compliant), "--attestations", str(attestations), "--embed-evidence"]
    code, err = _report(tmp_path, *args, "--html", str(html), "--markdown", str(markdown))
    assert code == 0, err
    page = Page(html.read_text())
    downloads = [a for tag, a in page.tags if tag == "a" and "download" in a]
    assert [a["download"] for a in downloads] == ["baa.pdf"]
    assert downloads[0]["href"].startswith("data:application/pdf;base64,")
    assert "carried in the HTML pack only" in markdown.read_text()

    pdf.write_bytes(b"\x00" * (MAX_DOCUMENT_BYTES + 1))
    html.unlink()
    code, err = _report(tmp_path, *args, "--html", str(html))
    assert code == 2 and "too large to embed" in err and len(err.strip().splitlines()) == 1, err
    assert not html.exists()


def test_no_output_carries_an_absolute_local_path(tmp_path: Path) -> None:
    """A plan given by absolute path, outputs and waivers outside the repository: nothing says where they were."""
    work = tmp_path / "work"
    work.mkdir()
    plan = work / "plan.json"
    shutil.copy(FIXTURES / "noncompliant" / "plan.json", plan)
    waivers = work / "waivers.yaml"
    soon = (date.today() + timedelta(days=30)).isoformat()  # within the default --max-waiver-days
    waivers.write_text(
        "waivers:\n  - policy: s3-bucket-versioning\n    resource: aws_s3_bucket.claims\n    reason: accepted\n"
        f"    owner: Dana\n    expires: {soon}\n"
    )
    outputs = {fmt: work / f"out.{fmt}" for fmt in ("json", "sarif", "junit", "markdown")}
    reports = [f"--report={fmt}={path}" for fmt, path in outputs.items() if fmt != "json"]
    result = run_cli(
        "scan", "plan", str(plan), "--format", "json", "--output", str(outputs["json"]), *reports,
        "--waivers", str(waivers), cwd=work,
    )  # fmt: skip
    assert result.code == 1, result.err
    for fmt, path in outputs.items():
        text = path.read_text()
        assert str(tmp_path) not in text and "file:///" not in text, fmt
    doc = json.loads(outputs["json"].read_text())
    assert doc["source"]["path"] == "plan.json" and doc["gate"]["waivers"]["file"] == "waivers.yaml"
    sarif = json.loads(outputs["sarif"].read_text())
    assert sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"] == {
        "description": {"text": sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]}
    }
    # The same plan scanned from another directory: only its file name, never the absolute path.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("scan", "plan", str(plan), "--format", "json", cwd=elsewhere)
    assert json.loads(result.out)["source"]["path"] == "plan.json" and str(tmp_path) not in result.out

    # The pack, made from absolute paths: inputs and attestations are named relative to where it ran.
    html, markdown = work / "pack.html", work / "pack.md"
    code, err = _report(
        work, str(outputs["json"]), "--attestations", str(EXAMPLE), "--html", str(html), "--markdown", str(markdown)
    )
    assert code == 0, err
    for path in (html, markdown):
        text = path.read_text()
        assert str(tmp_path) not in text and str(EXAMPLE.parent) not in text, path.name


def test_embed_with_a_missing_document_and_the_default_output(reports: Reports, tmp_path: Path) -> None:
    missing = write_attestations(tmp_path, record(evidence="nowhere.md"))
    html = tmp_path / "pack.html"
    result = run_cli(
        "report", str(reports.compliant), "--attestations", str(missing), "--embed-evidence", "--html", str(html),
        "--today", AS_OF,
    )  # fmt: skip
    # A missing document is not an error: the attestation says "file missing" and nothing is embedded for it.
    assert result.code == 0, result.err
    assert "file missing" in Page(html.read_text()).text_by_id["attestations"]
    # With neither --html nor --markdown the pack goes to evidence-pack.html in the working directory.
    report = str(Path(reports.compliant).resolve())
    assert run_cli("report", report, "--embed-evidence", "--today", AS_OF, cwd=tmp_path).code == 0
    assert (tmp_path / "evidence-pack.html").is_file()


def test_policy_pages_link_relatively_only_from_inside_the_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hipaacheck.evidence.links import policy_href
    from hipaacheck.policy_docs_link import CLONE, DOCS_URL_VARIABLE

    monkeypatch.setenv(DOCS_URL_VARIABLE, "")
    monkeypatch.delenv("GITHUB_ACTION_REPOSITORY", raising=False)
    inside = policy_href("s3-bucket-versioning", CLONE / "reports")
    outside = policy_href("s3-bucket-versioning", tmp_path)
    if inside is not None and inside.startswith("https://"):
        pytest.skip("this clone's origin gives the pages a web address")
    assert inside == "../docs/policies/s3-bucket-versioning.md"
    # Outside the clone a relative link would have to name this machine's folders.
    assert outside is None
