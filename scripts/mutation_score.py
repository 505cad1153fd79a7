"""Print the mutation score per module from mutmut's results, as the Markdown table in docs/mutation.md."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict


def main() -> int:
    out = subprocess.run(
        [".venv/bin/mutmut", "results", "--all", "true"], capture_output=True, text=True, check=False
    ).stdout
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if "__mutmut_" not in name:
            continue
        module = name.split(".x", 1)[0]  # hipaacheck.engine.x_evaluate_one__mutmut_3 -> hipaacheck.engine
        counts[module][status] += 1
    if not counts:
        print("mutation: no results yet (run scripts/mutation)", file=sys.stderr)
        return 1
    print("| module | mutants | killed | survived | other | score |")
    print("|---|---:|---:|---:|---:|---:|")
    for module, c in sorted(counts.items()):
        total = sum(c.values())
        other = total - c["killed"] - c["survived"]
        tried = c["killed"] + c["survived"]
        score = f"{100 * c['killed'] / tried:.1f}%" if tried else "-"
        print(f"| {module} | {total} | {c['killed']} | {c['survived']} | {other} | {score} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
