"""Reads that count or select published records: every count the site, the API, the bulk files and the admin
show is written here.

Two kinds of counts, one way each:

- **per record** (a delegate's, a theme's, an article's number of published proposals): a correlated
  subquery, ``count_of``, evaluated for the rows of the page only, never a GROUP BY over the table;
- **over a selection** (the facets of a filtered list, the statistics page): one GROUP BY query per facet
  over the selected proposals' ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import F, Func, IntegerField, Model, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from proposals.filters import is_record_id
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
from proposals.models.proposals import ProposalQuerySet
from proposals.regions import authorship_in_region_q, delegate_regions_sql

# --- per record: correlated COUNT subqueries ------------------------------------------------------------


def count_of(qs: QuerySet, field: str = "pk", *, distinct: bool = False) -> Coalesce:
    """A correlated subquery counting the rows (or distinct ``field`` values) of ``qs``, which refers to
    the outer row with OuterRef."""
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    counted = qs.order_by().annotate(
        _n=Func(F(field), function="COUNT", template=template, output_field=IntegerField())
    )
    return Coalesce(Subquery(counted.values("_n"), output_field=IntegerField()), 0)


def related_count(model: type[Model], field: str) -> Coalesce:
    """How many ``model`` rows point to the outer row through ``field``, whatever their status (the admin)."""
    return count_of(model._default_manager.filter(**{field: OuterRef("pk")}))


def _published_proposals_signed(**authorship_filter) -> Coalesce:
    """How many published proposals have an authorship matching the filter: the proposals filters' rule,
    counted from the authorships (a few per region or organisation) rather than from every proposal."""
    authorships = Authorship.objects.filter(proposal__status=ReviewStatus.PUBLISHED, **authorship_filter)
    return count_of(authorships, "proposal_id", distinct=True)


def published_proposals(*, include_unpublished: bool = False) -> ProposalQuerySet:
    """Published proposals; with include_unpublished (sync), also those published once (tombstones)."""
    qs = Proposal.objects.ever_published() if include_unpublished else Proposal.objects.published()
    return qs.with_related()


def published_proposal_rows() -> ProposalQuerySet:
    """Published proposals with only the columns of their API record (``bulk_records.ROW_COLUMNS``): the
    API's list pages build the rest with ``bulk_records.page_records``, not from prefetched instances."""
    from proposals.api.bulk_records import ROW_COLUMNS

    return Proposal.objects.published().only(*ROW_COLUMNS)


def merged_delegate_survivor(value: str) -> Delegate | None:
    """For the id of a merged duplicate: the published record it now lives in (merges followed)."""
    if not is_record_id(value):
        return None
    duplicate = Delegate.objects.filter(pk=int(value), merged_into__isnull=False).first()
    if duplicate is None:
        return None
    survivor = duplicate.survivor()
    return survivor if Delegate.objects.published().filter(pk=survivor.pk).exists() else None


def delegates_with_counts(
    delegates: QuerySet | None = None, *, positions: bool = True, counted: bool = True
) -> QuerySet:
    """Delegates (published unless a queryset is given) with ``proposal_count`` (their published
    proposals; not with ``counted=False``: see ``whole_counts``) and their memberships (and positions)
    prefetched."""
    qs = Delegate.objects.published() if delegates is None else delegates
    published_authorships = Authorship.objects.filter(
        delegate=OuterRef("pk"), proposal__status=ReviewStatus.PUBLISHED
    )
    prefetches: list[Prefetch[Any, Any, Any]] = [
        Prefetch(
            "memberships", queryset=Membership.objects.select_related("region__parent").order_by("body", "id")
        )
    ]
    if positions:
        prefetches.append(
            Prefetch(
                "positions", queryset=Position.objects.select_related("organisation").order_by("order", "id")
            )
        )
    qs = qs.prefetch_related(*prefetches)
    return qs.annotate(proposal_count=count_of(published_authorships)) if counted else qs


def themes_with_counts(*, counted: bool = True) -> QuerySet:
    tagged = Proposal.themes.through.objects.filter(
        theme=OuterRef("pk"), proposal__status=ReviewStatus.PUBLISHED
    )
    qs = Theme.objects.order_by("order", "id")
    return qs.annotate(proposal_count=count_of(tagged)) if counted else qs


def regions_with_counts(*, counted: bool = True) -> QuerySet:
    # The same rule as the proposals filter: a region includes the regions inside it.
    authorships = Authorship.objects.filter(
        authorship_in_region_q(OuterRef("path")), proposal__status=ReviewStatus.PUBLISHED
    )
    inside = count_of(authorships, "proposal_id", distinct=True)
    qs = Region.objects.select_related("parent").order_by("path", "id")
    return qs.annotate(proposal_count=inside) if counted else qs


def organisations_with_counts(*, counted: bool = True) -> QuerySet:
    held = _published_proposals_signed(delegate__positions__organisation=OuterRef("pk"))
    qs = Organisation.objects.select_related("region", "parent").order_by("name", "id")
    return qs.annotate(proposal_count=held) if counted else qs


def articles_with_counts(*, counted: bool = True) -> QuerySet:
    """Articles (without their text) with ``proposal_count``: their quotes of published proposals."""
    quoted = Quote.objects.filter(article=OuterRef("pk"), proposal__status=ReviewStatus.PUBLISHED)
    qs = Article.objects.defer("text").order_by("id")
    return qs.annotate(proposal_count=count_of(quoted)) if counted else qs


# --- every record at once (the bulk files): one GROUP BY per collection ---------------------------------


def whole_counts(collection: str) -> dict[int, int]:
    """{record id: its ``proposal_count``} for every record of a collection of the ``*_with_counts``
    selectors above, counted as they count, in one grouped query: a correlated count per row suits a page of
    20 rows, not every row (at 100,000 proposals the articles' subquery hashes every published proposal
    once per article). Records without a count are left out (their count is 0)."""
    published = Proposal.objects.published()
    if collection == "regions":
        return region_counts(published)
    rows: QuerySet
    if collection == "delegates":
        rows = Authorship.objects.filter(proposal__in=published.ids()).values(key=F("delegate_id"))
        rows = rows.annotate(n=models.Count("pk"))
    elif collection == "themes":
        rows = Proposal.themes.through.objects.filter(proposal__in=published.ids()).values(key=F("theme_id"))
        rows = rows.annotate(n=models.Count("pk"))
    elif collection == "organisations":
        rows = Position.objects.filter(delegate__authorships__proposal__in=published.ids())
        rows = rows.values(key=F("organisation_id")).annotate(
            n=models.Count("delegate__authorships__proposal_id", distinct=True)
        )
    elif collection == "articles":
        rows = Quote.objects.filter(proposal__in=published.ids()).values(key=F("article_id"))
        rows = rows.annotate(n=models.Count("pk"))
    else:
        raise ValueError(f"no proposal counts for {collection!r}")
    return {row["key"]: row["n"] for row in rows.order_by()}


# --- over a selection of proposals: one GROUP BY query each ---------------------------------------------


def delegate_counts(proposals: ProposalQuerySet, *, first: Iterable[int] = (), limit: int | None = None):
    """Published delegates (``delegate_id``, ``name``) with how many of these proposals they signed, most first
    (``first`` ids on top).

    Grouped on the authorship table alone, the name looked up per group: joining the delegates first lets
    SQLite loop over every delegate and probe the whole id list for each (a minute at 100,000 proposals).
    """
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
    return (
        Proposal.themes.through.objects.filter(proposal__in=proposals.ids())
        .values("theme_id", "theme__slug", "theme__name", "theme__order")
        .annotate(n=models.Count("proposal_id"))
        .order_by("theme__order", "theme_id")
    )


def body_counts(proposals: ProposalQuerySet):
    """Bodies with how many of these proposals were made in a membership of them."""
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
    """{region id: how many of these proposals are by a delegate who belongs to it or inside it}
    (the rule of proposals.regions).

    One query: each membership region is joined to every region whose path is a prefix of its own (itself
    and its ancestors, at any depth, the same rule as ``in_regions``), then grouped. Raw SQL because the
    ORM cannot join on a prefix; it runs unchanged on SQLite and PostgreSQL.
    """
    try:
        ids_sql, ids_params = proposals.ids().query.sql_with_params()
    except EmptyResultSet:  # .none(): nothing to count
        return {}
    a, r = Authorship._meta.db_table, Region._meta.db_table
    sql = f"""
        SELECT anc.id, COUNT(DISTINCT a.proposal_id)
        FROM {a} a
        JOIN ({delegate_regions_sql()}) m ON m.delegate_id = a.delegate_id
        JOIN {r} r ON r.id = m.region_id
        JOIN {r} anc ON substr(r.path, 1, length(anc.path)) = anc.path
        WHERE a.proposal_id IN ({ids_sql})
        GROUP BY anc.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, ids_params)
        return dict(cursor.fetchall())


def regions_in_selection(proposals: ProposalQuerySet) -> list:
    """Every region (in path order) with ``n`` set from region_counts: two queries, the regions table is small."""
    counts = region_counts(proposals)
    regions = list(Region.objects.select_related("parent"))
    for region in regions:
        region.n = counts.get(region.pk, 0)  # type: ignore[attr-defined]
    return regions


def theme_body_counts(proposals: ProposalQuerySet):
    """(theme slug, body code, number of proposals): the theme × body table of the statistics page."""
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
