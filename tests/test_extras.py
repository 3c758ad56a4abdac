"""redis is a production extra: the base install runs without it, and a Redis cache without it says why."""

import importlib.util
import tomllib
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from npp_db.env import cache_from_url

ROOT = Path(__file__).resolve().parent.parent


def test_redis_is_an_extra_of_production_and_tests_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.startswith("redis") for d in project["dependencies"])
    assert any(d.startswith("redis") for d in project["optional-dependencies"]["prod"])
    assert "npp-db[prod]" in project["optional-dependencies"]["test"]
    assert "redis==" not in (ROOT / "requirements/base.lock").read_text(encoding="utf-8")
    for lock in ("prod.lock", "test.lock"):
        assert "\nredis==" in (ROOT / "requirements" / lock).read_text(encoding="utf-8")


def test_a_redis_cache_without_the_extra_names_it(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "redis" else real_find_spec(name, *a)
    )
    with pytest.raises(ImproperlyConfigured, match="prod extra"):
        cache_from_url("redis://127.0.0.1:6379/0")
    assert "LocMemCache" in cache_from_url("")["BACKEND"]
