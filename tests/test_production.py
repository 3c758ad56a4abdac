"""Production behaviour (issue 14): headers, check --deploy, the public pages' rate limit, health checks and
503s while the database cannot be reached."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

BASE_DIR = Path(django_settings.BASE_DIR)

# The production environment the README documents ("Running in production"), with placeholder values.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 30 + "production-placeholder-secret-key-0123456789",
    "ALLOWED_HOSTS": "npp.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://npp.example.org",
    "SECURE_PROXY_SSL_HEADER": "1",
    "DATABASE_URL": "postgres://npp@127.0.0.1:5432/npp",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
    "DB_CONN_MAX_AGE": "60",
}


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_", "DEBUG", "CACHE_"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean, "ENV_FILE": "/nonexistent", "DJANGO_SETTINGS_MODULE": "npp_db.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_documented_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_", "DEBUG"))},
            "ENV_FILE": "/nonexistent",
            **PRODUCTION_ENV,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_security_headers_in_production(db):
    code = """
import django; django.setup()
from django.test import Client
import json
c = Client()
out = {}
r = c.get('/themes/', HTTP_HOST='npp.example.org')
out['redirect'] = [r.status_code, r.get('Location')]
r = c.get('/livez', HTTP_HOST='npp.example.org', secure=True)
out['headers'] = dict(r.headers)
r = c.get('/healthz', HTTP_HOST='npp.example.org')
out['healthz_plain_http'] = r.status_code
print(json.dumps(out))
"""
    env = {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:////nonexistent/never-opened.sqlite3", "CACHE_URL": ""}
    result = _run(code, env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["redirect"] == [301, "https://npp.example.org/themes/"]
    headers = out["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert out["healthz_plain_http"] == 503  # not redirected; the database file cannot be opened


def test_content_security_policy_forbids_inline_script_everywhere(client, corpus):
    for path in ("/", "/themes/", "/api/v1/proposals/", "/api/docs/", "/admin/login/"):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'", path
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "style-src 'self';" in client.get("/")["Content-Security-Policy"]


def test_public_pages_have_no_inline_script_or_style(client, corpus):
    import re

    from proposals.models import Proposal

    pk = Proposal.objects.published().first().pk
    for path in ("/", "/?q=教育", f"/proposals/{pk}/", "/themes/", "/delegates/", "/stats/", "/articles/"):
        body = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), path
        assert "<style" not in body and " style=" not in body and " on" + "click=" not in body, path
    docs = client.get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", docs)


@pytest.fixture
def site_throttle(settings):
    settings.SITE_THROTTLE = "6/minute"
    settings.SITE_SEARCH_COST = 3
    cache.clear()
    yield
    cache.clear()


def test_public_pages_are_rate_limited_per_address(client, corpus, site_throttle):
    statuses = [client.get("/themes/", REMOTE_ADDR="10.0.0.1").status_code for _ in range(8)]
    assert statuses == [200] * 6 + [429, 429]
    limited = client.get("/themes/", REMOTE_ADDR="10.0.0.1")
    assert int(limited["Retry-After"]) >= 1
    # Another address has its own allowance; a search costs three pages.
    assert [client.get("/", {"q": "教育"}, REMOTE_ADDR="10.0.0.2").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    # The API and the health check are not counted here.
    assert client.get("/api/v1/themes/", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get("/livez", REMOTE_ADDR="10.0.0.1").status_code == 200


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok"}
    assert client.get("/livez").json() == {"ok": True}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is: nothing listens there


def test_database_unreachable_gives_503_json_api_chinese_page_and_healthz():
    """A real connection attempt to a PostgreSQL address where nothing listens (the database is down)."""
    port = _closed_port()
    code = """
import django; django.setup()
from django.test import Client
import json
c = Client(raise_request_exception=False)
out = {}
for path in ('/api/v1/proposals/', '/api/v1/proposals/1/', '/', '/proposals/1/', '/?q=教育', '/healthz'):
    r = c.get(path, HTTP_HOST='localhost')
    out[path] = [r.status_code, r.get('Content-Type'), r.get('Retry-After'), r.content.decode()]
print(json.dumps(out))
"""
    env = {"DEBUG": "1", "DATABASE_URL": f"postgres://nobody@127.0.0.1:{port}/none", "CACHE_URL": ""}
    result = _run(code, env)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    for path in ("/api/v1/proposals/", "/api/v1/proposals/1/", "/healthz"):
        status, content_type, retry_after, body = out[path]
        assert (status, content_type) == (503, "application/json"), (path, status, body[:300])
        assert int(retry_after) > 0
        assert json.loads(body) in (
            {"detail": "数据库暂时无法访问，请稍后重试。"},
            {"ok": False, "database": "unavailable"},
        )
    for path in ("/", "/proposals/1/", "/?q=教育"):
        status, content_type, retry_after, body = out[path]
        assert status == 503 and content_type.startswith("text/html"), (path, status, body[:300])
        assert "暂时无法访问" in body and int(retry_after) > 0
