"""Source articles, quotes and their passages."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from proposals.admin.concurrency import EditGuardMixin
from proposals.admin.display import admin_link, quote_in_context
from proposals.admin.forms import (
    NewestRowsFormSet,
    NormalisedTextField,
    NormalisedTextMixin,
    PassageFormSet,
    QuotePassageForm,
)
from proposals.admin.history import HistoryAdminMixin
from proposals.admin.ingest import IngestAdminMixin
from proposals.models import Article, Quote, QuotePassage
from proposals.selectors import related_count


def _ordered_passages() -> Prefetch:
    return Prefetch("passages", queryset=QuotePassage.objects.order_by("order", "start"))


class ArticleQuoteInline(admin.TabularInline):
    """The proposals an article is quoted for, as links: quotes are edited on the proposal or the quote."""

    model = Quote
    formset = NewestRowsFormSet
    verbose_name_plural = f"引用这篇文章的建言（最新 {NewestRowsFormSet.limit} 条；全部见“建言”链接）"
    extra = 0
    fields = readonly_fields = ("proposal_link", "passages_text")
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # article: each row's title (str) names it
        return (
            super()
            .get_queryset(request)
            .select_related("proposal", "article")
            .defer("article__text")
            .prefetch_related(_ordered_passages())
        )

    @admin.display(description="建言")
    def proposal_link(self, obj: Quote):
        return admin_link(obj.proposal)

    @admin.display(description="引文")
    def passages_text(self, obj: Quote):
        return format_html_join("", "<div>{}</div>", ((p.text,) for p in obj.passages.all())) or "—"


class ArticleForm(forms.ModelForm):
    """The text as typed, not stripped (leading blank lines are part of the offsets), in the normal form the
    model stores (proposals.normalise: a browser's CRLF is not a change); the model re-anchors or refuses
    what a change would detach."""

    text = NormalisedTextField(
        label="全文", strip=False, widget=forms.Textarea(attrs={"rows": 30, "cols": 100})
    )
    url = forms.URLField(label="原文链接", required=False, assume_scheme="https")

    class Meta:
        model = Article
        fields = ["title", "outlet", "published_on", "url", "file_name", "text"]


@admin.register(Article)
class ArticleAdmin(IngestAdminMixin, EditGuardMixin, HistoryAdminMixin):
    form = ArticleForm
    list_display = ["title", "outlet_display", "published_on", "file_name", "quote_count"]
    list_filter = ["outlet", "published_on"]
    search_fields = ["title", "outlet", "file_name", "text"]
    inlines = [ArticleQuoteInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["proposals_link", "text_hash", "version", "created_at", "updated_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(quote_count=related_count(Quote, "article"))
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="建言")
    def proposals_link(self, obj: Article):
        if obj.pk is None:
            return "—"
        url = reverse("admin:proposals_proposal_changelist")
        return format_html('<a href="{}?article={}">引用这篇文章的全部建言</a>', url, obj.pk)

    @admin.display(description="媒体", ordering="outlet")
    def outlet_display(self, obj: Article) -> str:
        return obj.outlet_display

    @admin.display(description="引文数", ordering="quote_count")
    def quote_count(self, obj: Article) -> int:
        return obj.quote_count  # type: ignore[attr-defined]  # annotated in get_queryset


class QuotePassageInline(NormalisedTextMixin, admin.TabularInline):
    model = QuotePassage
    form = QuotePassageForm
    formset = PassageFormSet
    extra = 1
    fields = ["order", "text", "start", "end"]


@admin.register(Quote)
class QuoteAdmin(EditGuardMixin, HistoryAdminMixin):
    list_display = ["excerpt", "proposal", "article", "passage_count"]
    list_select_related = ["proposal", "article"]
    list_filter = ["article"]
    search_fields = ["proposal__title", "article__title", "passages__text"]
    autocomplete_fields = ["proposal", "article"]
    readonly_fields = ["in_context"]
    fields = ["proposal", "article", "in_context"]
    inlines = [QuotePassageInline]

    def get_queryset(self, request):
        # str(quote) reads its passages: prefetch them (changelist, autocomplete, delete pages). A
        # select_related here replaces list_select_related on the changelist.
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .prefetch_related(_ordered_passages())
            .annotate(passage_count=related_count(QuotePassage, "quote"))
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="引文")
    def excerpt(self, obj: Quote) -> str:
        text = obj.text
        return text if len(text) <= 40 else f"{text[:40]}…"

    @admin.display(description="段落数", ordering="passage_count")
    def passage_count(self, obj: Quote) -> int:
        return obj.passage_count  # type: ignore[attr-defined]  # annotated in get_queryset

    @admin.display(description="在文章中的上下文")
    def in_context(self, obj: Quote):
        if obj.pk is None:
            return "保存后显示引文在原文中的位置。"
        return quote_in_context(obj)


@admin.register(QuotePassage)
class QuotePassageAdmin(EditGuardMixin, HistoryAdminMixin):
    list_display = ["excerpt", "quote_proposal", "quote_article", "order", "start", "end"]
    list_select_related = ["quote__proposal", "quote__article"]
    search_fields = ["text", "quote__proposal__title", "quote__article__title"]
    autocomplete_fields = ["quote"]
    fields = ["quote", "order", "text", "start", "end"]

    @admin.display(description="原文")
    def excerpt(self, obj: QuotePassage) -> str:
        return str(obj)

    @admin.display(description="建言", ordering="quote__proposal__title")
    def quote_proposal(self, obj: QuotePassage) -> str:
        return obj.quote.proposal.title

    @admin.display(description="来源文章", ordering="quote__article__title")
    def quote_article(self, obj: QuotePassage) -> str:
        return obj.quote.article.title
