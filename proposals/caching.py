"""Cached counts (facets, statistics, reference lists' proposal counts) and readers' unsearched pages and API
lists, invalidated when the data changes.

Nothing that depends on a search query is cached (every query is new: searches stay fast without a cache),
and nothing a signed-in curator sees. A cached value is stored under the current
*data version*: the newest ``updated_at`` of proposals and of delegates (two index lookups: every
curator's edit, publication and related change touches one of them, whichever worker served it), plus a
counter bumped by signals for what leaves no timestamp (deletions, themes, regions, organisations; shared
by every worker when CACHE_URL points at Redis). ``COUNTS_CACHE_SECONDS`` bounds the rest.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpResponse

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


# --- whole pages and API list data --------------------------------------------------------------------


def _cacheable(request) -> bool:
    """A reader's GET without a search query and without a session (a signed-in curator sees fresh pages)."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.GET.get("q")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _key(name: str, params: Any) -> str:
    digest = hashlib.sha1(
        json.dumps([name, params, data_version()], sort_keys=True, default=str).encode(),
        usedforsecurity=False,
    ).hexdigest()
    return f"npp:page:{name}:{digest}"


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache a public page's HTML under its full URL and the data version (see ``cached``): a curator's edit
    changes the version, so no reader sees a page older than the last edit; searched pages are never
    cached (every query is new), nor pages that set a CSRF cookie or carry messages."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(view.__name__, request.get_full_path())
        hit = cache.get(key)
        if hit is not None:
            content, content_type, headers = hit
            response = HttpResponse(content, content_type=content_type)
            for header, value in headers.items():
                response[header] = value
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.META.get("CSRF_COOKIE_USED")
            and not response.cookies
        ):
            headers = {h: response[h] for h in ("Link", "Content-Language") if h in response}
            cache.set(key, (response.content, response["Content-Type"], headers), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapped


def cached_list_data(request, name: str, compute: Callable[[], T]) -> T:
    """An API list's data (serialized page and its headers) cached like a page: ``compute()`` unless a
    reader's unsearched list of this URL and format was computed since the last edit."""
    if not _cacheable(request):
        return compute()
    fmt = getattr(getattr(request, "accepted_renderer", None), "format", "")
    key = _key(name, [request.get_full_path(), fmt])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value
