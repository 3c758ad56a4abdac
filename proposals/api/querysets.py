"""The querysets behind each endpoint and the bulk files: the public querysets, annotated with counts of
published proposals and prefetched so that a page costs a fixed number of queries."""

from __future__ import annotations

from django.db.models import F, Func, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from proposals.models import (
    Article,
    Authorship,
    Delegate,
    Membership,
    Organisation,
    Position,
    Proposal,
    Quote,
    Region,
    ReviewStatus,
    Theme,
)


def count_of(qs: QuerySet, field: str = "pk", *, distinct: bool = False) -> Coalesce:
    """A correlated subquery counting the rows (or distinct ``field`` values) of ``qs``, which refers to
    the outer row with OuterRef."""
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    counted = qs.order_by().annotate(
        _n=Func(F(field), function="COUNT", template=template, output_field=IntegerField())
    )
    return Coalesce(Subquery(counted.values("_n"), output_field=IntegerField()), 0)


def _published_proposals_signed(**authorship_filter) -> Coalesce:
    """How many published proposals have an authorship matching the filter: the proposals filters' rule,
    counted from the authorships (a few per region or organisation) rather than from every proposal."""
    authorships = Authorship.objects.filter(proposal__status=ReviewStatus.PUBLISHED, **authorship_filter)
    return count_of(authorships, "proposal_id", distinct=True)


def proposals(*, include_unpublished: bool = False) -> QuerySet:
    qs = Proposal.objects.all() if include_unpublished else Proposal.objects.published()
    return qs.with_related()


def delegates(*, include_unpublished: bool = False) -> QuerySet:
    qs = Delegate.objects.all() if include_unpublished else Delegate.objects.published()
    published_authorships = Authorship.objects.filter(
        delegate=OuterRef("pk"), proposal__status=ReviewStatus.PUBLISHED
    )
    return qs.annotate(proposal_count=count_of(published_authorships)).prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.select_related("region__parent").order_by("body", "id")
        ),
        Prefetch(
            "positions", queryset=Position.objects.select_related("organisation").order_by("order", "id")
        ),
    )


def themes() -> QuerySet:
    tagged = Proposal.themes.through.objects.filter(
        theme=OuterRef("pk"), proposal__status=ReviewStatus.PUBLISHED
    )
    return Theme.objects.annotate(proposal_count=count_of(tagged)).order_by("order", "id")


def regions() -> QuerySet:
    # The same rule as the proposals filter: a region includes the regions inside it.
    inside = _published_proposals_signed(delegate__memberships__region__path__startswith=OuterRef("path"))
    return Region.objects.select_related("parent").annotate(proposal_count=inside).order_by("path", "id")


def organisations() -> QuerySet:
    held = _published_proposals_signed(delegate__positions__organisation=OuterRef("pk"))
    return (
        Organisation.objects.select_related("region", "parent")
        .annotate(proposal_count=held)
        .order_by("name", "id")
    )


def articles() -> QuerySet:
    quoted = Quote.objects.filter(article=OuterRef("pk"), proposal__status=ReviewStatus.PUBLISHED)
    return Article.objects.defer("text").annotate(proposal_count=count_of(quoted)).order_by("id")
