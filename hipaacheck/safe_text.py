"""Text from inputs made inert wherever hipaacheck shows it: terminals, CI logs, Markdown, XML.

A plan is written by the change it judges, and tags or names in a live
account by anyone who can write to it, so every string a reporter prints is
attacker text. Three things can go wrong, and each has one function here that
every reporter uses (the evidence pack included):

* **Terminal and reader tricks** (``visible``): C0/C1 controls (ESC starts
  CSI/OSC sequences that recolour, retitle or hide text; BEL; a bare CR that
  overwrites a line), DEL, and the invisible bidi and formatting characters
  (U+202A-U+202E, U+2066-U+2069 and their kin) that make text read in another
  order than it is. Each becomes a visible escape such as ``\\x1b`` or
  ``\\u202e``: a reviewer sees that the data held one. Newline and tab stay
  (callers that want one line collapse them); lone surrogates and U+FFFE/FFFF,
  which XML 1.0 cannot carry, are escaped the same way.
* **Markdown** (``md_text``, ``md_code``): data cannot open a link, an image,
  HTML, a table cell or a code span: ``[ ] ( ) ! < > | `` ` ``, ``\\`` and the
  emphasis characters are backslash-escaped, and a bare URL, ``www.`` or
  e-mail address is broken up so GitHub's autolinker does not turn it into a
  link.
* **GitHub workflow commands** (``neutralize_commands``): the runner reads
  every line of a step's stdout and stderr; a line whose trimmed start is
  ``::`` is a command (``::error``, ``::add-mask::``, ``::stop-commands::``),
  and so is the legacy form ``##[name]`` *anywhere* in a line (Azure
  Pipelines' agent reads ``##vso[...]`` anywhere in a line too). A table that
  wraps attacker text can put it at the start of a line, so every line
  hipaacheck prints under Actions (except its own annotations) goes through
  this, with an escape that keeps each output format valid.
"""

from __future__ import annotations

import re

# C0 except tab and newline; DEL and C1; Arabic letter mark; zero-width and bidi marks,
# line/paragraph separators and embeddings/overrides (U+200B-U+200F, U+2028-U+202E);
# word joiner, invisible operators and isolates (U+2060-U+2069); BOM; interlinear
# annotations; lone surrogates and the noncharacters XML refuses.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069"
    "\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control, bidi or invisible formatting character shown as an escape."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def flat(text: str) -> str:
    """``visible`` on one line: runs of whitespace (newlines included) become one space."""
    return " ".join(visible(text).split())


# ---------------------------------------------------------------- Markdown

# Everything that can start Markdown or HTML syntax inside a line (CommonMark lets any
# ASCII punctuation be backslash-escaped, so over-escaping is harmless). '@' and '/' in
# '://' are escaped so that GitHub's autolinker never sees an address or a URL whole.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()!<>|~&#@{}])")
_AUTOLINK = re.compile(r"(?i)(://|www\.)")


def _break_autolink(match: re.Match[str]) -> str:
    found = match.group()
    return ":\\/\\/" if found == "://" else found[:3] + "\\."


def md_text(text: str) -> str:
    """Data as inline Markdown (also inside a table cell): shown as written, never as markup."""
    escaped = _MD_SPECIAL.sub(r"\\\1", flat(text))
    return _AUTOLINK.sub(_break_autolink, escaped)


def md_code(text: str) -> str:
    """Data as a code span: fenced with more backticks than it holds, so it cannot close the span.

    ``|`` is escaped because GitHub splits table rows on it before reading code spans.
    """
    shown = flat(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


# ---------------------------------------------------------------- workflow commands

# How each output format writes the two characters that would start a command, so
# the output stays valid: a JSON string escape, an XML character reference, a
# Markdown backslash escape (also plain text's: visible and unambiguous).
_COMMAND_ESCAPES: dict[str, tuple[str, str]] = {
    # format: (the first ':' of a line starting with '::', the '[' of '##[')
    "text": ("\\:", "\\["),
    "table": ("\\:", "\\["),
    "markdown": ("\\:", "\\["),
    "json": ("\\u003a", "\\u005b"),
    "sarif": ("\\u003a", "\\u005b"),
    "junit": ("&#58;", "&#91;"),
    "asff": ("\\u003a", "\\u005b"),  # JSON lists
    "ocsf": ("\\u003a", "\\u005b"),
    "csv": ("\\:", "\\["),
}
# The runner splits its input into lines on CR, LF and CRLF (.NET's ReadLine).
_LINES = re.compile(r"(\r\n|\r|\n)")


def neutralize_commands(text: str, fmt: str = "text") -> str:
    """Every line of ``text`` made unreadable as a workflow command by the Actions runner.

    The runner's rules (actions/runner ``ActionCommand``): a line is a command
    when, after trimming leading whitespace, it starts with ``::``; or, in the
    legacy form, when it contains ``##[`` anywhere. ``str.lstrip`` trims at
    least every character .NET's ``TrimStart`` does.
    """
    if "::" not in text and "##[" not in text and "##vso[" not in text:
        return text
    colon, bracket = _COMMAND_ESCAPES.get(fmt, _COMMAND_ESCAPES["text"])
    parts = _LINES.split(text)
    for i in range(0, len(parts), 2):  # even items are lines, odd ones their breaks
        line = parts[i]
        if "##[" in line:
            line = line.replace("##[", "##" + bracket)
        if "##vso[" in line:  # Azure Pipelines logging commands, e.g. ##vso[task.setvariable ...]
            line = line.replace("##vso[", "##vso" + bracket)
        stripped = line.lstrip()
        if stripped.startswith("::"):
            cut = len(line) - len(stripped)
            line = line[:cut] + colon + line[cut + 1 :]
        parts[i] = line
    return "".join(parts)
