"""Build one canonical resource from a plan resource, carrying unknown and sensitive markers along."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....derive.service_defaults import ServiceDefault, Unknowable
from ....display import MAX_NAME, redact, short
from ....models import Gap, GapKind, Resource
from ....resource_types import RESOURCE_TYPES, quarantine_malformed
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN

SOURCE = "terraform-plan"
_CHANGING = ("create", "update", "replace", "delete")
AFTER_APPLY = "known only after apply"


def to_bool(value: Any) -> Any:
    # Some provider 5.x attributes are strings that hold booleans ("true").
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def is_number_text(text: str) -> bool:
    """ASCII digits only ('²'.isdigit() is true, int('²') raises), and few enough for a 64-bit number."""
    return 0 < len(text) <= 20 and text.isascii() and text.isdigit()


def to_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    # A 64-bit number has at most 20 characters; a longer digit string is not a number
    # Terraform wrote (and int() of a huge one raises): leave it for the schema check.
    # At most one minus sign: "--5432" is not a number, and int() of it raises, which would
    # take down every resource of the type instead of only this value (issue 11 item 9).
    if isinstance(value, str) and len(value) <= 24:
        text = value.strip()
        if is_number_text(text.removeprefix("-")):
            return int(text)
    return value


def to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def to_str_list(value: Any) -> Any:
    if isinstance(value, list):
        # Scalars become text; anything else stays as it is, so the schema check reports it.
        return [
            str(v) if isinstance(v, str | int | float) and not isinstance(v, bool) else v
            for v in value
            if v is not None
        ]
    return value


def set_path(attrs: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = attrs
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


class Builder:
    """Collects canonical attrs for one resource; unknown raw values become gaps."""

    def __init__(self, plan: Plan, resource: PlanResource, canonical_type: str, address: str | None = None) -> None:
        self.plan = plan
        self.resource = resource
        self.type = canonical_type
        self.address = address or resource.address
        self.attrs: dict[str, Any] = {}
        self.gaps: dict[str, Gap] = {}
        self.sensitive: set[str] = set()
        self.action = resource.action
        self.notes: dict[str, str] = {}
        # Parts whose values cannot be read at all: every field of this resource is an error then.
        self.unreadable: list[str] = [resource.raw.problem] if resource.raw.problem else []

    def take(
        self,
        path: str,
        raw_path: str,
        convert: Callable[[Any], Any] | None = None,
        default: Any = None,
        source: PlanResource | None = None,
        unset: Any = None,
    ) -> Any:
        """Copy a raw value into the canonical path; return what was stored (UNKNOWN if unknown).

        ``source`` is the resource to read from when it is not the one being built
        (a split S3 resource, a separate security group rule). ``unset`` is the
        value the service applies when the attribute is absent from the
        configuration: provider 5.x reports such computed attributes as unknown.
        """
        origin = source or self.resource
        raw = origin.raw
        if raw.problem:
            self.error(path, f"malformed value in the plan ({raw.problem})")
            return None
        value = raw.get(raw_path)
        if raw.is_sensitive(raw_path):
            self.sensitive.add(path)
        if value is UNKNOWN and unset is not None and not self.plan.configured(origin, raw_path.split(".")[0]):
            value = unset
        if value is UNKNOWN:
            self.unknown(path, f"{origin.address}.{raw_path.split('.')[-1]} is {AFTER_APPLY}")
            return UNKNOWN
        if value is None:
            value = default
        if value is None:
            return None
        if convert is not None:
            try:
                value = convert(value)
            except (ValueError, TypeError, OverflowError) as exc:
                # One value Terraform would never write errors its own field, not every resource of the type.
                self.error(path, f"malformed value in the plan ({origin.address}.{raw_path}: {type(exc).__name__})")
                return None
        set_path(self.attrs, path, value)
        return value

    def default(self, path: str, value: Any, note: str) -> None:
        """Store the value the service applies to an unset setting, and say so in the evidence."""
        self.gaps.pop(path, None)
        if value is not None:
            set_path(self.attrs, path, value)
        self.notes[path] = note

    def is_unset(self, raw_path: str, source: PlanResource | None = None) -> bool:
        """The configuration leaves this attribute to the service.

        Null in "after" is unset. A value known only after apply is unset only when
        the configuration is known not to write the attribute (provider 5.x reports
        such computed attributes as unknown); a written expression stays unknown.
        """
        origin = source or self.resource
        if origin.raw.problem:
            return False
        value = origin.raw.get(raw_path)
        if value is None:
            return True
        return value is UNKNOWN and not self.plan.configured(origin, raw_path.split(".")[0])

    def take_or_default(
        self,
        path: str,
        raw_path: str,
        convert: Callable[[Any], Any] | None,
        default: ServiceDefault,
        unless: Unknowable | None = None,
        source: PlanResource | None = None,
    ) -> Any:
        """take(), with the service's documented default for an unset attribute.

        ``unless``: the configuration makes the default inapplicable (a restore from a
        snapshot): the value is then unknown, for the reason given.
        """
        if self.is_unset(raw_path, source):
            if unless is not None:
                self.unknown(path, f"{(source or self.resource).address}: {unless.reason}")
                return UNKNOWN
            self.default(path, default.value, default.rule)
            return default.value
        return self.take(path, raw_path, convert, source=source)

    def absorb(self, part: PlanResource, field: str | None = None) -> None:
        """A resource folded into this one (a split S3 resource, a rule) changes it when it changes.

        A no-op bucket whose new aws_s3_bucket_logging is created is, as far
        as its canonical form goes, updated: --changed-only must gate it.
        A part whose values cannot be read makes ``field`` an error, or, when
        the part may touch any field (a security group rule), the whole resource.
        """
        if part.raw.problem:
            if field is None:
                self.unreadable.append(part.raw.problem)
            else:
                for path in [p for p in self.gaps if p.startswith(field + ".")]:
                    del self.gaps[path]
                self.error(field, f"malformed value in the plan ({part.raw.problem})")
        if part.action in _CHANGING and self.action not in _CHANGING:
            self.action = "update"
        elif self.action is None and part.action is not None:
            self.action = part.action

    def set(self, path: str, value: Any) -> None:
        if value is UNKNOWN:
            self.unknown(path, AFTER_APPLY)
        elif value is not None:
            set_path(self.attrs, path, value)

    def unknown(self, path: str, reason: str) -> None:
        self.gaps[path] = Gap(GapKind.UNKNOWN, reason)

    def error(self, path: str, reason: str) -> None:
        self.gaps[path] = Gap(GapKind.ERROR, reason)

    def not_managed(self, path: str, reason: str) -> None:
        self.gaps[path] = Gap(GapKind.NOT_MANAGED, reason)

    def tags(self) -> None:
        self.take("tags", "tags", _string_map)  # any sensitive tag marks "tags": no Name is shown then

    def _is_sensitive(self, path: str) -> bool:
        parts = path.split(".")
        return any(".".join(parts[: i + 1]) in self.sensitive for i in range(len(parts)))

    def build(self, name: str | None = None) -> Resource:
        if self.unreadable:
            # Nothing of this resource is evidence: no field may pass on a default.
            reason = f"malformed value in the plan ({self.unreadable[0]})"
            self.attrs.clear()
            self.notes.clear()
            self.gaps = {field: Gap(GapKind.ERROR, reason) for field in RESOURCE_TYPES[self.type].model_fields}
            name = None
        # A value of the wrong shape (a malformed plan) must not decide a check:
        # drop it and record why, so dependent checks report error.
        for path, problem in quarantine_malformed(self.type, self.attrs).items():
            self.gaps[path] = Gap(GapKind.ERROR, f"malformed value in the plan ({problem})")
        tags = self.attrs.get("tags") or {}
        tag_name = tags.get("Name") if isinstance(tags.get("Name"), str) else None
        if tag_name is not None and self._is_sensitive("tags.Name"):
            tag_name = None
        if name is not None and name in self.resource.raw.sensitive_strings():
            name = None  # a name Terraform marks sensitive (an identifier from a sensitive variable)
        shown = tag_name or name
        return Resource(
            type=self.type,
            # Names and addresses are shown in every report: never a credential-shaped string.
            address=redact(self.address),
            source=SOURCE,
            attrs=self.attrs,
            gaps=self.gaps,
            sensitive=frozenset(self.sensitive),
            name=short(shown, MAX_NAME) if shown is not None else None,
            region=self.plan.provider_region(self.resource.provider_key),
            action=self.action,
            notes=self.notes,
        )


def _string_map(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): v if isinstance(v, str) else to_str(v) for k, v in value.items() if v is not None}
    return value


def known_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class Malformed(ValueError):
    """A value of a shape Terraform never writes: the field derived from it is an error, not a guess."""


def string_list(value: Any, what: str) -> list[str]:
    """A list of strings; null or absent is empty. Anything else is malformed."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Malformed(f"{what} is not a list of strings")
    return value
