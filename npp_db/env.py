"""Strict parsing of settings from the environment.

An unexpected value raises ImproperlyConfigured instead of being guessed.
"""

import importlib.util
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def read_env_file(path: Path) -> None:
    """Load ``KEY=VALUE`` lines of a local ``.env`` file (written by ``make run`` on a development checkout)
    into the environment. A variable already set in the real environment wins; blank lines and ``#``
    comments are skipped; a value may be quoted. No file, nothing read: production sets real variables."""
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.isidentifier():
            raise ImproperlyConfigured(f"{path}, line {number}: expected KEY=VALUE, not {line[:40]!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(key, value)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})}, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


LOCMEM_BACKEND = "django.core.cache.backends.locmem.LocMemCache"


def cache_from_url(url: str) -> dict:
    """A CACHES entry from a URL: empty or locmem:// (per process), redis://…, rediss://…"""
    if not url or url.startswith("locmem://"):
        return {"BACKEND": LOCMEM_BACKEND, "LOCATION": "npp-db"}
    if url.startswith(("redis://", "rediss://")):
        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured("CACHE_URL=redis://… needs the prod extra (make install-prod)")
        return {
            "BACKEND": "npp_db.redis_cache.ReusingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "npp-db",
        }
    raise ImproperlyConfigured(f"CACHE_URL must start with locmem://, redis:// or rediss://, not {url!r}")


def local_pages_cache(entries: int) -> dict:
    """The CACHES entry of a worker's own copies of pages in front of a shared cache (proposals.caching)."""
    return {
        "BACKEND": LOCMEM_BACKEND,
        "LOCATION": "npp-db-pages",
        "OPTIONS": {"MAX_ENTRIES": entries},
    }
