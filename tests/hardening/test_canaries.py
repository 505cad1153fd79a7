"""Secrets never leak: canary values through every output format and every channel.

Two plans: the non-compliant fixture (a sensitive DB password, an access key
in a tag, a secret key in user data) and a purpose-built one whose
``after_sensitive`` markers sit on fields policies read (a KMS key id, tags,
a bucket name, a DB identifier, a parameter group name) plus
credential-shaped strings where reports show text (a Name tag, a for_each
key). Each is scanned with every format as the main output and as
``--report`` files, under a simulated GitHub Actions environment (annotations,
step summary, step outputs) with a waivers file, with the root logger at
DEBUG; then once more through a real subprocess. A live scan (moto) with
credential-shaped tags goes through the same channels.

Nothing may contain a canary; evidence of a sensitive field reads ``(sensitive)``.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..conftest import FIXTURES, ROOT, change, config_resource, plan_doc
from .fuzzing import budget, run_main

FORMATS = ("table", "json", "sarif", "junit", "markdown", "asff", "ocsf", "csv")
ASFF_ACCOUNT = ["--asff-account", "123456789012"]  # a plan names no account; ASFF needs one

# Values Terraform marks sensitive: never shown, whatever they look like.
SENSITIVE = {
    "password": "CANARY-sensitive-password-1111",
    "kms": "arn:aws:kms:us-east-1:111122223333:key/CANARY-sensitive-kms-2222",
    "identifier": "canary-sensitive-identifier-3333",
    "name_tag": "CANARY-sensitive-name-tag-4444",
    "bucket": "canary-sensitive-bucket-5555",
    "parameter_group": "canary-sensitive-pg-6666",
    "token": "CANARY-sensitive-auth-token-7777",
    "log_kms": "arn:aws:kms:us-east-1:111122223333:key/CANARY-sensitive-log-kms-8888",
    "topic_kms": "alias/CANARY-sensitive-topic-kms-9999",
}
# Credential-shaped strings in places reports show text: redacted wherever they appear.
CREDENTIALS = {
    "access_key": "AKIAI44QH8DHBEXAMPLE",
    "key_in_address": "AKIAJ7EXAMPLE7EXAMPL",
    "secret_assignment": "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "github_token": "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    "private_key": "-----BEGIN RSA PRIVATE KEY-----",
    "waiver_reason": "password=hunter2-CANARY",
}
NONCOMPLIANT_CANARIES = ("CANARY-db-password-0000", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


def forbidden() -> list[str]:
    """Every canary, and the distinctive part of each (a secret must not leak in pieces either)."""
    values = [*SENSITIVE.values(), *CREDENTIALS.values(), *NONCOMPLIANT_CANARIES]
    parts = ["hunter2", "wJalrXUtnFEMI", "A1b2C3d4E5f6G7h8I9j0", "AKIAI44QH8DHBEXAMPLE", "AKIAJ7EXAMPLE7EXAMPL"]
    parts += [v.split("CANARY-")[-1] for v in SENSITIVE.values() if "CANARY-" in v]
    return values + parts


def canary_plan() -> dict[str, Any]:
    s, c = SENSITIVE, CREDENTIALS
    db = change(
        "aws_db_instance.claims",
        {
            "identifier": s["identifier"],
            "engine": "postgres",
            "engine_version": "16.4",
            "password": s["password"],
            "storage_encrypted": True,
            "kms_key_id": s["kms"],
            "parameter_group_name": s["parameter_group"],
            "tags": {"Name": s["name_tag"], "phi": "true", "owner": c["access_key"]},
        },
        sensitive={
            "identifier": True,
            "password": True,
            "kms_key_id": True,
            "parameter_group_name": True,
            "tags": {"Name": True, "phi": True},
        },
    )
    archive = change(
        "aws_db_instance.archive",
        {"identifier": "archive", "engine": "mysql", "storage_encrypted": False, "tags": {"phi": "false"}},
        sensitive={"tags": {"phi": True}},
    )
    bucket = change(
        "aws_s3_bucket.claims",
        {"bucket": s["bucket"], "tags": {"Name": c["secret_assignment"], "phi": "true"}},
        sensitive={"bucket": True},
    )
    encryption = change(
        "aws_s3_bucket_server_side_encryption_configuration.claims",
        {
            "bucket": s["bucket"],
            "rule": [
                {
                    "apply_server_side_encryption_by_default": [
                        {"sse_algorithm": "aws:kms", "kms_master_key_id": s["kms"]}
                    ]
                }
            ],
        },
        sensitive={
            "bucket": True,
            "rule": [{"apply_server_side_encryption_by_default": [{"kms_master_key_id": True}]}],
        },
    )
    cache = change(
        "aws_elasticache_replication_group.cache",
        {
            "replication_group_id": "claims-cache",
            "auth_token": s["token"],
            "at_rest_encryption_enabled": "true",
            "transit_encryption_enabled": False,
            "kms_key_id": s["kms"],
            "tags": {"Name": c["github_token"], "phi": "true"},
        },
        sensitive={"auth_token": True, "kms_key_id": True},
    )
    logs = change(
        "aws_cloudwatch_log_group.app",
        {"name": "/claims/app", "kms_key_id": s["log_kms"], "retention_in_days": 7},
        sensitive={"kms_key_id": True},
    )
    topic = change(
        "aws_sns_topic.alerts",
        {"name": "alerts", "kms_master_key_id": s["topic_kms"], "tags": {"Name": c["private_key"]}},
        sensitive={"kms_master_key_id": True},
    )
    queue = change(
        f'aws_sqs_queue.jobs["{c["key_in_address"]}"]',
        {"name": "jobs", "sqs_managed_sse_enabled": False, "tags": {"Name": "jobs"}},
        index=c["key_in_address"],
    )
    instance = change(
        "aws_instance.gateway",
        {
            "user_data": f"#!/bin/sh\nexport {c['secret_assignment']}\n",
            "metadata_options": [{"http_tokens": "optional"}],
            "tags": {"Name": f"gateway {c['access_key']}"},
        },
    )
    root = {
        "resources": [config_resource("aws_db_instance.claims", parameter_group_name={"constant_value": "x"})],
    }
    document = plan_doc([db, archive, bucket, encryption, cache, logs, topic, queue, instance], root)
    document["variables"] = {"db_password": {"value": s["password"]}}
    return document


WAIVERS = f"""\
waivers:
  - policy: elasticache-transit-encryption
    resource: aws_elasticache_replication_group.cache
    reason: "Vendor library lacks TLS; {CREDENTIALS["waiver_reason"]}"
    owner: "{CREDENTIALS["access_key"]}@example.com"
    expires: {date.today() + timedelta(days=100)}
"""


@dataclass
class Channels:
    """Everything one run produced, by channel."""

    texts: dict[str, str]

    def leaks(self) -> list[tuple[str, str]]:
        return [(name, canary) for name, text in self.texts.items() for canary in forbidden() if canary in text]


def _collect(
    plan: Path, folder: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, extra: list[str]
) -> Channels:
    texts: dict[str, str] = {}
    summary, outputs = folder / "step-summary.md", folder / "step-outputs.txt"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    with pytest.MonkeyPatch.context() as patch, caplog.at_level(logging.DEBUG):
        for name, value in env.items():
            patch.setenv(name, value)
        for fmt in FORMATS:
            reports = [x for other in FORMATS for x in ("--report", f"{other}={folder}/{fmt}-report.{other}")]
            args = ["scan", "plan", str(plan), "--format", fmt, "--show-passed", *reports, *ASFF_ACCOUNT, *extra]
            result = run_main(capsys, args)
            assert result.code in (1, 3), result.err
            texts[f"stdout ({fmt})"] = result.out
            texts[f"stderr ({fmt} run)"] = result.err
            for other in FORMATS:
                texts[f"--report {other}"] = (folder / f"{fmt}-report.{other}").read_text(encoding="utf-8")
    texts["GITHUB_STEP_SUMMARY"] = summary.read_text(encoding="utf-8")
    texts["GITHUB_OUTPUT"] = outputs.read_text(encoding="utf-8")
    texts["logs (DEBUG)"] = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "::error" in texts["stderr (json run)"]  # the annotations really were produced
    return Channels(texts)


@pytest.fixture
def canary_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[tuple[Channels, dict[str, Any]]]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(canary_plan()), encoding="utf-8")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVERS, encoding="utf-8")
    channels = _collect(plan, tmp_path, capsys, caplog, ["--waivers", str(waivers)])
    yield channels, json.loads(channels.texts["stdout (json)"])


def test_the_canaries_are_in_the_plan() -> None:
    text = json.dumps(canary_plan())
    for canary in [*SENSITIVE.values(), *CREDENTIALS.values()]:
        if canary != CREDENTIALS["waiver_reason"]:
            assert canary in text  # else the test proves nothing


def test_no_channel_leaks_a_canary_from_the_purpose_built_plan(canary_run: tuple[Channels, dict[str, Any]]) -> None:
    channels, _ = canary_run
    assert len(channels.texts) == 2 * len(FORMATS) + len(FORMATS) + 3
    assert channels.leaks() == []


def test_sensitive_evidence_reads_sensitive(canary_run: tuple[Channels, dict[str, Any]]) -> None:
    _, report = canary_run

    def evidence(policy: str, address: str) -> dict[str, str]:
        (finding,) = [f for f in report["findings"] if f["policy_id"] == policy and f["resource"]["address"] == address]
        return {e["key"]: e["observed"] for e in finding["evidence"]}

    assert (
        evidence("cloudwatch-log-group-kms-encryption", "aws_cloudwatch_log_group.app")["kms_key_id"] == "(sensitive)"
    )
    assert evidence("sns-topic-kms-encryption", "aws_sns_topic.alerts")["kms_master_key_id"] == "(sensitive)"
    assert evidence("s3-bucket-kms-encryption", "aws_s3_bucket.claims")["encryption.kms_key_id"] == "(sensitive)"
    db = [f for f in report["findings"] if f["resource"]["address"] == "aws_db_instance.claims"]
    assert db and all(f["resource"]["name"] is None for f in db)  # the name comes from sensitive values only
    # Out of scope because of a sensitive tag: the evidence says so without showing the tag.
    archive = [f for f in report["findings"] if f["resource"]["address"] == "aws_db_instance.archive"]
    scoped = [e for f in archive if f["status"] == "skipped" for e in f["evidence"] if e["key"] == "tags.phi"]
    assert scoped and all(e["observed"] == "(sensitive)" for e in scoped)


def test_credential_shaped_names_and_addresses_are_redacted(canary_run: tuple[Channels, dict[str, Any]]) -> None:
    _, report = canary_run
    names = {f["resource"]["address"]: f["resource"]["name"] for f in report["findings"]}
    assert names["aws_s3_bucket.claims"] == "aws_(redacted)"  # the key name stays, its value goes
    assert names["aws_instance.gateway"] == "gateway (redacted)"
    assert 'aws_sqs_queue.jobs["(redacted)"]' in names
    waiver = next(f["waiver"] for f in report["findings"] if f["waiver"])
    assert "(redacted)" in waiver["reason"] and "(redacted)" in waiver["owner"]


def test_no_channel_leaks_a_canary_from_the_noncompliant_fixture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    plan = FIXTURES / "noncompliant" / "plan.json"
    assert all(c in plan.read_text() for c in NONCOMPLIANT_CANARIES[:2])
    channels = _collect(plan, tmp_path, capsys, caplog, [])
    assert channels.leaks() == []


def test_the_real_cli_in_a_subprocess_leaks_nothing(tmp_path: Path) -> None:
    """Once through a real process: what a CI runner would capture."""
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(canary_plan()), encoding="utf-8")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    env = {
        **os.environ,
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "PYTHONWARNINGS": "always",
    }
    reports = [x for fmt in FORMATS for x in ("--report", f"{fmt}={tmp_path}/r.{fmt}")]
    proc = subprocess.run(
        [sys.executable, "-m", "hipaacheck", "scan", "plan", str(plan), "--format", "json", *reports, *ASFF_ACCOUNT],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode in (1, 3), proc.stderr
    texts = {
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        "summary": summary.read_text(),
        "outputs": outputs.read_text(),
    }
    texts.update({fmt: (tmp_path / f"r.{fmt}").read_text(encoding="utf-8") for fmt in FORMATS})
    assert Channels(texts).leaks() == []


# ---------------------------------------------------------------- a live scan


def test_a_live_scan_leaks_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Tags are the free text a live account gives us: credential-shaped ones never reach a report or a log."""
    import boto3
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
            patch.delenv(name, raising=False)
        with mock_aws(), caplog.at_level(logging.DEBUG):
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="claims-live")
            tags = [
                {"Key": "Name", "Value": CREDENTIALS["access_key"]},
                {"Key": "phi", "Value": "true"},
                {"Key": "note", "Value": CREDENTIALS["secret_assignment"]},
            ]
            s3.put_bucket_tagging(Bucket="claims-live", Tagging={"TagSet": tags})
            caplog.clear()
            reports = [x for fmt in FORMATS for x in ("--report", f"{fmt}={tmp_path}/live.{fmt}")]
            result = run_main(
                capsys, ["scan", "aws", "--region", "us-east-1", "--quiet", "--format", "table", *reports]
            )
    assert result.code in (1, 3), result.err
    texts = {"stdout": result.out, "stderr": result.err, "logs (DEBUG)": caplog.text}
    texts.update({fmt: (tmp_path / f"live.{fmt}").read_text(encoding="utf-8") for fmt in FORMATS})
    assert Channels(texts).leaks() == []
    names = {
        f["resource"]["name"] for f in json.loads(texts["json"])["findings"] if f["resource"]["type"] == "s3_bucket"
    }
    assert names == {"(redacted)"}


# ---------------------------------------------------------------- redaction's fast path

FRAGMENTS = [
    "AKIA", "ASIA", "A3T", "AROA", "IOSFODNN7EXAMPLE", "ABCDEFGHIJKLMNOP", "secret", "SECRET", "Password", "passwd",
    "PWD", "token", "Token", "private_key", "private-key", "privatekey", "api_key", "API-KEY", "_access", "_key", "=",
    ":", " = ", "\t", "value", "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN ", "ghp_", "gho_", "xoxb-",
    "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7", "ſecret", "tOKEN", "\u212a", "İ",
]  # fmt: skip


@budget(300)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=12))
def test_the_fast_path_never_skips_a_credential(parts: list[str]) -> None:
    """redact() checks cheap triggers before the full pattern; it must redact exactly what the pattern does."""
    from hipaacheck.display import _CREDENTIAL_PATTERNS, REDACTED, redact

    text = "".join(parts)
    assert redact(text) == _CREDENTIAL_PATTERNS.sub(REDACTED, text)
