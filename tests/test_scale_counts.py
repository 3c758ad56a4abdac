"""What keeps pages fast at a million proposals: bounded counts, bounded ranking, cached counts that follow
curators' edits, and the benchmark's helpers (/healthz, the query-count header)."""

import json

import pytest
from django.db import connection
from django.test import RequestFactory

from npp_db.bench import QueryCountMiddleware
from proposals.counts import EstimatedPaginator, approximate, bounded_count
from proposals.models import Proposal, Theme
from proposals.recency import newest_first

pytestmark = pytest.mark.django_db


def test_approximate_numbers_read_like_chinese():
    assert approximate(412_345) == "约 41万"
    assert approximate(12_345) == "约 1.2万"
    assert approximate(20_000) == "约 2万"
    assert approximate(8_612) == "约 8,600"


def test_counts_are_exact_below_the_limit(corpus):
    published = Proposal.objects.published()
    assert bounded_count(published, limit=1000) == (published.count(), True)


def test_above_the_limit_the_count_is_estimated_and_paging_stops_at_the_limit(corpus, settings):
    settings.COUNT_EXACT_LIMIT = 5
    published = Proposal.objects.published().order_by("-id")
    paginator = EstimatedPaginator(published, 2)
    if connection.vendor == "postgresql":
        assert not paginator.count_is_exact
        assert paginator.count > 5
        assert paginator.count_display.startswith("约")
        assert paginator.num_pages == 3  # only the first five records can be paged to
    else:  # SQLite databases are small: counted exactly
        assert paginator.count_is_exact
        assert paginator.count == published.count()


def test_relevance_ranks_only_the_newest_matches_and_says_so(client, corpus, settings):
    settings.SEARCH_RANK_CANDIDATES = 2
    matches = Proposal.objects.published().search("新质生产力")
    total = matches.count()
    assert total > 2
    html = client.get("/", {"q": "新质生产力"}).content.decode()
    assert "只在最新的 2 条匹配中排序" in html
    assert "按最新的 2 条匹配统计" in html
    newest = list(newest_first(matches).values_list("pk", flat=True)[:2])
    api = client.get("/api/v1/proposals/", {"q": "新质生产力", "page_size": 50}).json()
    assert sorted(r["id"] for r in api["results"]) == sorted(newest)
    assert api["count"] == total  # the count is of every match, not of the ranked ones
    by_date = client.get(
        "/api/v1/proposals/", {"q": "新质生产力", "ordering": "-date", "page_size": 50}
    ).json()
    assert len(by_date["results"]) == total


def _theme_count(client, slug: str) -> int:
    themes = client.get("/api/v1/themes/", {"page_size": 100}).json()["results"]
    return next(t["proposal_count"] for t in themes if t["slug"] == slug)


def test_cached_counts_follow_a_curators_edit_at_once(client, corpus, settings):
    settings.COUNTS_CACHE_SECONDS = 300
    theme = Theme.objects.order_by("order").first()
    before = _theme_count(client, theme.slug)
    assert before == Proposal.objects.published().filter(themes=theme).count()
    proposal = Proposal.objects.published().exclude(themes=theme).first()
    proposal.themes.add(theme)
    assert _theme_count(client, theme.slug) == before + 1
    html = client.get("/", {"theme": theme.slug}).content.decode()
    assert f"共 {before + 1} 条建言" in html
    proposal.status = "draft"
    proposal.save()
    assert _theme_count(client, theme.slug) == before


def test_cached_facets_equal_computed_facets(client, corpus, settings):
    settings.COUNTS_CACHE_SECONDS = 0
    fresh = client.get("/").context["facets"]
    settings.COUNTS_CACHE_SECONDS = 300
    client.get("/")
    cached = client.get("/").context["facets"]
    assert [(f.name, [(o.value, o.count) for o in f.options]) for f in cached] == [
        (f.name, [(o.value, o.count) for o in f.options]) for f in fresh
    ]


def test_livez_answers_json_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")  # /healthz checks the database (issue 14)
    assert response.status_code == 200
    assert json.loads(response.content) == {"ok": True}


def test_the_bench_middleware_counts_the_queries_of_a_request(corpus):
    def view(request):
        list(Proposal.objects.all()[:1])
        list(Theme.objects.all()[:1])
        from django.http import HttpResponse

        return HttpResponse("ok")

    response = QueryCountMiddleware(view)(RequestFactory().get("/"))
    assert response["X-DB-Queries"] == "2"
