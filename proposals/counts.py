"""Counting at a million rows: exact up to a limit, the planner's estimate above it, and how to say so.

An exact ``count(*)`` of a common search term reads every match (seconds at a million proposals). A count
of at most ``limit + 1`` rows stops early; above the limit the number shown is PostgreSQL's row estimate
(``EXPLAIN``), marked approximate ("约 41万 条"). On SQLite (small databases) counts stay exact.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property

from proposals.keyed_search import keys_in_search

# An estimate this many times the limit is trusted without counting (the statistics target of the search
# column keeps estimates within a small factor).
TRUSTED_ESTIMATE = 2


def exact_limit() -> int:
    return settings.COUNT_EXACT_LIMIT


TEXT_TEST_COLUMNS = {"search_plain", "search_title"}
_TRUE = RawSQL("TRUE", [], output_field=BooleanField())


def where_without(node: WhereNode, drop: Callable[[Any], bool]) -> WhereNode:
    """A copy of the WHERE tree with every condition that ``drop`` picks replaced by TRUE.

    Without negation (a search and the filter keys have none), TRUE in place of a condition can only widen
    the selection; the callers say why it does not here."""
    clone = copy.copy(node)
    children: list[Any] = [
        where_without(child, drop) if isinstance(child, WhereNode) else _TRUE if drop(child) else child
        for child in node.children
    ]
    clone.children = children
    return clone


def is_text_test(condition: Any) -> bool:
    """A substring test of the search text (``search_plain LIKE '%词%'``).

    PostgreSQL cannot estimate ``LIKE '%词%'`` on long texts (its statistics skip values wider than 1 kB)
    and guesses a few rows, while the search's index condition (the tsvector) has good statistics and
    selects the same rows but a few (a verbatim test only removes candidates whose bigrams occur apart)."""
    return (
        getattr(getattr(getattr(condition, "lhs", None), "target", None), "name", None) in TEXT_TEST_COLUMNS
    )


def planner_estimate(qs: QuerySet) -> int:
    """PostgreSQL's estimate of the number of rows of ``qs`` (no row is read), its search's text tests left
    out (see is_text_test)."""
    try:
        query = qs.order_by().values("pk").query
        query.where = where_without(query.where, is_text_test)
        sql, params = query.sql_with_params()
    except EmptyResultSet:
        return 0
    # Asked once per request for the same selection (the newest matches' date horizon, then the count):
    # remembered on the queryset's query by its SQL, so that a clone with other filters asks again.
    known: dict[tuple, int] = qs.query.__dict__.setdefault("planner_rows", {})
    key = (qs.db, sql, tuple(map(str, params)))
    if key not in known:
        with connections[qs.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        known[key] = int(plan[0]["Plan"]["Plan Rows"])
    return known[key]


def count_source(qs: QuerySet) -> QuerySet:
    """What to count for a queryset: every match of a search whose ranking was bounded, else itself."""
    return getattr(qs.query, "unbounded", qs)


def bounded_count(qs: QuerySet, limit: int | None = None, *, estimated: bool = True) -> tuple[int, bool]:
    """(count, exact): exact up to ``limit``; above it the planner's estimate (at least limit + 1).

    On SQLite (no estimate; small databases) the count is exact, unless ``estimated=False``: then above the
    limit it is ``limit + 1``, not exact, on both backends (``estimated=False``).
    """
    limit = exact_limit() if limit is None else limit
    matches = getattr(qs.query, "matches", None)  # counted already (proposals.search.rank_candidates)
    if matches is not None and matches <= limit:
        return matches, True
    qs = count_source(qs)
    if connections[qs.db].vendor != "postgresql":
        if estimated:
            return qs.order_by().count(), True
        counted = qs.order_by()[: limit + 1].count()
        return counted, counted <= limit
    # A search can match most of the table, and counting its matches reads each one: ask the planner first
    # (one EXPLAIN). Other selections are counted from indexes, cheaply enough to the limit.
    estimate = planner_estimate(qs) if "search_rank" in qs.query.annotations else None
    if estimate is not None and estimate > TRUSTED_ESTIMATE * limit:  # counting would only confirm it
        return estimate, False
    counted = keys_in_search(qs).order_by().values("pk")[: limit + 1].count()
    if counted <= limit:
        return counted, True
    return max(planner_estimate(qs) if estimate is None else estimate, limit + 1), False


def approximate(n: int) -> str:
    """A reader's rounded number: 约 41万, 约 1.2万, 约 8,600."""
    if n >= 100_000:
        return f"约 {round(n / 10_000):,}万"
    if n >= 10_000:
        return f"约 {n / 10_000:.1f}万".replace(".0万", "万")
    return f"约 {round(n, -2 if n >= 1000 else -1):,}"


def display(n: int, exact: bool) -> str:
    return f"{n:,}" if exact else approximate(n)


class EstimatedPaginator(Paginator):
    """A paginator whose count is bounded: above the limit the count is estimated and only the first
    ``limit`` rows can be paged to (deep offsets cost as much as a count)."""

    every_page_reachable = False

    @cached_property
    def _bounded(self) -> tuple[int, bool]:
        if isinstance(self.object_list, QuerySet):
            return bounded_count(self.object_list)
        return len(self.object_list), True

    @cached_property
    def count(self) -> int:
        return self._bounded[0]

    @property
    def count_is_exact(self) -> bool:
        return self._bounded[1]

    @property
    def count_display(self) -> str:
        return display(*self._bounded)

    @property
    def rank_limit(self) -> int | None:
        """When the list is ranked by relevance among the newest N matches: N."""
        if isinstance(self.object_list, QuerySet) and hasattr(self.object_list.query, "rank_limit"):
            return self.object_list.query.rank_limit
        return None

    @property
    def ranked_among(self) -> int | None:
        """N when the list is ranked among the newest N matches and there are more matches than that."""
        limit = self.rank_limit
        return limit if limit and (self.count > limit or not self.count_is_exact) else None

    @cached_property
    def num_pages(self) -> int:
        reachable = self.count if self.count_is_exact or self.every_page_reachable else exact_limit()
        if self.rank_limit:
            reachable = min(reachable, self.rank_limit)
        if reachable == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(max(1, reachable - self.orphans) / self.per_page))


class AdminPaginator(EstimatedPaginator):
    """The admin's changelists: the count estimated above the limit, every page still reachable (curators
    narrow a list with filters; a deep page costs its offset, not a count of the table)."""

    every_page_reachable = True
