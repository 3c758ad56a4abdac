"""The gunicorn settings' master hook: the search dictionaries loaded and every object frozen before fork."""

import gc
import importlib.util
from pathlib import Path

import pytest

from proposals import search


@pytest.fixture
def conf():
    path = Path(__file__).resolve().parent.parent / "npp_db" / "gunicorn_conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_master_loads_the_dictionaries_and_freezes_what_it_made(conf):
    assert conf.preload_app is True
    gc.unfreeze()
    try:
        conf.when_ready(server=None)
        assert search._tokenizer.cache_info().currsize == 1  # jieba's dictionary is loaded
        assert gc.get_freeze_count() > 10_000  # the app and the dictionaries are out of the collector's reach
    finally:
        gc.unfreeze()
