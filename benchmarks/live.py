#!/usr/bin/env python3
"""Benchmark `hipaacheck scan aws --region us-east-1` against a local moto server.

Seeds 1, 10 and 50 copies of a ~40-resource billing account (live_seed.py),
then for each: the real CLI in a fresh process (median wall time of
--repeat runs, peak RSS), and one in-process scan that counts every API call
per service (by wrapping botocore's client call) to report calls per
resource. Never contacts anything but 127.0.0.1; dummy credentials only.

Usage: python benchmarks/live.py [--scales 1,10,50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import os
import statistics
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


def _generator() -> Any:
    loader = importlib.machinery.SourceFileLoader("generate_fixtures", str(ROOT / "scripts" / "generate-fixtures"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _dummy_env(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    })
    return env


def _reset(endpoint: str) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    opener.open(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=30).close()


def _scan_once(env: dict[str, str], regions: list[str] | None = None) -> tuple[float, float, dict[str, Any]]:
    """One scan in a fresh process: (wall seconds, peak RSS MiB, report). regions=None: every enabled region."""
    selected = ["--region", "us-east-1"] if regions is None else [x for r in regions for x in ("--region", r)]
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "hipaacheck", "scan", "aws", *selected, "--quiet",
             "--format", "json", "--output", out.name],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"scan exited {code}: {process.stderr.read().decode() if process.stderr else ''}")
        return wall, usage.ru_maxrss / 1024, json.loads(Path(out.name).read_text())


def _count_calls(env: dict[str, str]) -> Counter[str]:
    """Run the scan in this process with every botocore API call counted by service."""
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
        main(["scan", "aws", "--region", "us-east-1", "--quiet", "--format", "json", "--output", os.devnull])
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]
        os.environ.clear()
        os.environ.update(saved)
    return calls


def _all_regions(url: str, env: dict[str, str], repeat: int) -> None:
    """Every region moto reports as enabled, one copy of the account: the memory case (one client per
    service and region)."""
    import live_seed

    _reset(url)
    shared = live_seed.seed_account_baseline()
    seeded = live_seed.seed_copy(0, shared)
    runs = [_scan_once(env, []) for _ in range(repeat)]
    report = runs[-1][2]
    print("| scan | regions | seeded resources | findings | scan s (median) | peak MiB (max) |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| all regions, 1 copy | {len(report['source']['regions'])} | {seeded} | {len(report['findings'])} | "
          f"{statistics.median(r[0] for r in runs):.2f} | {max(r[1] for r in runs):.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,50")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all-regions-only", action="store_true", help="only the all-regions memory run")
    args = parser.parse_args()
    gen = _generator()
    exe = Path(sys.executable).parent / "moto_server"
    log_dir = Path(tempfile.mkdtemp(prefix="hipaacheck-bench-"))
    server = gen.MotoServer(str(exe) if exe.exists() else gen.find_moto_server(), log_dir / "moto.log")
    server.start()
    try:
        env = _dummy_env(server.url)
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_") or k.lower() == "no_proxy"})
        import live_seed

        details = []
        _all_regions(server.url, env, args.repeat)
        if args.all_regions_only:
            return
        print("\n| copies | seeded resources | findings | scan s (median) | peak MiB | API calls | calls / resource |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for scale in [int(s) for s in args.scales.split(",")]:
            _reset(server.url)
            shared = live_seed.seed_account_baseline()
            seeded = sum(live_seed.seed_copy(k, shared) for k in range(scale))
            runs = [_scan_once(env) for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            report = runs[-1][2]
            calls = _count_calls(env)
            total = sum(calls.values())
            print(f"| {scale} | {seeded} | {len(report['findings'])} | {wall:.2f} | {peak:.0f} | {total} | "
                  f"{total / max(report['resources'], 1):.2f} |", flush=True)
            details.append((scale, calls))
        for scale, calls in details:
            print(f"\ncalls per service at {scale} cop{'y' if scale == 1 else 'ies'}: "
                  + ", ".join(f"{service} {n}" for service, n in sorted(calls.items())))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
