"""Shared test base: the loaded corpus, named users, and settings for fast tests."""

import os
from unittest import mock

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Modules whose every test is about the curated corpus: its faithfulness to the articles, the YAML -> fixture
# build, the ingestion pipeline regenerating it, the extractor scored against it. Other corpus tests (a few
# end-to-end smoke tests of pages and API as readers see the corpus) carry @pytest.mark.corpus themselves.
# `python tests/corpus_mutation.py` checks that a change to fixtures/curation.yaml fails only these.
CORPUS_MODULES = {
    "test_build_fixture_command.py",
    "test_curation.py",
    "test_fixtures.py",
    "test_ingest_quality.py",
    "test_regenerate.py",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in CORPUS_MODULES:
            item.add_marker(pytest.mark.corpus)


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    from django.core.cache import cache

    cache.clear()
    # Cached counts would make a page's second request cheaper than its first: tests that pin query
    # counts compare like with like. tests/test_scale_counts.py turns the cache on.
    settings.COUNTS_CACHE_SECONDS = 0
    settings.PAGE_CACHE_SECONDS = 0  # tests/test_page_cache.py turns it on
    settings.DATA_VERSION_SECONDS = 0  # read on every request, as a rolled-back test leaves it
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True, scope="session")
def _static_files_scanned_once():
    """WhiteNoise lists and stats every static file (Swagger UI's included) whenever a middleware chain is
    built, and the test client builds one per test: a fifth of the suite's time. The files do not change
    during a run, so the first scan serves every later chain (the same code path, done once)."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    scan = WhiteNoiseMiddleware.add_files_from_finders
    scanned: dict = {}

    def add_files_once(self):
        if not scanned:
            scan(self)
            scanned.update(self.files)
        else:
            self.files.update(scanned)

    with mock.patch.object(WhiteNoiseMiddleware, "add_files_from_finders", add_files_once):
        yield


@pytest.fixture(scope="session")
def _db_image(django_db_modify_db_settings_parallel_suffix):
    """The saved test database of tests/db_image.py (in-memory SQLite test databases only, else None)."""
    from tests import db_image

    image = db_image.for_this_database()
    yield image
    if image is not None:
        image.release()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(_db_image):
    """Runs just before pytest-django creates the test database: from here to the end of django_db_setup,
    migrate copies the saved image instead when there is one."""
    if _db_image is not None and _db_image.restoring:
        _db_image.start_restoring()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, _db_image):
    """The test database, migrated and with the curated corpus loaded once per test session (tests run in
    transactions rolled back after each); on SQLite, a copy of the saved image when there is one."""
    if _db_image is not None and _db_image.restoring:
        _db_image.stop_restoring()
        return
    with django_db_blocker.unblock():
        call_command("load_corpus", verbosity=0)
        if _db_image is not None:
            from django.db import connection

            _db_image.save(connection)


@pytest.fixture
def transactional_corpus(transactional_db, _db_image):
    """The curated corpus in a transactional test's database (live server and browser tests: the database
    is flushed after each such test, so each loads the corpus again). On SQLite the saved image of
    tests/db_image.py (the database as migrate then load_corpus leave it) is copied in, in milliseconds
    rather than the seconds load_corpus takes; elsewhere load_corpus runs."""
    if _db_image is None:
        call_command("load_corpus", verbosity=0)
        return
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    _db_image.restore_into(connection)
    ContentType.objects.clear_cache()  # the flush made new content type rows; the image has the first ones


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test process, shared by every browser test (each opens its own pages, each
    page in a fresh context: no cookies carry over). Starting Chromium cost a second or two of CPU per test."""
    from tests.test_browser import ARGS, ARTIFACTS, CHROMIUM

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is required for the browser tests and was not found at {CHROMIUM} (apt install chromium)"
        )
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def blank_db(db):
    """A database without the curated corpus: its rows are deleted inside this test's transaction (rolled
    back afterwards), so the test sees only the small named records it makes (tests/factories.py) and no
    change to fixtures/curation.yaml can break it."""
    from django.apps import apps
    from django.core.cache import cache
    from django.db import connection

    models = apps.get_app_config("proposals").get_models(include_auto_created=True)
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    cache.clear()  # nothing computed from the corpus (bulk-file fingerprints, throttles) carries over


@pytest.fixture
def corpus(db):
    """The published seed corpus, loaded from fixtures/corpus.json."""
    from proposals.models import Proposal

    assert Proposal.objects.exists(), "the corpus fixture did not load"
    return Proposal.objects


@pytest.fixture
def curator(db, django_user_model):
    """A staff user who reviews and publishes (superuser: sees every admin page)."""
    return django_user_model.objects.create_superuser("curator", "curator@example.org", "pw-curator")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def redis_cache(settings):
    """The default cache on the real Redis server of REDIS_URL (scripts/test-both-backends.sh starts one; the
    test is skipped without it), in a database of its own per xdist worker, emptied before and after.
    Yields a redis-py client of that database and its URL."""
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("no Redis server (scripts/test-both-backends.sh starts one)")
    import redis

    from npp_db.env import cache_from_url

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    url = redis_url.rsplit("/", 1)[0] + f"/{1 + int(worker) % 15}"
    settings.CACHES = {"default": cache_from_url(url)}
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield client, url
    client.flushdb()
