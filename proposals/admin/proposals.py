"""Proposals, their authorships and themes; publish and unpublish actions; the quotes in context."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Prefetch, Q
from django.utils.html import format_html_join

from proposals.admin.concurrency import EditGuardMixin
from proposals.admin.display import is_changelist, quotes_in_context
from proposals.admin.filters import (
    ProposalArticleFilter,
    ProposalBodyFilter,
    ProposalDelegateFilter,
    ProposalRegionFilter,
    ProposalSourcedFilter,
    ProposalThemeFilter,
    YearFilter,
)
from proposals.admin.forms import AuthorshipFormSet, QuoteInlineForm
from proposals.admin.history import HistoryAdminMixin
from proposals.admin.transfer import TransferMixin
from proposals.admin.workflow import QueueFilter, ReviewedAdminMixin, StatusCountFilter
from proposals.counts import AdminPaginator
from proposals.models import (
    AuthorRole,
    Authorship,
    Delegate,
    Membership,
    Proposal,
    Quote,
    QuotePassage,
    Theme,
)
from proposals.numbers import parse_int
from proposals.resources import ProposalResource
from proposals.selectors import related_count

PEOPLE_MATCH_LIMIT = 10_000  # proposals found through a delegate's name in an admin search


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    formset = AuthorshipFormSet
    extra = 0
    fields = ["delegate", "role", "membership", "order"]
    autocomplete_fields = ["delegate", "membership"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("delegate")  # str(): the edit token's snapshot

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "membership":  # the selected option's label reads its delegate and region
            kwargs["queryset"] = Membership.objects.select_related("delegate", "region__parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProposalQuoteInline(admin.TabularInline):
    """Quotes under a proposal: choose the article and paste a passage; more passages on the quote page."""

    model = Quote
    form = QuoteInlineForm
    extra = 0
    fields = ["article", "passages_text", "passage"]
    readonly_fields = ["passages_text"]
    autocomplete_fields = ["article"]
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article")
            .prefetch_related(Prefetch("passages", queryset=QuotePassage.objects.order_by("order", "start")))
        )

    @admin.display(description="已有段落")
    def passages_text(self, obj: Quote):
        if obj.pk is None:
            return "—"
        return format_html_join("", "<div>{}</div>", ((p.text,) for p in obj.passages.all())) or "—"


@admin.register(Proposal)
class ProposalAdmin(EditGuardMixin, ReviewedAdminMixin, TransferMixin, HistoryAdminMixin):
    list_display = ["title", "authors", "kind", "year", "theme_names", "quote_count", "status"]
    list_filter = [
        StatusCountFilter,
        QueueFilter,
        "kind",
        ProposalBodyFilter,
        ProposalRegionFilter,
        ProposalThemeFilter,
        ProposalArticleFilter,
        ProposalDelegateFilter,
        ProposalSourcedFilter,
        ("year", YearFilter),
    ]
    search_fields = [
        "title",
        "summary",
        "text",
        "authorships__delegate__name",
        "authorships__delegate__aliases__name",
        "quotes__article__title",
    ]
    autocomplete_fields = ["themes"]
    readonly_fields = ["text", "provenance", "version", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "themes"]}),
        ("审核", {"fields": ["status", "status_changed_by", "status_changed_at"]}),
        (
            "内容",
            {
                "fields": ["summary", "text"],
                "description": "摘要是编者的概述；原话取自下方引文，不能在此编辑。",
            },
        ),
        ("时间与会议", {"fields": [("year", "date"), "session"]}),
        ("出处（引文在原文中的位置）", {"fields": ["provenance"], "classes": ["wide"]}),
        ("时间戳", {"fields": ["version", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [AuthorshipInline, ProposalQuoteInline]
    count_unit = "条"
    resource_classes = [ProposalResource]
    date_hierarchy = None
    list_per_page = 50
    # At a million proposals an exact count of the table costs as much as the page: counted up to a limit,
    # estimated above it, and not counted a second time unfiltered.
    show_full_result_count = False
    paginator = AdminPaginator
    # Newest first only (the proposal_date_id index): sorting a million rows by a column without an index
    # (or by a count per row) takes seconds; curators narrow the list with filters and search instead.
    sortable_by = ()

    def get_search_results(self, request, queryset, search_term):
        """The site's search (the token index: title, summary, text, delegates' names, aliases and
        organisations) rather than a LIKE scan of every text and join, plus the proposals of delegates
        whose name or alias contains the term (at once, before the index catches up), and an id."""
        term = search_term.strip()
        if not term:
            return queryset, False
        people = Delegate.objects.filter(Q(name__contains=term) | Q(aliases__name__contains=term))
        # The delegates first (a few thousand at most), then their authorships by the delegate index,
        # unordered: ordered by the proposals' date it joined and sorted every authorship of the matches.
        people_ids = sorted(set(people.order_by().values_list("pk", flat=True)))
        ids = set(
            Authorship.objects.filter(delegate_id__in=people_ids)
            .order_by()
            .values_list("proposal_id", flat=True)[:PEOPLE_MATCH_LIMIT]
        )
        if (number := parse_int(term)) is not None:  # ASCII digits only: "²".isdigit() is True
            ids.add(number)
        found = queryset.search(term)
        if ids:
            found = found | queryset.filter(pk__in=sorted(ids)).annotate(search_rank=models.Value(0))
        return found, False

    def get_queryset(self, request):
        records = super().get_queryset(request).order_by(*self.model._meta.ordering)
        if not is_changelist(request):  # what the list shows, not needed by the change page
            return records
        return records.annotate(quote_count=related_count(Quote, "proposal")).prefetch_related(
            "themes",
            Prefetch(
                "authorships", queryset=Authorship.objects.select_related("delegate").order_by("order", "id")
            ),
        )

    @admin.display(description="署名")
    def authors(self, obj: Proposal) -> str:
        names = [
            f"{a.delegate.name}（领衔）"
            if a.role == AuthorRole.LEAD and len(obj.authorships.all()) > 1
            else a.delegate.name
            for a in obj.authorships.all()
        ]
        return "、".join(names) or "—"

    @admin.display(description="主题")
    def theme_names(self, obj: Proposal) -> str:
        return "、".join(t.name for t in obj.themes.all()) or "—"

    @admin.display(description="引文数", ordering="quote_count")
    def quote_count(self, obj: Proposal) -> int:
        return obj.quote_count  # type: ignore[attr-defined]  # annotated in get_queryset

    @admin.display(description="引文在文章中的上下文")
    def provenance(self, obj: Proposal):
        if obj.pk is None:
            return "保存建言并添加引文后，这里显示引文在原文中的位置。"
        quotes = obj.quotes.select_related("article").prefetch_related(
            Prefetch("passages", queryset=QuotePassage.objects.order_by("order", "start"))
        )
        return quotes_in_context(quotes)


@admin.register(Authorship)
class AuthorshipAdmin(EditGuardMixin, HistoryAdminMixin):
    list_display = ["proposal", "delegate", "role", "membership", "order"]
    list_filter = ["role", "membership__body"]
    list_select_related = ["proposal", "delegate", "membership__delegate", "membership__region__parent"]
    search_fields = ["proposal__title", "delegate__name", "delegate__aliases__name"]
    autocomplete_fields = ["proposal", "delegate", "membership"]


@admin.register(Theme)
class ThemeAdmin(EditGuardMixin, HistoryAdminMixin):
    list_display = ["name", "slug", "order", "proposal_count"]
    list_editable = ["order"]
    search_fields = ["name", "slug", "keywords", "description"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(proposal_count=related_count(Proposal.themes.through, "theme"))
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="建言数", ordering="proposal_count")
    def proposal_count(self, obj: Theme) -> int:
        return obj.proposal_count  # type: ignore[attr-defined]  # annotated in get_queryset
