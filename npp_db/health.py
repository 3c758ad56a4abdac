"""``/healthz``: a JSON answer without a database query (load balancers; the stack's ceiling in benchmarks)."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    return JsonResponse({"ok": True})
