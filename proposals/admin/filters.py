"""List filters for relations the changelist cannot follow with a plain field name.

Each filter uses an EXISTS subquery (through the domain querysets where one exists), never a join, so the
changelist needs no DISTINCT and stays one query whatever the filter.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import connections, router
from django.db.models import Exists, OuterRef, QuerySet

from proposals.models import (
    Article,
    Authorship,
    Body,
    Delegate,
    Membership,
    Quote,
    Region,
    RegionLevel,
    Theme,
)
from proposals.numbers import is_record_id


class _Filter(admin.SimpleListFilter):
    """A filter whose `apply(queryset, value)` runs only when a value is chosen."""

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return self.apply(queryset, value) if value else queryset

    def apply(self, queryset: QuerySet, value: str) -> QuerySet:  # pragma: no cover - abstract
        raise NotImplementedError


class _BodyFilter(_Filter):
    title = "身份"
    parameter_name = "body"

    def lookups(self, request, model_admin):
        return Body.choices


class _RegionFilter(_Filter):
    """Province-level regions; a region matches itself and every city and district inside it."""

    title = "地区"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return list(Region.objects.filter(level=RegionLevel.PROVINCE).values_list("slug", "name"))

    def region(self, value: str) -> Region | None:
        return Region.objects.filter(slug=value).first()


class _ThemeFilter(_Filter):
    title = "主题"
    parameter_name = "theme"

    def lookups(self, request, model_admin):
        return list(Theme.objects.values_list("slug", "name"))


class ProposalBodyFilter(_BodyFilter):
    """Proposals made in the capacity of a membership of this body (authorships__membership__body)."""

    def apply(self, queryset, value):
        return queryset.in_bodies([value])


class ProposalRegionFilter(_RegionFilter):
    """Proposals by a delegate with a membership in this region (or a region inside it)."""

    def apply(self, queryset, value):
        region = self.region(value)
        return queryset.in_regions([region]) if region else queryset.none()


class ProposalThemeFilter(_ThemeFilter):
    def apply(self, queryset, value):
        return queryset.on_themes([value])


class ProposalArticleFilter(_Filter):
    """Proposals quoted in this article (quotes__article). The sidebar lists the newest quoted articles and
    the chosen one (thousands of articles at a million proposals); any article's id works in the URL."""

    title = "来源文章"
    parameter_name = "article"
    shown = 30

    def lookups(self, request, model_admin):
        quoted = Article.objects.filter(Exists(Quote.objects.filter(article=OuterRef("pk")))).only(
            "pk", "title"
        )
        articles = list(quoted.order_by("-pk")[: self.shown])
        value = self.value() or ""
        if is_record_id(value) and all(a.pk != int(value) for a in articles):
            articles += list(quoted.filter(pk=int(value)))
        return [(str(a.pk), a.title if len(a.title) <= 24 else f"{a.title[:24]}…") for a in articles]

    def apply(self, queryset, value):
        if not is_record_id(value):
            return queryset.none()
        return queryset.filter(Exists(Quote.objects.filter(proposal=OuterRef("pk"), article_id=int(value))))


class ProposalDelegateFilter(_Filter):
    """Proposals signed by this delegate (the delegate page links here): shown only once chosen, as a
    list of every delegate would have tens of thousands of entries."""

    title = "署名人"
    parameter_name = "delegate"

    def lookups(self, request, model_admin):
        value = self.value() or ""
        if not is_record_id(value):
            return []
        return list(Delegate.objects.filter(pk=int(value)).values_list("pk", "name"))

    def apply(self, queryset, value):
        if not is_record_id(value):
            return queryset.none()
        return queryset.filter(
            Exists(Authorship.objects.filter(proposal=OuterRef("pk"), delegate_id=int(value)))
        )


class ProposalSourcedFilter(_Filter):
    """Proposals with or without a quote: one without has nothing to rest on and should not be published."""

    title = "引文"
    parameter_name = "sourced"

    def lookups(self, request, model_admin):
        return [("yes", "有引文"), ("no", "无引文")]

    def apply(self, queryset, value):
        has_quote = Exists(Quote.objects.filter(proposal=OuterRef("pk")))
        return queryset.filter(has_quote) if value == "yes" else queryset.filter(~has_quote)


class DelegateBodyFilter(_BodyFilter):
    def apply(self, queryset, value):
        return queryset.filter(Exists(Membership.objects.filter(delegate=OuterRef("pk"), body=value)))


class DelegateRegionFilter(_RegionFilter):
    def apply(self, queryset, value):
        region = self.region(value)
        if region is None:
            return queryset.none()
        return queryset.filter(
            Exists(Membership.objects.filter(delegate=OuterRef("pk"), region__path__startswith=region.path))
        )


class DelegateThemeFilter(_ThemeFilter):
    """Delegates who signed a proposal on this theme."""

    def apply(self, queryset, value):
        return queryset.filter(
            Exists(Authorship.objects.filter(delegate=OuterRef("pk"), proposal__themes__slug=value))
        )


class MergedFilter(_Filter):
    title = "合并"
    parameter_name = "merged"

    def lookups(self, request, model_admin):
        return [("no", "有效记录"), ("yes", "已合并的重复记录")]

    def apply(self, queryset, value):
        return queryset.filter(merged_into__isnull=value != "yes")


class YearFilter(admin.AllValuesFieldListFilter):
    """The years present, found by one index probe per year (a loose index scan: a few dozen rows read)
    rather than a DISTINCT over every row of the table."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        if field_path == field.name:  # a column of this model (not a relation's)
            self.lookup_choices = distinct_values(model, field.column)  # type: ignore[assignment]


def distinct_values(model, column: str) -> list:
    """The distinct non-null values of an indexed column, ascending: a recursive query that asks the index
    for the next value above the last one, so it reads one row per distinct value (both backends)."""
    quote = connections[router.db_for_read(model)].ops.quote_name
    table, col = quote(model._meta.db_table), quote(column)
    sql = (
        f"WITH RECURSIVE found(v) AS (SELECT MIN({col}) FROM {table} UNION ALL "
        f"SELECT (SELECT MIN({col}) FROM {table} WHERE {col} > found.v) FROM found WHERE found.v IS NOT NULL) "
        "SELECT v FROM found WHERE v IS NOT NULL"
    )
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


class MembershipRegionFilter(_RegionFilter):
    def apply(self, queryset, value):
        region = self.region(value)
        return queryset.filter(region__path__startswith=region.path) if region else queryset.none()
