"""``.hipaacheck.yaml``: a project's scan settings and policy parameters, in one reviewed file.

Found in the working directory, or named with ``--config FILE``. Every key
mirrors a command-line flag (``fail_on`` is ``--fail-on``), and a flag given
on the command line wins over the file. Paths are relative to the file's
folder. ``parameters`` sets policy parameters per policy id (see
``hipaacheck.policy.parameters``). The file is read with the policy loader's
YAML-with-positions reader, so every mistake is one ``file:line:col`` line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .models import Severity
from .policy.parameters import Override, Overrides
from .policy.yaml_source import Located, PathKey, SourceError, load_located, parse_located
from .sources.errors import InputError
from .suggest import suggestion

CONFIG_FILE = ".hipaacheck.yaml"

# key -> kind of value.
KEYS: dict[str, str] = {
    "fail_on": "severity",
    "min_severity": "severity",
    "policy": "globs",
    "skip_policy": "globs",
    "policy_dirs": "dirs",
    "no_builtin": "bool",
    "waivers": "file",
    "baseline": "file",
    "tf_dir": "dir",
    "regions": "strings",
    "allow_incomplete": "bool",
    "exit_zero": "bool",
    "fail_on_unknown": "bool",
    "max_waiver_days": "days",
    "parameters": "parameters",
}


@dataclass
class Config:
    file: str
    values: dict[str, Any] = field(default_factory=dict)  # checked values, paths resolved against the file
    overrides: Overrides = field(default_factory=dict)
    where: dict[str, tuple[int, int]] = field(default_factory=dict)

    def error(self, key: str, message: str) -> InputError:
        line, col = self.where.get(key, (1, 1))
        return InputError(f"{self.file}:{line}:{col}: {key}: {message}")


def find_config(given: Path | None) -> Path | None:
    """``--config FILE`` (which must exist), else ``./.hipaacheck.yaml`` when there is one."""
    if given is not None:
        if not given.exists():
            raise InputError(f"{given}: config file does not exist")
        return given
    default = Path(CONFIG_FILE)
    return default if default.is_file() else None


def load_config(path: Path) -> Config:
    try:
        doc = load_located(path)
    except SourceError as exc:
        if exc.message == "empty file":
            return Config(str(path))  # only comments: no settings
        raise InputError(str(exc)) from None
    return _ConfigReader(doc, path.parent).read()


def load_config_from_git(revision: str, path: Path) -> Config | None:
    """The config as ``revision`` has it (``--config-from-git``), or None when that commit has none.

    Relative paths in it (waivers, policy_dirs, tf_dir) still name files of the working tree,
    beside where the file sits; read the waivers from the same revision with --waivers-from-git.
    """
    from .git_revision import read_from_git

    found = read_from_git(revision, path, "--config-from-git", "config file")
    if found.text is None:
        return None
    label = f"{found.name}@{revision[:12]}"
    try:
        doc = parse_located(found.text, label)
    except SourceError as exc:
        if exc.message == "empty file":
            return Config(label)
        raise InputError(str(exc)) from None
    return _ConfigReader(doc, path.parent).read()


class _ConfigReader:
    def __init__(self, doc: Located, base: Path) -> None:
        self.doc = doc
        self.base = base

    def fail(self, path: PathKey, message: str) -> InputError:
        return InputError(str(self.doc.error(path, message)))

    def read(self) -> Config:
        data = self.doc.value
        if not isinstance(data, dict):
            raise self.fail((), "a config file is a mapping of settings (fail_on, policy, parameters, ...)")
        config = Config(self.doc.file)
        spelled: dict[str, str] = {}
        for written, value in data.items():
            # fail_on or fail-on (as the flag is written): one setting, either spelling.
            key = str(written).replace("-", "_")
            if key not in KEYS:
                hint = suggestion(key, KEYS) or f" (known: {', '.join(KEYS)})"
                raise self.fail((str(written),), f"unknown setting {written!r}{hint}")
            if key in spelled:
                raise self.fail((str(written),), f"{written!r} is given twice (also as {spelled[key]!r})")
            spelled[key] = str(written)
            if key != written:  # errors below look positions up by the canonical name
                for path, mark in list(self.doc.marks.items()):
                    if path and path[0] == written:
                        self.doc.marks[(key, *path[1:])] = mark
            config.where[key] = self.doc.where((key,))
            if value is None:
                continue  # `waivers:` with nothing after it: not set
            reader = getattr(self, "read_" + KEYS[key])
            if KEYS[key] == "parameters":
                config.overrides = reader(value)
            else:
                config.values[key] = reader(key, value)
        return config

    def read_severity(self, key: str, value: Any) -> Severity:
        text = value.lower() if isinstance(value, str) else value
        if text not in {s.value for s in Severity}:
            choices = ", ".join(s.value for s in Severity)
            raise self.fail((key,), f"{key}: {value!r} is not a severity (choose from {choices})")
        return Severity(text)

    def read_bool(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail((key,), f"{key}: expected true or false, not {value!r}")
        return value

    def read_days(self, key: str, value: Any) -> int:
        # The same range as --max-waiver-days (emit._days).
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100 * 366:
            raise self.fail((key,), f"{key}: expected a whole number of days from 0 to 36600, not {value!r}")
        return value

    def read_strings(self, key: str, value: Any) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise self.fail((key,), f"{key}: expected a string or a non-empty list of strings")
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(
                    (key, i) if isinstance(value, list) else (key,), f"{key}: expected a string, not {item!r}"
                )
        return [item.strip() for item in items]

    def read_globs(self, key: str, value: Any) -> list[str]:
        return self.read_strings(key, value)

    def _path(self, key: str, at: PathKey, text: Any, want_dir: bool) -> Path:
        if not isinstance(text, str) or not text.strip():
            raise self.fail(at, f"{key}: expected a path, not {text!r}")
        path = self.base / text.strip()
        if not path.exists():
            raise self.fail(at, f"{key}: {path} does not exist (paths are relative to the config file's folder)")
        if want_dir != path.is_dir():
            raise self.fail(at, f"{key}: {path} is {'not a directory' if want_dir else 'a directory, not a file'}")
        return path

    def read_file(self, key: str, value: Any) -> Path:
        return self._path(key, (key,), value, want_dir=False)

    def read_dir(self, key: str, value: Any) -> Path:
        return self._path(key, (key,), value, want_dir=True)

    def read_dirs(self, key: str, value: Any) -> list[Path]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise self.fail((key,), f"{key}: expected a folder or a list of folders")
        at = (lambda i: (key, i)) if isinstance(value, list) else (lambda i: (key,))
        return [self._path(key, at(i), item, want_dir=True) for i, item in enumerate(items)]

    def read_parameters(self, value: Any) -> Overrides:
        """``{policy id: {parameter: value}}``; types are checked against each policy's declaration when it loads."""
        if not isinstance(value, dict):
            raise self.fail(("parameters",), "expected a mapping: policy id -> {parameter: value}")
        overrides: Overrides = {}
        for policy_id, values in value.items():
            at: PathKey = ("parameters", str(policy_id))
            if not isinstance(values, dict) or not values:
                raise self.fail(at, f"parameters for {policy_id!r}: expected a mapping of parameter -> value")
            entries: dict[str, Override] = {}
            for name, item in values.items():
                line, col = self.doc.where((*at, str(name)))
                entries[str(name)] = Override(item, self.doc.file, line, col)
            overrides[str(policy_id)] = entries
        return overrides
