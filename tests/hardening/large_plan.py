"""Measure `hipaacheck scan plan` on a ~200 MB plan: wall time and peak RSS, beside a bare json.load.

Usage: python -m tests.hardening.large_plan [--mb 200] [--keep DIR]

The plan comes from the benchmark generator (benchmarks/generate_plan.py: a
realistic multi-tenant plan, deterministic), at the resource count that
reaches the requested size. The memory budget scales the benchmark target
(400 MB for 10,000 resources) with the resource count. The test
``test_a_200_mb_plan_within_the_memory_budget`` runs this when
HIPAACHECK_LARGE_PLAN=1.

Recorded 2026-11-26 (2 cores, 24 GiB, Python 3.11.7, commit 4b55161):

    209 MB plan, 73,584 resources: exit 1, 10.4 s, peak RSS 845 MB
        (budget 2,943 MB; a bare json.load of the same file: 5.5 s, 955 MB)
    28 MB plan, 9,933 resources: exit 1, 1.2-1.5 s, peak RSS 147 MB (budget 400 MB)

The plan text is freed as soon as it is parsed, so the scan peaks below a bare
json.load of the file (which holds the bytes, the text and the objects at once).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "benchmarks" / "generate_plan.py"
BYTES_PER_RESOURCE = 2_850  # measured on the generator's output (28 MB for 10,000 resources)
BUDGET_MB_PER_10K = 400


@dataclass
class Measurement:
    plan_mb: float
    resources: int
    exit_code: int
    wall_s: float
    peak_rss_mb: float
    json_load_s: float
    json_load_rss_mb: float

    @property
    def budget_mb(self) -> float:
        return BUDGET_MB_PER_10K * max(1.0, self.resources / 10_000)

    def describe(self) -> str:
        return (
            f"{self.plan_mb:.0f} MB plan, {self.resources} resources: exit {self.exit_code}, "
            f"{self.wall_s:.1f} s, peak RSS {self.peak_rss_mb:.0f} MB "
            f"(budget {self.budget_mb:.0f} MB; bare json.load {self.json_load_s:.1f} s, {self.json_load_rss_mb:.0f} MB)"
        )


def _run(command: list[str]) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak RSS (MB) of a fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if process.stderr is not None:
        process.stderr.close()
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024


def generate(folder: Path, target_mb: int) -> tuple[Path, int]:
    resources = int(target_mb * 1024 * 1024 / BYTES_PER_RESOURCE)
    plan = folder / f"plan-{resources}.json"
    if not plan.exists():
        subprocess.run([sys.executable, str(GENERATOR), str(resources), str(plan)], check=True, cwd=ROOT)
    return plan, resources


def measure(folder: Path, target_mb: int = 200) -> Measurement:
    plan, resources = generate(folder, target_mb)
    output = folder / "report.json"
    code, wall, rss = _run(
        [sys.executable, "-m", "hipaacheck", "scan", "plan", str(plan), "--format", "json", "--output", str(output)]
    )
    _, load_wall, load_rss = _run([sys.executable, "-c", f"import json; json.load(open({str(plan)!r}, 'rb'))"])
    return Measurement(plan.stat().st_size / 1e6, resources, code, wall, rss, load_wall, load_rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="generate into (and reuse) this folder")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        print(measure(args.keep, args.mb).describe())
        return
    with tempfile.TemporaryDirectory() as folder:
        print(measure(Path(folder), args.mb).describe())


if __name__ == "__main__":
    main()
