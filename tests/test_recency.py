"""The newest N records of a selection (proposals.recency): the same ids as the plain newest-first query,
whether the date horizon is taken, too near (the estimate too high) or not taken at all."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from proposals import recency, search
from proposals.models import Proposal, Theme
from proposals.pair_signature import signature
from proposals.recency import date_horizon, dated_rows, newest_first, newest_ids
from proposals.search_themes import themes_named_in
from tests.factories import ProposalFactory, ThemeFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the horizon is taken on PostgreSQL only (SQLite: small databases)",
)


@pytest.fixture
def spread(blank_db) -> Theme:
    """Forty proposals over forty days (two undated, two on one day), 氢能 in every fourth, a theme on every third."""
    theme = ThemeFactory(name="能源", slug="energy")
    for n in range(40):
        day = (
            None
            if n in (7, 30)
            else datetime.date(2023, 1, 1) + datetime.timedelta(days=n if n != 21 else 20)
        )
        words = f"第{n}号建议：{'发展氢能产业' if n % 4 == 0 else '推进数字经济'}。"
        ProposalFactory(date=day, year=2023, quote=words, themes=[theme] if n % 3 == 0 else [])
    return theme


def _selections(theme: Theme):
    published = Proposal.objects.published()
    return {
        "all": published,
        "word": published.search("氢能"),
        "word and theme": published.search("氢能").on_themes([theme]),
        "common word": published.search("数字经济"),
        "nothing": published.search("量子计算"),
    }


def _plain(qs, limit: int) -> list[int]:
    return list(newest_first(qs).values_list("pk", flat=True)[:limit])


def test_the_newest_ids_are_the_plain_newest_first_ids(spread):
    for name, qs in _selections(spread).items():
        for limit in (1, 2, 3, 5, 10, 39, 41):
            assert newest_ids(qs, limit) == _plain(qs, limit), (name, limit)


def test_dated_rows_count_the_rows_on_each_date_or_later_newest_first(spread):
    dated = dated_rows(Proposal.objects.all())
    days = [day for day, _ in dated]
    assert days == sorted(days, reverse=True)
    assert dated[0] == (datetime.date(2023, 2, 9), 1)  # n = 39
    assert dated[-1][1] == Proposal.objects.filter(date__isnull=False).count() == 38
    assert dict(dated)[datetime.date(2023, 1, 21)] == 19  # n = 20 to 39 but the undated 30


@postgresql_only
def test_with_a_true_estimate_the_horizon_bounds_the_query(spread, monkeypatch):
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    monkeypatch.setattr(recency, "MARGIN", 1)
    monkeypatch.setattr(recency, "WALK", 0)  # forty rows: any walk would be short
    qs = Proposal.objects.published().search("氢能")  # 10 matches, n = 0, 4, ..., 36 (n = 36 newest)
    horizon = date_horizon(qs, 2)
    assert horizon is not None
    # two matches need a quarter of the rows (every fourth matches): the horizon keeps about that many
    assert datetime.date(2023, 1, 25) <= horizon <= datetime.date(2023, 2, 5)
    with CaptureQueriesContext(connection) as queries:
        ids = newest_ids(qs, 2)
    assert ids == _plain(qs, 2)
    bounded = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert len(bounded) == 1 and '"date" >=' in bounded[0]


@postgresql_only
def test_a_horizon_too_near_falls_back_to_the_plain_query(spread, monkeypatch):
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: 1000 * qs.count())  # far too many expected
    monkeypatch.setattr(recency, "WALK", 0)
    qs = Proposal.objects.published().search("氢能")
    assert date_horizon(qs, 5) == datetime.date(2023, 2, 9)  # the newest day alone should hold five
    with CaptureQueriesContext(connection) as queries:
        ids = newest_ids(qs, 5)
    assert ids == _plain(qs, 5)
    ordered = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert len(ordered) == 2 and '"date" >=' in ordered[0] and '"date" >=' not in ordered[1]


@postgresql_only
def test_no_horizon_for_a_selection_the_walk_finds_soon(spread, monkeypatch):
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    monkeypatch.setattr(recency, "MARGIN", 1)
    qs = Proposal.objects.published().search("氢能")  # one row in four
    monkeypatch.setattr(recency, "WALK", 8)  # two matches expected within 2 × 38 / 10 = 7.6 rows: walked
    assert date_horizon(qs, 2) is None
    monkeypatch.setattr(recency, "WALK", 7)
    assert date_horizon(qs, 2) is not None


@postgresql_only
def test_no_horizon_for_a_selection_most_rows_match(spread, monkeypatch):
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    monkeypatch.setattr(recency, "WALK", 0)
    # ten of forty, with the margin, would need every row: the newest-first walk is as cheap
    assert date_horizon(Proposal.objects.published(), 10) is None
    assert date_horizon(Proposal.objects.published().search("量子计算"), 5) is None  # estimated empty


def test_sqlite_never_takes_a_horizon(spread):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    assert date_horizon(Proposal.objects.published().search("氢能"), 2) is None


@postgresql_only
def test_a_selection_with_filter_keys_is_walked_when_its_walk_should_cost_little(spread, monkeypatch):
    estimates = {}

    def estimate(
        qs,
    ):  # the selection's count, and the keyed rows' count for the same query without the search
        return estimates.setdefault(str(qs.query), qs.count())

    monkeypatch.setattr(recency, "planner_estimate", estimate)
    monkeypatch.setattr(recency, "MARGIN", 1)
    monkeypatch.setattr(recency, "WALK", 5)
    qs = Proposal.objects.published().search("氢能").on_themes([spread])  # four rows: n = 0, 12, 24, 36
    assert recency._filtered(qs) and not recency._filtered(Proposal.objects.published().search("氢能"))
    # one match among 4 of 40 rows: 40 index entries walked and 14 keyed rows (every third) tested per 4;
    # reading every match reads at most the 14 keyed rows
    cost, every = recency._costs_ms(qs, 1, 38, 4)
    assert cost == pytest.approx(1 * (0.25 * 38 + 8 * 14) / 4 / 1000)
    assert every == pytest.approx(12 * 14 / 1000)
    monkeypatch.setattr(recency, "FILTERED_WALK_BUDGET_MS", cost)
    assert recency.plan(qs, 1).walk
    monkeypatch.setattr(recency, "FILTERED_WALK_BUDGET_MS", cost * 0.99)
    assert not recency.plan(qs, 1).walk and date_horizon(qs, 1) is not None
    assert newest_ids(qs, 1) == _plain(qs, 1)


@postgresql_only
def test_a_walk_dearer_than_reading_every_match_is_not_taken(spread, monkeypatch):
    """Where few rows have the keys, reading every match from the GIN indexes costs little, and a walk that
    finds fewer than it looks for passes the whole index."""
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    monkeypatch.setattr(recency, "WALK", 5)
    monkeypatch.setattr(recency, "FILTERED_WALK_BUDGET_MS", 1_000)
    qs = Proposal.objects.published().search("氢能").on_themes([spread])  # four matches, 14 keyed rows
    # ten asked of four: the walk passes the index once, not ten times over four
    cost, every = recency._costs_ms(qs, 10, 38, 4)
    assert cost == pytest.approx((0.25 * 38 + 8 * 14) / 1000)
    monkeypatch.setattr(recency, "EVERY_ROW_COST", cost * 1000 / 14)
    assert recency.plan(qs, 10).walk
    monkeypatch.setattr(recency, "EVERY_ROW_COST", cost * 1000 / 14 * 0.99)
    assert recency.plan(qs, 10) == recency.Reading(every=True)
    assert newest_ids(qs, 10) == _plain(qs, 10)


@postgresql_only
def test_a_selection_its_caller_counts_is_read_whole_not_walked(spread, monkeypatch):
    """Counting it would read every match after the walk: read whole, it is counted on the way."""
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    monkeypatch.setattr(recency, "FILTERED_WALK_BUDGET_MS", 1_000)
    qs = Proposal.objects.published().search("氢能").on_themes([spread])  # four matches
    assert recency.plan(qs, 1).walk and recency.plan(qs, 1, count_limit=3).walk  # not counted, or not within
    assert recency.plan(qs, 1, count_limit=4) == recency.Reading(every=True)
    assert recency.newest_ids_and_total(qs, 1, count_limit=4) == (_plain(qs, 1), 4)


def _explain(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _planner_settings(*names: str) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"current_setting('{name}')" for name in names or recency._NOT_WALKING)
        )
        return cursor.fetchone()


@postgresql_only
def test_a_dense_selection_is_walked_newest_first_whatever_the_planner_prefers(spread, monkeypatch):
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    qs = Proposal.objects.published().search("数字经济").on_themes([spread])
    assert recency.plan(qs, 2).walk
    query = newest_first(qs).values_list("pk", flat=True)[:2]
    with transaction.atomic():
        with connection.cursor() as cursor:  # a planner that finds an index walk dear (as at a million rows)
            cursor.execute("SELECT set_config('random_page_cost', '100000', true)")
        assert "proposal_published_newest" not in _explain(query)
        with recency.walking(connection.alias):
            assert "Index Scan using proposal_published_newest" in _explain(query)
        assert newest_ids(qs, 2) == _plain(qs, 2)


@postgresql_only
def test_the_walk_puts_the_planner_settings_back_inside_an_enclosing_transaction(spread):
    before = _planner_settings()
    assert before[:3] == ("on", "on", "on") and before[3] != "0"
    with transaction.atomic():
        with connection.cursor() as cursor:  # a session that had turned one off keeps it off
            cursor.execute("SELECT set_config('enable_sort', 'off', true)")
        with recency.walking(connection.alias):
            assert _planner_settings() == ("off", "off", "off", "0")
        assert _planner_settings() == (*before[:2], "off", before[3])
        assert newest_ids(Proposal.objects.published(), 3) == _plain(Proposal.objects.published(), 3)
        assert _planner_settings() == (*before[:2], "off", before[3])  # put back as it was, not reset


@postgresql_only
def test_a_sparse_selection_read_whole_is_counted_on_the_way(spread, monkeypatch):
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    monkeypatch.setattr(recency, "WALK", 0)
    qs = Proposal.objects.published().search("氢能")  # ten matches
    assert recency.plan(qs, 2).every  # the horizon would keep most of the table: every match is read
    assert recency.newest_ids_and_total(qs, 2, count_limit=10) == (_plain(qs, 2), 10)
    assert recency.newest_ids_and_total(qs, 2, count_limit=9) == (_plain(qs, 2), None)  # more than 9
    assert recency.newest_ids_and_total(qs, 2) == (_plain(qs, 2), None)  # not asked


@postgresql_only
def test_a_ranked_search_counted_on_the_way_runs_no_count_query(spread, monkeypatch, settings):
    from proposals.counts import bounded_count
    from proposals.search import rank_candidates

    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    monkeypatch.setattr(recency, "WALK", 0)
    settings.COUNT_EXACT_LIMIT = 100
    ranked = rank_candidates(Proposal.objects.published().search("氢能"), 5)
    assert ranked.query.matches == 10
    with CaptureQueriesContext(connection) as queries:
        assert bounded_count(ranked) == (10, True)
    assert not queries.captured_queries
    monkeypatch.undo()  # the walk for thirty of forty rows, estimated above the exact count's limit
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    settings.COUNT_EXACT_LIMIT = 20
    walked = rank_candidates(Proposal.objects.published().search("数字经济"), 5)
    assert walked.query.matches is None and bounded_count(walked, 100) == (30, True)


@postgresql_only
def test_a_failing_walk_in_a_transaction_leaves_the_planner_settings_as_they_were(spread):
    from django.db import DatabaseError

    before = _planner_settings()
    with (
        pytest.raises(DatabaseError, match="division by zero"),
        transaction.atomic(),
        recency.walking(connection.alias),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    assert _planner_settings() == before


@postgresql_only
def test_the_walk_leaves_out_an_index_condition_that_the_verbatim_tests_imply(spread):
    def walked_sql(qs) -> str:
        assert recency.plan(qs, 3).walk
        with CaptureQueriesContext(connection) as queries:
            ids = newest_ids(qs, 3)
        assert ids == _plain(qs, 3)
        (sql,) = [q["sql"] for q in queries.captured_queries if "LIMIT 3" in q["sql"]]
        return sql

    published = Proposal.objects.published()
    # 数字经济 is tested verbatim in the text: its bigrams are among the row's tokens, not read again
    sql = walked_sql(published.search("数字经济"))
    assert "search_vector" not in sql and "数字经济" in sql
    # 氢能 (two characters) and a Latin word are tested through the index alone: kept
    assert "search_vector" in walked_sql(published.search("氢能"))
    assert "search_vector" in walked_sql(published.search("数字经济 2023"))
    # a page of a plain list (no walk) keeps it for the GIN index
    assert "search_vector" in str(published.search("数字经济").query)


@postgresql_only
def test_a_walk_with_filter_keys_tests_them_in_the_index(spread):
    qs = Proposal.objects.published().search("数字经济").on_themes([spread])
    ordered = newest_first(qs).values_list("pk", flat=True)[:2]
    walk = recency.walk_query(ordered)
    sql = str(walk.query)
    assert sql.index("filter_vector") < sql.index("EXISTS") < sql.index("search_plain")
    with recency.walking(connection.alias):
        plan = _explain(walk)
    assert "Index Only Scan using proposal_published_newest" in plan, plan
    assert "Sort" not in plan and "Bitmap" not in plan, plan
    assert list(walk) == _plain(qs, 2)
    # nothing to take from the index (neither keys nor a search), or no index to take it from (not only
    # published records): no join back to the row
    published, everything = Proposal.objects.published(), Proposal.objects.all()
    for other in (published.filter(year=2023), everything.search("数字经济").on_themes([spread])):
        ordered = newest_first(other).values_list("pk", flat=True)[:2]
        assert "EXISTS" not in str(recency.walk_query(ordered).query)


@postgresql_only
def test_no_horizon_whose_date_range_costs_more_than_the_matches_it_spares(spread, monkeypatch):
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    monkeypatch.setattr(recency, "MARGIN", 1)
    monkeypatch.setattr(recency, "WALK", 0)
    qs = Proposal.objects.published().search("氢能")  # ten matches; two need about 7.6 of the 38 dated rows
    assert recency.plan(qs, 2).horizon is not None
    # reading the range's eight or so rows now costs more than reading the eight matches it would spare
    monkeypatch.setattr(recency, "DATE_RANGE_ROW_COST", recency.MATCH_COST * 8 / 7)
    assert recency.plan(qs, 2) == recency.Reading(every=True)
    assert newest_ids(qs, 2) == _plain(qs, 2)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_planner_settings_last_one_transaction():
    before = _planner_settings()
    assert not connection.in_atomic_block
    with recency.walking(connection.alias):
        assert connection.in_atomic_block  # a transaction of its own, the settings local to it
        assert _planner_settings() == ("off", "off", "off", "0")
        list(newest_first(Proposal.objects.published()).values_list("pk", flat=True)[:1])
    assert not connection.in_atomic_block and _planner_settings() == before
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(ZeroDivisionError),
        recency.walking(connection.alias),
    ):
        raise ZeroDivisionError
    assert _planner_settings() == before and not connection.in_atomic_block
    (sql,) = [q["sql"] for q in queries.captured_queries if "set_config" in q["sql"]]
    assert sql.count(", true)") == 4 and "false" not in sql  # local to the transaction, never put back
    assert [q["sql"] for q in queries.captured_queries if q["sql"] != sql] == ["BEGIN", "ROLLBACK"]


@postgresql_only
def test_a_walk_rules_rows_out_by_their_pair_signature_in_the_index(spread):
    published = Proposal.objects.published()
    for qs, needle in (
        (published.search("数字经济").on_themes([spread]), "数字经济"),  # the verbatim test's word
        (published.search("氢能").on_themes([spread]), "氢能"),  # the index condition's token
        (published.search('"数字经济"').on_themes([spread]), "数字经济"),  # a phrase
        (published.search("数字经济"), "数字经济"),  # without filter keys
        (published.search("氢能"), "氢能"),
    ):
        ordered = newest_first(qs).values_list("pk", flat=True)[:3]
        walk = recency.walk_query(ordered)
        sql, params = walk.query.sql_with_params()
        assert sql.index("search_signature") < sql.index("EXISTS"), sql
        assert signature(search.plain(needle)) in params
        with recency.walking(connection.alias):
            plan = _explain(walk)
        scan = plan[plan.index("Index Only Scan using proposal_published_newest") :].split("->")[0]
        assert "search_signature" in scan, plan  # tested in the index, before the row is read
        assert list(walk) == _plain(qs, 3)


@postgresql_only
def test_the_walk_reads_a_row_on_a_theme_the_query_names_whatever_its_signature(spread):
    # 能源 names the theme: its rows match without the word (none of the texts has it). A signature test of
    # 能源 alone would pass over every one of them; the test in the index is "the theme's key, or the word".
    query = search.parse_query("能源")
    query.themes = themes_named_in(query)
    assert query.themes == [spread]
    qs = Proposal.objects.published().search(query).on_themes([spread])
    expected = _plain(qs, 50)
    assert expected and all("能源" not in p.search_plain for p in Proposal.objects.filter(pk__in=expected))
    walk = recency.walk_query(newest_first(qs).values_list("pk", flat=True)[:50])
    assert "search_signature" in str(walk.query)
    assert list(walk) == expected


@postgresql_only
def test_a_walk_where_most_rows_match_reads_them_without_testing_their_signature(spread, monkeypatch):
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: qs.count())
    published = Proposal.objects.published()
    for word, most_match in (("数字经济", True), ("氢能", False)):  # in 30 and in 10 of the 40 rows
        qs = published.search(word)
        reading = recency.plan(qs, 3)
        assert reading.walk and reading.most_match is most_match, word
        expected = _plain(qs, 3)
        with CaptureQueriesContext(connection) as queries:
            assert newest_ids(qs, 3) == expected
        (sql,) = [q["sql"] for q in queries.captured_queries if "LIMIT 3" in q["sql"]]
        assert ("search_signature" in sql) is not most_match, word


@postgresql_only
def test_a_walk_that_finds_fewer_than_asked_has_counted_them(spread, monkeypatch):
    # estimated above the count's limit (a selection estimated within it is read whole, not walked)
    monkeypatch.setattr(recency, "planner_estimate", lambda qs: 3 * qs.count())
    qs = Proposal.objects.published().search("氢能")  # ten matches, walked
    assert recency.plan(qs, 20, count_limit=20).walk
    assert recency.newest_ids_and_total(qs, 20, count_limit=20) == (_plain(qs, 20), 10)
    assert recency.newest_ids_and_total(qs, 20) == (_plain(qs, 20), None)  # not asked
    assert recency.newest_ids_and_total(qs, 10, count_limit=20) == (_plain(qs, 10), None)  # maybe more
