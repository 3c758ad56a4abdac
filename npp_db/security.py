"""Response headers and the public pages' rate limit.

Content-Security-Policy: the site needs no inline script and no script from another host, and the policy
says so (``script-src 'self'``; the public pages have no script at all). Styles come from the site's own
files; the admin's and the API docs' pages get ``'unsafe-inline'`` for styles only (Django's admin widgets
and Swagger UI set style attributes), never for scripts.

The rate limit: public HTML pages (not the API, which DRF throttles, nor the admin or static files) count
per client address in the shared cache; a search (``q``) counts as SITE_SEARCH_COST requests, the most
expensive page. SITE_THROTTLE ("<n>/<second|minute|hour|day>", empty: off) is raised for load tests.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from npp_db.throttling import WindowCounterThrottle

_BASE = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
_RELAXED_STYLES = {**_BASE, "style-src": "'self' 'unsafe-inline'"}


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


PUBLIC_POLICY = _policy(_BASE)
TOOL_POLICY = _policy(_RELAXED_STYLES)  # /admin/ and /api/docs/


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            tool = request.path.startswith(("/admin/", "/api/docs/", "/api/v1/"))
            response["Content-Security-Policy"] = TOOL_POLICY if tool else PUBLIC_POLICY
        return response


class _SiteThrottle(WindowCounterThrottle):
    scope = "site"
    cache_format = "throttle_%(scope)s_%(ident)s"

    def get_rate(self) -> str | None:
        return settings.SITE_THROTTLE or None

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _is_public_page(request) -> bool:
    path = request.path
    return request.method in ("GET", "HEAD") and not path.startswith(
        ("/api/", "/admin/", f"/{settings.STATIC_URL.strip('/')}/", "/healthz", "/livez")
    )


class SiteThrottleMiddleware:
    """429 with Retry-After for a client that asks for more public pages than SITE_THROTTLE allows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_THROTTLE and _is_public_page(request):
            throttle = _SiteThrottle()
            throttle.cost = settings.SITE_SEARCH_COST if request.GET.get("q") else 1
            if not throttle.allow_request(request, None):
                wait = throttle.wait()
                response = HttpResponse(
                    "请求过于频繁，请稍后再试。\n", status=429, content_type="text/plain; charset=utf-8"
                )
                response["Retry-After"] = str(max(1, int(wait or 1)))
                return response
        return self.get_response(request)
