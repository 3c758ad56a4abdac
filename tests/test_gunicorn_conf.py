"""The gunicorn settings: the master hook (the search dictionaries loaded and every object frozen before
fork) and the workers' replacement."""

import gc
import importlib.util
from pathlib import Path

import pytest

from proposals import search


def load_conf():
    path = Path(__file__).resolve().parent.parent / "npp_db" / "gunicorn_conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def conf():
    return load_conf()


def test_the_master_loads_the_dictionaries_and_freezes_what_it_made(conf):
    assert conf.preload_app is True
    gc.unfreeze()
    try:
        conf.when_ready(server=None)
        assert search._tokenizer.cache_info().currsize == 1  # jieba's dictionary is loaded
        assert gc.get_freeze_count() > 10_000  # the app and the dictionaries are out of the collector's reach
    finally:
        gc.unfreeze()


def test_workers_are_replaced_rarely_and_not_all_at_once(monkeypatch):
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    conf = load_conf()
    assert (conf.max_requests, conf.max_requests_jitter) == (100_000, 10_000)
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "2000")
    conf = load_conf()
    assert (conf.max_requests, conf.max_requests_jitter) == (2000, 200)
