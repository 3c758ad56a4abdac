"""Reads of one request that do not depend on each other, run side by side on their own connections.

A searched list with filters reads one selection per chosen filter for its facets (proposals.facets): each
walks or sorts its own matches (20-35 ms at a million rows), one after the other on one connection. Run
side by side, each on a connection of its own, PostgreSQL answers them on every core (three selections:
95 ms in turn, 58 ms side by side, on two cores).

``read_beside(using, fn, *args)`` starts ``fn(*args)`` on a pool thread and returns a future: its
``.result()`` gives the value back, or raises what the read raised. Not beside but in turn, when the
request's connection is inside a transaction (another connection would not see what it wrote: tests, a
management command), on SQLite, or when ``SIDE_READS`` is below 2. The request's execute wrappers
(``connection.execute_wrapper``: the benchmark's query counter) wrap its side reads too. A pool thread
checks its connection before and after each read, as Django does around a request (``CONN_MAX_AGE``,
``CONN_HEALTH_CHECKS``): the pool's connections are kept like the workers' own, or closed after each read
when connections are not kept. The pool is shared by the worker's threads: under load, a request's reads
wait their turn behind other requests' (side reads shorten one request while a core is free; they add no
throughput).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.db import connections

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_lock = threading.Lock()


class _InTurn(Future):
    """What a read gives when it runs in turn: run now, its result or its exception kept."""

    def __init__(self, fn: Callable[..., T], *args) -> None:
        super().__init__()
        try:
            self.set_result(fn(*args))
        except BaseException as error:  # noqa: BLE001 - given back by result(), as a pool's future does
            self.set_exception(error)


def side_by_side(using: str) -> bool:
    """Whether reads on ``using`` run beside the request (see the module's docstring)."""
    connection = connections[using]
    return settings.SIDE_READS > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block


def read_beside(using: str, fn: Callable[..., T], *args) -> Future:
    """``fn(*args)`` (reads on the database ``using`` only), beside the request when it can be."""
    if not side_by_side(using):
        return _InTurn(fn, *args)
    # the request's execute wrappers (a query counter, a tracer) see its side reads too
    wrappers = list(connections[using].execute_wrappers)
    return _executor().submit(_on_own_connection, using, wrappers, fn, *args)


def _on_own_connection(using: str, wrappers: list, fn: Callable[..., T], *args) -> T:
    connection = connections[using]
    connection.close_if_unusable_or_obsolete()
    try:
        with contextlib.ExitStack() as stack:
            for wrapper in wrappers:
                stack.enter_context(connection.execute_wrapper(wrapper))
            return fn(*args)
    finally:
        connection.close_if_unusable_or_obsolete()


def _executor() -> ThreadPoolExecutor:
    """The process's pool (made again in a forked child: threads do not survive a fork)."""
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(settings.SIDE_READS, thread_name_prefix="side-read")
            _pool_pid = os.getpid()
        return _pool
