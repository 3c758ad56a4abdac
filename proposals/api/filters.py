"""The shared FilterSets, with what only the API adds: strict length limits and a delegate ordering.

The public site truncates an over-long query and searches anyway; an API client gets a 400 that names the
parameter, so that it never silently receives results for a query it did not send.
"""

from __future__ import annotations

import django_filters
from django.conf import settings
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


class ApiProposalFilterSet(ProposalFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=Q_MAX_LENGTH,
        label=f'Full-text search (jieba segmentation; "quoted phrases" verbatim; at most {Q_MAX_LENGTH} characters)',
    )
    ordering = django_filters.ChoiceFilter(
        choices=ProposalOrdering.CHOICES,
        method="filter_ordering",
        empty_label=None,
        label="Order: -date (newest, the default), date, relevance (the default with q), updated_at (for syncing)",
    )

    filter_theme = _SLUG(ProposalFilterSet.filter_theme)
    filter_region = _SLUG(ProposalFilterSet.filter_region)
    filter_delegate = _ID(ProposalFilterSet.filter_delegate)
    filter_organisation = _ID(ProposalFilterSet.filter_organisation)


class DelegateOrdering:
    NAME = "name"
    UPDATED = "updated_at"
    CHOICES = [(NAME, "姓名"), (UPDATED, "更新时间")]


class ApiDelegateFilterSet(DelegateFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=Q_MAX_LENGTH,
        label=f"Name or alias contains (at most {Q_MAX_LENGTH} characters)",
    )
    ordering = django_filters.ChoiceFilter(
        choices=DelegateOrdering.CHOICES,
        method="filter_ordering",
        empty_label=None,
        label="Order: name (the default) or updated_at (for syncing)",
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
