"""A plan and a live scan of the same system, through the real CLI against a moto server.

The moto account holds buckets named like the non-compliant plan's (the plan
is the intended state of that system; the account is what is deployed).
The pack must count each resource once, show the plan's status beside the
live one, state the rule, say which enabled regions the live scan left out,
and the live SARIF must say its results have no source file.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hipaacheck.evidence.deployed import RULE

from ..aws.seed import PAB, TLS_ONLY, _policy, client
from ..aws.tools import moto_server, scan_env
from ..conftest import FIXTURES, run_cli
from .conftest import AS_OF, EXAMPLE
from .page import Page
from .test_browser import CHROMIUM, _chromium, _console

PLAN = FIXTURES / "noncompliant" / "plan.json"
BUCKET = "claim-documents"  # aws_s3_bucket.claims in the plan: it fails s3-bucket-denies-insecure-transport there


@dataclass(frozen=True)
class Scans:
    folder: Path
    plan: Path
    live: Path
    sarif: Path
    junit: Path


def _seed() -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=PAB)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=_policy(BUCKET, TLS_ONLY))


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scans]:
    folder = tmp_path_factory.mktemp("same-system")
    config = folder / "aws-config"
    config.write_text("")
    with moto_server(folder) as moto, pytest.MonkeyPatch.context() as patch:
        env = scan_env(moto.url, config)
        for name, value in env.items():
            if name.startswith("AWS_") or name.lower() == "no_proxy":
                patch.setenv(name, value)
        _seed()
        live, sarif, junit = folder / "live.json", folder / "live.sarif", folder / "live.junit.xml"
        # ap-east-1 is not opted in: the scope must say it could not be scanned, and why.
        result = run_cli(
            "scan", "aws", "--region", "us-east-1", "--region", "ap-east-1", "--quiet",
            "--format", "json", "--output", str(live), "--report", f"sarif={sarif}", "--report", f"junit={junit}", env=env, cwd=folder,
        )  # fmt: skip
        assert result.code in (0, 1) and live.is_file(), (result.code, result.err)
    plan = folder / "plan.json"
    result = run_cli("scan", "plan", str(PLAN), "--format", "json", "--output", str(plan), cwd=folder)
    assert result.code == 1, result.err
    yield Scans(folder, plan, live, sarif, junit)


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def _key(finding: dict[str, Any]) -> tuple[str, str, str]:
    return finding["policy_id"], finding["resource"]["type"], finding["resource"]["name"]


def test_plan_and_live_of_the_same_system_count_each_resource_once(scans: Scans, tmp_path: Path) -> None:
    html, markdown = tmp_path / "pack.html", tmp_path / "pack.md"
    result = run_cli(
        "report", str(scans.plan), str(scans.live), "--html", str(html), "--markdown", str(markdown),
        "--today", AS_OF, "--attestations", str(EXAMPLE), cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.err
    page = Page(html.read_text())
    plan, live = _load(scans.plan)["findings"], _load(scans.live)["findings"]
    live_keys = {_key(f) for f in live if f["resource"]["name"]}
    same = [f for f in plan if f["resource"]["name"] and _key(f) in live_keys]
    assert same, "the seeded bucket should be in both scans"
    assert page.number("n-superseded") == len(same)
    assert page.number("n-findings") == len(plan) + len(live) - len(same)
    # The counted rows: no (check, type, name) comes from both the plan and the live scan.
    rows = [row for row in page.rows["findings"] if row[0].isdigit()]
    assert len(rows) == page.number("n-findings")
    statuses = Counter(f["status"] for f in live) + Counter(f["status"] for f in plan if f not in same)
    assert page.number("n-fail") == statuses["fail"]
    assert page.number("n-pass") == statuses["pass"]

    # The bucket: deployed with a TLS-only policy (pass), intended without one (fail); the live one counts.
    tls = "s3-bucket-denies-insecure-transport"
    deployed = next(f for f in live if _key(f) == (tls, "s3_bucket", BUCKET))
    intended = next(f for f in plan if _key(f) == (tls, "s3_bucket", BUCKET))
    assert (deployed["status"], intended["status"]) == ("pass", "fail")
    row = next(r for r in rows if r[3].startswith(tls) and BUCKET in r[4])
    assert row[1] == "pass" and "plan (intended): fail" in row[4] and "not counted again" in row[4]
    assert page.number("n-differs") >= 1 and f"{BUCKET}" in page.text_by_id["scope"]
    # Not counted, but not hidden either: the to-do list warns before the plan is applied.
    warning = [
        r for r in page.rows["next"] if r[1].startswith("Before applying the plan") and "aws_s3_bucket.claims" in r[2]
    ]
    assert warning and "deployed: pass; the plan would fail it" in warning[0][1]

    # The rule is written on the page, in both formats, and the scope says what each source shows.
    assert " ".join(RULE.split()) in page.text_by_id["rule"]
    text = markdown.read_text()
    assert "**Plan and deployed state.**" in text and "the live finding is counted" in text
    scope = page.rows["scope"]
    plan_row = next(r for r in scope if r[0].startswith("Terraform plan"))
    live_row = next(r for r in scope if r[0].startswith("AWS account 123456789012"))
    assert "(intended state)" in plan_row[0] and plan_row[1].startswith("Intended state")
    assert live_row[1].startswith("Deployed state") and live_row[2] == "us-east-1"
    # moto enables every region of the partition: the live scan of one left the others out, by name.
    enabled = _load(scans.live)["source"]["enabled_regions"]
    assert "us-west-2" in enabled
    assert f"{len(enabled) - 1} enabled region(s) not scanned" in live_row[3] and "us-west-2" in live_row[3]
    assert (
        "ap-east-1" not in enabled and "ap-east-1 could not be scanned (region ap-east-1 is not enabled" in live_row[3]
    )

    # Both inputs verify.
    ok = run_cli("report", "--verify", str(html), str(scans.plan), str(scans.live), str(EXAMPLE))
    assert ok.code == 0 and "matches its inputs" in ok.out, ok.out + ok.err

    # And the page renders in a real browser without a console message.
    if CHROMIUM is not None:
        dom = _chromium(html, tmp_path / "profile", "--dump-dom")
        assert dom.returncode == 0 and _console(dom.stderr) == [], dom.stderr[-2000:]
        assert "rule" in Page(dom.stdout).text_by_id


def test_live_sarif_and_junit_carry_no_local_path_and_say_there_is_no_source_file(scans: Scans) -> None:
    sarif = _load(scans.sarif)
    run = sarif["runs"][0]
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]
    assert run["results"], "the moto account has failing account-level settings"
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uri"].startswith("aws/123456789012/")
        assert location["description"]["text"].startswith("No source file")
        assert "no source file" in result["message"]["text"]
    for path in (scans.sarif, scans.junit, scans.live):
        text = path.read_text()
        assert str(scans.folder) not in text and "file:///" not in text, path
