#!/usr/bin/env python3
"""Benchmark `hipaacheck merge`: N accounts' reports merged into one, against the floor of json.load.

One real report is made once: `hipaacheck scan plan` of the generated
1,000-resource plan (benchmarks/generate_plan.py), about 1,900 findings. For
each N it is written N times, each copy's findings given another account id
and resealed, as N shards or accounts of an organisation would write them;
then, each in a fresh process, three times: a bare `json.load` of the N files,
and `hipaacheck merge` of them to a JSON report (every input's digest verified,
the gate decided, the merged report sealed). Median wall time and peak RSS.

Usage: python benchmarks/merge.py [--accounts 1,10,50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from run import measure, plan_for  # noqa: E402

from hipaacheck.reporters.json_report import seal_report  # noqa: E402

RESOURCES = 1000


def account_reports(base: Path, folder: Path, count: int) -> list[Path]:
    document = json.loads(base.read_text(encoding="utf-8"))
    paths = []
    for index in range(count):
        account = f"{100000000000 + index:012d}"
        for finding in document["findings"]:
            finding["resource"]["account"] = account
        document["summary_by_account"] = {account: document["summary"]}
        document["source"]["path"] = f"account-{account}/plan.json"
        document["content_sha256"] = "0" * 64
        path = folder / f"account-{account}.json"
        path.write_text(seal_report(json.dumps(document, indent=2)), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", default="1,10,50")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        base = folder / "base.json"
        scan = [python, "-m", "hipaacheck", "scan", "plan", str(plan_for(RESOURCES)), "--format", "json"]
        subprocess.run([*scan, "--output", str(base)], check=False, cwd=HERE.parent)
        findings = len(json.loads(base.read_text(encoding="utf-8"))["findings"])
        print(f"one account: {findings} findings; hipaacheck merge of N such reports to JSON\n")
        print("| accounts | findings | input MiB | json.load s | merge s | ratio | peak MiB |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for count in (int(n) for n in args.accounts.split(",")):
            paths = account_reports(base, folder, count)
            size = sum(p.stat().st_size for p in paths) / 2**20
            load = [python, "-c", "import json,sys\nfor p in sys.argv[1:]: json.load(open(p))", *map(str, paths)]
            floor, _ = measure(load, args.repeat)
            merge = [python, "-m", "hipaacheck", "merge", *map(str, paths), "--format", "json"]
            merge += ["--output", str(folder / "org.json")]
            wall, peak = measure(merge, args.repeat)
            print(
                f"| {count} | {count * findings:,} | {size:.1f} | {floor:.2f} | {wall:.2f} | "
                f"{wall / floor:.1f}x | {peak:.0f} |"
            )
            for path in paths:
                path.unlink()


if __name__ == "__main__":
    main()
