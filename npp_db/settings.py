"""Settings for npp_db. Every value comes from the environment (see README, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from npp_db.env import (
    LOCMEM_BACKEND,
    cache_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    local_pages_cache,
    read_env_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# A development checkout keeps DEBUG=1 and its own SECRET_KEY in .env (written by `make run`), so that the
# README's manage.py commands work as written. Real environment variables win; production has no .env.
read_env_file(Path(os.environ.get("ENV_FILE") or BASE_DIR / ".env"))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "proposals",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "npp_db.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "npp_db.security.SiteThrottleMiddleware",
    "npp_db.unavailable.DatabaseUnavailableMiddleware",
    "npp_db.routers.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records the signed-in user as the author of every history entry written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: refuses a login that a lockout forbids.
    "axes.middleware.AxesMiddleware",
]

# dumpdata keeps times to the microsecond (backup and restore round trips exactly: proposals.serialization).
SERIALIZATION_MODULES = {"json": "proposals.serialization"}

# Benchmarks only (scripts/bench.sh): each response says how many database queries it ran.
BENCH = env_bool("BENCH", False)
if BENCH:
    MIDDLEWARE.insert(0, "npp_db.bench.QueryCountMiddleware")

ROOT_URLCONF = "npp_db.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "npp_db.wsgi.application"

# SQLite by default, so that one can just check out the code and it works;
# PostgreSQL (production, and the second test backend) by setting DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Connections are kept for DB_CONN_MAX_AGE seconds (0: one per request) and checked before reuse,
        # so that a connection broken by a database restart is replaced instead of failing a request.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# Read replicas (npp_db/routers.py): anonymous public reads go to one of these, everything else to the
# primary; a client that wrote reads the primary for REPLICA_PIN_SECONDS. (In tests they mirror default.)
DATABASE_REPLICAS: list[str] = []
for _n, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica{_n}"] = {
        **dj_database_url.parse(_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_REPLICAS.append(f"replica{_n}")
DATABASE_ROUTERS = ["npp_db.routers.PrimaryReplicaRouter"]
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 30, minimum=1)

# Seconds a client is asked to wait (Retry-After of the 503) while the database cannot be reached.
UNAVAILABLE_RETRY_AFTER = env_int("UNAVAILABLE_RETRY_AFTER", 10, minimum=1)
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation adds 15-25 ms to a ranked search and never pays off on these short queries.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A per-process cache by default; behind several gunicorn workers set CACHE_URL=redis://host:6379/0 so
# that API throttling and the bulk-file freshness check are shared.
CACHES = {"default": cache_from_url(env_str("CACHE_URL", ""))}
# In front of a shared cache, each worker keeps its own copy of the last PAGE_CACHE_LOCAL_ENTRIES pages and
# API lists it served (about 100 KB each; 0 turns it off): a hit costs no round trip to Redis. They are
# stored under the data version like the shared ones (proposals.caching), so they are as fresh.
PAGE_CACHE_LOCAL_ENTRIES = env_int("PAGE_CACHE_LOCAL_ENTRIES", 100)
if PAGE_CACHE_LOCAL_ENTRIES and CACHES["default"]["BACKEND"] != LOCMEM_BACKEND:
    CACHES["local"] = local_pages_cache(PAGE_CACHE_LOCAL_ENTRIES)

# --- Admin login: django-axes (README, "Running in production") ------------------------------------------
# After ADMIN_LOGIN_FAILURE_LIMIT wrong passwords, the account is locked for every address, and the address
# for every account, for ADMIN_LOGIN_COOLOFF_MINUTES (each failure during the lockout restarts it). The
# attempts are kept in the database (every app server sees the same): `manage.py axes_list_attempts` lists
# them; unlock at once with `manage.py axes_reset_username <name>` or `manage.py axes_reset_ip <address>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, and per address
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False  # the curators' admin shows curated data only; operators use the commands above
# Client addresses as the API's throttle reads them: REMOTE_ADDR, or behind API_NUM_PROXIES proxies the
# address they appended to X-Forwarded-For (never one a client could forge).
_proxies = env_int("API_NUM_PROXIES", 0)
AXES_IPWARE_PROXY_COUNT = _proxies or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if _proxies else ("REMOTE_ADDR",)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Where the bulk downloads are written (see the export_bulk command).
BULK_EXPORT_DIR = Path(env_str("BULK_EXPORT_DIR", str(BASE_DIR / "var" / "bulk")))

# The jieba user dictionary of domain words (kept in the repo).
JIEBA_USER_DICT = BASE_DIR / "proposals" / "search_dict.txt"

SEARCH_QUERY_MAX_LENGTH = 200
# Ordering by relevance ranks the newest N matches of a query (ranking a million matches takes seconds).
SEARCH_RANK_CANDIDATES = env_int("SEARCH_RANK_CANDIDATES", 200, minimum=1)
# Reads of one request that do not depend on each other (a searched list's facet selections) run side by side
# on this many connections of their own (proposals.side_reads; below 2: one after the other).
SIDE_READS = env_int("SIDE_READS", 3, minimum=0)
# The public pages count exactly up to this many records; above it they show the planner's estimate
# ("约 41万 条") and page through the first this-many only.
COUNT_EXACT_LIMIT = env_int("COUNT_EXACT_LIMIT", 1000, minimum=1)
# How long counts (facets, statistics, the API's proposal counts) stay cached at most; 0 turns it off.
# Curators' edits invalidate them at once (see proposals.caching).
COUNTS_CACHE_SECONDS = env_int("COUNTS_CACHE_SECONDS", 300)
# Readers' unsearched pages and API lists (whole responses), invalidated the same way; 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# How long a worker reuses the data version it read (two index lookups) before reading it again: an edit made
# through another worker shows on cached pages after at most this long (its own worker's, at once); 0 reads
# it on every request.
DATA_VERSION_SECONDS = env_int("DATA_VERSION_SECONDS", 1)

# --- HTTPS and headers (README, "Running in production") -------------------------------------------------
# With DEBUG off everything assumes HTTPS; SECURE_COOKIES=0 turns the HTTPS-only measures off together for a
# plain-HTTP run on 127.0.0.1 (benchmarks, load tests). Behind a proxy that terminates TLS, set
# SECURE_PROXY_SSL_HEADER=1 (and make the proxy set X-Forwarded-Proto, and strip it from clients).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_HTTPS = not DEBUG and env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# "preload" in the header allows submitting the domain to browsers' HTTPS-only list (a separate, manual step).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _HTTPS)
# Health checks come from the load balancer over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"jieba": {"level": "WARNING"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}


# --- API (Django REST framework, drf-spectacular) -----------------------------------------------------
# Read-only, anonymous, throttled. API_THROTTLE_ANON is "<requests>/<second|minute|hour|day>".
def _throttle_rate(name: str, default: str) -> str:
    import re

    raw = env_str(name, default).strip()
    if not re.fullmatch(r"[1-9][0-9]{0,8}/(second|minute|hour|day)", raw):
        raise ImproperlyConfigured(
            f"{name} must look like 1000/minute (per second, minute, hour or day), not {raw!r}"
        )
    return raw


REST_FRAMEWORK: dict = {
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "proposals.api.renderers.CSVRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "proposals.api.negotiation.ContentNegotiation",
    # No accounts in the API: everyone is an anonymous reader, every write method answers 405.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "proposals.api.pagination.KeysetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["proposals.api.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": _throttle_rate("API_THROTTLE_ANON", "1000/minute")},
    # Clients are told apart by REMOTE_ADDR; behind N reverse proxies set API_NUM_PROXIES=N so that the
    # N-th address from the right of X-Forwarded-For is used (never the whole header: a client could forge it).
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every error body in Chinese with a stable `code` (proposals/api/errors.py).
    "EXCEPTION_HANDLER": "proposals.api.errors.exception_handler",
}
# Public HTML pages per client address (the API has its own throttle): "<n>/<second|minute|hour|day>", or
# "off"; a search counts SITE_SEARCH_COST times. Shared between workers through the cache (CACHE_URL).
# Off by default with DEBUG (tests, development); 300/minute otherwise.
_site_rate = env_str("SITE_THROTTLE", "off" if DEBUG else "300/minute").strip()
SITE_THROTTLE = "" if _site_rate in ("", "off") else _throttle_rate("SITE_THROTTLE", _site_rate)
SITE_SEARCH_COST = env_int("SITE_SEARCH_COST", 5, minimum=1)

# Bulk files (/api/v1/bulk/): regenerated by the first request after the data changed, which takes about
# 30 s per 100,000 proposals. On a large database set this to 0 and run `manage.py export_bulk --if-stale`
# from cron: requests then serve the files it wrote.
API_BULK_GENERATE_ON_REQUEST = env_bool("API_BULK_GENERATE_ON_REQUEST", True)
# The site's public address (https://npp.example.org): the bulk files' URLs start with it, as the API's do.
# Unset, files generated on request use the request's address, and `export_bulk` writes relative URLs.
SITE_URL = env_str("SITE_URL", "")

SPECTACULAR_SETTINGS: dict = {
    "TITLE": "npp_db API",
    "DESCRIPTION": (
        "Read-only open data: what China's NPC deputies and CPPCC members propose, as quoted in news "
        "articles. Lists use keyset pagination (follow `next`); `updated_after` + `ordering=updated_at` "
        "synchronise a copy, with tombstones for records that were unpublished. Bulk files: /api/v1/bulk/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The validator badge would load an image from validator.swagger.io: no page of the docs leaves this host.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True, "displayOperationId": False},
    "ENUM_NAME_OVERRIDES": {
        "PublishedStatusEnum": "proposals.api.serializers.PUBLISHED_STATUSES",
        "TombstoneStatusEnum": "proposals.api.serializers.TOMBSTONE_STATUSES",
    },
}
