"""Cached counts (facets, statistics, reference lists' proposal counts), invalidated when the data changes.

Only counts are cached, never the records a page lists, and never anything that depends on a search query
(every query is new: searches stay fast without a cache). A cached value is stored under the current
*data version*: the newest ``updated_at`` of proposals and of delegates (two index lookups: every
curator's edit, publication and related change touches one of them, whichever worker served it), plus a
counter bumped by signals for what leaves no timestamp (deletions, themes, regions, organisations; shared
by every worker when CACHE_URL points at Redis). ``COUNTS_CACHE_SECONDS`` bounds the rest.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max

T = TypeVar("T")
_COUNTER = "npp:data-counter"


def bump() -> None:
    """Something changed that no timestamp shows: every cached count is stale from now on."""
    try:
        cache.incr(_COUNTER)
    except ValueError:
        cache.set(_COUNTER, time.time_ns(), None)


def data_version() -> str:
    from proposals.models import Delegate, Proposal

    counter = cache.get(_COUNTER)
    if counter is None:
        counter = time.time_ns()
        cache.add(_COUNTER, counter, None)
        counter = cache.get(_COUNTER, counter)
    proposals = Proposal.objects.aggregate(m=Max("updated_at"))["m"]
    delegates = Delegate.objects.aggregate(m=Max("updated_at"))["m"]
    return (
        f"{counter}:{proposals.timestamp() if proposals else 0}:{delegates.timestamp() if delegates else 0}"
    )


def cached(name: str, params: Any, compute: Callable[[], T]) -> T:
    """``compute()``, or its value cached under this name, these parameters and the current data version."""
    if settings.COUNTS_CACHE_SECONDS <= 0:
        return compute()
    digest = hashlib.sha1(
        json.dumps([name, params, data_version()], sort_keys=True, default=str).encode(),
        usedforsecurity=False,
    ).hexdigest()
    key = f"npp:counts:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.COUNTS_CACHE_SECONDS)
    return value
