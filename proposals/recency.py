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
is walked as before; with filters, whose estimates run low (a theme, and the body and region of the
delegates who write on it, are multiplied as if independent), within ``FILTERED_WALK_FACTOR`` times that.
When the bounded query finds fewer than N, the estimate was too high (a verbatim test removed candidates)
and the query runs again without the bound: the result is the same either way (every row before the
horizon comes after every row on or after it in newest-first order); only the cost changes. SQLite (small
databases) runs the plain query. BENCHMARKS.md has the measured cases.
"""

from __future__ import annotations

from datetime import date

from django.db import connections
from django.db.models import Count, F, QuerySet

from proposals.caching import get_or_compute
from proposals.counts import planner_estimate

# A selection whose newest N the newest-first walk should find within this many rows (its estimate says)
# is walked: at 2-10 µs a row, cheaper than any bitmap plan; above it, a horizon is worth its bitmap.
WALK = 10_000
# ... times this when filters narrow the selection: the planner multiplies their selectivities as if they
# were independent, and a theme, the body and the region of the delegates who write on it are not (at a
# million rows, 人工智能 + theme + body + region was estimated at 9,700 rows for about 40,000).
FILTERED_WALK_FACTOR = 2.5
MARGIN = 4  # read about this many times N matches: the estimate is within a small factor of the truth
USEFUL_SHARE = 0.5  # a horizon that keeps more of the table than this saves nothing: no bound
DATES_CACHE_SECONDS = 3600  # the spread of rows over dates changes slowly; a stale one only costs time
DATES_KEY = "npp:recency:dated-rows"


def newest_first(qs: QuerySet) -> QuerySet:
    """Newest first, undated records last, ties broken by id: the order the newest N are taken in."""
    return qs.order_by(F("date").desc(nulls_last=True), "-id")


def newest_ids(qs: QuerySet, limit: int) -> list[int]:
    """The ids of the newest ``limit`` records of ``qs``, newest first (``newest_first`` order)."""
    first, horizon = newest_query(qs, limit)
    ids = list(first)
    if horizon is not None and len(ids) < limit:  # the horizon was too near: every match instead
        ids = list(newest_first(qs).values_list("pk", flat=True)[:limit])
    return ids


def newest_query(qs: QuerySet, limit: int) -> tuple[QuerySet, date | None]:
    """The query ``newest_ids`` runs first (the newest ``limit`` ids, under the date horizon when one is
    taken), and the horizon."""
    ordered = newest_first(qs).values_list("pk", flat=True)
    horizon = date_horizon(qs, limit)
    return (ordered if horizon is None else ordered.filter(date__gte=horizon))[:limit], horizon


def date_horizon(qs: QuerySet, limit: int) -> date | None:
    """A date on or after which the newest ``limit`` records of ``qs`` probably lie, or None (no bound:
    SQLite, an empty estimate, or a selection so common that the newest-first walk is cheap already)."""
    if limit <= 0 or connections[qs.db].vendor != "postgresql":
        return None
    dated = dated_rows(qs)
    if not dated:
        return None
    total = dated[-1][1]
    estimate = planner_estimate(qs)
    if estimate <= 0:
        return None
    walk = WALK * (FILTERED_WALK_FACTOR if _filtered(qs) else 1)
    if limit * total / estimate <= walk:
        return None  # dense enough for the newest-first walk
    needed = MARGIN * limit * total / estimate  # rows, newest first, expected to hold MARGIN × limit matches
    for day, cumulative in dated:
        if cumulative >= needed:
            return day if cumulative <= USEFUL_SHARE * total else None
    return None


def _filtered(qs: QuerySet) -> bool:
    """Whether filter keys narrow the selection (``filter_keys.any_of``; not a theme the query names)."""
    return getattr(qs.query, "filtered_by_keys", False)


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
