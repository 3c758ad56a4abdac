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

    def with_related(self, *, article_text: bool = False) -> ProposalQuerySet:
        """What a list of proposals shows, in a fixed number of queries whatever its length.

        The source articles' full text is left out unless asked for (a proposal's own page shows each
        quote in its paragraph): lists need only the articles' titles and outlets.
        """
        from proposals.models import Authorship, Quote, QuotePassage

        quotes = Quote.objects.select_related("article")
        if not article_text:
            quotes = quotes.defer("article__text")

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
                queryset=quotes.prefetch_related(
                    Prefetch("passages", queryset=QuotePassage.objects.order_by("order", "start"))
                ),
            ),
        )


# --- counts over a selection of proposals (one GROUP BY query each) -------------------------------------


def delegate_counts(proposals: ProposalQuerySet, *, first: Iterable[int] = (), limit: int | None = None):
    """Published delegates (``delegate_id``, ``name``) with how many of these proposals they signed, most first
    (``first`` ids on top).

    Grouped on the authorship table alone, the name looked up per group: joining the delegates first lets
    SQLite loop over every delegate and probe the whole id list for each (a minute at 100,000 proposals).
    """
    from proposals.models import Authorship, Delegate

    name = Delegate.objects.filter(pk=OuterRef("delegate_id")).values("name")[:1]
    rows = (
        Authorship.objects.filter(
            proposal__in=proposals.ids(), delegate_id__in=Delegate.objects.published().values("pk")
        )
        .values("delegate_id")
        .annotate(
            n=models.Count("proposal_id"),
            chosen=_chosen("delegate_id", first),
            name=models.Subquery(name, output_field=models.CharField()),
        )
        .order_by("-chosen", "-n", "delegate_id")
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


def region_counts(proposals: ProposalQuerySet) -> dict[int, int]:
    """{region id: how many of these proposals are by a delegate with a membership in it or inside it}.

    One query: each membership region is joined to every region whose path is a prefix of its own (itself
    and its ancestors, at any depth, the same rule as ``in_regions``), then grouped. Raw SQL because the
    ORM cannot join on a prefix; it runs unchanged on SQLite and PostgreSQL.
    """
    from django.core.exceptions import EmptyResultSet
    from django.db import connection

    from proposals.models import Authorship, Membership, Region

    try:
        ids_sql, ids_params = proposals.ids().query.sql_with_params()
    except EmptyResultSet:  # .none(): nothing to count
        return {}
    a, m, r = Authorship._meta.db_table, Membership._meta.db_table, Region._meta.db_table
    sql = f"""
        SELECT anc.id, COUNT(DISTINCT a.proposal_id)
        FROM {a} a
        JOIN {m} m ON m.delegate_id = a.delegate_id
        JOIN {r} r ON r.id = m.region_id
        JOIN {r} anc ON substr(r.path, 1, length(anc.path)) = anc.path
        WHERE a.proposal_id IN ({ids_sql})
        GROUP BY anc.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, ids_params)
        return dict(cursor.fetchall())


def regions_with_counts(proposals: ProposalQuerySet) -> list:
    """Every region (in path order) with ``n`` set from region_counts: two queries, the regions table is small."""
    from proposals.models import Region

    counts = region_counts(proposals)
    regions = list(Region.objects.select_related("parent"))
    for region in regions:
        region.n = counts.get(region.pk, 0)
    return regions


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
