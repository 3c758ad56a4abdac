"""Read replicas: anonymous public reads go to a replica, everything else to the primary.

``DATABASE_REPLICA_URLS`` (comma-separated) adds the aliases ``replica1``, ``replica2`` … (settings.py). A
read goes to one of them (chosen at random per request) only when the request was pinned to replicas by
``ReplicaRoutingMiddleware``: a GET or HEAD of a public page or the API, by a client with no session (no
curator) and no recent write. Everything else reads the primary: the admin, any request of a signed-in
curator, every request that writes, reads inside a transaction, management commands and background
jobs (nothing pinned them). A client that has just written (a POST) keeps reading the primary for
``REPLICA_PIN_SECONDS`` through a cookie, so that nobody reads a record older than the one they saved.
"""

from __future__ import annotations

import random
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

PRIMARY = "default"
_replica: ContextVar[str | None] = ContextVar("npp_replica", default=None)
PIN_COOKIE = "npp_primary_until"


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = _replica.get()
        if alias is None or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on every alias

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def _may_use_replica(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.path.startswith("/admin/"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:  # a curator (the site has no other sessions)
        return False
    try:
        pinned_until = float(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        pinned_until = 0.0
    return pinned_until < time.time()


class ReplicaRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        replicas = replica_aliases()
        token = _replica.set(random.choice(replicas) if replicas and _may_use_replica(request) else None)
        try:
            response = self.get_response(request)
        finally:
            _replica.reset(token)
        if replicas and request.method not in ("GET", "HEAD", "OPTIONS"):
            until = time.time() + settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{until:.0f}",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response
