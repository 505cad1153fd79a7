"""Write output files atomically: a crash or a kill never leaves a half-written report."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


class OutputError(Exception):
    pass


def check_writable(path: Path) -> None:
    """Fail before the scan, not after it, when the report could not be written."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"{path}: is a directory")
    if not parent.is_dir():
        raise OutputError(f"{path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{path}: directory {parent} is not writable")


def _mode_for(path: Path) -> int:
    """Keep an existing file's mode; give a new one the usual 0666 less the umask (mkstemp uses 0600)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    check_writable(path)
    if path.exists() and not path.is_file():
        # /dev/null, /dev/stdout, a FIFO: write through. Renaming over them would
        # replace a device node with a regular file.
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        return
    parent = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, _mode_for(path))
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise
