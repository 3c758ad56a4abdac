"""While the database cannot be reached: a 503 with Retry-After, never a 500.

The API answers JSON (``{"detail": …}``, like its other errors), the site a Chinese page that needs no
database. Nothing is kept in the process: the next request opens a new connection (CONN_HEALTH_CHECKS),
so the site recovers by itself as soon as the database is back.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("npp_db.unavailable")

DATABASE_ERRORS = (OperationalError, InterfaceError)
API_MESSAGE = "数据库暂时无法访问，请稍后重试。"


def unavailable_response(request) -> HttpResponse:
    retry_after = settings.UNAVAILABLE_RETRY_AFTER
    if request.path.startswith("/api/") or request.path == "/healthz":
        response: HttpResponse = JsonResponse({"detail": API_MESSAGE}, status=503)
    else:
        response = HttpResponse(
            render_to_string("503.html", {"retry_after": retry_after}),
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database connection error raised by a view into a 503 (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.error(
            "database unavailable: %s %s: %s", request.method, request.path, str(exception).strip()[:200]
        )
        return unavailable_response(request)
