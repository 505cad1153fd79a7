"""docs/policies: one generated page per built-in policy, never stale, linked from SARIF and the evidence pack."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hipaacheck import safeguards
from hipaacheck.policy.loader import load_policies
from hipaacheck.policy_docs import REGENERATE, render_all, stale_pages
from hipaacheck.policy_docs_link import DOCS_DIR, policy_doc_url

from .conftest import ROOT

DOCS = ROOT / "docs" / "policies"
POLICIES = ROOT / "policies"


def test_committed_policy_pages_are_current() -> None:
    stale = stale_pages(render_all(POLICIES, ROOT), DOCS)
    assert not stale, f"docs/policies is stale ({', '.join(stale)}): run {REGENERATE} and commit docs/policies"


def test_every_policy_has_a_page_with_named_citations() -> None:
    policies = load_policies([POLICIES])
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    assert DOCS_DIR == DOCS
    for policy in policies:
        page = (DOCS / f"{policy.id}.md").read_text(encoding="utf-8")
        assert f"# {policy.id}" in page and policy.title in page
        assert " ".join(policy.remediation.split()) in page
        for citation in policy.safeguards:
            spec = safeguards.resolve(citation)
            assert spec is not None and f"**{citation}** {spec.name}" in page
        assert f"]({policy.id}.md)" in index


def test_a_changed_policy_makes_its_page_stale(tmp_path: Path) -> None:
    """The staleness test can fail: edit a policy, and its page (and only it) is reported."""
    root = tmp_path / "repo"
    shutil.copytree(POLICIES, root / "policies")
    shutil.copytree(DOCS, root / "docs" / "policies")
    assert stale_pages(render_all(root / "policies", root), root / "docs" / "policies") == []
    policy = next((root / "policies").rglob("s3-bucket-versioning.yaml"))
    policy.write_text(
        policy.read_text().replace("severity: ", "severity: low #", 1).replace("#medium", "").replace("#high", "")
    )
    (root / "docs" / "policies" / "retired-policy.md").write_text("old\n")
    stale = stale_pages(render_all(root / "policies", root), root / "docs" / "policies")
    assert "retired-policy.md" in stale and "s3-bucket-versioning.md" in stale


def test_links_are_web_addresses_never_local_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from hipaacheck import policy_docs_link as link

    monkeypatch.setattr(link, "_clone_base", lambda: None)  # this checkout's own origin must not decide the test
    base = "https://github.com/example/hipaacheck/blob/v1/docs/policies"
    assert policy_doc_url("s3-bucket-versioning", {}) is None  # nothing known: no link rather than a local path
    assert (
        policy_doc_url("s3-bucket-versioning", {"HIPAACHECK_DOCS_URL": base + "/"}) == f"{base}/s3-bucket-versioning.md"
    )
    assert policy_doc_url("my-own-policy", {"HIPAACHECK_DOCS_URL": base}) is None  # a user's policy has no page
    on_actions = {"GITHUB_ACTIONS": "true", "GITHUB_ACTION_REPOSITORY": "example/hipaacheck", "GITHUB_ACTION_REF": "v1"}
    assert policy_doc_url("s3-bucket-versioning", on_actions) == f"{base}/s3-bucket-versioning.md"
    assert policy_doc_url("s3-bucket-versioning", {"GITHUB_ACTIONS": "true"}) is None


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("https://github.com/acme/hipaacheck.git", "https://github.com/acme/hipaacheck/blob/{sha}/docs/policies"),
        ("git@github.com:acme/hipaacheck.git", "https://github.com/acme/hipaacheck/blob/{sha}/docs/policies"),
        ("ssh://git@github.com/acme/hipaacheck", "https://github.com/acme/hipaacheck/blob/{sha}/docs/policies"),
        (
            "https://gitlab.com/acme/sec/hipaacheck.git",
            "https://gitlab.com/acme/sec/hipaacheck/-/blob/{sha}/docs/policies",
        ),
        ("https://token@github.com/acme/hipaacheck", "https://github.com/acme/hipaacheck/blob/{sha}/docs/policies"),
        ("/srv/git/hipaacheck.git", None),
        ("https://git.internal.example/acme/hipaacheck", None),
        (None, None),
    ],
)
def test_a_clone_links_its_own_repository_at_its_commit(remote: str | None, expected: str | None) -> None:
    from hipaacheck.policy_docs_link import clone_docs_url

    sha = "0123456789abcdef0123456789abcdef01234567"
    assert clone_docs_url(remote, sha) == (expected.format(sha=sha) if expected else None)
    assert clone_docs_url(remote, None) is None and clone_docs_url(remote, "HEAD") is None


def test_sarif_rules_link_their_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hipaacheck.cli import main

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("HIPAACHECK_DOCS_URL", "https://docs.example/policies")
    out = tmp_path / "r.sarif"
    code = main(
        [
            "scan",
            "plan",
            str(ROOT / "fixtures/terraform/noncompliant/plan.json"),
            "--format",
            "sarif",
            "--output",
            str(out),
        ]
    )
    assert code == 1
    rules = json.loads(out.read_text())["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["helpUri"] == f"https://docs.example/policies/{r['id']}.md" for r in rules)
    assert all((DOCS / f"{r['id']}.md").is_file() for r in rules)


def test_the_evidence_pack_links_each_finding_to_its_policy_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hipaacheck import policy_docs_link
    from hipaacheck.cli import main
    from hipaacheck.evidence.links import policy_href

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("HIPAACHECK_DOCS_URL", raising=False)
    monkeypatch.setattr(policy_docs_link, "_clone_base", lambda: None)
    report = tmp_path / "plan.json"
    plan = str(ROOT / "fixtures/terraform/noncompliant/plan.json")
    assert main(["scan", "plan", plan, "--format", "json", "--output", str(report)]) == 1
    html, markdown = tmp_path / "pack.html", tmp_path / "pack.md"
    assert main(["report", str(report), "--html", str(html), "--markdown", str(markdown)]) in (0, 1)
    # No web address known: at most a relative link (when the pack shares a tree with the clone), never a
    # path from the filesystem root or a file:// address.
    page = html.read_text(encoding="utf-8")
    assert 'href="/' not in page and 'href="file:' not in page
    # A pack written inside the clone links the page relatively.
    assert policy_href("s3-bucket-versioning", ROOT / "evidence-out") == "../docs/policies/s3-bucket-versioning.md"
    assert policy_href("my-own-policy", ROOT / "evidence-out") is None
    assert policy_href("s3-bucket-versioning", Path(ROOT.anchor) / "elsewhere") is None  # only through the root
    monkeypatch.setenv("HIPAACHECK_DOCS_URL", "https://docs.example/policies")
    assert main(["report", str(report), "--html", str(html), "--markdown", str(markdown)]) in (0, 1)
    assert 'href="https://docs.example/policies/s3-bucket-versioning.md"' in html.read_text(encoding="utf-8")
    assert "(<https://docs.example/policies/s3-bucket-versioning.md>)" in markdown.read_text(encoding="utf-8")


def test_declared_parameters_get_a_table() -> None:
    """Policies that declare parameters (name, type, default, meaning) document them; others have no section."""
    from types import SimpleNamespace

    from hipaacheck.policy_docs import _parameters

    declared = (
        SimpleNamespace(name="min_retention_days", type="int", default=7, description="Fewest | days kept."),
        SimpleNamespace(name="max_age_days", type="int", default=None, description="Off unless set."),
    )
    lines = _parameters(SimpleNamespace(parameters=declared))  # type: ignore[arg-type]
    assert lines[0] == "## Parameters"
    assert "| `min_retention_days` | int | `7` | Fewest \\| days kept. |" in lines
    assert "| `max_age_days` | int | `null` | Off unless set. |" in lines
    assert _parameters(SimpleNamespace(parameters=())) == []  # type: ignore[arg-type]
