"""The shared FilterSets, with what only the API adds: strict length limits and a delegate ordering.

The public site truncates an over-long query and searches anyway; an API client gets a 400 that names the
parameter, so that it never silently receives results for a query it did not send.

Each API filter is documented once, here, as its label: the OpenAPI schema (drf-spectacular) and the
browsable API show it, and the parameter blocks of ``api/views.py`` take their descriptions from it.
"""

from __future__ import annotations

import copy

import django_filters
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from proposals.filters import DelegateFilterSet, ProposalFilterSet, ProposalOrdering

Q_MAX_LENGTH: int = settings.SEARCH_QUERY_MAX_LENGTH


def _typed(hint, method):
    """The shared filter method, annotated with its value type: filters by method hide it from the schema."""

    def typed(self, qs, name, value):
        return method(self, qs, name, value)

    return extend_schema_field(hint)(typed)


def _SLUG(method):  # noqa: N802
    return _typed(OpenApiTypes.STR, method)


def _ID(method):  # noqa: N802
    return _typed(OpenApiTypes.INT, method)


def documented(docs: dict[str, str]):
    """Give each named filter of the FilterSet its API documentation as label (the shared FilterSets carry
    the site's Chinese labels: the filters are copied, not changed)."""

    def decorate(filterset_class):
        filters = copy.deepcopy(filterset_class.base_filters)
        if set(docs) != set(filters):
            raise ImproperlyConfigured(f"{filterset_class.__name__}: document every filter, no other")
        for name, text in docs.items():
            filters[name].label = text
        filterset_class.base_filters = filters
        return filterset_class

    return decorate


UPDATED_AFTER_DOC = (
    "Only records changed after this time (ISO 8601), tombstones included: what a syncing client "
    "fetches. Combine with `ordering=updated_at` and follow `next` to resume an interrupted sync."
)


@documented(
    {
        "q": (
            "Full-text search, segmented with jieba like the site's search; words in quotation marks match "
            f"verbatim. At most {Q_MAX_LENGTH} characters (more is a 400). Orders by relevance by default."
        ),
        "theme": "Theme slug (see /api/v1/themes/).",
        "body": "Body code: proposals made in a membership of any of these bodies.",
        "region": "Region slug (see /api/v1/regions/); includes the regions inside it.",
        "delegate": "Delegate id.",
        "organisation": "Organisation id: proposals by delegates who hold a position there.",
        "kind": "Kind of statement.",
        "year": "Year of the proposal.",
        "date_after": "On or after this date (YYYY-MM-DD).",
        "date_before": "On or before this date (YYYY-MM-DD).",
        "updated_after": UPDATED_AFTER_DOC,
        "id": "Proposal id, to fetch a batch of known records (at most 500).",
        "ordering": (
            "Order: -date (newest, the default), date, relevance (the default with q), updated_at "
            "(for syncing)"
        ),
    }
)
class ApiProposalFilterSet(ProposalFilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH)
    ordering = django_filters.ChoiceFilter(
        choices=ProposalOrdering.CHOICES, method="filter_ordering", empty_label=None
    )

    filter_theme = _SLUG(ProposalFilterSet.filter_theme)
    filter_region = _SLUG(ProposalFilterSet.filter_region)
    filter_delegate = _ID(ProposalFilterSet.filter_delegate)
    filter_organisation = _ID(ProposalFilterSet.filter_organisation)


class DelegateOrdering:
    NAME = "name"
    UPDATED = "updated_at"
    CHOICES = [(NAME, "姓名"), (UPDATED, "更新时间")]


@documented(
    {
        "q": f"Name or alias contains this text. At most {Q_MAX_LENGTH} characters (more is a 400).",
        "body": "Body code: delegates with a membership of any of these bodies.",
        "region": "Region slug: delegates with a membership there or inside it.",
        "organisation": "Organisation id: delegates who hold a position there.",
        "updated_after": UPDATED_AFTER_DOC,
        "id": "Delegate id, to fetch a batch of known records (at most 500).",
        "ordering": "Order: name (the default) or updated_at (for syncing)",
    }
)
class ApiDelegateFilterSet(DelegateFilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH)
    ordering = django_filters.ChoiceFilter(
        choices=DelegateOrdering.CHOICES, method="filter_ordering", empty_label=None
    )

    filter_region = _SLUG(DelegateFilterSet.filter_region)
    filter_organisation = _ID(DelegateFilterSet.filter_organisation)

    def filter_ordering(self, qs, name, value):
        return qs  # applied in filter_queryset, after every other filter

    def filter_queryset(self, queryset):
        qs = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("ordering") == DelegateOrdering.UPDATED:
            return qs.order_by(F("updated_at").asc(), "id")
        return qs.order_by("name", "id")
