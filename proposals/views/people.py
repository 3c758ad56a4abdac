"""Delegates, regions and organisations, and what their delegates proposed."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from proposals import selectors
from proposals.caching import cached
from proposals.filters import DelegateFilterSet
from proposals.models import (
    Body,
    Delegate,
    Membership,
    Organisation,
    Position,
    Proposal,
    Region,
)
from proposals.views.common import bind_filterset, paginate

REGION_DELEGATES = 30  # the most active delegates a region page lists


def delegate_list(request):
    filterset, errors = bind_filterset(DelegateFilterSet, request.GET, Delegate.objects.published())
    paged = paginate(
        request,
        selectors.delegates_with_counts(filterset.qs, positions=False).order_by("name", "id"),
        default_size=50,
    )
    data = filterset.form.cleaned_data
    context = {
        "filterset": filterset,
        "errors": errors,
        "paged": paged,
        "delegates": paged.objects,
        "bodies": Body.choices,
        "chosen_bodies": data.get("body") or [],
        "regions": Region.objects.select_related("parent"),
        "chosen_regions": {r.slug for r in data.get("region") or []},
        "q": data.get("q") or "",
        "breadcrumbs": [("首页", "/"), ("代表委员", None)],
    }
    return render(request, "proposals/delegate_list.html", context, status=400 if errors else 200)


def delegate_detail(request, pk: int):
    survivor = selectors.merged_delegate_survivor(str(pk))
    if survivor is not None:  # a merged duplicate's page moved to the record it was merged into
        return redirect("delegate-detail", pk=survivor.pk, permanent=True)
    delegate = get_object_or_404(Delegate.objects.published(), pk=pk)
    memberships = Membership.objects.filter(delegate=delegate).select_related("region__parent", "article")
    positions = Position.objects.filter(delegate=delegate).select_related("organisation")
    proposals = (
        Proposal.objects.published().by_delegates([delegate.pk]).order_by("-date", "-id").with_related()
    )
    paged = paginate(request, proposals)
    context = {
        "paged": paged,
        "delegate": delegate,
        "memberships": memberships,
        "positions": positions,
        "aliases": [a.name for a in delegate.aliases.all() if a.name != delegate.name],
        "proposals": paged.objects,
        "breadcrumbs": [("首页", "/"), ("代表委员", reverse("delegate-list")), (delegate.name, None)],
    }
    return render(request, "proposals/delegate_detail.html", context)


def region_list(request):
    regions = cached("region-list", {}, lambda: selectors.regions_in_selection(Proposal.objects.published()))
    context = {"regions": regions, "breadcrumbs": [("首页", "/"), ("地区", None)]}
    return render(request, "proposals/region_list.html", context)


def region_detail(request, slug: str):
    region = get_object_or_404(Region.objects.select_related("parent"), slug=slug)
    ancestors = list(Region.objects.filter(path__in=_ancestor_paths(region.path)).order_by("path"))
    proposals = Proposal.objects.published().in_regions([region])
    delegates = cached(
        "region-delegates",
        region.pk,
        lambda: list(
            selectors.delegates_with_counts(
                Delegate.objects.published()
                .filter(memberships__region__path__startswith=region.path)
                .distinct(),
                positions=False,
            ).order_by("-proposal_count", "name")[:REGION_DELEGATES]
        ),
    )
    paged = paginate(request, proposals.order_by("-date", "-id").with_related())
    crumbs = [("首页", "/"), ("地区", reverse("region-list"))]
    crumbs += [(a.name, reverse("region-detail", args=[a.slug])) for a in ancestors]
    context = {
        "region": region,
        "children": region.children.all(),
        "delegates": delegates,
        "paged": paged,
        "proposals": paged.objects,
        "breadcrumbs": [*crumbs, (region.name, None)],
    }
    return render(request, "proposals/region_detail.html", context)


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]


def organisation_detail(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.select_related("region", "parent"), pk=pk)
    positions = (
        Position.objects.filter(organisation=organisation, delegate__in=Delegate.objects.published())
        .select_related("delegate")
        .order_by("delegate__name")
    )
    proposals = Proposal.objects.published().by_organisations([organisation.pk])
    paged = paginate(request, proposals.order_by("-date", "-id").with_related())
    context = {
        "organisation": organisation,
        "positions": positions,
        "units": organisation.units.all(),
        "paged": paged,
        "proposals": paged.objects,
        "breadcrumbs": [("首页", "/"), ("机构", None), (organisation.name, None)],
    }
    return render(request, "proposals/organisation_detail.html", context)
