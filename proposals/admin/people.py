"""Delegates, their aliases, memberships and positions; publish, unpublish and merge actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split

from proposals import merging
from proposals.admin.concurrency import EditGuardMixin
from proposals.admin.display import admin_link, is_changelist
from proposals.admin.filters import (
    DelegateBodyFilter,
    DelegateRegionFilter,
    DelegateThemeFilter,
    MembershipRegionFilter,
    MergedFilter,
)
from proposals.admin.forms import MembershipFormSet, NewestRowsFormSet, NormalisedTextMixin
from proposals.admin.history import HistoryAdminMixin
from proposals.admin.merge import MergeAdminMixin
from proposals.admin.transfer import TransferMixin
from proposals.admin.workflow import QueueFilter, ReviewedAdminMixin, StatusCountFilter
from proposals.counts import AdminPaginator
from proposals.models import Authorship, Delegate, DelegateAlias, Membership, Position
from proposals.numbers import parse_int
from proposals.resources import DelegateResource
from proposals.selectors import related_count

EVIDENCE_WIDGET = forms.Textarea(attrs={"rows": 2, "cols": 60})


class AliasInline(admin.TabularInline):
    model = DelegateAlias
    extra = 0
    fields = ["name"]


class MembershipInline(NormalisedTextMixin, admin.StackedInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    fields = [("body", "role", "term"), ("region", "sector"), ("article", "evidence")]
    autocomplete_fields = ["region", "article"]
    formfield_overrides = {models.TextField: {"widget": EVIDENCE_WIDGET}}

    def get_queryset(self, request):
        # str(): the edit token's snapshot labels each row (delegate · region)
        return super().get_queryset(request).select_related("delegate", "region__parent")


class PositionInline(NormalisedTextMixin, admin.StackedInline):
    model = Position
    extra = 0
    fields = [("organisation", "title", "order"), ("article", "evidence")]
    autocomplete_fields = ["organisation", "article"]
    formfield_overrides = MembershipInline.formfield_overrides

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")  # str(): the token's snapshot


class DelegateAuthorshipInline(admin.TabularInline):
    """The delegate's proposals, as links: authorships are edited on the proposal."""

    model = Authorship
    formset = NewestRowsFormSet
    verbose_name = "建言"
    verbose_name_plural = f"署名的建言（最新 {NewestRowsFormSet.limit} 条；全部见“建言”链接）"
    extra = 0
    fields = readonly_fields = ("proposal_link", "proposal_status", "role", "membership")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # delegate: each row's title (str) names it
            .select_related("proposal", "delegate", "membership__region__parent", "membership__delegate")
        )

    @admin.display(description="建言")
    def proposal_link(self, obj: Authorship):
        return admin_link(obj.proposal)

    @admin.display(description="审核状态")
    def proposal_status(self, obj: Authorship) -> str:
        return obj.proposal.get_status_display()


@admin.register(Delegate)
class DelegateAdmin(EditGuardMixin, ReviewedAdminMixin, MergeAdminMixin, TransferMixin, HistoryAdminMixin):
    list_display = ["name", "memberships_display", "proposal_count", "state", "updated_at"]
    list_display_links = ["name"]
    list_filter = [
        StatusCountFilter,
        QueueFilter,
        DelegateBodyFilter,
        DelegateRegionFilter,
        DelegateThemeFilter,
        MergedFilter,
    ]
    list_select_related = ["merged_into"]
    search_fields = ["name", "aliases__name", "note", "positions__organisation__name", "positions__title"]
    autocomplete_fields = ["merged_into"]
    readonly_fields = ["state", "proposals_link", "version", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "state", "note", "proposals_link"]}),
        ("审核", {"fields": ["status", "status_changed_by", "status_changed_at"]}),
        ("合并", {"fields": ["merged_into"], "classes": ["collapse"]}),
        ("时间", {"fields": ["version", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [AliasInline, MembershipInline, PositionInline, DelegateAuthorshipInline]
    actions = ["merge"]
    count_unit = "位"
    resource_classes = [DelegateResource]
    merge_holdings = staticmethod(merging.delegate_holdings)
    merge_service = staticmethod(merging.delegates_merge)
    list_per_page = 50
    show_full_result_count = False
    paginator = AdminPaginator
    # Not by proposal count: that counts the authorships of every delegate (a million rows) to sort them.
    sortable_by = ["name", "state", "updated_at"]

    def get_search_results(self, request, queryset, search_term):
        """Every word in the name, an alias, the note or a position (organisation or title), or the id: the
        relations as EXISTS subqueries, so no join multiplies the rows and no DISTINCT is needed."""
        words = [w.strip("\"'") for w in smart_split(search_term) if w.strip("\"'")]
        for word in words:
            found = (
                Q(name__icontains=word)
                | Q(note__icontains=word)
                | Exists(DelegateAlias.objects.filter(delegate=OuterRef("pk"), name__icontains=word))
                | Exists(
                    Position.objects.filter(
                        Q(organisation__name__icontains=word) | Q(title__icontains=word),
                        delegate=OuterRef("pk"),
                    )
                )
            )
            if len(words) == 1 and (number := parse_int(word)) is not None:
                found |= Q(pk=number)
            queryset = queryset.filter(found)
        return queryset, False

    def get_queryset(self, request):
        records = super().get_queryset(request).order_by(*self.model._meta.ordering)
        if not is_changelist(request):  # the change page does not show the count (thousands of rows)
            return records
        return records.annotate(proposal_count=related_count(Authorship, "delegate")).prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("region__parent"))
        )

    @admin.display(description="公开状态", ordering="status")
    def state(self, obj: Delegate) -> str:
        """The state the API serves: a merged duplicate is 已合并 (API: merged), whatever its status."""
        return obj.public_status_label

    @admin.display(description="建言")
    def proposals_link(self, obj: Delegate):
        if obj.pk is None:
            return "—"
        url = reverse("admin:proposals_proposal_changelist")
        return format_html('<a href="{}?delegate={}">署名的全部建言</a>', url, obj.pk)

    @admin.display(description="身份")
    def memberships_display(self, obj: Delegate):
        return format_html_join("", "<div>{}</div>", ((m.label,) for m in obj.memberships.all())) or "—"

    @admin.display(description="建言数", ordering="proposal_count")
    def proposal_count(self, obj: Delegate) -> int:
        return obj.proposal_count  # type: ignore[attr-defined]  # annotated in get_queryset


@admin.register(DelegateAlias)
class DelegateAliasAdmin(EditGuardMixin, HistoryAdminMixin):
    list_display = ["name", "delegate"]
    list_select_related = ["delegate"]
    search_fields = ["name", "delegate__name"]
    autocomplete_fields = ["delegate"]


@admin.register(Membership)
class MembershipAdmin(EditGuardMixin, HistoryAdminMixin):
    list_display = ["delegate", "body", "region", "sector", "role", "term", "article"]
    list_filter = ["body", "role", MembershipRegionFilter, "term"]
    list_select_related = ["delegate", "region__parent", "article"]
    search_fields = ["delegate__name", "delegate__aliases__name", "region__name", "sector", "evidence"]
    autocomplete_fields = ["delegate", "region", "article"]
    formfield_overrides = MembershipInline.formfield_overrides

    def get_queryset(self, request):
        # Autocomplete (authorship capacity) shows "delegate · label": keep it one query. A select_related
        # here replaces list_select_related on the changelist, so it names everything the list shows.
        return super().get_queryset(request).select_related(*self.list_select_related)


@admin.register(Position)
class PositionAdmin(EditGuardMixin, HistoryAdminMixin):
    list_display = ["delegate", "organisation", "title", "order", "article"]
    list_filter = ["organisation__kind"]
    list_select_related = ["delegate", "organisation", "article"]
    search_fields = ["delegate__name", "organisation__name", "organisation__short_name", "title", "evidence"]
    autocomplete_fields = ["delegate", "organisation", "article"]
