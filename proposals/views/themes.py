"""Themes with their counts, one theme's proposals, and the statistics page."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from proposals import selectors
from proposals.caching import cached
from proposals.charts import Bar, bar_chart, column_chart, stacked_bar_chart
from proposals.feeds import list_tools
from proposals.models import Body, Proposal, ProposalKind, RegionLevel, Theme
from proposals.regions import RULE_TEXT
from proposals.views.common import paginate

TOP_DELEGATES = 10


def theme_list(request):
    themes = cached("theme-list", {}, lambda: list(selectors.themes_with_counts()))
    ranked = sorted(themes, key=lambda t: -t.proposal_count)
    chart = bar_chart([Bar(t.name, t.proposal_count) for t in ranked], title="各主题的建言数量")
    context = {"themes": themes, "chart": chart, "breadcrumbs": [("首页", "/"), ("主题", None)]}
    return render(request, "proposals/theme_list.html", context)


def theme_detail(request, slug: str):
    theme = get_object_or_404(Theme, slug=slug)
    proposals = Proposal.objects.published().on_themes([theme])
    paged = paginate(request, proposals.order_by("-date", "-id").with_related())
    context = {
        "theme": theme,
        "paged": paged,
        "proposals": paged.objects,
        "top_delegates": ranking_without_ties(
            cached(
                "theme-top-delegates",
                theme.pk,
                lambda: list(selectors.delegate_counts(proposals, limit=TOP_DELEGATES)),
            )
        ),
        "breadcrumbs": [("首页", "/"), ("主题", reverse("theme-list")), (theme.name, None)],
        **list_tools("theme", theme.slug),
    }
    return render(request, "proposals/theme_detail.html", context)


def ranking_without_ties(rows: list[dict]) -> list[dict]:
    """A ranking only says something when the counts differ: the delegates with more proposals than the
    fewest any of them has (nothing when they all have as many)."""
    if not rows:
        return []
    floor = min(r["n"] for r in rows)
    return [r for r in rows if r["n"] > floor]


def stats(request):
    context = cached("stats", {}, _stats)
    return render(
        request, "proposals/stats.html", {**context, "breadcrumbs": [("首页", "/"), ("统计", None)]}
    )


def _stats() -> dict:
    """Everything the statistics page shows (counts over every published proposal: cached)."""
    published = Proposal.objects.published()
    themes = list(Theme.objects.all())
    bodies = list(Body)
    table: dict[tuple[str, str], int] = {
        (row["theme"], row["body"]): row["n"] for row in selectors.theme_body_counts(published)
    }
    used_bodies = [b for b in bodies if any(table.get((t.slug, b.value)) for t in themes)]
    rows: list[dict[str, Any]] = []
    for theme in themes:
        parts = [table.get((theme.slug, b.value), 0) for b in used_bodies]
        cells = list(zip(used_bodies, parts, strict=True))
        rows.append({"theme": theme, "parts": parts, "cells": cells, "total": sum(parts)})
    rows.sort(key=lambda r: -r["total"])  # sorted bars: the largest first (stable: the themes' order on ties)
    theme_chart = stacked_bar_chart(
        [Bar(r["theme"].name, r["total"], parts=r["parts"]) for r in rows],
        [b.label for b in used_bodies],
        title="各主题建言按提出者身份",
    )
    regions = [
        r for r in selectors.regions_in_selection(published) if r.n and r.level == RegionLevel.PROVINCE
    ]
    regions.sort(key=lambda r: (-r.n, r.path))
    unplaced = published.without_region().count()
    region_bars = [Bar(r.name, r.n) for r in regions]
    if unplaced:
        region_bars.append(Bar("地区未注明", unplaced))
    region_bars.sort(key=lambda b: -b.value)
    years = sorted(selectors.field_counts(published, "year"), key=lambda r: r["year"])
    region_chart = bar_chart(
        region_bars,
        title="各地区代表委员的建言数量",
        color="#2c5f8a",
    )
    labels = dict(ProposalKind.choices)
    kinds = [(labels.get(r["kind"], r["kind"]), r["n"]) for r in selectors.field_counts(published, "kind")]
    context = {
        "rows": rows,
        "bodies": used_bodies,
        "theme_chart": theme_chart,
        "regions": regions,
        "unplaced": unplaced,
        "region_rule": RULE_TEXT,
        "region_chart": region_chart,
        "year_chart": column_chart(
            [Bar(str(r["year"]), r["n"]) for r in years],
            title="各年份的建言数量",
        ),
        "years": years,
        "total": published.count(),
        "kinds": kinds,
    }
    return context
