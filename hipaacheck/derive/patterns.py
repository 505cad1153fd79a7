"""IAM wildcard patterns (``*`` and ``?``): does a pattern match, cover or touch a set of names.

IAM policy patterns know only two wildcards: ``*`` (any run of characters,
none included) and ``?`` (exactly one character). ``fnmatch`` is not usable:
it also reads ``[...]`` as a character class, which IAM does not.

Three questions, each answered exactly by simulating the pattern as a small
automaton (one state per pattern position):

* ``matches(pattern, text)``: the pattern matches the literal text.
* ``covers(pattern, prefix)``: the pattern matches *every* string that starts
  with ``prefix`` (a Deny on ``arn:aws:s3:::b/*`` covers every object of b).
* ``overlaps(pattern, prefix)``: the pattern matches *some* string that starts
  with ``prefix`` (a NotResource that may exclude an object of b).

The texts are taken literally: a symbolic ARN such as ``arn:aws:s3:::${b}``
is just characters, so a document that names the same symbol matches it.
"""

from __future__ import annotations

from functools import lru_cache

_STAR = "*"
_ONE = "?"
# The subset construction in covers() is exact; a pathological pattern could make it
# explore many state sets, and then it answers "does not cover" (the safe side for a Deny).
_MAX_STATE_SETS = 4096
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")


def has_wildcard(text: str) -> bool:
    return _STAR in text or _ONE in text


def _closure(pattern: str, states: set[int]) -> frozenset[int]:
    """Add the positions reachable without reading a character: a ``*`` may match nothing."""
    todo = list(states)
    seen = set(states)
    while todo:
        state = todo.pop()
        if state < len(pattern) and pattern[state] == _STAR and state + 1 not in seen:
            seen.add(state + 1)
            todo.append(state + 1)
    return frozenset(seen)


def _step(pattern: str, states: frozenset[int], char: str | None, fold: bool) -> frozenset[int]:
    """Read one character (None: a character that appears nowhere in the pattern)."""
    following: set[int] = set()
    for state in states:
        if state >= len(pattern):
            continue
        token = pattern[state]
        if token == _STAR:
            following.add(state)
        elif token == _ONE or (char is not None and _same(token, char, fold)):
            following.add(state + 1)
    return _closure(pattern, following)


def _same(a: str, b: str, fold: bool) -> bool:
    return a == b or (fold and a.lower() == b.lower())


def _after(pattern: str, text: str, fold: bool) -> frozenset[int]:
    states = _closure(pattern, {0})
    for char in text:
        if not states:
            break
        states = _step(pattern, states, char, fold)
    return states


def matches(pattern: str, text: str, *, fold_case: bool = False) -> bool:
    if not has_wildcard(pattern):
        return pattern == text or (fold_case and pattern.lower() == text.lower())
    if _only_stars(pattern):
        return True
    return _matches(pattern, text, fold_case)


@lru_cache(maxsize=8192)
def _matches(pattern: str, text: str, fold: bool) -> bool:
    # Policies repeat the same few patterns ("s3:*") against the same action names.
    return len(pattern) in _after(pattern, text, fold)


def overlaps(pattern: str, prefix: str, *, fold_case: bool = False) -> bool:
    """Some string that starts with ``prefix`` matches the pattern."""
    # From any live position the rest of a pattern can always be matched by some text.
    return bool(_after(pattern, prefix, fold_case))


def covers(pattern: str, prefix: str, *, fold_case: bool = False) -> bool:
    """Every string that starts with ``prefix`` (the prefix itself included) matches the pattern."""
    return _covers(pattern, prefix, fold_case)


@lru_cache(maxsize=4096)
def _covers(pattern: str, prefix: str, fold: bool) -> bool:
    start = _after(pattern, prefix, fold)
    end = len(pattern)
    # The characters that can make a difference: those in the pattern, plus one that is in none.
    alphabet: list[str | None] = [*sorted({c.lower() if fold else c for c in pattern if c not in (_STAR, _ONE)}), None]
    seen = {start}
    todo = [start]
    while todo:
        states = todo.pop()
        if end not in states:
            return False  # some continuation of the prefix is not matched
        for char in alphabet:
            nxt = _step(pattern, states, char, fold)
            if nxt not in seen:
                if len(seen) >= _MAX_STATE_SETS:
                    return False
                seen.add(nxt)
                todo.append(nxt)
    return True


def split_action(action: str) -> tuple[str, str]:
    """'s3:GetObject' -> ('s3', 'GetObject'); '*' (or '**') -> ('*', '*'): every action of every service."""
    if ":" not in action and _only_stars(action):
        return _STAR, _STAR
    service, _, name = action.partition(":")
    return service, name


def _arn_segments(text: str) -> list[str] | None:
    """The six colon-separated parts of an ARN (the last one keeps its colons), or None."""
    parts = text.split(":", 5)
    return parts if len(parts) == 6 else None


def arn_covers(pattern: str, prefix: str) -> bool:
    """A Resource pattern matches every ARN that starts with ``prefix`` (a full ARN prefix).

    IAM documents that a wildcard in an ARN does not span the colon-separated
    segments, so each segment is compared on its own; that reading covers
    less than a plain match would, which is the safe side for a Deny. Only the
    pattern "*" covers everything.
    """
    if pattern == _STAR:
        return True
    wanted, have = _arn_segments(prefix), _arn_segments(pattern)
    if wanted is None or have is None:
        return False
    return all(matches(p, w) for p, w in zip(have[:5], wanted[:5], strict=True)) and covers(have[5], wanted[5])


def arn_matches(pattern: str, arn: str) -> bool:
    """A Resource pattern matches one ARN, segment by segment (the narrow reading, as arn_covers)."""
    if pattern == _STAR:
        return True
    wanted, have = _arn_segments(arn), _arn_segments(pattern)
    if wanted is None or have is None:
        return False
    return all(matches(p, w) for p, w in zip(have, wanted, strict=True))


def _only_stars(text: str) -> bool:
    return bool(text) and set(text) == {_STAR}


def arn_pattern_is_everything(pattern: str, service: str | None = None) -> bool:
    """A Resource pattern names every resource (of ``service``, when given) in an account.

    Read generously, the safe side for an Allow: "*", "arn:*", "arn:aws:*:*:*:*",
    and, for a service, "arn:aws:iam::123456789012:*".
    """
    if _only_stars(pattern) or covers(pattern, "arn:"):
        return True
    stem = f"{service}:" if service else ""
    if any(covers(pattern, f"arn:{partition}:{stem}") for partition in PARTITIONS):
        return True  # "arn:aws:*" read as a plain pattern
    parts = _arn_segments(pattern)
    if parts is None or not matches(parts[0], "arn"):
        return False
    if service is None:
        return all(_only_stars(p) for p in parts[2:])
    return matches(parts[2], service) and _only_stars(parts[5])
