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
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATED = HERE / "generated"
SMALL_PLAN = ROOT / "fixtures" / "terraform" / "compliant" / "plan.json"


class Timing(NamedTuple):
    wall: float  # median wall seconds
    cpu: float  # median user + system CPU seconds of the child: what neighbours on a shared machine cannot inflate
    peak: float  # largest peak RSS, MiB


def measure(command: list[str], repeat: int) -> Timing:
    """Median wall and CPU seconds and peak RSS (MiB) of a command run `repeat` times in fresh processes."""
    walls: list[float] = []
    cpus: list[float] = []
    peak = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # 1 = failing findings, expected for these plans
            raise SystemExit(
                f"{' '.join(command)} exited {code}: {process.stderr.read().decode() if process.stderr else ''}"
            )
        peak = max(peak, usage.ru_maxrss / 1024)  # KiB on Linux
    return Timing(statistics.median(walls), statistics.median(cpus), peak)


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

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    print(
        f"date {time.strftime('%Y-%m-%d')}  commit {commit}  python {platform.python_version()}  "
        f"cores {os.cpu_count()}  memory {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    )
    print()
    header = (
        "| resources | plan MiB | json.load s (CPU) | json.load MiB | scan (table) s (CPU) | ratio wall | ratio CPU "
        "| scan (json) s (CPU) | peak MiB |"
    )
    print(header)
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows: dict[int, Timing] = {}
    for size in sizes:
        path = plan_for(size)
        floor = measure([python, "-c", "import json, sys; json.load(open(sys.argv[1], 'rb'))", str(path)], args.repeat)
        table = measure([*scan, str(path), "--output", os.devnull], args.repeat)
        as_json = measure([*scan, str(path), "--format", "json", "--output", os.devnull], args.repeat)
        rows[size] = table
        print(
            f"| {size:,} | {path.stat().st_size / 2**20:.1f} | {floor.wall:.2f} ({floor.cpu:.2f}) | {floor.peak:.0f} "
            f"| {table.wall:.2f} ({table.cpu:.2f}) | {table.wall / floor.wall:.1f}x | {table.cpu / floor.cpu:.1f}x "
            f"| {as_json.wall:.2f} ({as_json.cpu:.2f}) | {max(table.peak, as_json.peak):.0f} |",
            flush=True,
        )
    if 10000 in rows and 50000 in rows:
        print(
            f"\n50,000 / 10,000 time: {rows[50000].wall / rows[10000].wall:.2f}x wall, "
            f"{rows[50000].cpu / rows[10000].cpu:.2f}x CPU (linear would be 5x)"
        )
    small = measure([*scan, str(SMALL_PLAN), "--output", os.devnull], max(args.repeat, 5))
    print(
        f"small plan ({SMALL_PLAN.relative_to(ROOT)}): {small.wall:.3f} s wall, {small.cpu:.3f} s CPU, {small.peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
