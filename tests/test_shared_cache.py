"""The shared cache against a real Redis server (started by scripts/test-both-backends.sh, REDIS_URL):
the public pages' and the API's throttles count in Redis, so that every worker and every app server sees
the same counts (no state in processes)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

pytestmark = pytest.mark.django_db  # the redis_cache fixture (conftest.py) skips without a Redis server


def test_the_cache_is_redis(redis_cache):
    client, _ = redis_cache
    cache.set("probe", "值", 30)
    assert cache.get("probe") == "值"
    assert any(b"probe" in key for key in client.keys("*"))


def test_site_throttle_counts_in_redis_for_every_process(client, corpus, redis_cache, settings):
    redis_client, url = redis_cache
    settings.SITE_THROTTLE = "3/minute"
    assert [client.get("/themes/", REMOTE_ADDR="10.1.0.1").status_code for _ in range(2)] == [200, 200]
    # One counter per minute window (two if the minute turned between the requests).
    keys = [k.decode() for k in redis_client.keys("*throttle_site_10.1.0.1*")]
    assert 1 <= len(keys) <= 2
    # Another process (another worker, another app server) reads the same counters: two requests made.
    names = [key.split(":", 2)[2] for key in keys]  # without Django's "<prefix>:<version>:"
    code = (
        "import django; django.setup()\n"
        "from django.core.cache import cache\n"
        f"print(sum(cache.get(name) or 0 for name in {names!r}))\n"
    )
    env = {
        **os.environ,
        "CACHE_URL": url,
        "DEBUG": "1",
        "ENV_FILE": "/nonexistent",
        "DJANGO_SETTINGS_MODULE": "npp_db.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "2"
    assert client.get("/themes/", REMOTE_ADDR="10.1.0.1").status_code == 200
    assert client.get("/themes/", REMOTE_ADDR="10.1.0.1").status_code == 429


def test_api_throttle_counts_in_redis(client, corpus, redis_cache, settings):
    redis_client, _ = redis_cache
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}
    statuses = [client.get("/api/v1/themes/", REMOTE_ADDR="10.1.0.2").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert redis_client.keys("*throttle_anon_10.1.0.2*")


def test_one_redis_client_serves_every_operation_of_a_thread(redis_cache, monkeypatch):
    """Django built a redis.Redis (and its ~200 response callbacks) per operation (npp_db.redis_cache)."""
    import redis

    made = []
    original = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    for i in range(20):
        cache.set(f"reuse-{i}", i, 30)
        assert cache.get(f"reuse-{i}") == i
    assert cache.add("reuse-0", "other", 30) is False
    assert cache.incr("reuse-1") == 2
    assert len(made) <= 1
