"""`hipaacheck policies`: list (and their parameters), validate, test, fields."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ..display import one_line, redact
from ..sources.errors import InputError
from .loader import PolicyError
from .model import Policy

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def cmd_policies(args: argparse.Namespace, load: Callable[[], list[Policy]]) -> int:
    """`policies list|validate|test|fields`; ``load`` gives the policies a scan here would use."""
    from tabulate import tabulate

    from ..builtin import builtin_policy_dir

    if args.action == "fields":
        return _cmd_fields(args.type)
    if args.action == "list" and args.parameters:
        return _cmd_list_parameters(load())
    if args.action == "list":
        policies = load()
        rows = [[p.id, p.severity.value, p.resource_type, "\n".join(p.safeguards)] for p in policies]
        print(tabulate(rows, headers=["ID", "SEVERITY", "RESOURCE", "SAFEGUARDS"], tablefmt="simple"))
        print(f"\n{len(policies)} policies")
        return EXIT_OK
    paths = list(args.paths) or [builtin_policy_dir()]
    if args.action == "validate":
        return _cmd_validate(paths)
    from .loader import load_policy_file
    from .selftest import run_examples

    policies = [load_policy_file(path) for path in _policy_paths(paths)]
    failures = run_examples(policies)
    for failure in failures:
        print(failure)
    total = sum(len(p.pass_examples) + len(p.fail_examples) + len(p.skip_examples) for p in policies)
    print(f"{total - len(failures)} passed, {len(failures)} failed ({len(policies)} policies)")
    return EXIT_FAIL if failures else EXIT_OK


def _cmd_list_parameters(policies: Sequence[Policy]) -> int:
    """Every policy parameter: what `.hipaacheck.yaml` can set under `parameters:`, and the value in force."""
    from tabulate import tabulate

    from ..display import show_value
    from .parameters import Parameter

    def shown(value: object) -> str:
        if value is None:
            return "off"
        if isinstance(value, list) and (len(value) > 8 or any(isinstance(v, str) for v in value)):
            return f"{len(value)} values"
        return show_value(value)

    def in_force(q: Parameter) -> str:
        if q.origin == "default":
            return shown(q.value) + " (default)"
        return f"{shown(q.value)}\nset in {q.origin}\ndefault: {shown(q.default)}"

    rows = [[p.id, f"{q.name}\n({q.type})", in_force(q), q.description] for p in policies for q in p.parameters]
    print(
        tabulate(
            rows,
            headers=["POLICY", "PARAMETER", "VALUE", "MEANING"],
            tablefmt="simple",
            maxcolwidths=[24, 20, 26, 30],
            disable_numparse=True,
        )
    )
    print(f"\n{len(rows)} parameters in {sum(1 for p in policies if p.parameters)} policies")
    return EXIT_OK


def _policy_paths(paths: Sequence[Path]) -> list[Path]:
    """Policy files from files and folders (pre-commit passes files); an empty folder is a warning."""
    from .loader import policy_files

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = policy_files(path)
            if not found:
                print(f"hipaacheck: warning: {path}: no policy files (*.yaml, *.yml) in this folder", file=sys.stderr)
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such policy file or folder")
    return files


def _cmd_validate(paths: Sequence[Path]) -> int:
    from .loader import load_policy_file

    errors: list[str] = []
    seen: dict[str, str] = {}
    files = _policy_paths(paths)
    for path in files:
        try:
            policy = load_policy_file(path)
        except PolicyError as exc:
            errors.append(str(exc))
            continue
        if policy.id in seen:
            errors.append(
                f"{policy.file}:{policy.line}:1: duplicate policy id {policy.id!r} (first in {seen[policy.id]})"
            )
        seen.setdefault(policy.id, policy.file)
    for error in errors:
        print(redact(one_line(error)), file=sys.stderr)
    if errors:
        return EXIT_INPUT
    print(f"{len(files)} policies valid in {', '.join(str(p) for p in paths)}")
    return EXIT_OK


def _cmd_fields(type_name: str | None) -> int:
    from tabulate import tabulate

    from ..resource_types import RESOURCE_TYPES, schema_rows

    if type_name is None:
        print("\n".join(RESOURCE_TYPES))
        return EXIT_OK
    if type_name not in RESOURCE_TYPES:
        raise InputError(f"unknown resource type {type_name!r} (known: {', '.join(RESOURCE_TYPES)})")
    print(
        tabulate(
            schema_rows(type_name),
            headers=["FIELD", "KIND", "MEANING"],
            tablefmt="simple",
            maxcolwidths=[None, None, 50],
        )
    )
    return EXIT_OK
