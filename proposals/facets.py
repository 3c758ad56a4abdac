"""Facet counts for the proposal list: one GROUP BY query per facet, whatever the number of proposals.

Counts are disjunctive: the options of one facet are counted over the proposals selected by every *other*
filter, so that ticking a second theme (themes combine with OR) adds what its count promised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from proposals import selectors
from proposals.caching import cached
from proposals.models import Body, ProposalKind, RegionLevel
from proposals.search import newest_first

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
    for name, value in filterset.form.cleaned_data.items():
        if name in skip or name == "ordering":
            continue
        qs = filterset.filters[name].filter(qs, value)
    return qs


def proposal_facets(filterset, *, sample: int | None = None) -> list[Facet]:
    """Every facet of the proposal list, for a bound and validated ProposalFilterSet.

    With ``sample``, each facet counts only the newest ``sample`` records of its selection: a search for a
    common word matches most of a million records, and counting them all costs seconds per facet.
    """
    data = filterset.form.cleaned_data
    shared: list[int] = []

    def without(name: str):
        qs = filtered_without(filterset, name)
        if not sample:
            return qs
        if data.get(name):  # this facet's own filter is set: its selection is its own
            return qs.model.objects.filter(pk__in=newest_first(qs).values("pk")[:sample])
        if not shared:  # every other facet counts the same selection: find its newest records once
            shared.extend(newest_first(qs).values_list("pk", flat=True)[:sample])
        return qs.model.objects.filter(pk__in=shared)

    return [
        _theme_facet(without("theme"), data.get("theme") or []),
        _body_facet(without("body"), data.get("body") or []),
        _region_facet(without("region"), data.get("region") or []),
        _delegate_facet(without("delegate"), data.get("delegate") or []),
        _organisation_facet(without("organisation"), data.get("organisation") or []),
        _kind_facet(without("kind"), data.get("kind") or []),
        _year_facet(without("year"), data.get("year")),
    ]


def list_facets(filterset, paginator) -> tuple[list[Facet], int | None]:
    """The facets of a page of the list, and N when they count only the newest N matches.

    A searched list is never cached (every query is new): above SEARCH_RANK_CANDIDATES matches its facets
    count the newest that many. An unsearched list's facets are exact and cached until the data changes.
    """
    if filterset.parsed_query is not None:
        sample = settings.SEARCH_RANK_CANDIDATES
        if paginator.count > sample:
            return proposal_facets(filterset, sample=sample), sample
        return proposal_facets(filterset), None
    params = {
        name: sorted(filterset.data.getlist(name))
        for name in filterset.filters
        if name != "ordering" and filterset.data.getlist(name)
    }
    return cached("facets", params, lambda: proposal_facets(filterset)), None


def _with_chosen(options: list[Option], chosen: list[tuple[str, str]]) -> list[Option]:
    """Keep a chosen value visible (count 0) when the other filters leave it no proposal: it can be unticked."""
    present = {o.value for o in options}
    return options + [
        Option(value, label, 0, selected=True) for value, label in chosen if value not in present
    ]


def _theme_facet(qs, chosen) -> Facet:
    slugs = {t.slug for t in chosen}
    options = [
        Option(r["theme__slug"], r["theme__name"], r["n"], r["theme__slug"] in slugs)
        for r in selectors.theme_counts(qs)
    ]
    return Facet("theme", "主题", _with_chosen(options, [(t.slug, t.name) for t in chosen]))


def _body_facet(qs, chosen) -> Facet:
    labels = dict(Body.choices)
    counts = {r["membership__body"]: r["n"] for r in selectors.body_counts(qs)}
    options = [
        Option(code, labels[code], counts[code], code in chosen) for code in Body.values if code in counts
    ]
    return Facet("body", "身份", _with_chosen(options, [(c, labels[c]) for c in chosen]))


def _region_facet(qs, chosen) -> Facet:
    slugs = {r.slug for r in chosen}
    depth = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.DISTRICT: 2}
    options = [
        Option(r.slug, r.full_name, r.n, r.slug in slugs, depth.get(r.level, 0))
        for r in selectors.regions_in_selection(qs)
        if r.n or r.slug in slugs
    ]
    return Facet("region", "地区", options)


def _delegate_facet(qs, chosen) -> Facet:
    ids = {d.pk for d in chosen}
    rows = selectors.delegate_counts(qs, first=ids, limit=DELEGATE_LIMIT + len(ids))
    options = [Option(str(r["delegate_id"]), r["name"], r["n"], r["delegate_id"] in ids) for r in rows]
    return Facet("delegate", "代表委员", _with_chosen(options, [(str(d.pk), d.name) for d in chosen]))


def _organisation_facet(qs, chosen) -> Facet:
    ids = {o.pk for o in chosen}
    rows = selectors.organisation_counts(qs, first=ids, limit=ORGANISATION_LIMIT + len(ids))
    options = [
        Option(str(r["organisation_id"]), r["organisation__name"], r["n"], r["organisation_id"] in ids)
        for r in rows
    ]
    return Facet("organisation", "机构", _with_chosen(options, [(str(o.pk), o.name) for o in chosen]))


def _kind_facet(qs, chosen) -> Facet:
    labels = dict(ProposalKind.choices)
    options = [
        Option(r["kind"], labels.get(r["kind"], r["kind"]), r["n"], r["kind"] in chosen)
        for r in selectors.field_counts(qs, "kind")
    ]
    return Facet("kind", "类型", _with_chosen(options, [(k, labels[k]) for k in chosen]))


def _year_facet(qs, chosen) -> Facet:
    chosen = int(chosen) if chosen is not None else None
    options = [
        Option(str(r["year"]), f"{r['year']}年", r["n"], r["year"] == chosen)
        for r in selectors.field_counts(qs, "year").order_by("-year")
    ]
    if chosen is not None:
        options = _with_chosen(options, [(str(chosen), f"{chosen}年")])
    return Facet("year", "年份", options, multiple=False)
