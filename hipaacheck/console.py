"""stdout and stderr under GitHub Actions: no line hipaacheck prints can be read as a workflow command.

When ``GITHUB_ACTIONS=true`` the runner parses every line of the step's output
for commands (see ``safe_text.neutralize_commands``). ``guarded()`` wraps
``sys.stdout`` and ``sys.stderr`` for the whole run, so every line written —
reports, warnings, error messages, argparse's complaints, anything a library
prints — is neutralised, whichever code wrote it. hipaacheck's own
annotations are the only lines that bypass it, through ``command()``, and they
escape their data themselves (reporters/github.py).

Why not ``::stop-commands::<token>`` around the report? The runner reads
stdout and stderr on separate threads, so nothing orders a resume token on
stdout before the annotations on stderr: a stop could swallow hipaacheck's own
annotations. Neutralising each line has no such race and needs no state.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from typing import TextIO

from .safe_text import neutralize_commands


def under_actions(env: dict[str, str] | None = None) -> bool:
    """A CI runner reads this process's output for commands: GitHub Actions, or Azure Pipelines (TF_BUILD)."""
    environ = os.environ if env is None else env
    return environ.get("GITHUB_ACTIONS") == "true" or bool(environ.get("TF_BUILD"))


class CommandGuard(io.TextIOBase):
    """A text stream that neutralises workflow commands line by line before passing text on.

    Text is held until its line ends (``print`` writes a line and its newline
    separately), so a command split over two writes is still seen whole.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        cut = max(self._pending.rfind("\n"), self._pending.rfind("\r"))
        if cut >= 0:
            done, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
            self.stream.write(neutralize_commands(done))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.stream.write(neutralize_commands(self._pending))
            self._pending = ""
        self.stream.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", None) or "utf-8"


@contextlib.contextmanager
def guarded(env: dict[str, str] | None = None) -> Iterator[None]:
    """Guard stdout and stderr for the duration (under Actions only; nesting is harmless)."""
    if not under_actions(env) or isinstance(sys.stderr, CommandGuard):
        yield
        return
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CommandGuard(out), CommandGuard(err)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        sys.stdout, sys.stderr = out, err


def command(line: str) -> None:
    """One of hipaacheck's own workflow commands, on stderr, past the guard (its data is escaped)."""
    stream = sys.stderr
    if isinstance(stream, CommandGuard):
        stream.flush()  # what was written before keeps its place
        stream = stream.stream
    print(line, file=stream)
