"""Write output files atomically: a crash or a kill never leaves a half-written report."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
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


# A report must always be writable: a value no encoder accepts (a lone surrogate
# from a JSON escape) is written as its \udXXXX escape instead of failing the run.
ENCODING_ERRORS = "backslashreplace"


def encode(text: str) -> bytes:
    return text.encode("utf-8", ENCODING_ERRORS)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the whole new one.

    On Linux the new content goes to an anonymous O_TMPFILE inode that gets a
    name only once it is complete, so even SIGKILL mid-write leaves nothing
    behind; elsewhere a hidden ``.NAME.*.tmp`` file is written and renamed
    (a kill can leave that temporary file, never a partial report).
    """
    _write(path, encode(text), append=False)


def append_atomic(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` the same way: the old content plus the new, renamed into place.

    For the files a CI runner reads after the step (GitHub's step summary and
    outputs): a kill mid-write leaves them as they were, not with half a line.
    """
    _write(path, encode(text), append=True)


def _write(path: Path, data: bytes, append: bool) -> None:
    check_writable(path)
    if path.exists() and not path.is_file():
        # /dev/null, /dev/stdout, a FIFO: write through. Renaming over them would
        # replace a device node with a regular file.
        try:
            with open(path, "ab" if append else "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        return
    if append:
        try:
            data = path.read_bytes() + data if path.exists() else data
        except OSError as exc:
            raise OutputError(f"{path}: cannot read to append ({exc.strerror or exc})") from None
    parent = path.parent if str(path.parent) else Path(".")
    mode = _mode_for(path)
    try:
        if not _replace_via_tmpfile(path, parent, data, mode):
            _replace_via_named_temp(path, parent, data, mode)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _replace_via_tmpfile(path: Path, parent: Path, data: bytes, mode: int) -> bool:
    """Linux: write an unnamed file, then link it beside ``path`` and rename. False when unsupported."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return False
    try:
        fd = os.open(parent, flag | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError:
        return False  # a file system without O_TMPFILE support
    temp = parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        _write_all(fd, data)
        os.fsync(fd)
        os.fchmod(fd, mode)
        os.link(f"/proc/self/fd/{fd}", temp, follow_symlinks=True)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP) and not temp.exists():
            return False  # linking is not possible here: fall back (nothing was left behind)
        raise
    finally:
        os.close(fd)
    _rename(temp, path, parent)
    return True


def _replace_via_named_temp(path: Path, parent: Path, data: bytes, mode: int) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    temp = Path(name)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _rename(temp, path, parent)


def _rename(temp: Path, path: Path, parent: Path) -> None:
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        directory = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
