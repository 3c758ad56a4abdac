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
        return self.filter(Exists(through.objects.filter(proposal=OuterRef("pk"), theme__slug__in=list(slugs))))

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

    def search(self, query) -> ProposalQuerySet:
        from proposals.search import apply_search

        return apply_search(self, query)

    def with_related(self) -> ProposalQuerySet:
        """What a list of proposals shows, in a fixed number of queries whatever its length."""
        from proposals.models import Authorship, QuotePassage, Quote

        return self.prefetch_related(
            "themes",
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("delegate", "membership__region").order_by("order", "id"),
            ),
            Prefetch(
                "quotes",
                queryset=Quote.objects.select_related("article").prefetch_related(
                    Prefetch("passages", queryset=QuotePassage.objects.order_by("order", "start"))
                ),
            ),
        )
