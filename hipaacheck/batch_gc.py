"""The cyclic garbage collector, tuned for a scan: nearly everything it allocates lives to the end.

A plan scan builds millions of long-lived objects without cycles (the parsed plan, the canonical
resources, the findings, the report's rows) and makes almost none that are garbage: on the
10,000-resource benchmark plan the collector found 496 objects to free in the whole run. With
Python's defaults (a collection of the youngest generation every 700 allocations, full ones as
the heap grows) it walks the same live objects again and again: 2.6 s of the 50,000-resource
scan, and a plan five times larger took six times as long (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Container allocations between two collections of the youngest generation (Python's default: 700).
# Cycles are still collected, so a pathological input that makes many of them cannot grow memory
# without bound; it only waits longer for them.
SCAN_THRESHOLD = 20_000


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """Rarer collections inside; the default threshold again after."""
    threshold = gc.get_threshold()
    gc.set_threshold(SCAN_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def settle() -> None:
    """Freeze what is alive now (a phase's results): later collections never walk it again."""
    gc.freeze()
