"""Cached counts (facets, statistics, reference lists' proposal counts) and readers' unsearched pages and API
lists, invalidated when the data changes.

Nothing that depends on a search query is cached (every query is new: searches stay fast without a cache),
and nothing a signed-in curator sees. A cached value is stored under the current
*data version*: the newest ``updated_at`` of proposals and of delegates (two index lookups: every
curator's edit, publication and related change touches one of them, whichever worker served it), plus a
counter bumped by signals for what leaves no timestamp (deletions, themes, regions, organisations; shared
by every worker when CACHE_URL points at Redis). ``COUNTS_CACHE_SECONDS`` bounds the rest.

Pages and API lists are also kept in each worker's memory (the ``local`` cache, PAGE_CACHE_LOCAL_ENTRIES),
under the same versioned keys: a worker serves its recent pages without a round trip to the shared cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Max
from django.http import HttpResponse
from django.utils.cache import set_response_etag

T = TypeVar("T")
_COUNTER = "npp:data-counter"
# A cold value (a million rows' facet counts take seconds) is computed by one request at a time per cache:
# the others wait for it, polling, instead of all computing it at once (a stampede that once held 50 readers
# at 2.5 pages a second at 1M rows). A computation longer than LOCK_SECONDS lets the next waiter compute too;
# after WAIT_SECONDS a waiter computes its own.
LOCK_SECONDS = 30
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.05


# The data version read last by this process and until when it may be reused (see data_version).
_memo: tuple[float, str] | None = None


def bump() -> None:
    """Something changed that no timestamp shows: every cached count is stale from now on."""
    global _memo
    _memo = None  # this process sees its own writes at once
    try:
        cache.incr(_COUNTER)
    except ValueError:
        cache.set(_COUNTER, time.time_ns(), None)


def data_version() -> str:
    """The data version (see the module's description). A process reuses the one it read for
    ``DATA_VERSION_SECONDS`` (a second by default): a reader of another worker may see a page up to that long
    after an edit, and a cached page costs no database query (50 readers a second no longer read the two
    newest timestamps 50 times). Every write in this process forgets it at once (``bump``)."""
    global _memo
    now = time.monotonic()
    if _memo is not None and now < _memo[0]:
        return _memo[1]
    version = _read_data_version()
    if settings.DATA_VERSION_SECONDS > 0:
        _memo = (now + settings.DATA_VERSION_SECONDS, version)
    return version


def _read_data_version() -> str:
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
    return get_or_compute(versioned_key("counts", name, params), compute, settings.COUNTS_CACHE_SECONDS)


def versioned_key(kind: str, name: str, params: Any) -> str:
    """A cache key for a value computed from these parameters at the current data version."""
    digest = hashlib.sha1(
        json.dumps([name, params, data_version()], sort_keys=True, default=str).encode(),
        usedforsecurity=False,
    ).hexdigest()
    return f"npp:{kind}:{name}:{digest}"


def get_or_compute(
    key: str,
    compute: Callable[[], T],
    timeout: int,
    keep: Callable[[T], Any] = lambda value: value,
) -> T:
    """The value cached under ``key``, else ``compute()``'s, cached for ``timeout`` seconds as ``keep(value)``
    (``keep`` returns None for a value not to cache, or what to store). One caller computes a missing value
    while the others wait for it (``LOCK_SECONDS``, ``WAIT_SECONDS``): see the module's constants."""
    hit = cache.get(key)
    if hit is not None:
        return hit
    lock = f"{key}:computing"
    if not cache.add(lock, 1, LOCK_SECONDS):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            hit = cache.get(key)
            if hit is not None:
                return hit
            if cache.add(lock, 1, LOCK_SECONDS):
                break  # the computing caller finished without a value to share, or failed: our turn
        else:
            return compute()  # waited long enough: compute our own, without taking the lock
    try:
        value = compute()
        stored = keep(value)
        if stored is not None:
            cache.set(key, stored, timeout)
        return value
    finally:
        cache.delete(lock)


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
    return versioned_key("response", name, params)  # (content, content type, headers)


def _serve(request, key: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """``render()``'s response, or the one stored under ``key`` (content, content type and headers): in this
    worker's own copies first (the ``local`` cache, when the default one is shared), then in the shared
    cache; one request renders a missing one while the others wait for it."""
    local = caches["local"] if "local" in settings.CACHES else None
    result = local.get(key) if local is not None else None
    if result is None:
        result = get_or_compute(
            key, render, settings.PAGE_CACHE_SECONDS, keep=lambda response: _storable(request, response)
        )
        if isinstance(result, HttpResponse):
            return result
        if local is not None:
            local.set(key, result, settings.PAGE_CACHE_SECONDS)
    content, content_type, headers = result
    response = HttpResponse(content, content_type=content_type)
    for header, value in headers.items():
        response[header] = value
    return response


def _storable(request, response: HttpResponse) -> tuple[bytes, str, dict[str, str]] | None:
    """What of a response to cache: nothing unless a plain 200 that set no cookie (not even the CSRF one)."""
    if (
        response.status_code != 200
        or response.streaming
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.META.get("CSRF_COOKIE_USED")
        or response.cookies
    ):
        return None
    # The ETag once, here: ConditionalGetMiddleware would hash the content of every hit again (an MD5 of
    # 100 KB for an API page, a fifth of a hit's CPU).
    if not response.has_header("ETag"):
        set_response_etag(response)
    headers = {h: response[h] for h in ("Link", "Content-Language", "ETag") if h in response}
    return (response.content, response["Content-Type"], headers)


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache a public page's HTML under its full URL and the data version (see ``cached``): a curator's edit
    changes the version, so no reader sees a page older than the last edit; searched pages are never
    cached (every query is new), nor pages that set a CSRF cookie or carry messages."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        return _serve(
            request, _key(view.__name__, request.build_absolute_uri()), lambda: view(request, *args, **kwargs)
        )

    return wrapped


def cached_response(request, name: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """An API list's rendered response (bytes: no serializing, no JSON encoding on a hit), cached like a page
    under its URL and the format negotiated for it; ``render()`` unless a reader's unsearched list of this
    URL and format was rendered since the last edit. The browsable HTML API is never cached."""
    fmt = getattr(getattr(request, "accepted_renderer", None), "format", "")
    if not _cacheable(request) or fmt in ("api", "html"):
        return render()
    return _serve(request, _key(name, [request.build_absolute_uri(), fmt]), render)
