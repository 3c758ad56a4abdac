"""Regions and organisations."""

from django.contrib import admin

from proposals import merging
from proposals.admin.concurrency import EditGuardMixin
from proposals.admin.filters import MembershipRegionFilter
from proposals.admin.history import HistoryAdminMixin
from proposals.admin.merge import MergeAdminMixin
from proposals.models import Membership, Organisation, Position, Region
from proposals.selectors import related_count


@admin.register(Region)
class RegionAdmin(EditGuardMixin, HistoryAdminMixin):
    list_display = ["name", "level", "parent", "slug", "code", "membership_count"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "code", "parent__name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    fields = ["name", "slug", "level", "parent", "code", "path"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(membership_count=related_count(Membership, "region"))
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="身份数", ordering="membership_count")
    def membership_count(self, obj: Region) -> int:
        return obj.membership_count  # type: ignore[attr-defined]  # annotated in get_queryset


class _OrganisationRegionFilter(MembershipRegionFilter):
    """Organisations in a province-level region or a region inside it."""


@admin.register(Organisation)
class OrganisationAdmin(EditGuardMixin, MergeAdminMixin, HistoryAdminMixin):
    list_display = ["name", "short_name", "kind", "region", "parent", "position_count"]
    list_filter = ["kind", _OrganisationRegionFilter]
    list_select_related = ["region__parent", "parent"]
    search_fields = ["name", "short_name", "positions__delegate__name"]
    autocomplete_fields = ["region", "parent"]
    actions = ["merge"]
    merge_holdings = staticmethod(merging.organisation_holdings)
    merge_service = staticmethod(merging.organisations_merge)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(position_count=related_count(Position, "organisation"))
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="任职人数", ordering="position_count")
    def position_count(self, obj: Organisation) -> int:
        return obj.position_count  # type: ignore[attr-defined]  # annotated in get_queryset
