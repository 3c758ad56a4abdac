"""The newest N records of a selection, fast at a million rows: a date horizon from the planner's estimate.

``ORDER BY date DESC, id DESC LIMIT N`` over a search's matches has two plans on PostgreSQL: walk the
newest-first index and test each row (cheap when most rows match: the first N come quickly), or read every
match from the GIN indexes and sort them (cheap when few match). A selection in between, a word in 1-2% of
the rows or a common word with filters, costs thousands of heap visits either way (氢能 at a million rows:
16,000 matches read to keep 200; 137 ms).

Knowing roughly how many rows a selection holds (the planner's estimate, which the count asks for anyway)
and how the rows spread over dates (the number of rows per date, cached), the newest N matches lie, with a
margin, on or after a date H: ``date >= H`` is one more index condition, and the matches read are about
``MARGIN × N`` instead of all of them. A selection dense enough for the walk to find N within ``WALK`` rows
is walked as before, and so is a selection narrowed by filter keys whose walk should cost little (the keys
are tested in the index: ``walk_query``; see ``FILTERED_WALK_BUDGET_MS``), unless its caller counts it and
the estimate is within the count's limit: read whole, it is counted on the way (``newest_ids_and_total``).
A searched selection that is not walked reads its filter keys from the search's index, in one tsquery with
the search (proposals.keyed_search).
When the bounded query finds fewer than N, the estimate was too high (a verbatim test removed candidates)
and the query runs again without the bound: the result is the same either way (every row before the
horizon comes after every row on or after it in newest-first order); only the cost changes. SQLite (small
databases) runs the plain query. BENCHMARKS.md has the measured cases.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import operator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import DatabaseError, connections, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.sql.where import AND, OR, WhereNode

from proposals.caching import get_or_compute
from proposals.counts import is_text_test, planner_estimate, where_without
from proposals.filter_keys import KeysCondition
from proposals.keyed_search import expression_of, keys_in_search, keys_of, matches_nothing
from proposals.pair_signature import covering

# A selection whose newest N the newest-first walk should find within this many rows (its estimate says)
# is walked: at 2-10 µs a row, cheaper than any bitmap plan; above it, a horizon is worth its bitmap.
WALK = 10_000
# ... or, when filter keys narrow the selection, whose walk should cost at most this many milliseconds. A walk
# with filter keys tests them in the index (about 0.25 µs a row walked: recency.walk_query) and reads only
# the rows that pass them for the search (about 8 µs a row: the search text de-toasted and tested); to find
# N matches it walks N × rows / matches index entries, of which N × keyed / matches pass the keys (keyed:
# the planner's estimate of the rows with the keys). Measured at a million rows, theme + body + region and
# each of them left out, 28 selections: the walks took 2-26 ms where this cost said 6-36 ms, against 44-99 ms
# under a horizon; 氢能 without the body (2,400 matches among 145,000 keyed rows): 116 ms walked, estimated
# 118, against 46 reading every match.
# A walk that would pass every index entry (a selection estimated at fewer than N) costs the whole index.
# Nor is a walk taken that should cost more than reading every match from the GIN indexes, the keys and the
# search in one tsquery (proposals.keyed_search): that reads at most the rows with the keys, 8-19 µs each
# measured (EVERY_ROW_COST). Where the keys are rare, the walk passes most of the index for few matches: at
# 100,000 rows, 418 rows with theme + body + region, 人工智能 walked 28 ms and read whole 6.9.
FILTERED_WALK_BUDGET_MS = 40
WALKED_ROW_COST = 0.25  # µs, a key test in the index
TESTED_ROW_COST = 8  # µs, a row read and its search tested
EVERY_ROW_COST = 12  # µs a row with the keys, every match read from the GIN indexes and sorted
MARGIN = 4  # read about this many times N matches: the estimate is within a small factor of the truth
USEFUL_SHARE = 0.5  # a horizon that keeps more of the table than this saves nothing: no bound
# ... nor one whose date range costs more to read than the matches it spares: PostgreSQL reads the range
# from the date index into a bitmap (about 0.2 µs a row: 154,000 rows in 31 ms at a million) and each match
# from the table (5-13 µs). 氢能 with theme + region, about 2,400 matches: 74 ms under a horizon that kept
# a third of the table, 20 ms reading every match.
DATE_RANGE_ROW_COST = 0.2
MATCH_COST = 8
DATES_CACHE_SECONDS = 3600  # the spread of rows over dates changes slowly; a stale one only costs time
DATES_KEY = "npp:recency:dated-rows"
KEYED_CACHE_SECONDS = 600  # the estimate of the rows with some filter keys, kept as long
KEYED_KEY = "npp:recency:keyed-rows"


def newest_first(qs: QuerySet) -> QuerySet:
    """Newest first, undated records last, ties broken by id: the order the newest N are taken in."""
    return qs.order_by(F("date").desc(nulls_last=True), "-id")


def newest_ids(qs: QuerySet, limit: int) -> list[int]:
    """The ids of the newest ``limit`` records of ``qs``, newest first (``newest_first`` order)."""
    return newest_ids_and_total(qs, limit)[0]


def newest_ids_and_total(qs: QuerySet, limit: int, count_limit: int = 0) -> tuple[list[int], int | None]:
    """The newest ``limit`` ids of ``qs`` and, when it comes for free, the number of records of ``qs``.

    A selection so sparse that every match is read from the GIN indexes and sorted anyway is read up to
    ``count_limit + 1`` rows: when fewer come, they are all its records, and counting them again (one more
    scan of the same indexes) is saved. So is a walk that finds fewer than ``limit``: it has passed them all
    (a rare combination of filters at 100,000 rows: the walk 34 ms, the count it spares 21). A selection
    estimated at ``count_limit`` records or fewer is not walked: its count would read every match after the
    walk (100,000 rows, 人工智能 with theme + body + region, 801 matches: walked 12 ms and counted 29, read
    whole and counted on the way 25)."""
    reading = plan(qs, limit, count_limit)
    ordered = _ordered(qs, reading)
    first = _first(ordered, reading, limit)
    with read_as(reading, qs.db):
        if reading.walk:  # fewer than limit: the walk passed every match, and they are all its records
            ids = list(walk_query(first, signature=not reading.most_match))
            return ids, len(ids) if count_limit and len(ids) < limit else None
        if reading.every and count_limit >= limit:
            fetched = list(ordered[: count_limit + 1])
            return fetched[:limit], len(fetched) if len(fetched) <= count_limit else None
        ids = list(first)
        if reading.horizon is not None and len(ids) < limit:  # the horizon was too near: every match instead
            ids = list(ordered[:limit])
    return ids, None


def newest_query(qs: QuerySet, limit: int) -> tuple[QuerySet, Reading]:
    """The query ``newest_ids`` runs first (the newest ``limit`` ids, under the date horizon when one is
    taken), and how it is read."""
    reading = plan(qs, limit)
    return _first(_ordered(qs, reading), reading, limit), reading


def _first(ordered: QuerySet, reading: Reading, limit: int) -> QuerySet:
    """The newest ``limit`` of ``ordered``, under the date horizon when one is taken."""
    bounded = ordered if reading.horizon is None else ordered.filter(date__gte=reading.horizon)
    return bounded[:limit]


def _ordered(qs: QuerySet, reading: Reading) -> QuerySet:
    """The ids of ``qs``, newest first, written for ``reading``: read from the GIN indexes unless walked, a
    search with its filter keys in one condition."""
    if not reading.walk:
        qs = keys_in_search(qs)
    return newest_first(qs).values_list("pk", flat=True)


@dataclass(frozen=True)
class Reading:
    """How the newest N records of a selection are read on PostgreSQL (none of these: as planned)."""

    walk: bool = False  # the newest-first index walk, testing each row: the selection is dense
    most_match: bool = False  # walked, and half the rows or more match: their signatures would rule few out
    horizon: date | None = None  # the matches on or after this date, from the indexes
    every: bool = False  # every match, from the indexes: the selection is sparse, a horizon saves nothing


def date_horizon(qs: QuerySet, limit: int) -> date | None:
    """A date on or after which the newest ``limit`` records of ``qs`` probably lie, or None (no bound:
    SQLite, an empty estimate, or a selection so common that the newest-first walk is cheap already)."""
    return plan(qs, limit).horizon


def plan(qs: QuerySet, limit: int, count_limit: int = 0) -> Reading:
    """How to read the newest ``limit`` records of ``qs`` (see the module's docstring), counted up to
    ``count_limit`` when it is at least ``limit`` (see newest_ids_and_total)."""
    if limit <= 0 or connections[qs.db].vendor != "postgresql":
        return Reading()
    dated = dated_rows(qs)
    if not dated:
        return Reading()
    total = dated[-1][1]
    estimate = planner_estimate(qs)
    if estimate <= 0:
        return Reading(every=True)
    if limit <= count_limit and estimate <= count_limit:
        return Reading(every=True)  # read whole, counted on the way: a walk's count would read them all again
    if limit * total / estimate <= WALK or (_filtered(qs) and _walk_pays(qs, limit, total, estimate)):
        return Reading(walk=True, most_match=2 * estimate >= total)  # dense enough for the newest-first walk
    return _sparse_reading(dated, limit, estimate)


def _sparse_reading(dated: list[tuple[date, int]], limit: int, estimate: int) -> Reading:
    """A horizon or every match, for a selection too sparse to walk."""
    total = dated[-1][1]
    needed = MARGIN * limit * total / estimate  # rows, newest first, expected to hold MARGIN × limit matches
    for day, cumulative in dated:
        if cumulative >= needed:
            spared = MATCH_COST * (estimate - MARGIN * limit)
            if cumulative <= USEFUL_SHARE * total and DATE_RANGE_ROW_COST * cumulative < spared:
                return Reading(horizon=day)
            break
    return Reading(every=True)


# The planner's settings that the walk changes for its one query (and puts back): with these, the one plan
# left without a penalty reads the newest-first index in its order (a plan that sorts would read every row
# of the selection; at a million rows the planner chose a full scan of the status index), in one process
# (a parallel walk of the same index took 144 ms against 37: its workers start, and each stops late).
_NOT_WALKING = {
    "enable_bitmapscan": "off",
    "enable_seqscan": "off",
    "enable_sort": "off",
    "max_parallel_workers_per_gather": "0",
}


def walk_query(query: QuerySet, *, signature: bool = True) -> QuerySet:
    """``query`` as the walk runs it: without the conditions that a row-by-row test need not check
    (``redundant_when_walking``: proposals.search), what the index can say tested in the index (without the
    pair signature unless ``signature``: when most rows match, reading them through the primary key costs
    more than the few it rules out; 新质生产力 at a million rows, in 94% of them, 1.5 ms more a search)."""
    query = query.all()
    query.query.where = where_without(query.query.where, _redundant_when_walking)
    return _tested_in_index(query, signature)


def _tested_in_index(query: QuerySet, signature: bool) -> QuerySet:
    """The walk written so that the index rules rows out before they are read: the published rows, newest
    first, that have the filter keys and whose pair signature covers what the search looks for (an
    index-only scan: the newest-first index of published proposals includes ``filter_vector`` and
    ``search_signature``), each read for the other conditions only when it passes (EXISTS on the primary
    key). A row ruled out then costs an index entry, not a row read (數字經濟 at a million rows, the newest
    200: 1,800 rows read walking the table, 305 walking the index; 15-21 ms → 5-7). Unchanged unless the
    query is of published proposals narrowed by filter keys or a search, with no other table joined."""
    conditions = _top_conditions(query)
    if conditions is None:
        return query
    published = [c for c in conditions if _is_published(c)]
    keys = [key for c in conditions if (key := keys_of(c)) is not None]
    rest = [c for c in conditions if not _is_published(c) and keys_of(c) is None]
    implied = _implied_in_index(WhereNode(rest, AND)) if signature else _EVERY
    if not published or not (keys or isinstance(implied, Q)):
        return query
    manager = query.model._default_manager.db_manager(query.db)
    rows = manager.filter(pk=OuterRef("pk"))
    rows.query.where.children.extend(rest)
    indexed = manager.all()
    indexed.query.where = WhereNode(published, AND)
    if keys:  # as one tsquery: one match of an entry's filter_vector instead of one a key
        indexed = indexed.filter(KeysCondition(" & ".join(f"({key.params[0]})" for key in keys)))
    if isinstance(implied, Q):
        indexed = indexed.filter(implied)
    walk = newest_first(indexed.filter(Exists(rows))).values_list("pk", flat=True)
    return walk[query.query.low_mark : query.query.high_mark]


_EVERY, _NONE = object(), object()  # what _implied_in_index says when it has no condition


def _implied_in_index(node: Any) -> Any:
    """A condition on the newest-first index's columns that every row passing ``node`` passes: filter keys
    as they are, a test of the search text (the verbatim test, the search's index condition) as the pair
    signature of what it looks for (proposals.pair_signature: a text that contains a word has its pairs'
    bits). ``_EVERY`` when nothing can be said, ``_NONE`` when ``node`` matches no row (the search's empty
    start). The walk tests it in the index, and reads for ``node`` only the rows that pass."""
    keys = keys_of(node)
    if keys is not None:
        return Q(keys)
    if matches_nothing(node):
        return _NONE
    if isinstance(node, WhereNode):
        if node.negated:
            return _EVERY
        parts = [_implied_in_index(child) for child in node.children]
        conditions = [p for p in parts if isinstance(p, Q)]
        if node.connector == AND:
            if _NONE in parts:
                return _NONE
            return functools.reduce(operator.and_, conditions) if conditions else _EVERY
        if _EVERY in parts or node.connector != OR:
            return _EVERY
        return functools.reduce(operator.or_, conditions) if conditions else _NONE
    search = expression_of(node, lambda e: hasattr(e, "in_signature"))
    if search is not None:
        return search.in_signature or _EVERY
    if getattr(node, "lookup_name", None) == "contains" and is_text_test(node) and isinstance(node.rhs, str):
        return covering(node.rhs) or _EVERY  # search_title's text is in search_plain too
    return _EVERY


def _top_conditions(qs: QuerySet) -> list | None:
    """The conditions ANDed at the top of a single-table query, the only shape ``walk_query`` rewrites; else
    None."""
    where = qs.query.where
    if where.connector != AND or where.negated or len(qs.query.alias_map) != 1:
        return None
    return list(where.children)


def _has(condition, flag: str) -> bool:
    """Whether a WHERE condition (a boolean expression, or a lookup on one) carries ``flag``."""
    return expression_of(condition, lambda e: getattr(e, flag, False)) is not None


def _is_key(condition) -> bool:
    """A filter-keys condition: the newest-first index of published proposals includes ``filter_vector``
    (migration 0010), so a walk of that index tests it without reading the row."""
    return keys_of(condition) is not None


def _is_published(condition) -> bool:
    """``status = 'published'``: the predicate of the newest-first index."""
    target = getattr(getattr(condition, "lhs", None), "target", None)
    return (
        getattr(target, "name", None) == "status"
        and getattr(condition, "lookup_name", None) == "exact"
        and getattr(condition, "rhs", None) == "published"
    )


def _redundant_when_walking(condition) -> bool:
    return _has(condition, "redundant_when_walking")


def walking(using: str):
    """Inside: the planner walks an index rather than read candidates from the GIN indexes or the table.

    Left to itself it often reads a dense selection from the GIN indexes and tests every candidate
    (350-800 ms at a million rows, against 40 ms for the walk): it takes a theme, a body and a region as
    independent although they go together, and a verbatim test (``LIKE '%数字经济%'``) as matching one row
    in a thousand. The estimate that chose the walk (``plan``) leaves the verbatim tests out and allows for
    the filters."""
    return _planner_without(using, _NOT_WALKING)


def read_as(reading: Reading, using: str):
    """Inside: the planner reads as ``reading`` says (the walk), else as it plans."""
    if reading.walk:
        return walking(using)
    return contextlib.nullcontext()


@contextlib.contextmanager
def _planner_without(using: str, offs: dict[str, str]):
    """Inside: these planner settings, and nowhere else.

    Outside a transaction, the block runs in a transaction of its own and the settings are local to it
    (``set_config(…, true)``): they end with it, whatever happens, and a pooled server connection
    (PgBouncer in transaction mode) never keeps them for another client. Inside a transaction (a test, a
    command), they are set for the session and put back as they were after the block: two statements. If
    the query fails there, the put-back cannot run, and the rollback restores them (settings are
    transactional)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        local = ", ".join(f"set_config('{name}', '{value}', true)" for name, value in offs.items())
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(f"SELECT {local}")
            yield
        return
    reads = ", ".join(f"current_setting('{name}')" for name in offs)
    sets = ", ".join(f"set_config('{name}', '{value}', false)" for name, value in offs.items())
    puts_back = ", ".join(f"set_config('{name}', %s, false)" for name in offs)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {reads}, {sets}")
        before = list(cursor.fetchone()[: len(offs)])
        try:
            yield
        finally:
            try:
                cursor.execute(f"SELECT {puts_back}", before)
            except DatabaseError:
                if not connection.in_atomic_block:
                    raise


def _walk_pays(qs: QuerySet, limit: int, total: int, estimate: int) -> bool:
    """Whether walking to the newest ``limit`` of ``qs``, its filter keys tested in the index, should cost at
    most FILTERED_WALK_BUDGET_MS and no more than reading every match from the GIN indexes."""
    walk, every = _costs_ms(qs, limit, total, estimate)
    return walk <= min(FILTERED_WALK_BUDGET_MS, every)


def _costs_ms(qs: QuerySet, limit: int, total: int, estimate: int) -> tuple[float, float]:
    """What walking to the newest ``limit`` of ``qs``'s ``estimate`` records should cost with its filter keys
    tested in the index, and what reading every match should cost (see FILTERED_WALK_BUDGET_MS)."""
    keyed = qs.all()
    keyed.query.where = where_without(qs.query.where, lambda c: not (_is_key(c) or _is_published(c)))
    rows_with_keys = _keyed_estimate(keyed)
    passed = min(1.0, limit / estimate)  # the share of the index the walk passes: all of it for fewer than N
    walk = passed * (WALKED_ROW_COST * total + TESTED_ROW_COST * rows_with_keys) / 1000
    return walk, EVERY_ROW_COST * rows_with_keys / 1000


def _keyed_estimate(keyed: QuerySet) -> int:
    """The planner's estimate of the published rows with these filter keys, cached: every search with the
    same filters asks for it, and it changes only as fast as the table's statistics (a stale one changes
    a cost, never a result)."""
    sql, params = keyed.values("pk").query.sql_with_params()
    digest = hashlib.sha256(repr((keyed.db, sql, params)).encode()).hexdigest()[:32]
    return get_or_compute(f"{KEYED_KEY}:{digest}", lambda: planner_estimate(keyed), KEYED_CACHE_SECONDS)


def _filtered(qs: QuerySet) -> bool:
    """Whether filter keys narrow the selection so that a walk tests them in the index (a theme the query
    names, an OR beside the text, does not narrow it)."""
    conditions = _top_conditions(qs) or []
    return any(map(_is_key, conditions)) and any(map(_is_published, conditions))


def dated_rows(qs: QuerySet) -> list[tuple[date, int]]:
    """(date, the number of rows on that date or later), newest first, for the table of ``qs`` (cached)."""
    model, using = qs.model, qs.db

    def compute() -> list[tuple[date, int]]:
        per_day = (
            model._default_manager.using(using)
            .filter(date__isnull=False)
            .values_list("date")
            .annotate(n=Count("pk"))
            .order_by("-date")
        )
        out, cumulative = [], 0
        for day, n in per_day:
            cumulative += n
            out.append((day, cumulative))
        return out

    return get_or_compute(f"{DATES_KEY}:{using}:{model._meta.label_lower}", compute, DATES_CACHE_SECONDS)
