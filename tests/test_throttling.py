"""The rate limit of the API and of the public pages (npp_db.throttling): a counter per client and window,
the previous window weighted by its overlap with the last ``duration`` seconds. Every test runs on the
per-process cache (the generic path) and on a real Redis (one script a request: ``count_in_window``)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npp_db.throttling import WindowCounterThrottle


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TenPerMinute(WindowCounterThrottle):
    rate = "10/minute"
    scope = "test"

    def get_cache_key(self, request, view):
        return f"test-throttle-{request.META['REMOTE_ADDR']}"


def ask(clock: Clock, at: float, address: str = "10.9.0.1", cost: int = 1) -> TenPerMinute:
    clock.now = at
    throttle = TenPerMinute()
    throttle.timer = clock  # type: ignore[method-assign]
    throttle.cost = cost
    throttle.allowed = throttle.allow_request(RequestFactory().get("/", REMOTE_ADDR=address), None)
    return throttle


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request):
    """The default cache: the per-process one, then a real Redis (skipped without a server)."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def clock(any_cache):
    return Clock(6_000_000.0)  # the start of a minute


def test_the_limit_holds_in_a_window_and_a_refused_request_does_not_count(clock):
    start = clock.now
    assert [ask(clock, start + i).allowed for i in range(12)] == [True] * 10 + [False] * 2
    # another address has its own allowance
    assert ask(clock, start + 12, address="10.9.0.2").allowed


def test_the_previous_window_weighs_by_its_overlap(clock):
    start = clock.now
    for i in range(10):
        assert ask(clock, start + i).allowed
    assert not ask(clock, start + 60).allowed  # a new window, but the last minute holds ten requests
    # half-way through the next window half of the previous one still counts: room for five
    assert [ask(clock, start + 90 + i * 0.01).allowed for i in range(6)] == [True] * 5 + [False]
    assert all(ask(clock, start + 180 + i * 0.01).allowed for i in range(10))  # two windows later: all ten


def test_a_request_costs_what_it_says(clock):
    assert ask(clock, clock.now, cost=3).allowed
    assert ask(clock, clock.now + 1, cost=6).allowed
    assert not ask(clock, clock.now + 2, cost=3).allowed  # 3 + 6 + 3 > 10
    assert ask(clock, clock.now + 3, cost=1).allowed


def test_retry_after_is_when_the_request_would_pass(clock):
    start = clock.now
    for i in range(10):
        ask(clock, start + 50 + i * 0.1)
    refused = ask(clock, start + 61)  # the previous window's ten still weigh 59/60 of ten
    assert not refused.allowed
    wait = refused.wait()
    assert wait is not None and 1 <= wait <= 60
    assert not ask(clock, start + 61 + wait - 2).allowed
    assert ask(clock, start + 61 + wait).allowed


# any_cache only chooses the backend; each example empties it.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=60), st.integers(1, 3))
def test_no_window_lets_more_than_the_limit_through(any_cache, gaps, cost):
    cache.clear()
    clock = Clock(6_000_000.0)
    at, allowed_per_window = clock.now, {}
    for gap in gaps:
        at += gap
        throttle = ask(clock, at, cost=cost)
        if throttle.allowed:
            window = int(at // 60)
            allowed_per_window[window] = allowed_per_window.get(window, 0) + cost
        else:
            wait = throttle.wait()
            assert wait is not None and wait >= 1
    assert all(count <= 10 for count in allowed_per_window.values())


def test_on_redis_a_request_is_one_round_trip_and_its_counter_is_a_cache_value(redis_cache, monkeypatch):
    """One command sent a request (the script: no GET, EXISTS or INCRBY of its own), the counter readable
    through the cache and expiring after two windows."""
    import redis

    client, _ = redis_cache
    clock = Clock(6_000_000.0)
    ask(clock, clock.now, address="10.9.0.7")  # the script is loaded
    sent = []
    original = redis.connection.Connection.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    assert ask(clock, clock.now + 1, address="10.9.0.7", cost=2).allowed
    monkeypatch.undo()
    assert len(sent) == 1
    assert b"EVALSHA" in (sent[0] if isinstance(sent[0], bytes) else b"".join(sent[0]))
    window = int(clock.now // 60)
    assert cache.get(f"test-throttle-10.9.0.7:{window}") == 3
    [key] = client.keys(f"*test-throttle-10.9.0.7:{window}")
    assert 60 < client.ttl(key) <= 120


def test_on_redis_the_script_is_loaded_again_after_a_restart_forgot_it(redis_cache):
    """A Redis restarted (or failed over) has no scripts: the next request loads it again and is counted."""
    client, _ = redis_cache
    clock = Clock(6_000_000.0)
    assert ask(clock, clock.now, address="10.9.0.8").allowed
    client.script_flush()
    assert ask(clock, clock.now + 1, address="10.9.0.8", cost=2).allowed
    assert cache.get(f"test-throttle-10.9.0.8:{int(clock.now // 60)}") == 3
