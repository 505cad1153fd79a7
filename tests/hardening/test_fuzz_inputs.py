"""Fuzzing the other input files through the real CLI: policy YAML, waivers and baselines.

Each starts from a real, valid file (a built-in policy, a waivers file that
waives real failures, a JSON report of a real scan), is mutated structurally
(on the parsed document) and textually (on the YAML/JSON text: YAML anchors
and alias bombs, tags, tabs, deep nesting, invalid UTF-8, truncation), and
then used by the real command: a report (exit 0, 1 or 3) or exit 2 with one
line on stderr, never a traceback or a hang.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from ..conftest import FIXTURES, ROOT
from .fuzzing import (
    LARGE_RUN,
    ODD_TEXT,
    Counter,
    all_paths,
    assert_clean_outcome,
    budget,
    byte_mutation,
    check_report_json,
    run_main,
    structural_mutation,
)

PLAN = FIXTURES / "noncompliant" / "plan.json"
POLICY_EXAMPLES = WAIVER_EXAMPLES = BASELINE_EXAMPLES = 200
POLICY_FILES = sorted((ROOT / "policies").rglob("*.yaml"))

YAML_SNIPPETS = [
    "\t",
    "\n",
    ": ",
    "- ",
    "&a ",
    "*a",
    "*nowhere",
    "!!python/object/apply:os.system ['true']",
    "!!binary AAAA",
    "!custom x",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    '"\\ud800"',
    "? complex key\n",
    "---\n",
    "...\n",
    "%YAML 9.9\n",
    "<<: *a\n",
    "\u0000",
    "\ufeff",
    "\u202e",
    "2026-02-30",
    "1e999",
    "0x" + "f" * 5000,
    "~",
    "!!set {a, b}",
    "[" * 2000 + "]" * 2000,
    "- " * 300 + "x",
]

BILLION_LAUGHS = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
)


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> tuple[str, str]:
    """Damage YAML or JSON text: insert a snippet, delete a span, or swap the whole thing."""
    kind = draw(st.sampled_from(["insert", "insert", "delete", "duplicate-line", "replace", "none", "none", "none"]))
    at = draw(st.integers(0, len(text)))
    if kind == "insert":
        snippet = draw(st.one_of(st.sampled_from(YAML_SNIPPETS), st.sampled_from(ODD_TEXT), st.text(max_size=8)))
        return f"insert {snippet[:30]!r} at {at}", text[:at] + snippet + text[at:]
    if kind == "delete":
        end = draw(st.integers(at, min(len(text), at + 200)))
        return f"delete {at}:{end}", text[:at] + text[end:]
    if kind == "duplicate-line":
        lines = text.splitlines(keepends=True)
        if lines:
            i = draw(st.integers(0, len(lines) - 1))
            return f"duplicate line {i}", "".join(lines[: i + 1] + lines[i:])
    if kind == "replace":
        whole = draw(st.sampled_from([BILLION_LAUGHS, "x: &x [*x]", "", "---\n", "[]", "null", "a: 1\n" * 50_000]))
        return f"replace with {whole[:30]!r}", whole
    return "", text


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _dump_yaml(document: Any) -> str | None:
    try:
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


# ---------------------------------------------------------------- policies


@cache
def _policy_paths(index: int) -> list[Any]:
    return all_paths(yaml.safe_load(POLICY_FILES[index].read_text(encoding="utf-8")))


policy_counter = Counter("policies")


@budget(POLICY_EXAMPLES)
@given(data=st.data())
def test_fuzzed_policies_are_valid_or_one_located_error(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    index = data.draw(st.integers(0, len(POLICY_FILES) - 1), label="policy")
    source = POLICY_FILES[index]
    text = source.read_text(encoding="utf-8")
    steps = [source.name]
    if data.draw(st.booleans(), label="structural"):
        document = yaml.safe_load(text)
        for _ in range(data.draw(st.integers(1, 3))):
            label, mutate = data.draw(structural_mutation(_policy_paths(index)))
            steps.append(label)
            document = mutate(document)
        dumped = _dump_yaml(document)
        assume(dumped is not None)
        assert dumped is not None
        text = dumped
    label, text = data.draw(text_mutation(text))
    steps.append(label)
    label, raw = data.draw(byte_mutation(_encode(text)))
    steps.append(label)
    folder = tmp_path_factory.mktemp("policies")
    suffix = data.draw(st.sampled_from([".yaml", ".yml"]))
    (folder / f"{source.stem}{suffix}").write_bytes(raw)
    what = " / ".join(steps)

    validate = run_main(capsys, ["policies", "validate", str(folder)])
    assert_validate_outcome(validate, folder, what)
    scan = run_main(capsys, ["scan", "plan", str(PLAN), "--no-builtin", "--policies", str(folder), "--format", "json"])
    assert_clean_outcome(scan, what)
    assert (scan.code == 2) == (validate.code == 2), (what, validate.err, scan.err)
    if scan.code != 2:
        check_report_json(scan.out)
    examples = run_main(capsys, ["policies", "test", str(folder)])
    assert examples.code in (0, 1, 2) and "Traceback" not in examples.err, what
    if examples.code == 2:
        assert_clean_outcome(examples, what)
    policy_counter.add(scan.code)


def assert_validate_outcome(result: Any, folder: Path, what: str) -> None:
    """`policies validate` on a folder of one file: valid (0), or exit 2 with one `file:line:col: ...` line."""
    assert "Traceback" not in result.err, result.err[-3000:]
    assert result.code in (0, 2), (what, result.code, result.err)
    if result.code == 2:
        lines = result.err.splitlines()
        assert len(lines) == 1, (what, result.err)
        assert lines[0].startswith(str(folder)), lines[0]


def test_alias_bombs_and_self_references_are_located_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: aliases expanded without limit (a hang) and an alias inside itself (RecursionError)."""
    for name, text in [("bomb", BILLION_LAUGHS), ("loop", "id: loop\nrequire: &r {all: [*r]}\n")]:
        folder = tmp_path / name
        folder.mkdir()
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        result = run_main(capsys, ["policies", "validate", str(folder)])
        assert_validate_outcome(result, folder, name)
        assert result.code == 2
        assert ("more than 100000 values" if name == "bomb" else "refers to a value that contains it") in result.err
        scan = run_main(capsys, ["scan", "plan", str(PLAN), "--no-builtin", "--policies", str(folder)])
        assert_clean_outcome(scan, name)
        assert scan.code == 2


# ---------------------------------------------------------------- waivers

WAIVERS = """\
waivers:
  - policy: s3-bucket-access-logging
    resource: aws_s3_bucket.*
    reason: Log buckets do not log themselves (TICKET-1)
    owner: platform-team@example.com
    expires: 2099-12-31
  - policy: "*-tls-*"
    resource: "aws_db_instance.claims"
    reason: Migration in progress
    owner: dba@example.com
    expires: 2099-06-30
  - policy: kms-key-rotation
    resource: "aws_kms_key.legacy[0]"
    reason: Retired next quarter
    owner: security@example.com
    expires: 2020-01-01
""".replace("2099-12-31", (date.today() + timedelta(days=200)).isoformat()).replace(
    "2099-06-30", (date.today() + timedelta(days=100)).isoformat()
)  # within --max-waiver-days of today, so the waivers load

GLOBS = ["*a" * 30 + "b", "*" * 5000, "?" * 300, "*[*", "**.**", "a" * 100_000, "*\u202e*", "*\ud800*"]


@st.composite
def waivers_text(draw: st.DrawFn) -> tuple[str, str]:
    document = json.loads(json.dumps(yaml.safe_load(WAIVERS), default=str))  # dates as the text written
    steps = []
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            label, mutate = draw(structural_mutation(all_paths(document), focus=("waivers",)))
            steps.append(label)
            document = mutate(document)
    if draw(st.booleans()) and isinstance(document, dict) and isinstance(document.get("waivers"), list):
        glob = draw(st.sampled_from(GLOBS))
        for entry in document["waivers"]:
            if isinstance(entry, dict):
                entry[draw(st.sampled_from(["policy", "resource"]))] = glob
        steps.append(f"globs {glob[:20]!r}")
    text = _dump_yaml(document)
    assume(text is not None)
    assert text is not None
    label, text = draw(text_mutation(text))
    steps.append(label)
    return " / ".join(steps), text


waiver_counter = Counter("waivers")


@budget(WAIVER_EXAMPLES)
@given(data=st.data())
def test_fuzzed_waivers_give_a_report_or_one_line(
    data: st.DataObject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    what, text = data.draw(waivers_text())
    label, raw = data.draw(byte_mutation(_encode(text)))
    path = tmp_path / "waivers.yaml"
    path.write_bytes(raw)
    result = run_main(capsys, ["scan", "plan", str(PLAN), "--waivers", str(path), "--format", "json"])
    waiver_counter.add(result.code)
    # Expired or soon-expiring waivers add warning lines before the report: allowed with a report.
    if result.code == 2:
        assert_clean_outcome(result, f"{what} / {label}")
    else:
        assert "Traceback" not in result.err
        assert all(line.startswith("hipaacheck: warning: ") for line in result.err.splitlines()), result.err
        check_report_json(result.out)


def test_catastrophic_glob_is_fast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: '*a*a*...b' against an address backtracked for minutes (a regex of '.*' runs)."""
    from hipaacheck.waivers import glob_match

    assert glob_match("*a" * 30 + "b", "a" * 60) is False
    assert glob_match('module.x["a"].aws_s3_bucket.*', 'module.x["a"].aws_s3_bucket.logs') is True
    assert glob_match("aws_?3_bucket.*", "aws_s3_bucket.x\ny") is True
    assert glob_match("[abc]", "a") is False and glob_match("x[0]", "x[0]") is True


# ---------------------------------------------------------------- baselines


@cache
def _baseline_text() -> str:
    """The JSON report of a real scan of the non-compliant plan: a valid baseline to start from."""
    import contextlib
    import io

    from hipaacheck.cli import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["scan", "plan", str(PLAN), "--format", "json"])
    assert code == 1
    return buffer.getvalue()


@cache
def _baseline_paths() -> list[Any]:
    return all_paths(json.loads(_baseline_text()))


baseline_counter = Counter("baselines")


@budget(BASELINE_EXAMPLES)
@given(data=st.data())
def test_fuzzed_baselines_give_a_report_or_one_line(
    data: st.DataObject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(_baseline_text())
    steps = []
    for _ in range(data.draw(st.integers(0, 3))):
        label, mutate = data.draw(structural_mutation(_baseline_paths(), focus=("findings",)))
        steps.append(label)
        document = mutate(document)
    label, raw = data.draw(byte_mutation(json.dumps(document).encode("utf-8")))
    steps.append(label)
    if data.draw(st.integers(0, 9)) == 0:
        raw = b'{"tool": {"name": "hipaacheck"}, "schema_version": "1.2", "findings": ' + b"[" * 100_000
        steps.append("deep")
    path = tmp_path / "baseline.json"
    path.write_bytes(raw)
    result = run_main(capsys, ["scan", "plan", str(PLAN), "--baseline", str(path), "--format", "json"])
    assert_clean_outcome(result, " / ".join(steps))
    baseline_counter.add(result.code)
    if result.code != 2:
        check_report_json(result.out)


def test_fuzz_input_counts(request: pytest.FixtureRequest) -> None:
    """Runs last in this file: the number of inputs each suite tried, for the record."""
    for counter, normal in (
        (policy_counter, POLICY_EXAMPLES),
        (waiver_counter, WAIVER_EXAMPLES),
        (baseline_counter, BASELINE_EXAMPLES),
    ):
        if counter.runs:
            print(counter.line())
            request.node.user_properties.append((f"fuzz_{counter.name}", counter.line()))
            assert counter.runs >= (LARGE_RUN or normal) * 0.5  # assume() may discard some
