"""The one bounded pool: nested fan-out never deadlocks, never adds threads, and hands errors back."""

from __future__ import annotations

import threading
import time

import pytest

from hipaacheck.sources.aws.pool import WorkPool, default_workers


def test_nested_fan_out_on_a_small_pool_finishes_on_its_own_threads() -> None:
    threads: set[str] = set()
    lock = threading.Lock()

    def leaf(item: int) -> int:
        with lock:
            threads.add(threading.current_thread().name)
        time.sleep(0.001)
        return item * 2

    with WorkPool(2, name="nested") as pool:

        def account(a: int) -> list[list[int]]:
            # accounts -> regions -> items, all on the same two threads (plus the caller)
            return pool.map(lambda r: pool.map(leaf, range(r * 10, r * 10 + 5)), range(3))

        futures = [pool.submit(lambda a=a: account(a)) for a in range(6)]  # type: ignore[misc]
        results = [f.result(timeout=60) for f in futures]
    assert results == [[[2 * i for i in range(r * 10, r * 10 + 5)] for r in range(3)]] * 6
    assert threads and all(name.startswith("nested") for name in threads) and len(threads) <= 2


def test_results_keep_the_order_of_the_items() -> None:
    with WorkPool(4) as pool:
        assert pool.map(lambda x: (time.sleep(0.001 * (5 - x)), x)[1], range(5)) == [0, 1, 2, 3, 4]
        assert pool.map(lambda x: x, []) == []


def test_the_first_error_is_raised_and_untaken_items_are_dropped() -> None:
    ran: list[int] = []

    def work(item: int) -> int:
        if item == 0:
            raise KeyError("boom")
        ran.append(item)
        return item

    with WorkPool(1) as pool, pytest.raises(KeyError, match="boom"):
        pool.map(work, range(50))
    assert len(ran) < 50  # the caller stopped taking items once one failed


def test_default_workers_are_sized_for_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for cpus, expected in ((1, 4), (2, 8), (4, 16), (64, 32), (None, 4)):
        monkeypatch.setattr("os.cpu_count", lambda cpus=cpus: cpus)
        assert default_workers() == expected
