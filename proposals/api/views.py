"""Thin read-only viewsets. Filtering, pagination, rendering and throttling come from REST_FRAMEWORK.

Only published records are visible (the public querysets). A list filtered by ``updated_after`` also
returns the records that stopped being published since then, as tombstones, so that a syncing client
knows what to delete.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import IntegerField, QuerySet, Value
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

from proposals.api import querysets
from proposals.api.filters import Q_MAX_LENGTH, ApiDelegateFilterSet, ApiProposalFilterSet
from proposals.api.renderers import CSVRenderer
from proposals.api.serializers import (
    ArticleSerializer,
    DelegateSerializer,
    OrganisationSerializer,
    ProposalSerializer,
    RegionSerializer,
    ThemeSerializer,
    TombstoneSerializer,
)
from proposals.caching import cached

ERROR_400 = OpenApiResponse(
    response={
        "type": "object",
        "description": "Each invalid parameter, with what is wrong with it.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="A parameter is invalid; the body names it and the problem.",
    examples=[
        OpenApiExample(
            "Unknown theme", value={"theme": ["选择一个有效的选项。 no-such-theme 不在可用的选项中。"]}
        ),
        OpenApiExample("Page too large", value={"page_size": ["应为 1 到 500 之间的整数，而不是“501”。"]}),
    ],
)
DETAIL_BODY = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
ERROR_404 = OpenApiResponse(response=DETAIL_BODY, description="No published record with this id.")
ERROR_429 = OpenApiResponse(
    response=DETAIL_BODY, description="Too many requests; retry after `Retry-After` seconds."
)
# Errors are JSON whatever format was asked for (see ReadOnlyViewSet.finalize_response).
LIST_ERRORS = {(400, "application/json"): ERROR_400, (429, "application/json"): ERROR_429}
DETAIL_ERRORS = {**LIST_ERRORS, (404, "application/json"): ERROR_404}

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="`csv` for spreadsheets (UTF-8 with BOM; lists joined with “; ”). Default: JSON.",
)


def _ids(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "array", "items": {"type": "integer", "minimum": 1}},
        explode=True,
        style="form",
        description=f"{description} Repeatable (any of them); comma-separated also works.",
    )


def _slugs(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "array", "items": {"type": "string"}},
        explode=True,
        style="form",
        description=f"{description} Repeatable (any of them). An unknown value is a 400.",
    )


UPDATED_AFTER = OpenApiParameter(
    "updated_after",
    OpenApiTypes.DATETIME,
    description=(
        "Only records changed after this time (ISO 8601), tombstones included: what a syncing client "
        "fetches. Combine with `ordering=updated_at` and follow `next` to resume an interrupted sync."
    ),
)
PROPOSAL_PARAMETERS = [
    FORMAT_PARAMETER,
    UPDATED_AFTER,
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": Q_MAX_LENGTH},
        description=(
            "Full-text search, segmented with jieba like the site's search; words in quotation marks match "
            f"verbatim. At most {Q_MAX_LENGTH} characters (more is a 400). Orders by relevance by default."
        ),
    ),
    _slugs("theme", "Theme slug (see /api/v1/themes/)."),
    _slugs("region", "Region slug (see /api/v1/regions/); includes the regions inside it."),
    _ids("delegate", "Delegate id."),
    _ids("organisation", "Organisation id: proposals by delegates who hold a position there."),
    _ids("id", "Proposal id, to fetch a batch of known records (at most 500)."),
    OpenApiParameter(
        "year", {"type": "integer", "minimum": 1949, "maximum": 2100}, description="Year of the proposal."
    ),
    OpenApiParameter("date_after", OpenApiTypes.DATE, description="On or after this date (YYYY-MM-DD)."),
    OpenApiParameter("date_before", OpenApiTypes.DATE, description="On or before this date (YYYY-MM-DD)."),
]
DELEGATE_PARAMETERS = [
    FORMAT_PARAMETER,
    UPDATED_AFTER,
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": Q_MAX_LENGTH},
        description=f"Name or alias contains this text. At most {Q_MAX_LENGTH} characters (more is a 400).",
    ),
    _slugs("region", "Region slug: delegates with a membership there or inside it."),
    _ids("organisation", "Organisation id: delegates who hold a position there."),
    _ids("id", "Delegate id, to fetch a batch of known records (at most 500)."),
]
ID_PATH = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The record's stable id."
)


def _with_tombstones(serializer, name: str) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer, TombstoneSerializer],
        resource_type_field_name=None,
        many=True,
    )


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """What every endpoint shares: numeric ids, JSON errors, and caches told that the body varies."""

    lookup_value_regex = "[^/]+"  # a non-numeric id reaches get_object and gets a 400, not a 404

    @property
    def is_sync(self) -> bool:
        """A list filtered by updated_after: unpublished records come as tombstones."""
        return self.action == "list" and bool(self.request.query_params.get("updated_after"))

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if not value.isdigit() or len(value) > 18:
            raise ValidationError({"id": [f"“{value[:50]}” 不是有效的编号（应为正整数）。"]})
        return super().get_object()

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is JSON even when CSV was asked for: a spreadsheet cannot show it, a script can read it.
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), CSVRenderer
        ):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        return response


@extend_schema_view(
    list=extend_schema(
        summary="Proposals",
        description=(
            "Published proposals, newest first. Filters combine with AND; a repeated filter "
            "(`theme=a&theme=b`) means any of them. With `updated_after`, records unpublished or withdrawn "
            "since then are included as tombstones (`id`, `status`, `updated_at`)."
        ),
        parameters=PROPOSAL_PARAMETERS,
        responses={200: _with_tombstones(ProposalSerializer, "ProposalOrTombstone"), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A proposal",
        parameters=[ID_PATH, FORMAT_PARAMETER],
        responses={200: ProposalSerializer, **DETAIL_ERRORS},
    ),
)
class ProposalViewSet(ReadOnlyViewSet):
    serializer_class = ProposalSerializer
    filterset_class = ApiProposalFilterSet

    def get_queryset(self):
        return querysets.proposals(include_unpublished=self.is_sync)


@extend_schema_view(
    list=extend_schema(
        summary="Delegates",
        description=(
            "Published delegates (NPC deputies, CPPCC members), by name. With `updated_after`, records "
            "unpublished or merged since then are included as tombstones."
        ),
        parameters=DELEGATE_PARAMETERS,
        responses={200: _with_tombstones(DelegateSerializer, "DelegateOrTombstone"), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A delegate",
        parameters=[ID_PATH, FORMAT_PARAMETER],
        responses={200: DelegateSerializer, **DETAIL_ERRORS},
    ),
)
class DelegateViewSet(ReadOnlyViewSet):
    serializer_class = DelegateSerializer
    filterset_class = ApiDelegateFilterSet

    def get_queryset(self):
        return querysets.delegates(include_unpublished=self.is_sync)


def _simple(summary: str, serializer) -> dict:
    return {
        "list": extend_schema(
            summary=summary,
            parameters=[FORMAT_PARAMETER],
            responses={200: serializer(many=True), **LIST_ERRORS},
        ),
        "retrieve": extend_schema(
            summary=f"{summary}: one",
            parameters=[ID_PATH, FORMAT_PARAMETER],
            responses={200: serializer, **DETAIL_ERRORS},
        ),
    }


class CountedViewSet(ReadOnlyViewSet):
    """A reference list whose records carry ``proposal_count``: the counts of every record are computed in
    one query and cached until the data changes (at a million proposals, counting per row of a page
    costs a second), then set on the records the page serializes."""

    counted = staticmethod(querysets.themes)  # the annotated queryset the counts come from

    @property
    def caching(self) -> bool:
        return settings.COUNTS_CACHE_SECONDS > 0

    def get_queryset(self):
        if not self.caching:  # counted row by row in the page's query
            return self.counted()
        return self.counted().annotate(proposal_count=Value(0, output_field=IntegerField()))

    def proposal_counts(self) -> dict[int, int]:
        name = type(self).__name__
        return cached(name, {}, lambda: dict(self.counted().values_list("pk", "proposal_count")))

    def get_serializer(self, *args, **kwargs):
        if self.caching and args and args[0] is not None:
            records = args[0] if isinstance(args[0], list | QuerySet) else [args[0]]
            if isinstance(records, QuerySet):
                records = list(records)
                args = (records, *args[1:])
            counts = self.proposal_counts()
            for record in records:
                record.proposal_count = counts.get(record.pk, 0)
        return super().get_serializer(*args, **kwargs)


@extend_schema_view(**_simple("Themes", ThemeSerializer))
class ThemeViewSet(CountedViewSet):
    serializer_class = ThemeSerializer
    counted = staticmethod(querysets.themes)


@extend_schema_view(**_simple("Regions", RegionSerializer))
class RegionViewSet(CountedViewSet):
    serializer_class = RegionSerializer
    counted = staticmethod(querysets.regions)


@extend_schema_view(**_simple("Organisations", OrganisationSerializer))
class OrganisationViewSet(CountedViewSet):
    serializer_class = OrganisationSerializer
    counted = staticmethod(querysets.organisations)


@extend_schema_view(**_simple("Source articles", ArticleSerializer))
class ArticleViewSet(CountedViewSet):
    serializer_class = ArticleSerializer
    counted = staticmethod(querysets.articles)
