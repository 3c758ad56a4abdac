"""Settings for npp_db. Every value comes from the environment (see README, "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from npp_db.env import cache_from_url, env_bool, env_int, env_list, env_str, read_env_file

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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
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
SEARCH_RANK_CANDIDATES = env_int("SEARCH_RANK_CANDIDATES", 1000, minimum=1)
# The public pages count exactly up to this many records; above it they show the planner's estimate
# ("约 41万 条") and page through the first this-many only.
COUNT_EXACT_LIMIT = env_int("COUNT_EXACT_LIMIT", 1000, minimum=1)
# How long counts (facets, statistics, the API's proposal counts) stay cached at most; 0 turns it off.
# Curators' edits invalidate them at once (see proposals.caching).
COUNTS_CACHE_SECONDS = env_int("COUNTS_CACHE_SECONDS", 300)

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

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
}
# Bulk files (/api/v1/bulk/): regenerated by the first request after the data changed, which takes about
# 30 s per 100,000 proposals. On a large database set this to 0 and run `manage.py export_bulk --if-stale`
# from cron: requests then serve the files it wrote.
API_BULK_GENERATE_ON_REQUEST = env_bool("API_BULK_GENERATE_ON_REQUEST", True)

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
