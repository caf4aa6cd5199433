"""The engine's throttled map: a reserved worker stays idle while the caller works, every
worker runs once it waits, results keep their order and failures reach the caller."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from provenance.engine import LocalEngine, throttled


class _Gauge:
    """Counts tasks running at once; each task waits until the test lets it finish."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.go = threading.Event()

    def task(self, value: int) -> int:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        self.go.wait(5)
        with self.lock:
            self.running -= 1
        return value * 10


def _settle(gauge: _Gauge, running: int) -> None:
    deadline = time.monotonic() + 5
    while gauge.running < running and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # give a wrongly submitted extra task the time to start


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(4) as executor:
        yield executor


def _submitter(pool: ThreadPoolExecutor, fn: Callable[[int], int]) -> Callable[[int], Future[int]]:
    return lambda item: pool.submit(fn, item)


def test_reserved_workers_wait_until_the_results_are_asked_for(pool: ThreadPoolExecutor) -> None:
    gauge = _Gauge()
    results = throttled(_submitter(pool, gauge.task), range(8), 1, 3)
    _settle(gauge, 1)
    assert (gauge.running, gauge.peak) == (1, 1)
    out: list[int] = []
    first = threading.Thread(target=lambda: out.append(next(results)))
    first.start()  # the caller now waits for the first result
    _settle(gauge, 3)
    assert gauge.running == 3
    gauge.go.set()
    first.join(5)
    assert out + list(results) == [v * 10 for v in range(8)]
    assert gauge.peak == 3


def test_a_failed_task_reaches_the_caller_and_stops_the_feed(pool: ThreadPoolExecutor) -> None:
    started: list[int] = []

    def task(value: int) -> int:
        started.append(value)
        if value == 1:
            raise ValueError("bad item")
        return value

    results = throttled(_submitter(pool, task), range(50), 1, 1)
    assert next(results) == 0
    with pytest.raises(ValueError, match="bad item"):
        next(results)
    time.sleep(0.1)
    assert len(started) < 50


def test_a_refused_submission_is_raised_not_hung() -> None:
    def submit(item: int) -> Future[int]:
        raise RuntimeError("cannot schedule new futures after shutdown")

    with pytest.raises(RuntimeError, match="after shutdown"):
        list(throttled(submit, range(3), 1, 2))


def test_local_pool_with_a_reserve_gives_the_results_in_order() -> None:
    with LocalEngine(2) as engine:
        assert list(engine.map(abs, [-3, 1, -2, 5], reserve=1)) == [3, 1, 2, 5]
        assert list(engine.map(abs, [-3, 1, -2, 5], reserve=5)) == [3, 1, 2, 5]  # never below one slot
