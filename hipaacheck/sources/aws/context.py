"""What a collector gets: the fetcher, where it runs, and the facts collectors share."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from ...models import Resource
from .builder import Where
from .calls import Call, Fetcher
from .pool import WorkPool

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Facts:
    """Cross-resource facts gathered while collecting, read by the link step afterwards."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    log_buckets: set[str] = field(default_factory=set)  # buckets load balancers deliver access logs to
    log_sources_unread: list[str] = field(default_factory=list)  # why some log destinations are unknown
    # multi-region trails seen as shadows whose home region is not scanned: ARN -> home region
    foreign_trails: dict[str, str] = field(default_factory=dict)

    def add_log_bucket(self, name: str) -> None:
        with self.lock:
            self.log_buckets.add(name)

    def log_source_unread(self, reason: str) -> None:
        with self.lock:
            self.log_sources_unread.append(reason)


@dataclass(frozen=True)
class Context:
    fetch: Fetcher
    where: Where
    facts: Facts
    regions: tuple[str, ...]  # every region being scanned (global collectors filter by it)
    workers: int = 4  # for collectors that fan out per item (S3 buckets)
    pool: WorkPool | None = None  # the scan's one thread pool (see pool.py); None: a pool of their own

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """fn over items on up to ``workers`` threads: the scan's pool when there is one."""
        if self.pool is not None:
            return self.pool.map(fn, items, self.workers)
        with ThreadPoolExecutor(max_workers=max(1, self.workers), thread_name_prefix="collector") as pool:
            return list(pool.map(fn, items))


@dataclass(frozen=True)
class Collector:
    name: str  # shown in progress, e.g. "rds"
    types: tuple[str, ...]  # canonical types it produces
    calls: dict[str, Call]  # every call it may make: the source of `hipaacheck permissions`
    run: Callable[[Context], list[Resource]]
    scope: Literal["regional", "global"] = "regional"
