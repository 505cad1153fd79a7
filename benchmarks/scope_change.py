#!/usr/bin/env python3
"""Cost of the scope-change pass (a second adaptation of the plan as it was before it).

Generates the N-resource benchmark plan, turns one existing (no-op) bucket into
an update that flips its phi tag to "false" (so the pass runs and finds one
scope change), and reports the CPU time of each stage in one process.

Usage: python benchmarks/scope_change.py [N]   (default 10000)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.policy.loader import load_policies
from hipaacheck.scope_change import before_document, scope_change_findings
from hipaacheck.sources.terraform import Plan, load_plan_resources
from hipaacheck.sources.terraform.adapters import adapt_plan


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "plan.json"
        subprocess.run([sys.executable, str(Path(__file__).parent / "generate_plan.py"), str(count), str(path)], check=True)
        document = json.loads(path.read_text())
        for change in document["resource_changes"]:
            body = change["change"]
            if change["type"] == "aws_s3_bucket" and body["actions"] == ["no-op"] and isinstance(body["before"], dict):
                tags = {**(body["after"].get("tags") or {}), "phi": "false"}
                body["actions"], body["after"] = ["update"], {**body["after"], "tags": tags, "tags_all": tags}
                break
        path.write_text(json.dumps(document))
        policies = load_policies([builtin_policy_dir()])
        start = time.process_time()
        plan, resources = load_plan_resources(path)
        loaded = time.process_time()
        evaluate(policies, resources)
        evaluated = time.process_time()
        before = adapt_plan(Plan(before_document(plan.document) or {}))
        adapted = time.process_time()
        found = scope_change_findings(policies, before, resources)
        compared = time.process_time()
    print(
        f"{count} resources: read+adapt {loaded - start:.2f} s, evaluate {evaluated - loaded:.2f} s; "
        f"scope-change pass: adapt before {adapted - evaluated:.2f} s + compare {compared - adapted:.2f} s "
        f"({len(found)} finding)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
