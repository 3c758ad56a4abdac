"""A search and its filter keys as one condition on the search's index (proposals.keyed_search): the same
rows as the two conditions apart, for any search and filters, and read without the keys' own index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals import recency
from proposals.counts import bounded_count
from proposals.keyed_search import keys_in_search
from proposals.models import Body, Proposal, Region, Theme
from proposals.recency import newest_first, newest_ids_and_total
from proposals.search import parse_query
from proposals.search_themes import themes_named_in
from tests.factories import _module_world, world  # noqa: F401

pytestmark = pytest.mark.usefixtures("world")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search's tsvector holds the keys on PostgreSQL only"
)

# words of the world's proposals, a word in none, two words, a phrase, a traditional query (a second
# reading: 網聯 -> 网联), a query naming a theme (an OR beside the text: not folded)
QUERIES = ["人工智能", "汽车", "量子计算", "智能 发展", '"智能网联"', "網聯汽車", "数字经济"]
THEMES = ["artificial-intelligence", "new-energy-vehicles", "digital-economy", "tech-transfer"]
REGIONS = ["chongqing", "hubei", "zhejiang", "chongqing-nanan"]


def _selection(query: str, themes: list[str], bodies: list[str], regions: list[str]):
    qs = Proposal.objects.published()
    if themes:
        qs = qs.on_themes(Theme.objects.filter(slug__in=themes))
    if bodies:
        qs = qs.in_bodies(bodies)
    if regions:
        qs = qs.in_regions(Region.objects.filter(slug__in=regions))
    parsed = parse_query(query)
    parsed.themes = themes_named_in(parsed)  # as the list's filter does
    return qs.search(parsed)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.sampled_from(QUERIES),
    themes=st.lists(st.sampled_from(THEMES), max_size=2, unique=True),
    bodies=st.lists(st.sampled_from(list(Body.values)), max_size=2, unique=True),
    regions=st.lists(st.sampled_from(REGIONS), max_size=2, unique=True),
)
def test_the_keys_in_the_search_select_the_same_rows(query, themes, bodies, regions):
    qs = _selection(query, themes, bodies, regions)
    folded = keys_in_search(qs)
    assert list(newest_first(folded).values_list("pk", flat=True)) == list(
        newest_first(qs).values_list("pk", flat=True)
    )
    sql = str(folded.query)
    keyed = (themes or bodies or regions) and not themes_named_in(parse_query(query))
    if connection.vendor == "postgresql" and keyed:
        # every key is in the search's tsquery; no condition on the keys' own column is left
        assert "filter_vector" not in sql, sql
        for theme in Theme.objects.filter(slug__in=themes):
            assert f"t:{theme.pk}" in sql
    else:
        assert folded is qs  # SQLite, no keys, or a query naming a theme: as it was


@postgresql_only
def test_a_searched_selection_with_filters_reads_its_keys_from_the_search_s_tsvector(monkeypatch):
    """Its newest ids, counted on the way, and its bounded count (the plan at a million rows, the search's
    GIN index alone: BENCHMARKS.md)."""
    # read from the GIN indexes, as a sparse selection is at a million rows (forty rows here: all walked)
    monkeypatch.setattr(recency, "WALK", 0)
    monkeypatch.setattr(recency, "FILTERED_WALK_BUDGET_MS", 0)
    qs = _selection("汽车", ["new-energy-vehicles"], [Body.PROVINCIAL_CPPCC], ["chongqing"])
    expected = list(newest_first(qs).values_list("pk", flat=True))
    assert expected  # 华鹏 and others of Chongqing
    with CaptureQueriesContext(connection) as queries:
        ids, total = newest_ids_and_total(qs, 20, count_limit=100)
        count, exact = bounded_count(qs, 100)
    assert ids == expected and total == len(expected) and (count, exact) == (len(expected), True)
    read = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("EXPLAIN")]
    assert read and all("filter_vector" not in sql for sql in read), read


@postgresql_only
def test_the_search_s_tsvector_follows_a_curator_s_change_of_the_keys():
    """The keys in the search's index are generated from the row's filter keys: a theme taken off a
    proposal (as the admin's form writes it: the m2m, whose signal refreshes the keys) leaves the keyed
    search at once."""
    proposal = Proposal.objects.get(authorships__delegate__name="华鹏")
    theme = Theme.objects.get(slug="new-energy-vehicles")
    qs = _selection("汽车", ["new-energy-vehicles"], [], [])
    assert proposal.pk in set(keys_in_search(qs).values_list("pk", flat=True))
    proposal.themes.remove(theme)
    assert proposal.pk not in set(keys_in_search(qs.all()).values_list("pk", flat=True))
    assert proposal.pk not in set(qs.all().values_list("pk", flat=True))


@postgresql_only
def test_the_verbatim_text_is_kept_in_the_row():
    """Every verbatim test and rank reads ``search_plain``: stored in the row, not in the TOAST table
    (migration 0011)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'proposals_proposal'::regclass AND attname = 'search_plain'"
        )
        assert cursor.fetchone() == ("m",)
