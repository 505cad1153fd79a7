#!/usr/bin/env python3
"""Benchmark `hipaacheck scan aws --org --region us-east-1` over 1, 10 and 50 simulated accounts.

Starts a moto_server on 127.0.0.1 that adds a fixed latency to every request
(``--latency-ms``, default 50: a real AWS API call takes tens of
milliseconds, a local moto call under one; without it the benchmark would
measure moto's CPU, not the scan's concurrency). Seeds an organisation of N
ACTIVE accounts (the management account and N-1 members), each holding one
copy of live_seed.py's ~36-resource billing account and the hipaacheck-audit
role, with the latency off; then, latency on, runs the real CLI in a fresh
process for each --max-workers value: wall time and peak RSS (the child's
ru_maxrss). API calls are counted once per N in an in-process run that wraps
botocore's client call. Never contacts anything but 127.0.0.1; dummy
credentials only.

Usage: python benchmarks/org.py [--scales 1,10,50] [--workers 8,32] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

ROLE = "hipaacheck-audit"


def _post(url: str, data: bytes = b"") -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    opener.open(urllib.request.Request(url, data=data, method="POST"), timeout=60).close()


def _seed(scale: int) -> int:
    """An organisation of ``scale`` ACTIVE accounts, each with a billing account copy; returns resources seeded."""
    import boto3
    import live_seed

    from hipaacheck.sources.aws.permissions import org_policies

    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    accounts = [None] + [
        org.create_account(Email=f"m{k}@example.com", AccountName=f"member-{k:02d}")["CreateAccountStatus"]["AccountId"]
        for k in range(1, scale)
    ]
    documents = org_policies(ROLE, None, "123456789012")
    seeded = 0
    for k, account in enumerate(accounts):
        live_seed.CREDENTIALS.clear()
        if account is not None:
            sts = boto3.client("sts", region_name="us-east-1")
            keys = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                                   RoleSessionName="seed")["Credentials"]
            live_seed.CREDENTIALS.update(aws_access_key_id=keys["AccessKeyId"],
                                         aws_secret_access_key=keys["SecretAccessKey"],
                                         aws_session_token=keys["SessionToken"])
        iam = live_seed._client("iam")
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(documents["member_role_trust_policy"]))
        shared = live_seed.seed_account_baseline()
        seeded += live_seed.seed_copy(k, shared)
    live_seed.CREDENTIALS.clear()
    return seeded


def _scan(env: dict[str, str], workers: int) -> tuple[float, float, dict[str, Any]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "hipaacheck", "scan", "aws", "--org", "--region", "us-east-1", "--quiet",
             "--max-workers", str(workers), "--format", "json", "--output", out.name],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1, 3):
            raise SystemExit(f"scan exited {code}: {process.stderr.read().decode() if process.stderr else ''}")
        return wall, usage.ru_maxrss / 1024, json.loads(Path(out.name).read_text())


def _count_calls(env: dict[str, str], workers: int) -> Counter[str]:
    import botocore.client

    from hipaacheck.cli import main

    calls: Counter[str] = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        calls[self.meta.service_model.service_name] += 1
        return original(self, operation, params)

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        main(["scan", "aws", "--org", "--region", "us-east-1", "--quiet", "--max-workers", str(workers),
              "--format", "json", "--output", os.devnull])
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]
        os.environ.clear()
        os.environ.update(saved)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,50")
    parser.add_argument("--workers", default="8,32", help="--max-workers values to compare")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    import live

    from moto_latency import launcher

    gen = live._generator()
    log_dir = Path(tempfile.mkdtemp(prefix="hipaacheck-org-bench-"))
    server = gen.MotoServer(launcher(log_dir), log_dir / "moto.log")
    server.start()
    try:
        env = live._dummy_env(server.url)
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_") or k.lower() == "no_proxy"})
        workers = [int(w) for w in args.workers.split(",")]
        print(f"latency {args.latency_ms:.0f} ms per API call; load average {os.getloadavg()[0]:.1f} at start\n")
        print("| accounts | seeded resources | findings | --max-workers | scan s | peak MiB | API calls | "
              "calls / account |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for scale in [int(s) for s in args.scales.split(",")]:
            _post(f"{server.url}/moto-api/reset")
            _post(f"{server.url}/_bench/latency", b"0")
            seeded = _seed(scale)
            _post(f"{server.url}/_bench/latency", str(args.latency_ms / 1000).encode())
            calls = sum(_count_calls(env, workers[0]).values())
            for count in workers:
                wall, peak, report = _scan(env, count)
                scanned = sum(1 for a in report["source"]["accounts"] if a["status"] == "scanned")
                assert scanned == scale, report["source"]["accounts"]
                print(f"| {scale} | {seeded} | {len(report['findings'])} | {count} | {wall:.1f} | {peak:.0f} | "
                      f"{calls} | {calls / scale:.0f} |", flush=True)
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
