"""Run mutmut on one module group at a time, each with the narrow test selection that concerns it.

mutmut reads one `[tool.mutmut]` table from the `pyproject.toml` of the directory it runs in and
keeps its results in `mutants/` there. To give each module group its own test selection (so a
mutant only runs the tests that concern it) and its own incremental cache, every group gets a
working directory `.mutation/<group>/`: symlinks to the repository's files, and a copy of
`pyproject.toml` whose `[tool.mutmut]` is the shared settings plus the group's `mutate` and
`tests` from `[tool.hipaacheck.mutation.<group>]`.

    scripts/mutation_run.py list                  the groups and what they mutate
    scripts/mutation_run.py run GROUP [NAMES...]  run one group (NAMES: mutmut's mutant-name globs)
    scripts/mutation_run.py rerun GROUP [STATUS...] rerun its mutants with these results (default:
                                                  survived), e.g. after adding the tests that kill them
    scripts/mutation_run.py score [GROUP...]      the score table of groups already run
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
# Never linked into a group's directory: its own pyproject (generated), caches and environments.
NOT_LINKED = {".git", ".venv", ".mutation", "mutants", "pyproject.toml"}


def _groups() -> dict[str, dict[str, list[str]]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    groups: dict[str, dict[str, list[str]]] = data["tool"]["hipaacheck"]["mutation"]
    return groups


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[\n" + "".join(f"    {_toml_value(v)},\n" for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _group_pyproject(group: dict[str, list[str]]) -> str:
    """The repository's pyproject.toml with a [tool.mutmut] for this group only."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    shared = tomllib.loads(text)["tool"]["mutmut"]
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        header = re.match(r"^\[([^\[\]]+)\]\s*$", line)
        if header:
            name = header.group(1).strip()
            skipping = name == "tool.mutmut" or name.startswith("tool.hipaacheck.mutation")
        if not skipping:
            kept.append(line)
    settings = {
        **shared,
        "only_mutate": group["mutate"],
        "pytest_add_cli_args_test_selection": group["tests"],
        # The group directory is a tree of symlinks inside the repository: compare file contents,
        # not git history, to decide what changed since the last run.
        "use_git_change_detection": False,
    }
    body = "\n".join(f"{key} = {_toml_value(value)}" for key, value in settings.items())
    return "\n".join(kept).rstrip() + "\n\n[tool.mutmut]\n" + body + "\n"


def _prepare(name: str, group: dict[str, list[str]]) -> Path:
    folder = WORK / name
    folder.mkdir(parents=True, exist_ok=True)
    for entry in ROOT.iterdir():
        link = folder / entry.name
        if entry.name not in NOT_LINKED and not link.is_symlink() and not link.exists():
            link.symlink_to(entry)
    pyproject = folder / "pyproject.toml"
    wanted = _group_pyproject(group)
    if not pyproject.exists() or pyproject.read_text(encoding="utf-8") != wanted:
        pyproject.write_text(wanted, encoding="utf-8")
    return folder


def _mutmut() -> str:
    return str(ROOT / ".venv" / "bin" / "mutmut")


def _results(folder: Path) -> list[tuple[str, str]]:
    """(mutant name, status) for every mutant of the group's last run."""
    out = subprocess.run(
        [_mutmut(), "results", "--all", "true"], cwd=folder, capture_output=True, text=True, check=False
    ).stdout
    results: list[tuple[str, str]] = []
    for line in out.splitlines():
        mutant, _, status = line.strip().rpartition(": ")
        if "__mutmut_" in mutant:
            results.append((mutant, status))
    return results


def _counts(folder: Path) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for mutant, status in _results(folder):
        module = mutant.split(".x", 1)[0]  # hipaacheck.engine.x_evaluate_one__mutmut_3 -> hipaacheck.engine
        counts[module][status] += 1
    return counts


def score(names: list[str]) -> int:
    rows: list[tuple[str, str, Counter[str]]] = []
    for name in names or sorted(_groups()):
        folder = WORK / name
        if (folder / "mutants").is_dir():
            rows.extend((name, module, c) for module, c in sorted(_counts(folder).items()))
    if not rows:
        print("mutation: no results yet (run scripts/mutation GROUP)", file=sys.stderr)
        return 1
    print("| group | module | mutants | killed | survived | other | killed of tried |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, module, c in rows:
        total = sum(c.values())
        tried = c["killed"] + c["timeout"] + c["survived"]
        other = total - tried
        killed = c["killed"] + c["timeout"]
        pct = f"{100 * killed / tried:.1f}%" if tried else "-"
        print(f"| {name} | {module} | {total} | {killed} | {c['survived']} | {other} | {pct} |")
    return 0


def run(name: str, mutants: list[str]) -> int:
    groups = _groups()
    if name not in groups:
        print(f"mutation: unknown group {name!r}; groups: {', '.join(sorted(groups))}", file=sys.stderr)
        return 2
    folder = _prepare(name, groups[name])
    # mutmut exits non-zero when mutants survive: the score table says what happened.
    subprocess.run([_mutmut(), "run", *mutants], cwd=folder, check=False)
    return score([name])


def rerun(name: str, statuses: list[str]) -> int:
    """Try again the mutants whose last result is one of ``statuses`` (mutmut reruns named mutants)."""
    wanted = set(statuses or ["survived"])
    names = [mutant for mutant, status in _results(WORK / name) if status in wanted]
    if not names:
        print(f"mutation: no {'/'.join(sorted(wanted))} mutants in group {name}", file=sys.stderr)
        return score([name])
    return run(name, names)


def main(argv: list[str]) -> int:
    if argv[:1] == ["list"]:
        for name, group in sorted(_groups().items()):
            print(f"{name}: {' '.join(group['mutate'])}")
        return 0
    if argv[:1] == ["score"]:
        return score(argv[1:])
    if argv[:1] == ["run"] and len(argv) >= 2:
        return run(argv[1], argv[2:])
    if argv[:1] == ["rerun"] and len(argv) >= 2:
        return rerun(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
