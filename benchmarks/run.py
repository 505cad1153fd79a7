#!/usr/bin/env python3
"""Benchmark `hipaacheck scan plan` end to end against the floor of a bare json.load.

For each size N it generates a deterministic plan (benchmarks/generate_plan.py,
cached in benchmarks/generated/), then runs, each in a fresh process, three
times: a bare `json.load` of the file, and `hipaacheck scan plan` with the
whole built-in policy pack (table and JSON output). It reports the median wall
time, the peak resident memory (from the child's rusage), and the ratio to
json.load; then the start-up case on a small real fixture plan.

Usage: python benchmarks/run.py [--sizes 100,1000,10000,50000] [--repeat 3] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATED = HERE / "generated"
SMALL_PLAN = ROOT / "fixtures" / "terraform" / "compliant" / "plan.json"


def measure(command: list[str], repeat: int) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MiB) of a command run `repeat` times in fresh processes."""
    walls: list[float] = []
    peak = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - start)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # 1 = failing findings, expected for these plans
            raise SystemExit(f"{' '.join(command)} exited {code}: {process.stderr.read().decode() if process.stderr else ''}")
        peak = max(peak, usage.ru_maxrss / 1024)  # KiB on Linux
    return statistics.median(walls), peak


def plan_for(size: int) -> Path:
    path = GENERATED / f"plan-{size}.json"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate_plan.py"), str(size), str(path)], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    python = sys.executable
    scan = [python, "-m", "hipaacheck", "scan", "plan"]

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    print(f"date {time.strftime('%Y-%m-%d')}  commit {commit}  python {platform.python_version()}  "
          f"cores {os.cpu_count()}  memory {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
    print()
    header = "| resources | plan MiB | json.load s | json.load MiB | scan (table) s | ratio | scan (json) s | peak MiB |"
    print(header)
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows: dict[int, float] = {}
    for size in sizes:
        path = plan_for(size)
        floor, floor_mem = measure([python, "-c", "import json, sys; json.load(open(sys.argv[1], 'rb'))", str(path)], args.repeat)
        table, table_mem = measure([*scan, str(path), "--output", os.devnull], args.repeat)
        as_json, json_mem = measure([*scan, str(path), "--format", "json", "--output", os.devnull], args.repeat)
        rows[size] = table
        print(f"| {size:,} | {path.stat().st_size / 2**20:.1f} | {floor:.2f} | {floor_mem:.0f} | {table:.2f} | "
              f"{table / floor:.1f}x | {as_json:.2f} | {max(table_mem, json_mem):.0f} |", flush=True)
    if 10000 in rows and 50000 in rows:
        print(f"\n50,000 / 10,000 time: {rows[50000] / rows[10000]:.2f}x (linear would be 5x)")
    small, small_mem = measure([*scan, str(SMALL_PLAN), "--output", os.devnull], max(args.repeat, 5))
    print(f"small plan ({SMALL_PLAN.relative_to(ROOT)}): {small:.3f} s, {small_mem:.0f} MiB")


if __name__ == "__main__":
    main()
