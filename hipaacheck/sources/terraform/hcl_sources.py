"""The .tf sources behind a plan: what plan JSON leaves out (``locals``, the text of data-source blocks).

Plan JSON keeps every expression's references except through ``locals``:
``security_group_id = local.this_sg_id`` shows only ``local.this_sg_id``.
This module reads the HCL of the root module and of every module the plan
calls (directories from ``.terraform/modules/modules.json``, or a local
``source`` path) with python-hcl2, and answers "which references does
``local.NAME`` of module M hold", in the shape Terraform uses for its own
``references`` lists. python-hcl2 is imported only when sources are read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .plan import Plan

_MAX_FILE_BYTES = 4 * 1024 * 1024
_TRAVERSAL = re.compile(r"(?<![\w.\-\"])([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\.\*|\[[^\[\]]*\])+)")
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\.\*|\[([^\[\]]*)\]")
_WORD = re.compile(r"[\w-]*")
_KEYWORD_ROOTS = ("count", "each", "path", "self", "terraform")


class TerraformSources:
    """Sources found from a root directory; a module whose files cannot be read has no sources (None)."""

    def __init__(self, root: Path, plan: Plan) -> None:
        self.root = root
        self.plan = plan
        self.notes: list[str] = []
        self._modules: dict[str, dict[str, Any] | None] = {}
        self._dirs = _installed_module_dirs(root)

    def locals_references(self, config_module: str, name: str) -> list[str] | None:
        """The references of ``local.NAME`` in the module at ``config_module`` ("" is the root)."""
        module = self._module(config_module)
        if module is None:
            return None
        text = module["locals"].get(name)
        return None if text is None else expression_references(text)

    def data_block(self, config_module: str, data_type: str, name: str) -> dict[str, Any] | None:
        """The body of ``data "TYPE" "NAME"`` as python-hcl2 reads it (expressions as text)."""
        module = self._module(config_module)
        if module is None:
            return None
        block = module["data"].get((data_type, name))
        return block if isinstance(block, dict) else None

    def _module(self, config_module: str) -> dict[str, Any] | None:
        if config_module in self._modules:
            return self._modules[config_module]
        directory = self._directory(config_module)
        parsed = self._parse(directory) if directory is not None else None
        self._modules[config_module] = parsed
        return parsed

    def _directory(self, config_module: str) -> Path | None:
        if not config_module:
            return self.root
        key = ".".join(config_module.split(".")[1::2])  # module.a.module.b -> a.b
        installed = self._dirs.get(key)
        if installed is not None:
            return installed
        call = self.plan.module_calls.get(config_module)
        source = call.get("source") if call else None
        if isinstance(source, str) and source.startswith(("./", "../")):
            caller = self._directory(config_module.rpartition(".module.")[0])
            return (caller / source).resolve() if caller is not None else None
        return None

    def _parse(self, directory: Path) -> dict[str, Any] | None:
        import hcl2  # only when a plan comes with .tf sources

        options = hcl2.SerializationOptions(
            with_comments=False, wrap_objects=True, wrap_tuples=True, explicit_blocks=False, preserve_heredocs=False
        )
        found: dict[str, Any] = {"locals": {}, "data": {}}
        try:
            files = sorted(p for p in directory.glob("*.tf") if p.is_file())
        except OSError as exc:
            self.notes.append(f"the sources in {directory} could not be listed ({exc.strerror})")
            return None
        if not files:
            return None
        for path in files:
            try:
                if path.stat().st_size > _MAX_FILE_BYTES:
                    raise ValueError(f"larger than {_MAX_FILE_BYTES} bytes")
                document = hcl2.loads(path.read_text(encoding="utf-8"), serialization_options=options)
            except Exception as exc:  # python-hcl2 raises lark's many exception types on bad syntax
                detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
                self.notes.append(
                    f"{path.name} in {directory} could not be read as HCL ({detail}); its locals are not followed"
                )
                return None
            for block in _as_list(document.get("locals")):
                if isinstance(block, dict):
                    found["locals"].update((str(k), v) for k, v in block.items())
            for block in _as_list(document.get("data")):
                for data_type, by_name in block.items() if isinstance(block, dict) else ():
                    for name, body in by_name.items() if isinstance(by_name, dict) else ():
                        found["data"][(_unquote(data_type), _unquote(name))] = body
        return found


def _installed_module_dirs(root: Path) -> dict[str, Path]:
    """``terraform init`` records where each module call's sources are: .terraform/modules/modules.json."""
    path = root / ".terraform" / "modules" / "modules.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    dirs: dict[str, Path] = {}
    for entry in _as_list(document.get("Modules") if isinstance(document, dict) else None):
        if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str):
            dirs[entry["Key"]] = (root / entry["Dir"]).resolve()
    return dirs


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def expression_references(text: Any) -> list[str]:
    """The references in an HCL expression, as Terraform lists them (most specific first).

    ``concat(aws_security_group.this.*.id, [""])[0]`` -> ``aws_security_group.this``;
    ``aws_db_parameter_group.this[0].name`` -> the attribute, the instance, the resource.
    String literals are skipped, their ``${...}`` interpolations are not.
    """
    if isinstance(text, dict):
        return [r for value in text.values() for r in expression_references(value)]
    if isinstance(text, list):
        return [r for value in text for r in expression_references(value)]
    if not isinstance(text, str):
        return []
    references: list[str] = []
    for match in _TRAVERSAL.finditer(code_only(text)):
        references.extend(_traversal_references(match[1], match[2]))
    # Repeats kept, as Terraform keeps them: x.y listed a second time is a traversal of its own
    # (x.y[0].id beside x.y[*].id), which reference_syntax.most_specific must not drop.
    return references


def _traversal_references(root: str, steps_text: str) -> list[str]:
    steps: list[tuple[str, str]] = []  # ("attr", name) / ("index", text) / ("splat", "")
    nested: list[str] = []
    for step in _STEP.finditer(steps_text):
        if step[1] is not None:
            steps.append(("attr", step[1]))
        elif step[2] is not None:
            index = step[2].strip()
            if index == "*":
                steps.append(("splat", ""))
            else:
                steps.append(("index", index))
                nested.extend(expression_references(index))
        else:
            steps.append(("splat", ""))
    if root in ("var", "local") or root in _KEYWORD_ROOTS:
        return [f"{root}.{steps[0][1]}", *nested] if steps and steps[0][0] == "attr" else nested
    names = 2 if root == "data" else 1 if root == "module" or "_" in root else 0
    if names == 0:
        return nested  # a for-expression variable or a function's argument name
    head = [root]
    for kind, value in steps[:names]:
        if kind != "attr":
            return nested
        head.append(value)
    base = ".".join(head)
    rest = steps[names:]
    forms = [base]
    if rest and rest[0][0] == "index":
        index = rest[0][1]
        if _constant_or_own(index):
            forms.insert(0, f"{base}[{index}]")
            if len(rest) > 1 and rest[1][0] == "attr":
                forms.insert(0, f"{base}[{index}].{rest[1][1]}")
    elif rest and rest[0][0] == "attr":
        forms.insert(0, f"{base}.{rest[0][1]}")
    if root == "module":
        forms = [f for f in forms if f != base]  # Terraform never lists a bare module.NAME
    return [*forms, *nested]


def _constant_or_own(index: str) -> bool:
    return index.isdigit() or (len(index) >= 2 and index[0] == index[-1] == '"') or index in ("count.index", "each.key")


def code_only(text: str) -> str:
    """The expression with string literal text blanked out, keeping ``${...}`` interpolations.

    A plain word in quotes (an index such as ``["a"]``) is kept with its quotes: a traversal
    never starts at a quote, so it cannot pass for a reference.
    """
    out: list[str] = []
    modes = ["code"]  # code | string | interp (code inside ${...}) | brace (an object or block in code)
    literal: list[str] = []  # the current string's text, while it has no interpolation
    i = 0
    while i < len(text):
        char = text[i]
        mode = modes[-1]
        if mode == "string":
            if char == "\\":
                literal.append("\x00")
                i += 2
                continue
            if char == '"':
                modes.pop()
                word = "".join(literal)
                out.append(f'"{word}"' if _WORD.fullmatch(word) else " ")
            elif char == "$" and text[i + 1 : i + 2] == "{":
                modes.append("interp")
                literal.append("\x00")
                out.append(" ")
                i += 2
                continue
            else:
                literal.append(char)
        elif char == '"':
            modes.append("string")
            literal = []
        elif char == "{":
            modes.append("brace")
            out.append(char)
        elif char == "}" and len(modes) > 1:
            modes.pop()
            out.append(" " if mode == "interp" else char)
        else:
            out.append(char)
        i += 1
    return "".join(out)
