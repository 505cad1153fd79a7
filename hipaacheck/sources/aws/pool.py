"""One bounded thread pool for a whole live scan: accounts × regions × collectors × items.

A scan is nested work: an account's task fans out over (region, collector)
pairs, and a collector may fan out again (one task per S3 bucket). Giving
each level its own pool multiplies the thread count (8 accounts × 8
collectors × 4 buckets); waiting on a shared pool from inside it can
deadlock (every worker waits for tasks queued behind it). ``WorkPool.map``
does neither: the items go into a queue of their own, a few helper tasks are
offered to the one executor, and the calling thread works through the queue
too. The caller only ever waits for items a running thread has already
taken, so nothing waits for work that cannot start; a helper that starts
after the queue is empty returns at once. The number of threads is the
executor's, whatever the nesting.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# API calls wait on the network, not the CPU: several threads per core keep a machine busy
# without exceeding what one account's API rate limits allow (botocore's adaptive mode slows
# each account's clients down when AWS throttles).
THREADS_PER_CORE = 4
MAX_DEFAULT_WORKERS = 32


def default_workers() -> int:
    """--max-workers when not given: sized for the machine (4 per core, at least 4, at most 32)."""
    return max(4, min(MAX_DEFAULT_WORKERS, THREADS_PER_CORE * (os.cpu_count() or 1)))


class WorkPool:
    """A fixed number of threads shared by every level of a scan; ``map`` may be called from inside a task."""

    def __init__(self, workers: int, name: str = "hipaacheck") -> None:
        self.workers = max(1, workers)
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=name)

    def submit(self, fn: Callable[[], R]) -> Future[R]:
        return self._executor.submit(fn)

    def map(self, fn: Callable[[T], R], items: Iterable[T], width: int | None = None) -> list[R]:
        """fn over items, in order, on up to ``width`` threads of the pool (the caller's included).

        The first exception an item raises is raised here, once every item already started has ended.
        """
        work = list(enumerate(items))
        if not work:
            return []
        results: list[R | None] = [None] * len(work)
        errors: list[BaseException] = []
        pending: queue.SimpleQueue[tuple[int, T]] = queue.SimpleQueue()
        for entry in work:
            pending.put(entry)
        remaining = [len(work)]
        done = threading.Condition()

        def drain() -> None:
            while not errors:
                try:
                    index, item = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[index] = fn(item)
                except BaseException as exc:  # handed to the caller below
                    with done:
                        errors.append(exc)
                finally:
                    with done:
                        remaining[0] -= 1
                        done.notify_all()

        helpers = min(len(work), width or self.workers, self.workers) - 1
        for _ in range(helpers):
            self._executor.submit(drain)
        drain()
        with done:
            if errors:
                # Items nobody took will never run: count them out so the wait below ends.
                while True:
                    try:
                        pending.get_nowait()
                    except queue.Empty:
                        break
                    remaining[0] -= 1
            done.wait_for(lambda: remaining[0] <= 0)
        if errors:
            raise errors[0]
        return results  # type: ignore[return-value]  # every slot was filled: no error was raised

    def shutdown(self, cancel: bool = False) -> None:
        self._executor.shutdown(wait=True, cancel_futures=cancel)

    def __enter__(self) -> WorkPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown(cancel=exc[0] is not None)
