"""Settings come from the environment and are parsed strictly."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from npp_db.env import env_bool, env_int, env_list


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [
        ("1", True),
        ("yes", True),
        ("ON", True),
        ("0", False),
        ("off", False),
        ("", False),
    ]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env_bool("X_FLAG", not expected) is expected
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True


def test_env_bool_refuses_a_guess(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("X_INT", "12")
    assert env_int("X_INT", 0) == 12
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env_int("X_INT", 0)
    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least"):
        env_int("X_INT", 0)
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]


def _settings_import(env: dict) -> subprocess.CompletedProcess:
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='npp_db.settings'; django.setup()"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_import({"PATH": "/usr/bin:/bin", "DEBUG": "0", "ENV_FILE": "/nonexistent/.env"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_only_sqlite_and_postgresql_are_accepted():
    result = _settings_import({"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": "mysql://u@h/db"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_locale_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_cache_from_url():
    from npp_db.env import cache_from_url

    assert cache_from_url("")["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url("redis://127.0.0.1:6379/1")
    assert redis["BACKEND"] == "npp_db.redis_cache.ReusingRedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_from_url("memcache://x")
