"""Health checks for load balancers and monitoring.

``/healthz``: can this process answer readers? It runs ``SELECT 1`` on the default database: 200
``{"ok": true, "database": "ok"}``, or 503 ``{"ok": false, "database": "unavailable"}`` with Retry-After
while the database cannot be reached (take the server out of rotation, keep it running: it recovers by
itself). ``/livez``: the process answers at all, without touching the database (a restart check; also the
ceiling of the benchmarks' throughput ratio).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from npp_db.unavailable import DATABASE_ERRORS


@require_GET
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_ERRORS:
        response = JsonResponse({"ok": False, "database": "unavailable"}, status=503)
        response["Retry-After"] = str(settings.UNAVAILABLE_RETRY_AFTER)
        return response
    return JsonResponse({"ok": True, "database": "ok"})


@require_GET
@never_cache
def livez(request):
    return JsonResponse({"ok": True})
