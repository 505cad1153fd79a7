"""Map a finding's resource address to the file and line of its ``resource "TYPE" "NAME"`` block.

So that SARIF alerts and workflow annotations land on the line a reviewer
should change. The plan says which resources exist but not where they are
written, so the ``.tf`` files are read here: only far enough to find
top-level blocks, their first-level nested blocks and each module call's
``source`` (strings, comments, heredocs and ``${...}`` are skipped so braces
inside them do not count).

* ``module.a["x"].module.b.aws_s3_bucket.this[0]`` follows the ``source`` of
  ``module "a"`` then ``module "b"`` (local paths only) and looks for
  ``resource "aws_s3_bucket" "this"`` there. A registry or git module has no
  sources in the repository: the finding points at its ``module`` block.
* ``aws_instance.x.root_block_device[0]``, ``aws_elb.x.listener[1]``: the
  nested block inside the resource when it is written out, else the resource.
* ``account`` and ``account/<region>`` are built from several resources; the
  evidence key says which one manages the failing setting (the password
  policy -> ``aws_iam_account_password_policy``).
* Anything else (an ARN from a live scan, a resource the sources do not
  declare) has no location; reporters fall back to the address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ...models import Finding
from ...report import Location

# Canonical account fields -> the Terraform resource type that manages them.
_ACCOUNT_FIELDS = {
    "password_policy": "aws_iam_account_password_policy",
    "s3_public_access_block": "aws_s3_account_public_access_block",
    "multi_region_trail_logging": "aws_cloudtrail",
    "ebs_encryption_by_default": "aws_ebs_encryption_by_default",
    "guardduty_enabled": "aws_guardduty_detector",
    "securityhub_enabled": "aws_securityhub_account",
}
_LABEL = r'"?([A-Za-z_][A-Za-z0-9_-]*)"?'
_RESOURCE_HEADER = re.compile(rf"^\s*resource\s+{_LABEL}\s+{_LABEL}\s*\{{")
_MODULE_HEADER = re.compile(rf"^\s*module\s+{_LABEL}\s*\{{")
_NESTED_HEADER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\{")
_ONE_LINE_BLOCK = re.compile(r"\{.*\}\s*$")
_SOURCE = re.compile(r'^\s*source\s*=\s*"([^"]*)"')
_SEGMENT = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*)(\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?')
_MAX_FILES = 2000  # a --tf-dir pointing at a huge tree should not stall a scan


@dataclass
class Block:
    file: Path
    line: int
    end_line: int
    nested: dict[str, list[int]] = field(default_factory=dict)  # nested block name -> header lines, in order
    source: str | None = None  # module blocks: the source argument


@dataclass
class ModuleDir:
    resources: dict[tuple[str, str], Block] = field(default_factory=dict)
    modules: dict[str, Block] = field(default_factory=dict)


def scan_blocks(text: str) -> list[tuple[int, int, dict[int, int]]]:
    """Top-level blocks as (open line, close line, {line: depth at line start}) of their lines."""
    lines = text.split("\n")
    depth_at = _line_depths(text, len(lines))
    blocks: list[tuple[int, int, dict[int, int]]] = []
    start: int | None = None
    inner: dict[int, int] = {}
    for number in range(1, len(lines) + 1):
        depth = depth_at[number - 1]
        next_depth = depth_at[number] if number < len(depth_at) else 0
        if start is None:
            if depth != 0:
                continue
            if next_depth is None or next_depth >= 1:
                start, inner = number, {}
            elif _ONE_LINE_BLOCK.search(lines[number - 1]):
                blocks.append((number, number, {}))  # resource "x" "y" {}
            continue
        if depth is not None:
            inner[number] = depth
        if next_depth == 0:
            blocks.append((start, number, inner))
            start = None
    return blocks


# Per mode, the characters _line_depths acts on (comments, strings, heredocs, braces, escapes,
# interpolations and line ends); it skips the runs of text between them in one search.
_STOPS = {"code": '\n#/"<{}', "interp": '\n#/"<{}', "str": '\n\\"$%', "heredoc": '\n\\"$%'}
_STOP_PATTERNS = {mode: re.compile("[" + re.escape(chars) + "]") for mode, chars in _STOPS.items()}


def _line_depths(text: str, count: int) -> list[int | None]:
    """Brace depth at the start of each line; None when the line starts inside a string or heredoc."""
    depths: list[int | None] = [0]
    modes: list[str] = ["code"]  # code, interp (code inside ${}), str, heredoc
    braces = [0]
    heredoc: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        mode = modes[-1]
        if c not in _STOPS[mode]:
            # Every other character is passed over one at a time below: jump to the next that is not.
            found = _STOP_PATTERNS[mode].search(text, i)
            i = found.start() if found is not None else n
            continue
        if c == "\n":
            if mode == "str":  # an unterminated string: recover at the line end
                modes.pop()
            depths.append(braces[0] if modes == ["code"] else None)
            i += 1
            if modes[-1] == "heredoc":
                end = text.find("\n", i)
                line = text[i : end if end >= 0 else n]
                if line.strip() == heredoc[-1]:
                    modes.pop()
                    heredoc.pop()
                    i = end if end >= 0 else n
            continue
        if mode in ("code", "interp"):
            if c == "#" or text.startswith("//", i):
                end = text.find("\n", i)
                i = end if end >= 0 else n
                continue
            if text.startswith("/*", i):
                end = text.find("*/", i + 2)
                stop = end + 2 if end >= 0 else n
                for _ in range(text.count("\n", i, stop)):
                    depths.append(None)
                i = stop
                continue
            if c == '"':
                modes.append("str")
            elif text.startswith("<<", i):
                match = re.match(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?=\n)", text[i:])
                if match:
                    modes.append("heredoc")
                    heredoc.append(match.group(1))
                    i += match.end()
                    continue
            elif c == "{":
                braces[-1] += 1
            elif c == "}":
                if mode == "interp" and braces[-1] == 0:
                    modes.pop()
                    braces.pop()
                else:
                    braces[-1] = max(0, braces[-1] - 1)
            i += 1
            continue
        # str or heredoc
        if mode == "str" and c == "\\":
            i += 2
            continue
        if mode == "str" and c == '"':
            modes.pop()
        elif text.startswith(("$${", "%%{"), i):
            i += 3
            continue
        elif text.startswith(("${", "%{"), i):
            modes.append("interp")
            braces.append(0)
            i += 2
            continue
        i += 1
    while len(depths) < count:
        depths.append(braces[0] if modes == ["code"] else None)
    return depths[:count]


def index_directory(directory: Path) -> ModuleDir:
    """The resource and module blocks of one Terraform module directory (its *.tf files)."""
    result = ModuleDir()
    for path in sorted(directory.glob("*.tf"))[:_MAX_FILES]:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lines = text.split("\n")
        for start, end, inner in scan_blocks(text):
            header = lines[start - 1]
            block = Block(path, start, end)
            for number, depth in inner.items():
                line = lines[number - 1]
                if depth == 1:
                    nested = _NESTED_HEADER.match(line)
                    if nested:
                        block.nested.setdefault(nested.group(1), []).append(number)
                    source = _SOURCE.match(line)
                    if source and block.source is None:
                        block.source = source.group(1)
            if match := _RESOURCE_HEADER.match(header):
                result.resources.setdefault((match.group(1), match.group(2)), block)
            elif match := _MODULE_HEADER.match(header):
                result.modules.setdefault(match.group(1), block)
    return result


def parse_address(address: str) -> tuple[list[str], str, str, str] | None:
    """module names, resource type, resource name, and the rest (``root_block_device[0]``), or None."""
    modules: list[str] = []
    pos = 0
    while address.startswith("module.", pos):
        match = _SEGMENT.match(address, pos + len("module."))
        if not match or not address.startswith(".", match.end()):
            return None
        modules.append(match.group(1))
        pos = match.end() + 1
    if address.startswith("data.", pos):
        return None
    rtype = _SEGMENT.match(address, pos)
    if not rtype or rtype.group(2) or not address.startswith(".", rtype.end()):
        return None
    name = _SEGMENT.match(address, rtype.end() + 1)
    if not name:
        return None
    rest = address[name.end() :]
    return modules, rtype.group(1), name.group(1), rest[1:] if rest.startswith(".") else rest


def find_source_root(start: Path) -> Path:
    """The repository root (a parent holding .git), else the working directory if it contains start."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    cwd = Path.cwd().resolve()
    return cwd if start == cwd or cwd in start.parents else start


class SourceLocator:
    """Locations of findings in the Terraform sources under ``tf_dir``, relative to ``root``."""

    def __init__(self, tf_dir: Path, root: Path | None = None) -> None:
        self.tf_dir = tf_dir.resolve()
        self.root = (root or find_source_root(self.tf_dir)).resolve()
        self._dirs: dict[Path, ModuleDir] = {}
        self._cache: dict[str, Location | None] = {}

    def locate(self, finding: Finding) -> Location | None:
        address = finding.resource.address
        if address == "account" or address.startswith("account/"):
            return self._account(finding)
        if address not in self._cache:
            self._cache[address] = self._resource(address)
        return self._cache[address]

    def _directory(self, directory: Path) -> ModuleDir:
        if directory not in self._dirs:
            self._dirs[directory] = index_directory(directory)
        return self._dirs[directory]

    def _resource(self, address: str) -> Location | None:
        parsed = parse_address(address)
        if parsed is None:
            return None
        modules, rtype, name, rest = parsed
        directory = self.tf_dir
        for module in modules:
            call = self._directory(directory).modules.get(module)
            if call is None:
                return None
            child = _local_source(directory, call.source)
            if child is None or not child.is_dir():
                return self._location(call, call.line)  # registry/git module: point at the call
            directory = child
        block = self._directory(directory).resources.get((rtype, name))
        if block is None:
            return None
        return self._location(block, _nested_line(block, rest))

    def _account(self, finding: Finding) -> Location | None:
        for evidence in finding.evidence:
            rtype = _ACCOUNT_FIELDS.get(evidence.key.split(".")[0])
            block = self._first_of_type(rtype) if rtype else None
            if block is not None:
                return self._location(block, block.line)
        return None

    def _first_of_type(self, rtype: str) -> Block | None:
        seen: set[Path] = set()
        queue = [self.tf_dir]
        while queue:  # breadth first: the root module's declaration wins
            directory = queue.pop(0)
            if directory in seen or len(seen) > _MAX_FILES:
                continue
            seen.add(directory)
            module = self._directory(directory)
            found = [block for (t, _), block in module.resources.items() if t == rtype]
            if found:
                return min(found, key=lambda b: (str(b.file), b.line))
            for call in module.modules.values():
                child = _local_source(directory, call.source)
                if child is not None and child.is_dir():
                    queue.append(child)
        return None

    def _location(self, block: Block, line: int) -> Location | None:
        try:
            relative = block.file.resolve().relative_to(self.root)
        except ValueError:
            return None  # outside the repository: a path code scanning could not show
        end = block.end_line if line == block.line else None
        return Location(relative.as_posix(), line, end)


def _local_source(directory: Path, source: str | None) -> Path | None:
    if source is None or not source.startswith(("./", "../")):
        return None
    return (directory / source).resolve()


def _nested_line(block: Block, rest: str) -> int:
    """The line of ``root_block_device[0]`` / ``listener[1]`` inside the block, else the block's line."""
    match = _SEGMENT.fullmatch(rest) if rest else None
    if not match:
        return block.line
    index_text = (match.group(2) or "[0]")[1:-1]
    lines = block.nested.get(match.group(1), [])
    index = int(index_text) if index_text.isascii() and index_text.isdigit() and len(index_text) <= 20 else -1
    return lines[index] if 0 <= index < len(lines) else block.line
