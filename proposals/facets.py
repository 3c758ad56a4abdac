"""Facet counts for the proposal list, from the selected proposals' filter keys, whatever their number.

Counts are disjunctive: the options of one facet are counted over the proposals selected by every *other*
filter, so that ticking a second theme (themes combine with OR) adds what its count promised.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from django.conf import settings

from proposals import filter_keys
from proposals.caching import cached
from proposals.filters import applied_filters
from proposals.models import Body, Delegate, Organisation, ProposalKind, Region, Theme
from proposals.recency import newest_ids
from proposals.side_reads import read_beside

FACETS = ("theme", "body", "region", "delegate", "organisation", "kind", "year")
DELEGATE_LIMIT = 15
ORGANISATION_LIMIT = 15


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool = False
    level: int = 0


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)
    multiple: bool = True

    @property
    def selected(self) -> list[Option]:
        return [o for o in self.options if o.selected]

    @property
    def open(self) -> bool:
        return bool(self.selected)


def filtered_without(filterset, *skip: str):
    """The filterset's queryset with every valid filter applied except ``skip`` (and the ordering)."""
    qs = filterset.queryset
    for name, value in applied_filters(filterset.form.cleaned_data, "ordering", *skip):
        qs = filterset.filters[name].filter(qs, value)
    return qs


def proposal_facets(
    filterset,
    *,
    sample: int | None = None,
    sampled: list[bool] | None = None,
    started: dict[str, Future] | None = None,
) -> list[Facet]:
    """Every facet of the proposal list, for a bound and validated ProposalFilterSet.

    Counted from the filter keys of the selected proposals (proposals.filter_keys): one query for every
    facet whose own filter is not set, one more per facet whose filter is set (its options are counted
    without it), read side by side (proposals.side_reads). With ``sample``, each selection counts only its
    newest ``sample`` records: a search for a common word matches most of a million records, and counting
    them all costs seconds. ``sampled`` (a list) gets True appended when a selection had more records than
    the sample. ``started``: the reads ``start_selections`` began (the others are begun here).
    """
    data = filterset.form.cleaned_data
    reads = dict(started) if started is not None else start_selections(filterset, sample)
    # facets without their own filter share one selection: the list's own (its ranked candidates if any)
    reads[""] = _read(filterset, "", sample)
    counters: dict[str, Counter[str]] = {}
    for name, read in reads.items():
        counters[name], more = read.result()
        if more and sampled is not None:
            sampled.append(True)

    def counts(name: str) -> Counter[str]:
        return counters[name if data.get(name) else ""]

    return [
        _theme_facet(counts("theme"), data.get("theme") or []),
        _body_facet(counts("body"), data.get("body") or []),
        _region_facet(counts("region"), data.get("region") or []),
        _delegate_facet(counts("delegate"), data.get("delegate") or []),
        _organisation_facet(counts("organisation"), data.get("organisation") or []),
        _kind_facet(counts("kind"), data.get("kind") or []),
        _year_facet(counts("year"), data.get("year")),
    ]


def start_selections(filterset, sample: int | None) -> dict[str, Future]:
    """The reads of the selections of the facets whose own filter is set (each without it), begun: they do
    not depend on the list's own query, and run beside it."""
    data = filterset.form.cleaned_data
    return {name: _read(filterset, name, sample) for name in FACETS if data.get(name)}


def _read(filterset, selection: str, sample: int | None) -> Future:
    """The key counts of a selection (the filterset without ``selection``'s filter; "": the list's own),
    and whether it had more records than ``sample``, read beside the request."""
    ranked = None if selection else getattr(filterset, "candidate_ids", None)
    if ranked is not None and (sample is None or len(ranked) <= sample):
        # the list ranks the newest matches: every match when there are few, else the sample
        using = filterset.queryset.db
        return read_beside(using, _counted, ranked, using)
    qs = filtered_without(filterset, *([selection] if selection else []))
    return read_beside(qs.db, _keys_of, qs.using(qs.db), sample)


def _counted(ids: list[int], using: str) -> tuple[Counter[str], bool]:
    return filter_keys.count_keys_of(ids, using=using), False


def _keys_of(qs, sample: int | None) -> tuple[Counter[str], bool]:
    """The key counts of a selection, of its newest ``sample`` records, and whether it has more."""
    if sample is None:
        return filter_keys.count_keys(qs), False
    ids = newest_ids(qs, sample + 1)
    return filter_keys.count_keys_of(ids[:sample], using=qs.db), len(ids) > sample


def start_list_facets(filterset):
    """The facets of a page of the list, begun before the list's own query: returns a function of the
    page's paginator that gives the facets, and N when they count only the newest N matches.

    A searched list is never cached (every query is new): above SEARCH_RANK_CANDIDATES matches its facets
    count the newest that many, and the selections of its chosen filters are read beside the list's own
    query. An unsearched list's facets are exact and cached until the data changes.
    """
    if filterset.form.cleaned_data.get("q"):
        # every selection counts at most its newest SEARCH_RANK_CANDIDATES (one without a facet's own
        # filter can match far more than the list)
        sample = settings.SEARCH_RANK_CANDIDATES
        started = start_selections(filterset, sample)

        def searched(paginator) -> tuple[list[Facet], int | None]:
            sampled: list[bool] = []
            facets = proposal_facets(filterset, sample=sample, sampled=sampled, started=started)
            return facets, (sample if sampled or paginator.count > sample else None)

        return searched
    params = {
        name: sorted(filterset.data.getlist(name))
        for name in filterset.filters
        if name != "ordering" and filterset.data.getlist(name)
    }
    return lambda paginator: (cached("facets", params, lambda: proposal_facets(filterset)), None)


def _with_chosen(options: list[Option], chosen: list[tuple[str, str]]) -> list[Option]:
    """Keep a chosen value visible (count 0) when the other filters leave it no proposal: it can be unticked."""
    present = {o.value for o in options}
    return options + [
        Option(value, label, 0, selected=True) for value, label in chosen if value not in present
    ]


def _theme_facet(counter: Counter[str], chosen) -> Facet:
    slugs = {t.slug for t in chosen}
    counts = filter_keys.to_int_keys(filter_keys.values_of(counter, filter_keys.THEME))
    options = [
        Option(t.slug, t.name, counts[t.pk], t.slug in slugs)
        for t in Theme.objects.only("pk", "slug", "name").order_by("order", "id")
        if counts.get(t.pk)
    ]
    return Facet("theme", "主题", _with_chosen(options, [(t.slug, t.name) for t in chosen]))


def _body_facet(counter: Counter[str], chosen) -> Facet:
    labels = dict(Body.choices)
    counts = filter_keys.values_of(counter, filter_keys.BODY)
    options = [
        Option(code, labels[code], counts[code], code in chosen) for code in Body.values if counts.get(code)
    ]
    return Facet("body", "身份", _with_chosen(options, [(c, labels[c]) for c in chosen]))


def _region_facet(counter: Counter[str], chosen) -> Facet:
    slugs = {r.slug for r in chosen}
    counts = filter_keys.to_int_keys(filter_keys.values_of(counter, filter_keys.REGION))
    options = [
        Option(r.slug, r.full_name, counts.get(r.pk, 0), r.slug in slugs, r.path.strip("/").count("/"))
        for r in Region.objects.select_related("parent").order_by("path", "id")
        if counts.get(r.pk) or r.slug in slugs
    ]
    return Facet("region", "地区", options)


def _top(counts: dict[int, int], first: set[int], limit: int, names: Callable[[list[int]], dict[int, str]]):
    """The ``limit`` most counted ids (``first`` on top), ties by name, with their names; ids that
    ``names`` does not know (unpublished delegates) are skipped."""
    ranked = sorted(counts.items(), key=lambda item: (item[0] not in first, -item[1], item[0]))
    out: list[tuple[int, str, int]] = []
    start = 0
    while len(out) < limit and start < len(ranked):
        # the next slice, extended to every id tied with its last count (ties are broken by name)
        end = min(len(ranked), start + 2 * limit)
        while end < len(ranked) and ranked[end][1] == ranked[end - 1][1] and ranked[end][0] not in first:
            end += 1
        part = ranked[start:end]
        known = names([pk for pk, _ in part])
        out.extend((pk, known[pk], n) for pk, n in part if pk in known)
        start = end
    out.sort(key=lambda row: (row[0] not in first, -row[2], row[1], row[0]))
    return out[:limit]


def _delegate_facet(counter: Counter[str], chosen) -> Facet:
    ids = {d.pk for d in chosen}
    counts = filter_keys.to_int_keys(filter_keys.values_of(counter, filter_keys.DELEGATE))

    def names(pks: list[int]) -> dict[int, str]:
        return dict(Delegate.objects.published().filter(pk__in=pks).values_list("pk", "name"))

    rows = _top(counts, ids, DELEGATE_LIMIT + len(ids), names)
    options = [Option(str(pk), name, n, pk in ids) for pk, name, n in rows]
    return Facet("delegate", "代表委员", _with_chosen(options, [(str(d.pk), d.name) for d in chosen]))


def _organisation_facet(counter: Counter[str], chosen) -> Facet:
    ids = {o.pk for o in chosen}
    counts = filter_keys.to_int_keys(filter_keys.values_of(counter, filter_keys.ORGANISATION))

    def names(pks: list[int]) -> dict[int, str]:
        return dict(Organisation.objects.filter(pk__in=pks).values_list("pk", "name"))

    rows = _top(counts, ids, ORGANISATION_LIMIT + len(ids), names)
    options = [Option(str(pk), name, n, pk in ids) for pk, name, n in rows]
    return Facet("organisation", "机构", _with_chosen(options, [(str(o.pk), o.name) for o in chosen]))


def _kind_facet(counter: Counter[str], chosen) -> Facet:
    labels = dict(ProposalKind.choices)
    counts = filter_keys.values_of(counter, filter_keys.KIND)
    options = [Option(k, labels.get(k, k), counts[k], k in chosen) for k in sorted(counts)]
    return Facet("kind", "类型", _with_chosen(options, [(k, labels[k]) for k in chosen]))


def _year_facet(counter: Counter[str], chosen) -> Facet:
    chosen = int(chosen) if chosen is not None else None
    counts = filter_keys.to_int_keys(filter_keys.values_of(counter, filter_keys.YEAR))
    options = [Option(str(y), f"{y}年", counts[y], y == chosen) for y in sorted(counts, reverse=True)]
    if chosen is not None:
        options = _with_chosen(options, [(str(chosen), f"{chosen}年")])
    return Facet("year", "年份", options, multiple=False)
