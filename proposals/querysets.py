"""Reads: querysets that speak the domain. Filters use EXISTS subqueries, never joins that need DISTINCT,
so that they stay cheap at a million proposals and combine freely."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch


class ProposalQuerySet(models.QuerySet):
    def published(self) -> ProposalQuerySet:
        from proposals.models import ReviewStatus

        return self.filter(status=ReviewStatus.PUBLISHED)

    def on_themes(self, slugs: Iterable[str]) -> ProposalQuerySet:
        """On any of these themes."""
        through = self.model.themes.through
        return self.filter(
            Exists(through.objects.filter(proposal=OuterRef("pk"), theme__slug__in=list(slugs)))
        )

    def in_bodies(self, codes: Iterable[str]) -> ProposalQuerySet:
        """Made in the capacity of a membership of any of these bodies."""
        from proposals.models import Authorship

        return self.filter(
            Exists(Authorship.objects.filter(proposal=OuterRef("pk"), membership__body__in=list(codes)))
        )

    def in_regions(self, regions: Iterable) -> ProposalQuerySet:
        """By a delegate with a membership in any of these regions or a region inside them."""
        from proposals.models import Authorship

        condition = models.Q()
        for region in regions:
            condition |= models.Q(delegate__memberships__region__path__startswith=region.path)
        if not condition:
            return self
        return self.filter(Exists(Authorship.objects.filter(condition, proposal=OuterRef("pk"))))

    def by_delegates(self, delegate_ids: Iterable[int]) -> ProposalQuerySet:
        from proposals.models import Authorship

        return self.filter(
            Exists(Authorship.objects.filter(proposal=OuterRef("pk"), delegate_id__in=list(delegate_ids)))
        )

    def by_organisations(self, organisation_ids: Iterable[int]) -> ProposalQuerySet:
        """By a delegate who holds a position in any of these organisations."""
        from proposals.models import Authorship

        return self.filter(
            Exists(
                Authorship.objects.filter(
                    proposal=OuterRef("pk"), delegate__positions__organisation_id__in=list(organisation_ids)
                )
            )
        )

    def ids(self) -> models.QuerySet:
        """The primary keys, unordered: a subquery for counts over this selection."""
        return self.order_by().values("pk")

    def search(self, query) -> ProposalQuerySet:
        from proposals.search import apply_search

        return apply_search(self, query)

    def with_related(self) -> ProposalQuerySet:
        """What a list of proposals shows, in a fixed number of queries whatever its length."""
        from proposals.models import Authorship, Quote, QuotePassage

        return self.prefetch_related(
            "themes",
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("delegate", "membership__region__parent").order_by(
                    "order", "id"
                ),
            ),
            Prefetch(
                "quotes",
                queryset=Quote.objects.select_related("article").prefetch_related(
                    Prefetch("passages", queryset=QuotePassage.objects.order_by("order", "start"))
                ),
            ),
        )


# --- counts over a selection of proposals (one GROUP BY query each) -------------------------------------


def delegate_counts(proposals: ProposalQuerySet, *, first: Iterable[int] = (), limit: int | None = None):
    """Published delegates with how many of these proposals they signed, most first (``first`` ids on top)."""
    from proposals.models import Authorship, ReviewStatus

    rows = (
        Authorship.objects.filter(
            proposal__in=proposals.ids(),
            delegate__status=ReviewStatus.PUBLISHED,
            delegate__merged_into__isnull=True,
        )
        .values("delegate_id", "delegate__name")
        .annotate(n=models.Count("proposal_id", distinct=True), chosen=_chosen("delegate_id", first))
        .order_by("-chosen", "-n", "delegate__name", "delegate_id")
    )
    return rows[:limit] if limit else rows


def organisation_counts(proposals: ProposalQuerySet, *, first: Iterable[int] = (), limit: int | None = None):
    """Organisations with how many of these proposals their delegates made, most first."""
    from proposals.models import Position

    rows = (
        Position.objects.filter(delegate__authorships__proposal__in=proposals.ids())
        .values("organisation_id", "organisation__name")
        .annotate(
            n=models.Count("delegate__authorships__proposal_id", distinct=True),
            chosen=_chosen("organisation_id", first),
        )
        .order_by("-chosen", "-n", "organisation__name")
    )
    return rows[:limit] if limit else rows


def theme_counts(proposals: ProposalQuerySet):
    """Themes (slug, name) with how many of these proposals are on them, in the themes' order."""
    through = _theme_through()
    return (
        through.objects.filter(proposal__in=proposals.ids())
        .values("theme_id", "theme__slug", "theme__name", "theme__order")
        .annotate(n=models.Count("proposal_id"))
        .order_by("theme__order", "theme_id")
    )


def body_counts(proposals: ProposalQuerySet):
    """Bodies with how many of these proposals were made in a membership of them."""
    from proposals.models import Authorship

    return (
        Authorship.objects.filter(proposal__in=proposals.ids(), membership__isnull=False)
        .values("membership__body")
        .annotate(n=models.Count("proposal_id", distinct=True))
        .order_by("-n")
    )


def field_counts(proposals: ProposalQuerySet, field: str):
    """Values of one column of these proposals (kind, year) with their counts."""
    return (
        proposals.model.objects.filter(pk__in=proposals.ids())
        .values(field)
        .annotate(n=models.Count("pk"))
        .order_by(field)
    )


def region_counts(proposals: ProposalQuerySet, regions=None):
    """Regions annotated ``n``: these proposals by a delegate with a membership in the region or inside it.

    One query, a correlated COUNT per region (regions are a small table; proposals are not looped over).
    """
    from proposals.models import Authorship, Region

    by_region = Authorship.objects.filter(
        proposal_id=OuterRef("pk"),
        delegate__memberships__region__path__startswith=OuterRef(OuterRef("path")),
    )
    count = (
        proposals.model.objects.filter(pk__in=proposals.ids())
        .filter(Exists(by_region))
        .order_by()
        .annotate(c=models.Func(models.F("pk"), function="COUNT"))
        .values("c")
    )
    regions = Region.objects.all() if regions is None else regions
    return regions.select_related("parent").annotate(
        n=models.Subquery(count, output_field=models.IntegerField())
    )


def theme_body_counts(proposals: ProposalQuerySet):
    """(theme slug, body code, number of proposals): the theme × body table of the statistics page."""
    from proposals.models import Authorship

    return (
        Authorship.objects.filter(
            proposal__in=proposals.ids(), membership__isnull=False, proposal__themes__isnull=False
        )
        .values(theme=models.F("proposal__themes__slug"), body=models.F("membership__body"))
        .annotate(n=models.Count("proposal_id", distinct=True))
        .order_by()
    )


def _chosen(field: str, ids: Iterable[int]):
    ids = list(ids)
    if not ids:
        return models.Value(0, output_field=models.IntegerField())
    return models.Case(
        models.When(**{f"{field}__in": ids}, then=models.Value(1)),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )


def _theme_through():
    from proposals.models import Proposal

    return Proposal.themes.through
