"""A missing cached value is computed by one request while the others wait for it (proposals.caching
``get_or_compute``), and a worker reuses the data version it read for DATA_VERSION_SECONDS."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals import caching


def run_together(n: int, call) -> list:
    """``call()`` in ``n`` threads started at the same moment; their results (or exceptions), in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


class Slow:
    """A computation that takes a while and counts how often it ran."""

    def __init__(self, seconds: float = 0.3, fail_first: bool = False) -> None:
        self.seconds, self.fail_first, self.calls = seconds, fail_first, 0
        self.lock = threading.Lock()

    def __call__(self) -> str:
        with self.lock:
            self.calls += 1
            n = self.calls
        time.sleep(self.seconds)
        if self.fail_first and n == 1:
            raise RuntimeError("the first computation failed")
        return f"value {n}"


def test_eight_concurrent_misses_compute_once_and_all_get_the_value():
    slow = Slow()
    results = run_together(8, lambda: caching.get_or_compute("k:stampede", slow, 60))
    assert slow.calls == 1
    assert results == ["value 1"] * 8


def test_when_the_computing_request_fails_a_waiting_one_computes_for_the_rest():
    slow = Slow(fail_first=True)
    results = run_together(4, lambda: caching.get_or_compute("k:failure", slow, 60))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and "failed" in str(errors[0])
    assert slow.calls == 2
    assert [r for r in results if not isinstance(r, Exception)] == ["value 2"] * 3


def test_a_value_not_to_keep_is_computed_by_each_waiting_request_in_turn():
    slow = Slow(seconds=0.05)
    results = run_together(3, lambda: caching.get_or_compute("k:nokeep", slow, 60, keep=lambda v: None))
    assert slow.calls == 3
    assert sorted(results) == ["value 1", "value 2", "value 3"]


def test_a_request_that_waited_long_enough_computes_its_own(monkeypatch):
    monkeypatch.setattr(caching, "WAIT_SECONDS", 0.1)
    slow = Slow(seconds=0.6)
    results = run_together(2, lambda: caching.get_or_compute("k:slow", slow, 60))
    assert slow.calls == 2
    assert sorted(results) == ["value 1", "value 2"]


def test_the_stored_form_is_what_keep_returns_and_later_calls_read_it():
    assert (
        caching.get_or_compute("k:keep", lambda: "rendered", 60, keep=lambda v: ("stored", v)) == "rendered"
    )
    assert caching.get_or_compute("k:keep", lambda: pytest.fail("computed again"), 60) == (
        "stored",
        "rendered",
    )


@pytest.mark.django_db
def test_a_worker_reuses_the_data_version_until_it_writes(settings):
    settings.DATA_VERSION_SECONDS = 60
    caching.bump()  # forget what an earlier test read
    with CaptureQueriesContext(connection) as read:
        first = caching.data_version()
    with CaptureQueriesContext(connection) as reused:
        assert caching.data_version() == first
    assert len(read.captured_queries) == 2 and len(reused.captured_queries) == 0
    caching.bump()  # a write in this process (signals call it)
    with CaptureQueriesContext(connection) as after_write:
        assert caching.data_version() != first
    assert len(after_write.captured_queries) == 2


@pytest.mark.django_db
def test_with_zero_seconds_the_data_version_is_read_on_every_call(settings):
    settings.DATA_VERSION_SECONDS = 0
    caching.bump()
    with CaptureQueriesContext(connection) as ctx:
        caching.data_version()
        caching.data_version()
    assert len(ctx.captured_queries) == 4
