"""Readers' unsearched pages and API lists are cached whole (proposals.caching), and a curator's edit, by
any path, shows at once: the cache key holds the data version that every write changes."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from npp_db.env import local_pages_cache
from proposals.models import Proposal
from tests.admin_forms import change_form_data
from tests.factories import DelegateFactory, ProposalFactory, ThemeFactory

pytestmark = pytest.mark.usefixtures("blank_db")


@pytest.fixture
def local_copies(request, settings):
    """A real Redis as the shared cache, with each worker's own copies of pages in front of it, as in
    production (skipped without a Redis server). Yields a client of the Redis database."""
    redis_client, _ = request.getfixturevalue("redis_cache")
    settings.CACHES = {**settings.CACHES, "local": local_pages_cache(100)}
    caches["local"].clear()
    yield redis_client
    caches["local"].clear()


@pytest.fixture(params=["per-process", "redis with local copies"])
def cache_on(request, settings):
    """The caches on: the per-process cache, then Redis with the workers' own copies (``local_copies``)."""
    settings.PAGE_CACHE_SECONDS = 300
    settings.COUNTS_CACHE_SECONDS = 300
    if request.param != "per-process":
        request.getfixturevalue("local_copies")


def queries(client, url: str, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("url", ["/", "/api/v1/proposals/"])
def test_a_second_request_is_served_from_the_cache_and_an_admin_edit_shows_at_once(
    client, admin_client, cache_on, url
):
    theme = ThemeFactory()
    proposal = ProposalFactory(title="最初的标题", authors=[DelegateFactory()], themes=[theme])
    first, body = queries(client, url)
    again, same = queries(client, url)
    assert again < first and same == body
    change = f"/admin/proposals/proposal/{proposal.pk}/change/"
    data = change_form_data(admin_client, change)
    data["title"] = "改过的标题"
    assert admin_client.post(change, data).status_code == 302
    _, after = queries(client, url)
    assert "改过的标题" in after and "最初的标题" not in after


@pytest.mark.parametrize("url", ["/", "/api/v1/proposals/?theme={theme}"])
def test_a_worker_serves_its_own_copy_without_asking_redis(
    client, admin_client, local_copies, url, monkeypatch, settings
):
    """With a shared cache, a page this worker served is served again from its own copy: nothing is read from
    Redis (the API's throttle still counts there, one script), and an admin edit still shows at once."""
    import redis

    settings.PAGE_CACHE_SECONDS = 300
    settings.DATA_VERSION_SECONDS = (
        60  # the version read once, as a worker reuses it (every write forgets it)
    )

    theme = ThemeFactory()
    proposal = ProposalFactory(title="最初的标题", authors=[DelegateFactory()], themes=[theme])
    url = url.format(theme=theme.slug)
    first = queries(client, url)[1]
    assert queries(client, url)[1] == first  # read from Redis, and copied
    sent = []
    original = redis.connection.Connection.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append(command if isinstance(command, bytes) else b"".join(command))
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    assert queries(client, url)[1] == first
    monkeypatch.undo()
    assert all(b"EVALSHA" in command for command in sent) and len(sent) <= 1
    change = f"/admin/proposals/proposal/{proposal.pk}/change/"
    data = change_form_data(admin_client, change)
    data["title"] = "改过的标题"
    assert admin_client.post(change, data).status_code == 302
    after = queries(client, url)[1]
    assert "改过的标题" in after and "最初的标题" not in after


def test_a_deleted_proposal_leaves_the_cached_list_at_once(client, admin_client, cache_on):
    keep = ProposalFactory(title="留下的建言", authors=[DelegateFactory()])
    gone = ProposalFactory(title="删除的建言", authors=[DelegateFactory()])
    assert "删除的建言" in queries(client, "/")[1]
    url = f"/admin/proposals/proposal/{gone.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Proposal.objects.filter(pk=gone.pk).exists()
    body = queries(client, "/")[1]
    assert "删除的建言" not in body and keep.title in body


def test_searched_pages_and_signed_in_readers_are_never_served_from_the_cache(
    client, admin_client, cache_on, settings
):
    settings.COUNTS_CACHE_SECONDS = 0  # the facets' own cache would make a second page cheaper too
    ProposalFactory(title="关于氢能的建议", authors=[DelegateFactory()])
    client.get("/", {"q": "氢"})  # a first search reads the spread of dates once (proposals.recency)
    first, _ = queries(client, "/", q="氢能")
    again, _ = queries(client, "/", q="氢能")
    assert again == first
    signed_in = [queries(admin_client, "/")[0] for _ in range(2)]
    assert signed_in[0] == signed_in[1]


def test_bad_filters_are_answered_not_cached(client, cache_on):
    ProposalFactory(authors=[DelegateFactory()])
    for _ in range(2):
        assert client.get("/api/v1/proposals/", {"theme": "no-such-theme"}).status_code == 400
    page = client.get("/", {"year": "abc"})
    assert page.status_code == 400


def test_each_host_and_format_has_its_own_cached_response(client, cache_on, settings):
    """The API's links and pages' absolute URLs name the host they were asked on: a response cached for one
    host is never served to another, nor the JSON of a list to a reader who asked for CSV."""
    settings.ALLOWED_HOSTS = ["a.example.org", "b.example.org"]
    for _ in range(3):
        ProposalFactory(authors=[DelegateFactory()])
    first = client.get("/api/v1/proposals/", {"page_size": 1}, HTTP_HOST="a.example.org")
    again = client.get("/api/v1/proposals/", {"page_size": 1}, HTTP_HOST="a.example.org")
    other = client.get("/api/v1/proposals/", {"page_size": 1}, HTTP_HOST="b.example.org")
    assert first["Link"] == again["Link"] and "a.example.org" in first["Link"]
    assert "b.example.org" in other["Link"] and "a.example.org" not in other["Link"]
    csv = client.get("/api/v1/proposals/", {"page_size": 1, "format": "csv"}, HTTP_HOST="a.example.org")
    assert csv["Content-Type"].startswith("text/csv") and first["Content-Type"] == "application/json"
    assert csv.content != first.content


def test_a_proposal_page_is_cached_and_shows_an_admin_edit_at_once(client, admin_client, cache_on):
    proposal = ProposalFactory(title="详情页的标题", authors=[DelegateFactory()])
    url = proposal.get_absolute_url()
    first, body = queries(client, url)
    again, same = queries(client, url)
    assert again < first and same == body and "详情页的标题" in body
    change = f"/admin/proposals/proposal/{proposal.pk}/change/"
    data = change_form_data(admin_client, change)
    data["title"] = "详情页改过的标题"
    assert admin_client.post(change, data).status_code == 302
    assert "详情页改过的标题" in queries(client, url)[1]


@pytest.mark.parametrize("url", ["/", "/api/v1/proposals/"])
def test_a_cached_response_keeps_the_etag_of_its_content_and_answers_304(client, admin_client, cache_on, url):
    import hashlib

    proposal = ProposalFactory(title="最初的标题", authors=[DelegateFactory()])
    first = client.get(url)
    hit = client.get(url)
    expected = f'"{hashlib.md5(hit.content, usedforsecurity=False).hexdigest()}"'
    assert first["ETag"] == hit["ETag"] == expected
    assert client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"]).status_code == 304
    change = f"/admin/proposals/proposal/{proposal.pk}/change/"
    data = change_form_data(admin_client, change)
    data["title"] = "改过的标题"
    assert admin_client.post(change, data).status_code == 302
    changed = client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"])
    assert changed.status_code == 200 and "改过的标题" in changed.content.decode()
    assert changed["ETag"] != hit["ETag"]
