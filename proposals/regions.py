"""How a delegate, and so a proposal, belongs to a region: one rule for facets, region pages, charts and the API.

A delegate belongs to a region when
1. one of their memberships names it (for an NPC deputy: the delegation that elected them; for a local
   congress or CPPCC: the place of that body), or
2. none of their memberships names a region (a national CPPCC member sits for a sector, not a place) and
   they hold a position in an organisation of that region.

A region includes the regions inside it (path prefix). A proposal belongs to every region one of its
delegates (lead or co-signer) belongs to. A proposal none of whose delegates belongs to any region is
counted as 地区未注明 (region not stated).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

RULE_TEXT = (
    "代表委员的身份所在地区（全国人大代表为其所在代表团）；身份未注明地区的（如全国政协委员），"
    "按其任职机构所在地区。包含下辖市、区。"
)


def _regional_memberships():
    from proposals.models import Membership

    return Membership.objects.filter(region__isnull=False)


def delegate_ids_in_regions(regions: Iterable) -> QuerySet | None:
    """The ids of delegates who belong to any of these regions (None when no region is given)."""
    from proposals.models import Delegate

    paths = [r.path for r in regions]
    if not paths:
        return None
    by_membership = Q()
    by_position = Q()
    for path in paths:
        by_membership |= Q(memberships__region__path__startswith=path)
        by_position |= Q(positions__organisation__region__path__startswith=path)
    without_regional_seat = ~Q(pk__in=_regional_memberships().values("delegate_id"))
    return Delegate.objects.filter(by_membership | (by_position & without_regional_seat)).values("pk")


def delegate_regions_sql() -> str:
    """SQL of the (delegate_id, region_id) pairs of the rule (without the regions above): for raw counts."""
    from proposals.models import Membership, Organisation, Position

    m, p, o = Membership._meta.db_table, Position._meta.db_table, Organisation._meta.db_table
    return f"""
        SELECT delegate_id, region_id FROM {m} WHERE region_id IS NOT NULL
        UNION
        SELECT p.delegate_id, o.region_id FROM {p} p JOIN {o} o ON o.id = p.organisation_id
        WHERE o.region_id IS NOT NULL
          AND p.delegate_id NOT IN (SELECT delegate_id FROM {m} WHERE region_id IS NOT NULL)
    """


def placed_delegate_ids() -> QuerySet:
    """The ids of delegates who belong to some region under the rule."""
    from proposals.models import Delegate

    return Delegate.objects.filter(
        Q(memberships__region__isnull=False) | Q(positions__organisation__region__isnull=False)
    ).values("pk")


def authorship_in_region_q(path_ref) -> Q:
    """A filter on Authorship: its delegate belongs to the region at ``path_ref`` (a path or an OuterRef)."""
    without_regional_seat = ~Q(delegate_id__in=_regional_memberships().values("delegate_id"))
    return Q(delegate__memberships__region__path__startswith=path_ref) | (
        Q(delegate__positions__organisation__region__path__startswith=path_ref) & without_regional_seat
    )
