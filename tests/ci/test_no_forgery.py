"""Attacker text cannot act: no workflow command, terminal sequence, bidi trick or Markdown markup from data.

The plan is fixtures/terraform/hostile_text: for_each keys, tag values and
ssl_policy values written by "a pull request" to forge ``::error``,
``::add-mask::``, ``::stop-commands::``, the legacy ``##[...]`` form, ANSI/OSC
sequences, bidi overrides, links, images and HTML. Every output format goes
through the real CLI under ``GITHUB_ACTIONS=true``, and each channel is read
the way its consumer reads it: the Actions runner's command rules for stdout
and stderr, a terminal's for the table, Markdown's for the summary and the
evidence pack, an XML parser's for JUnit.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hipaacheck.safe_text import md_code, md_text, neutralize_commands, visible

from ..conftest import FIXTURES, ROOT

HOSTILE = FIXTURES / "hostile_text"
FORMATS = ("table", "json", "sarif", "junit", "markdown")
OWN_ANNOTATION = re.compile(r"^::(error|warning|notice) ((?:file|line|endLine|title)=[^,:]*(?:,|(?=::)))*::")
_LINES = re.compile(r"\r\n|\r|\n")
# Characters that must never reach a terminal, a page or XML raw (see safe_text._UNSAFE).
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff]"
)


def runner_commands(text: str) -> list[str]:
    """Every line the GitHub Actions runner would take as a workflow command.

    actions/runner ``ActionCommand``: the input is split into lines on CR, LF
    and CRLF; ``TryParseV2`` trims leading whitespace and wants ``::name
    ...::data``; ``TryParse`` (legacy) finds ``##[name ...]`` anywhere in the
    line. Stricter than the runner: any name counts (a stop-commands token is
    an unregistered name that the runner accepts while commands are stopped).
    """
    found = []
    for line in _LINES.split(text):
        trimmed = line.lstrip()
        if trimmed.startswith("::") and trimmed.find("::", 2) >= 0:
            found.append(line)
            continue
        start = line.find("##[")
        if start >= 0 and line.find("]", start) >= 0:
            found.append(line)
            continue
        if "##vso[" in line:  # the Azure Pipelines agent: a logging command anywhere in the line
            found.append(line)
    return found


def test_runner_emulation_sees_the_attacks() -> None:
    # The emulation itself: it must flag what the runner would run, or the tests below prove nothing.
    assert runner_commands("  ::error file=a::x") == ["  ::error file=a::x"]
    assert runner_commands("ok\r::add-mask::s") == ["::add-mask::s"]
    assert runner_commands("\u00a0\u2003::stop-commands::tok") == ["\u00a0\u2003::stop-commands::tok"]
    assert runner_commands("text ##[error]legacy") == ["text ##[error]legacy"]
    assert runner_commands("x ##vso[task.setvariable variable=a]b") == ["x ##vso[task.setvariable variable=a]b"]
    assert runner_commands("a :: b ::c") == [] and runner_commands("::no end") == []


@pytest.mark.parametrize("fmt", [*FORMATS, "text"])
def test_neutralize_commands_leaves_nothing_and_keeps_formats_valid(fmt: str) -> None:
    hostile = "  ::error::x\n##[warning]y\r\n\u3000::add-mask::z\rmid ##[debug]w ::a::b\nq ##vso[task.complete result=Succeeded]"
    assert runner_commands(neutralize_commands(hostile, fmt)) == []
    data = {"v": "a ##[error]b", "w": "::error::x", "z": "##vso[task.setvariable variable=x]1"}
    escaped = neutralize_commands(json.dumps(data), "json")
    assert "##[" not in escaped and "##vso[" not in escaped and json.loads(escaped) == data
    xml = neutralize_commands('<a b="##[x]">##[y]</a>', "junit")
    assert ET.fromstring(xml).get("b") == "##[x]" and ET.fromstring(xml).text == "##[y]"


def test_visible_and_markdown_escapes() -> None:
    assert visible("a\x1b[31mb\x07c\u202ed\n\te") == "a\\x1b[31mb\\x07c\\u202ed\n\te"
    assert visible("\ud800\ufffe") == "\\ud800\\ufffe"
    assert md_text("[x](https://e.x) ![i](u) <b> | `t`") == (
        "\\[x\\]\\(https:\\/\\/e.x\\) \\!\\[i\\]\\(u\\) \\<b\\> \\| \\`t\\`"
    )
    assert md_text("www.evil.example mail@evil.example") == "www\\.evil.example mail\\@evil.example"
    assert md_code("a`b") == "``a`b``" and md_code("`x`") == "`` `x` ``" and md_code("a|b") == "`a\\|b`"


def _run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hipaacheck", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile plan beside its .tf source under a file name that is itself an attack."""
    where = tmp_path_factory.mktemp("hostile")
    shutil.copy(HOSTILE / "plan.json", where / "plan.json")
    shutil.copy(HOSTILE / "providers.tf", where / "providers.tf")
    shutil.copy(HOSTILE / "main.tf", where / "m\x1b[31m\u202eain ##[error]x.tf")
    return where


@pytest.fixture(scope="module")
def actions_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    where = tmp_path_factory.mktemp("runner")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(where / "summary.md"),
        GITHUB_OUTPUT=str(where / "output.txt"),
    )
    return env


def _check_stderr(stderr: str) -> None:
    """stderr holds hipaacheck's own annotations (well-formed, data escaped) and inert lines only."""
    for line in runner_commands(stderr):
        assert OWN_ANNOTATION.match(line), line
    for line in _LINES.split(stderr):
        if not OWN_ANNOTATION.match(line):
            assert not runner_commands(line), line


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_forged_command_in_any_format_on_stdout_or_stderr(
    fmt: str, sources: Path, actions_env: dict[str, str], tmp_path: Path
) -> None:
    result = _run(
        ["scan", "plan", str(sources / "plan.json"), "--format", fmt, "--show-passed", "--tf-dir", str(sources)],
        actions_env,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert runner_commands(result.stdout) == [], fmt
    _check_stderr(result.stderr)
    assert sum(1 for line in result.stderr.splitlines() if OWN_ANNOTATION.match(line)) > 10
    if fmt in ("json", "sarif"):
        json.loads(result.stdout)  # the escape keeps it valid JSON
    if fmt == "junit":
        ET.fromstring(result.stdout)
    if fmt in ("table", "markdown", "junit"):
        assert not UNSAFE.search(result.stdout), fmt


def test_json_on_stdout_keeps_the_data_exact(sources: Path, actions_env: dict[str, str]) -> None:
    plain_env = {k: v for k, v in actions_env.items() if not k.startswith("GITHUB_")}
    args = ["scan", "plan", str(sources / "plan.json"), "--format", "json"]
    under_actions = json.loads(_run(args, actions_env).stdout)
    plain = json.loads(_run(args, plain_env).stdout)
    assert under_actions["findings"] == plain["findings"]
    addresses = {f["resource"]["address"] for f in plain["findings"]}
    assert any("##[error]legacy" in a for a in addresses)  # the data itself is not rewritten


def test_stderr_messages_with_hostile_text_are_inert(actions_env: dict[str, str], tmp_path: Path) -> None:
    # An expired waiver's warning and an input error both echo attacker-chosen text.
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - {policy: '##[error]p', resource: \"x\\n::error::forged\", reason: r, owner: o, expires: 2020-01-01}\n",
        encoding="utf-8",
    )
    result = _run(
        ["scan", "plan", str(HOSTILE / "plan.json"), "--waivers", str(waivers), "--format", "json"], actions_env
    )
    assert "hipaacheck: warning: " in result.stderr
    _check_stderr(result.stderr)
    missing = tmp_path / "::error::forged ##[warning]x.json"
    result = _run(["scan", "plan", str(missing)], actions_env)
    assert result.returncode == 2 and runner_commands(result.stderr) == []
    result = _run(["scan", "plan", str(HOSTILE / "plan.json"), "--fail-on", "\n::error::forged"], actions_env)
    assert result.returncode == 2 and runner_commands(result.stderr) == []


_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)*?\1")


def _assert_inert_markdown(text: str) -> None:
    """No raw control or bidi character; outside code spans (inert by Markdown's rules: no links,
    HTML or autolinks inside them) no link, image, HTML tag or autolink that data could have made."""
    assert not UNSAFE.search(text)
    for line in text.splitlines():
        outside = _CODE_SPAN.sub("", line)
        assert not re.search(r"(?<!\\)[\[\]]", outside), line  # hipaacheck's own Markdown has no links
        assert not re.search(r"(?<!\\)!(?=\\?\[)", outside), line
        tags = re.findall(r"(?<!\\)<(/?[a-z]+)", outside)
        assert set(tags) <= {"details", "summary", "/details", "/summary"}, line
        assert "://" not in outside and "www." not in outside, line


def test_step_summary_and_markdown_report_are_inert(sources: Path, actions_env: dict[str, str], tmp_path: Path) -> None:
    markdown = tmp_path / "r.md"
    env = {**actions_env, "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    result = _run(
        ["scan", "plan", str(sources / "plan.json"), "--tf-dir", str(sources), "--report", f"markdown={markdown}"], env
    )
    assert result.returncode == 1
    for text in ((tmp_path / "summary.md").read_text(encoding="utf-8"), markdown.read_text(encoding="utf-8")):
        assert "aws\\_s3\\_bucket" in text or "aws_s3_bucket.keyed" in text
        _assert_inert_markdown(text)


def test_evidence_pack_markdown_is_inert(sources: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    report = tmp_path / "r.json"
    _run(["scan", "plan", str(sources / "plan.json"), "--tf-dir", str(sources), "--output", str(report),
          "--format", "json"], env)  # fmt: skip
    pack = tmp_path / "pack.md"
    result = _run(["report", str(report), "--markdown", str(pack)], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    _assert_inert_markdown(pack.read_text(encoding="utf-8"))


def test_junit_file_names_and_text_are_valid_and_visible(sources: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    junit = tmp_path / "r.xml"
    _run(["scan", "plan", str(sources / "plan.json"), "--tf-dir", str(sources), "--report", f"junit={junit}"], env)
    root = ET.parse(junit).getroot()
    files = set()
    for element in root.iter():
        for value in [*element.attrib.values(), element.text or ""]:
            assert not UNSAFE.search(value), value
        if element.tag == "testcase" and element.get("file"):
            files.add(element.get("file"))
    assert "m\\x1b[31m\\u202eain ##[error]x.tf" in files


def test_table_in_a_terminal_is_inert(sources: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    result = _run(["scan", "plan", str(sources / "plan.json"), "--tf-dir", str(sources), "--show-passed"], env)
    assert not UNSAFE.search(result.stdout)
    assert "\\x1b[2J\\x1b[31mred" in result.stdout and "claims\\u202egnp.exe" in result.stdout


def test_azure_pipelines_logging_commands_are_inert_too(tmp_path: Path) -> None:
    # The Azure Pipelines agent (TF_BUILD=True) runs ##vso[...] anywhere in a line of output.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TF_BUILD"))}
    env["TF_BUILD"] = "True"
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - {policy: p, resource: 'x ##vso[task.setvariable variable=gate]off', reason: r, owner: o, "
        "expires: 2020-01-01}\n",
        encoding="utf-8",
    )
    args = ["scan", "plan", str(HOSTILE / "plan.json"), "--waivers", str(waivers)]
    for fmt in ("table", "json"):
        result = _run([*args, "--format", fmt], env)
        assert "##vso" in result.stderr  # the warning names the waiver ...
        assert runner_commands(result.stdout + result.stderr) == [], fmt  # ... but no agent would run it
    missing = _run(["scan", "plan", str(tmp_path / "##vso[task.complete result=Succeeded]x.json")], env)
    assert missing.returncode == 2 and runner_commands(missing.stderr) == []
