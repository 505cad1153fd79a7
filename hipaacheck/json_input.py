"""Read a JSON input that hipaacheck itself wrote (a baseline, a scan report): one-line errors only.

Both the baseline gate and the evidence pack read earlier reports; the same
hostile file (a FIFO, a huge or deeply nested document, a 5,000-digit
integer) must get the same clear refusal in both, so the reading lives here.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from .sources.errors import InputError


def read_json_file(path: Path, what: str, max_bytes: int) -> Any:
    """The parsed document; ``what`` names the input in messages ("baseline", "report")."""
    name = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block forever
            raise InputError(f"{name}: {what} is not a regular file (expected a hipaacheck JSON report)")
        if info.st_size > max_bytes:
            raise InputError(f"{name}: {what} larger than {max_bytes // 2**20} MiB; not a hipaacheck report")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: cannot read: {what} file does not exist") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: {what} is not UTF-8 text (expected a hipaacheck JSON report)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read {what} ({exc.strerror or exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: {what} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}, "
            "so not JSON that hipaacheck --format json wrote"
        ) from None
    except RecursionError:
        raise InputError(f"{name}: {what} JSON is nested too deeply to be a hipaacheck report") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise InputError(f"{name}: {what} is not a hipaacheck JSON report ({exc})") from None
