"""Which parent a sub-resource (a policy, permission, rotation or launch permission) joins.

One pass per (plan, child type): every child is pinned to its parent by value or by
reference (Linker.parent), or left with the candidates it may join before apply.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from ..plan import PlanResource
from ..references import Linker, Unresolved


@dataclass(frozen=True, slots=True)
class JoinSpec:
    child_type: str
    attribute: str  # the child's attribute that names the parent
    parent_types: tuple[str, ...]
    value_keys: tuple[str, ...]  # parent attributes the child's value may equal


@dataclass(slots=True)
class Joined:
    by_parent: dict[str, list[PlanResource]] = field(default_factory=dict)
    unpinned: list[tuple[PlanResource, Unresolved]] = field(default_factory=list)
    # Children that name a parent this plan does not hold (an existing resource, an alias or
    # version ARN): a public one must still fail somewhere, on its own address.
    outside: list[PlanResource] = field(default_factory=list)

    def homeless(self) -> list[tuple[PlanResource, Unresolved]]:
        """Every child not pinned to a parent of this plan, with why."""
        elsewhere = Unresolved("it names a resource outside this plan", (), True)
        return self.unpinned + [(child, elsewhere) for child in self.outside]

    def children(self, parent: PlanResource) -> list[PlanResource]:
        return self.by_parent.get(parent.address, [])

    def maybe(self, parent: PlanResource) -> list[tuple[PlanResource, Unresolved]]:
        """Children that may join this parent once apply names it."""
        return [(c, u) for c, u in self.unpinned if any(p.address == parent.address for p in u.candidates)]


_CACHE: weakref.WeakKeyDictionary[Linker, dict[JoinSpec, Joined]] = weakref.WeakKeyDictionary()


def join(linker: Linker, spec: JoinSpec) -> Joined:
    per_linker = _CACHE.setdefault(linker, {})
    found = per_linker.get(spec)
    if found is not None:
        return found
    joined = Joined()
    for child in linker.plan.of_type(spec.child_type):
        parent = linker.parent(child, spec.attribute, spec.parent_types, spec.value_keys)
        if isinstance(parent, Unresolved):
            joined.unpinned.append((child, parent))
        elif parent is not None:
            joined.by_parent.setdefault(parent.address, []).append(child)
        else:
            joined.outside.append(child)
    per_linker[spec] = joined
    return joined
