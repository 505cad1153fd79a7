"""Which AWS Backup selections cover a data store: one matcher for plans and live accounts.

Sources translate their shapes (``aws_backup_selection`` in a plan,
``GetBackupSelection`` in an account) into ``Selection`` and each data store
into ``Store``; every verdict is computed here.

AWS Backup's rules (Developer Guide, "Assign resources to a backup plan" and
the ``BackupSelection`` API reference,
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html):

* ``Resources``: ARNs or ARN patterns with ``*`` (``arn:aws:rds:*:*:db:*``,
  or ``*`` for every supported resource); a resource matching any of them is
  in. No ``Resources`` at all means every supported resource.
* ``NotResources``: ARNs or patterns taken out again.
* ``ListOfTags``: StringEquals on a tag; a resource matching *any* of them is
  in (OR).
* ``Conditions``: StringEquals, StringLike, StringNotEquals, StringNotLike on
  ``aws:ResourceTag/<key>``; a resource must match *all* of them (AND).
  Condition operators are case sensitive.
* When resource types (ARNs) and tags are both given, "the specified resource
  types are filtered first, then tags further filter those resources": the
  parts are ANDed. (ListOfTags and Conditions together are read as AND too:
  the stricter reading, so a store is never called protected on the looser.)

Everything is three-valued: True, False, or None when only apply can tell
(an ARN or tag value known only after apply). A store's ARN before apply is
a template whose unknown parts (the account, a generated id) are holes: a
pattern that matches for every filling of the holes matches, one that
matches for none does not, anything else is None.

Limits, said plainly: service opt-in (``UpdateRegionSettings``) is not read;
AWS Backup opts an account in to every supported type when it first creates
a vault or plan, and RDS, Aurora, DynamoDB, EFS and EBS are supported types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from .patterns import matches

STRING_EQUALS = "StringEquals"
STRING_LIKE = "StringLike"
STRING_NOT_EQUALS = "StringNotEquals"
STRING_NOT_LIKE = "StringNotLike"
OPERATORS = (STRING_EQUALS, STRING_LIKE, STRING_NOT_EQUALS, STRING_NOT_LIKE)
_TAG_PREFIX = "aws:ResourceTag/"
# Stands for a part of an ARN known only after apply; no ARN text contains it.
HOLE = "\x00"


@dataclass(frozen=True, slots=True)
class TagCondition:
    operator: str  # one of OPERATORS
    key: str  # the tag key, "aws:ResourceTag/" already removed
    value: str | None  # None: known only after apply


def tag_condition(operator: str, key: str, value: str | None) -> TagCondition:
    """A condition as sources write it; keys may carry the aws:ResourceTag/ prefix."""
    if operator not in OPERATORS:
        raise ValueError(f"unsupported selection condition operator {operator!r}")
    return TagCondition(operator, key.removeprefix(_TAG_PREFIX), value)


@dataclass(frozen=True, slots=True)
class Selection:
    """One backup selection of one backup plan."""

    name: str  # shown in evidence, e.g. "backup-daily/daily-tagged"
    resources: tuple[str, ...] = ()  # empty: every supported resource
    not_resources: tuple[str, ...] = ()
    list_of_tags: tuple[TagCondition, ...] = ()  # ORed
    conditions: tuple[TagCondition, ...] = ()  # ANDed
    # Stores this selection certainly names though their ARNs are not known yet (a plan's
    # references), by the source's own key; they match the Resources part.
    named: frozenset[str] = frozenset()
    not_named: frozenset[str] = frozenset()  # the same for NotResources
    # Resources or NotResources hold values known only after apply that this plan cannot pin to
    # stores: any store whose ARN is not known either may be among them.
    open_resources: bool = False
    open_not_resources: bool = False


@dataclass(frozen=True, slots=True)
class Store:
    """A data store as the matcher sees it."""

    key: str  # the source's own name for it (a plan address, an ARN)
    arn: str  # the ARN; parts known only after apply are HOLE
    tags: Mapping[str, str] | None  # None: known only after apply


@dataclass(frozen=True, slots=True)
class Protection:
    protected: bool | None
    by: tuple[str, ...]  # selections that cover it (protected True)
    maybe: tuple[str, ...]  # selections apply decides (protected None)


def _and(values: Iterable[bool | None]) -> bool | None:
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def _or(values: Iterable[bool | None]) -> bool | None:
    result: bool | None = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def arn_matches(pattern: str, arn: str) -> bool | None:
    """The pattern matches the ARN: True, False, or None when it depends on the holes."""
    if HOLE not in arn:
        return matches(pattern, arn)
    # Certain when the holes are absorbed by stars whatever their length: try two lengths
    # (a run of ? matches one length only).
    short, long = arn.replace(HOLE, "\x01"), arn.replace(HOLE, "\x01" * 29)
    if matches(pattern, short) and matches(pattern, long):
        return True
    return None if patterns_intersect(pattern, arn) else False


# What a hole can hold: an account id or a generated resource id never contains these.
_HOLE_STOPS = frozenset(":/")


def patterns_intersect(pattern: str, template: str) -> bool:
    """Some text matches the ``*``/``?`` pattern and fills the template (its HOLEs: text without : or /)."""

    @cache
    def go(i: int, j: int) -> bool:
        if i == len(pattern) and j == len(template):
            return True
        if i < len(pattern) and pattern[i] == "*":
            # The star takes nothing more, or the template's next character or whole hole.
            return go(i + 1, j) or (j < len(template) and go(i, j + 1))
        if j < len(template) and template[j] == HOLE:
            # The hole ends here, or takes the pattern's next character (one it can hold).
            return go(i, j + 1) or (i < len(pattern) and pattern[i] not in _HOLE_STOPS and go(i + 1, j))
        if j < len(template) and template[j] == "*":
            return go(i, j + 1) or (i < len(pattern) and go(i + 1, j))
        if i < len(pattern) and j < len(template):
            a, b = pattern[i], template[j]
            return (a == b or a == "?" or b == "?") and go(i + 1, j + 1)
        return False

    return go(0, 0)


def _tag_matches(condition: TagCondition, tags: Mapping[str, str] | None) -> bool | None:
    if tags is None or condition.value is None:
        return None
    value = tags.get(condition.key)
    if condition.operator == STRING_EQUALS:
        return value == condition.value
    if condition.operator == STRING_LIKE:
        return value is not None and matches(condition.value, value)
    # The negated operators: a resource without the tag is not equal to (nor like) the value.
    if condition.operator == STRING_NOT_EQUALS:
        return value != condition.value
    return value is None or not matches(condition.value, value)


def _listed(patterns: Sequence[str], store: Store, named: bool, open_list: bool) -> bool | None:
    found = _or(arn_matches(p, store.arn) for p in patterns)
    if named:
        return True
    if found is not True and open_list:
        # An ARN known only after apply may be this store's (if its own is not known yet either).
        return None if HOLE in store.arn or found is None else False
    return found


def selection_matches(selection: Selection, store: Store) -> bool | None:
    named = store.key in selection.named
    if selection.resources or selection.named or selection.open_resources:
        in_resources = _listed(selection.resources, store, named, selection.open_resources)
    else:
        in_resources = True
    excluded = _listed(selection.not_resources, store, store.key in selection.not_named, selection.open_not_resources)
    parts = [in_resources, _not(excluded)]
    if selection.list_of_tags:
        parts.append(_or(_tag_matches(c, store.tags) for c in selection.list_of_tags))
    parts.extend(_tag_matches(c, store.tags) for c in selection.conditions)
    return _and(parts)


def protection(store: Store, selections: Sequence[Selection]) -> Protection:
    """Is the store in some backup plan: covered by any of its selections."""
    by: list[str] = []
    maybe: list[str] = []
    for selection in selections:
        verdict = selection_matches(selection, store)
        if verdict is True:
            by.append(selection.name)
        elif verdict is None:
            maybe.append(selection.name)
    protected: bool | None = True if by else (None if maybe else False)
    return Protection(protected, tuple(by), tuple(maybe))


def describe(result: Protection) -> str:
    if result.protected:
        return "in backup selection " + ", ".join(result.by[:3])
    if result.protected is None:
        return "whether backup selection " + ", ".join(result.maybe[:3]) + " covers it is known only after apply"
    return "no backup selection covers it"
