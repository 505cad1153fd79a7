"""Read a plan file: JSON from `terraform show -json`, or a binary plan we convert.

Anything else (a state file, random JSON, a truncated file, an unsupported
format version) is refused with one line that says what it is.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

from ...display import one_line, redact
from ..errors import InputError
from .plan_hints import is_ui_log_entry, looks_like_ui_log, ui_log_message

SUPPORTED_MAJOR_VERSIONS = ("0", "1")
# A plan larger than this is refused rather than risk exhausting memory in CI.
MAX_PLAN_BYTES = 1024 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"


def read_plan(path: Path) -> dict[str, Any]:
    data = _read_bytes(path)
    if data.startswith(_ZIP_MAGIC):
        data = _show_binary_plan(path)
    text = _decode(data, path)
    del data  # the text is all we need: do not hold the plan twice while parsing it
    # \ud800-style escapes can encode lone surrogates, which no output can encode.
    escapes = "\\ud" in text or "\\uD" in text
    # Parsing creates millions of objects and no cycles: the cyclic collector,
    # triggered over and over while they pile up, would make parsing superlinear.
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if looks_like_ui_log(text):
            raise InputError(ui_log_message(str(path))) from None
        if exc.pos >= len(text.rstrip()):
            raise InputError(f"{path}: truncated JSON (the file ends before the document does)") from None
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to be a Terraform plan") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise InputError(f"{path}: not a Terraform plan ({exc})") from None
    finally:
        if collecting:
            gc.enable()
    del text  # free it before the adapters build on the document
    if escapes:
        document = replace_lone_surrogates(document)
    check_plan_document(document, str(path))
    # The document is millions of long-lived objects without cycles: keep the
    # cyclic garbage collector from walking them again and again.
    gc.freeze()
    return document  # type: ignore[no-any-return]


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def replace_lone_surrogates(document: Any) -> Any:
    """Every string (values and keys) with lone surrogates replaced by U+FFFD; a loop, not recursion.

    Terraform never writes them (Go's encoder replaces invalid UTF-16), but a
    JSON escape can, and a report could then not be written as UTF-8.
    """
    if isinstance(document, str):
        return _clean(document)
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in list(node):
                value = node[key]
                if isinstance(value, str):
                    value = _clean(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
                if isinstance(key, str) and _LONE_SURROGATE.search(key):
                    del node[key]
                    node[_clean(key)] = value
                else:
                    node[key] = value
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str):
                    node[i] = _clean(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
    return document


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give the plan JSON file (terraform show -json PLAN > plan.json)")
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode):
            if info.st_size > MAX_PLAN_BYTES:
                raise InputError(f"{path}: {_size(info.st_size)} is larger than the limit of {_size(MAX_PLAN_BYTES)}")
            data = path.read_bytes()
        else:
            data = _read_stream(path)  # a pipe: `scan plan <(terraform show -json tfplan)`
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not data or data.isspace():  # not data.strip(): that would copy a 200 MB plan
        raise InputError(f"{path}: empty file")
    return data


def _read_stream(path: Path) -> bytes:
    """Read a pipe up to the size limit: its size is not known in advance."""
    chunks: list[bytes] = []
    total = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            total += len(chunk)
            if total > MAX_PLAN_BYTES:
                raise InputError(f"{path}: larger than the limit of {_size(MAX_PLAN_BYTES)} (read as a stream)")
            chunks.append(chunk)
    return b"".join(chunks)


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count // 1024} KiB"


def _decode(data: bytes, path: Path) -> str:
    # Windows PowerShell writes `terraform show -json > plan.json` as UTF-16 with a BOM.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file in UTF-8 or UTF-16; is it a plan JSON?") from None


def check_plan_document(document: Any, name: str) -> None:
    if not isinstance(document, dict):
        raise InputError(f"{name}: JSON is not an object, so not a Terraform plan")
    if is_ui_log_entry(document):
        raise InputError(ui_log_message(name))
    if "lineage" in document and "serial" in document:
        raise InputError(
            f"{name}: this is a Terraform state file, not a plan (run terraform plan -out, then terraform show -json)"
        )
    version = document.get("format_version")
    if not isinstance(version, str):
        raise InputError(
            f"{name}: not a Terraform plan (no format_version; produce one with terraform show -json PLANFILE)"
        )
    if version.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
        raise InputError(f"{name}: plan format_version {version} is not supported (supported: 0.x and 1.x)")
    if "values" in document and "resource_changes" not in document and "planned_values" not in document:
        raise InputError(f"{name}: this is `terraform show -json` of a state, not of a plan")
    if "resource_changes" not in document and "planned_values" not in document:
        raise InputError(f"{name}: not a Terraform plan (no resource_changes or planned_values)")
    changes = document.get("resource_changes", [])
    if not isinstance(changes, list):
        raise InputError(f"{name}: resource_changes is not a list; the plan is malformed")


# python-terraform logs the command's whole output (the plan, secrets included) at DEBUG and
# terraform's stderr at WARNING: hipaacheck never wants either in a CI log.
_PYTHON_TERRAFORM_LOGGERS = ("python_terraform", "python_terraform.tfstate")
_BOX = " │╷╵\t"


def _silence_python_terraform() -> None:
    for name in _PYTHON_TERRAFORM_LOGGERS:
        logger = logging.getLogger(name)
        logger.disabled = True
        logger.propagate = False


def _plan_only_terraform() -> Any:
    """python-terraform's ``Terraform``, minus its state-file reading.

    It parses ``terraform.tfstate`` (or ``.terraform/terraform.tfstate``) from
    the working directory when constructed and after every successful command:
    a FIFO there hangs the scan, a link to /dev/zero exhausts memory, invalid
    JSON raises. ``terraform show -json PLAN`` itself reads only the plan (and
    the provider schemas), and so does this.
    """
    from python_terraform import Terraform  # deferred: only binary plans need it

    class PlanOnlyTerraform(Terraform):  # type: ignore[misc]
        def read_state_file(self, file_path: str | None = None) -> None:
            self.tfstate = None

    return PlanOnlyTerraform


def terraform_error_line(stderr: str) -> str:
    """terraform's ``Error:`` line (its diagnostics are boxed, multi-line and may quote the plan)."""
    lines = [line.strip(_BOX) for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    return next((line for line in lines if line.startswith("Error:")), lines[0] if lines else "no output")


TIMEOUT_VARIABLE = "HIPAACHECK_TERRAFORM_TIMEOUT"
_DEFAULT_TIMEOUT_SECONDS = 300.0


def _show_timeout() -> float:
    """Seconds `terraform show -json` may take: HIPAACHECK_TERRAFORM_TIMEOUT, else 300."""
    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return _DEFAULT_TIMEOUT_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:
        raise InputError(f"{TIMEOUT_VARIABLE}={text!r}: expected a number of seconds from 0 to 86400")
    return value


def _show_binary_plan(path: Path) -> bytes:
    """Run `terraform show -json` for a binary plan, in the plan's directory (where it was initialised)."""
    binary = shutil.which("terraform")
    if binary is None:
        raise InputError(
            f"{path}: is a binary Terraform plan and no terraform binary is on PATH; run terraform show -json {path.name} > plan.json"
        )
    from python_terraform import IsFlagged  # a sentinel class: passed as is, not instantiated

    _silence_python_terraform()
    terraform = _plan_only_terraform()(working_dir=str(path.parent.resolve()), terraform_bin_path=binary)
    timeout = _show_timeout()
    # python-terraform writes the command line; it is run here, with a timeout, because its own
    # cmd() waits for ever (a provider that waits on the network, a lock) and cannot be told
    # otherwise (its synchronous=False is passed on to terraform as a flag).
    argv = terraform.generate_cmd_string("show", str(path.resolve()), json=IsFlagged, no_color=IsFlagged)
    try:
        done = subprocess.run(argv, cwd=terraform.working_dir, capture_output=True, timeout=timeout, check=False)
        code, out, err = done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        raise InputError(
            f"{path}: terraform show -json did not finish within {timeout:g} s ({TIMEOUT_VARIABLE}); giving up"
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: could not run terraform ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: terraform show -json wrote something that is not UTF-8") from None
    if code != 0 or not out:
        raise InputError(f"{path}: terraform show -json failed: {redact(one_line(terraform_error_line(err or '')))}")
    return out.encode("utf-8") if isinstance(out, str) else bytes(out)
