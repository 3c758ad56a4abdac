"""Thin read-only viewsets. Filtering, pagination, rendering and throttling come from REST_FRAMEWORK.

Only published records are visible (the public querysets). A list filtered by ``updated_after`` also
returns the records that stopped being published since then, as tombstones, so that a syncing client
knows what to delete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db.models import IntegerField, Q, QuerySet, Value
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
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
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnList

from proposals import selectors
from proposals.api import bulk_records
from proposals.api.filters import Q_MAX_LENGTH, ApiDelegateFilterSet, ApiProposalFilterSet
from proposals.api.renderers import CSVRenderer
from proposals.api.serializers import (
    ArticleDetailSerializer,
    ArticleSerializer,
    DelegateSerializer,
    OrganisationSerializer,
    ProposalSerializer,
    RegionSerializer,
    ThemeSerializer,
    TombstoneSerializer,
)
from proposals.api.whole_csv import wants_whole_csv, whole_csv
from proposals.caching import cached, cached_response
from proposals.filters import is_record_id
from proposals.models import Delegate

ERROR_400 = OpenApiResponse(
    response={
        "type": "object",
        "description": (
            "`code` (always `invalid_parameter`), `detail` (a sentence in Chinese) and each invalid "
            "parameter, with what is wrong with it."
        ),
        "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
        "required": ["code", "detail"],
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="A parameter is invalid; the body names it and the problem.",
    examples=[
        OpenApiExample(
            "Unknown theme",
            value={
                "code": "invalid_parameter",
                "detail": "参数无效：theme。",
                "theme": ["选择一个有效的选项。 no-such-theme 不在可用的选项中。"],
            },
        ),
        OpenApiExample(
            "Page numbers",
            value={
                "code": "invalid_parameter",
                "detail": "参数无效：page。",
                "page": [
                    "本接口不按页码分页，不支持 page 参数：请跟随响应中的 next 链接（其中的 cursor 参数标明下一页的位置）。"
                ],
            },
        ),
    ],
)
DETAIL_BODY = {
    "type": "object",
    "description": "`code`: stable and machine-readable (not_found, throttled, …); `detail`: in Chinese.",
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["code", "detail"],
}
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
    description=(
        "`csv` for spreadsheets (UTF-8 with BOM; lists joined with “; ”). Default: JSON. On a list without "
        "`page_size` or `cursor`, CSV is the whole filtered list in one streamed file, up to 100,000 rows; "
        "beyond that the file ends with a row saying it was cut (and `X-Rows-Truncated: true`). With "
        "`page_size`/`cursor` it is one page, like JSON."
    ),
)


# The parameters whose schema the FilterSet cannot tell (repeatable ids and slugs, lengths, ranges); their
# descriptions are the filters' labels (api/filters.py), written once.


def _doc(filterset, name: str) -> str:
    return filterset.base_filters[name].label


def _ids(filterset, name: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "array", "items": {"type": "integer", "minimum": 1}},
        explode=True,
        style="form",
        description=f"{_doc(filterset, name)} Repeatable or comma-separated, or both (any of them).",
    )


def _slugs(filterset, name: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "array", "items": {"type": "string"}},
        explode=True,
        style="form",
        description=(
            f"{_doc(filterset, name)} Repeatable or comma-separated, or both (any of them). "
            "An unknown value is a 400."
        ),
    )


def _typed(filterset, name: str, schema) -> OpenApiParameter:
    return OpenApiParameter(name, schema, description=_doc(filterset, name))


def _common(filterset) -> list[OpenApiParameter]:
    return [
        FORMAT_PARAMETER,
        _typed(filterset, "updated_after", OpenApiTypes.DATETIME),
        _typed(filterset, "q", {"type": "string", "maxLength": Q_MAX_LENGTH}),
        _slugs(filterset, "region"),
        _ids(filterset, "organisation"),
        _ids(filterset, "id"),
    ]


_P = ApiProposalFilterSet
PROPOSAL_PARAMETERS = [
    *_common(_P),
    _slugs(_P, "theme"),
    _ids(_P, "delegate"),
    _typed(_P, "year", {"type": "integer", "minimum": 1949, "maximum": 2100}),
    _typed(_P, "date_after", OpenApiTypes.DATE),
    _typed(_P, "date_before", OpenApiTypes.DATE),
]
DELEGATE_PARAMETERS = _common(ApiDelegateFilterSet)
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

    # What a tombstone may be chosen by: which records, and in what order; never what they say.
    SYNC_PARAMETERS = ("updated_after", "ordering", "id")

    def filter_queryset(self, queryset):
        """In a sync (updated_after), the filters run over what is public now; a record no longer public is
        listed as a tombstone whatever the other filters say, so that its current, unpublished text (a
        withdrawn record edited since) never decides whether it is listed."""
        model = queryset.model
        if not self.is_sync or not hasattr(model.objects, "ever_published"):  # no tombstones here
            return super().filter_queryset(queryset)
        public = model.objects.published().values("pk")
        matched = super().filter_queryset(queryset.filter(pk__in=public)).order_by().values("pk")
        data = self.request.query_params
        sync_data = {
            k: data.getlist(k) if k == "id" else data.get(k) for k in self.SYNC_PARAMETERS if k in data
        }
        filterset_class = self.filterset_class  # type: ignore[attr-defined]
        tombstones = filterset_class(sync_data, queryset=queryset.exclude(pk__in=public)).qs
        either = queryset.filter(Q(pk__in=matched) | Q(pk__in=tombstones.order_by().values("pk")))
        return filterset_class(sync_data, queryset=either).qs

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if not is_record_id(value):
            raise ValidationError({"id": [f"“{value[:50]}” 不是有效的编号（应为正整数）。"]})
        return super().get_object()

    def list(self, request, *args, **kwargs):
        """``?format=csv`` without ``page_size`` or ``cursor``: the whole filtered list, streamed (a spreadsheet
        cannot follow ``Link`` headers), up to ``exports.MAX_ROWS`` rows and then a row that says so."""
        if wants_whole_csv(request):
            return whole_csv(self, self.filter_queryset(self.get_queryset()))

        def page() -> HttpResponse:
            response = super(ReadOnlyViewSet, self).list(request, *args, **kwargs)
            # rendered here, as finalize_response would, so that the bytes can be cached
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()  # type: ignore[attr-defined]
            return response.render()

        # a reader's unsearched list: the same bytes until the next edit (proposals.caching)
        return cached_response(request, f"api-{self.basename}", page)

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
        description=(
            "One published proposal with its delegates, themes and sources (each source's passages with "
            "their offsets in the article's text)."
        ),
        parameters=[ID_PATH, FORMAT_PARAMETER],
        responses={200: ProposalSerializer, **DETAIL_ERRORS},
    ),
)
class ProposalViewSet(ReadOnlyViewSet):
    serializer_class = ProposalSerializer
    filterset_class = ApiProposalFilterSet

    @property
    def _plain_list(self) -> bool:
        """A list of published records only (not sync, whose tombstones the serializer writes)."""
        return self.action == "list" and not self.is_sync

    def get_queryset(self):
        if self._plain_list:
            return selectors.published_proposal_rows()
        return selectors.published_proposals(include_unpublished=self.is_sync)

    def get_serializer(self, *args, **kwargs):
        """A list page's records are built as plain dicts, the same as the serializer's (bulk_records,
        tests/test_bulk_fast.py): about 2 ms of DRF field work a record is most of a search's time."""
        if self._plain_list and kwargs.get("many") and args:
            site = self.request.build_absolute_uri("/").rstrip("/")
            return PlainRecords(bulk_records.page_records(list(args[0]), site))
        return super().get_serializer(*args, **kwargs)


class PlainRecords:
    """What the list view reads of a serializer: its data, here already built."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.data = ReturnList(records, serializer=cast(Any, self))


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
        description=(
            "A published delegate. The id of a duplicate merged into another record answers "
            "`301 Moved Permanently` to the record it was merged into (its `Location`)."
        ),
        parameters=[ID_PATH, FORMAT_PARAMETER],
        responses={200: DelegateSerializer, 301: None, **DETAIL_ERRORS},
    ),
)
class DelegateViewSet(ReadOnlyViewSet):
    serializer_class = DelegateSerializer
    filterset_class = ApiDelegateFilterSet

    def get_queryset(self):
        return selectors.delegates_with_counts(
            Delegate.objects.ever_published() if self.is_sync else Delegate.objects.published()
        )

    def retrieve(self, request, *args, **kwargs):
        """A merged duplicate's id points to the survivor, as its page on the site does."""
        survivor = selectors.merged_delegate_survivor(self.kwargs["pk"])
        if survivor is not None:
            location = reverse("api:delegate-detail", args=[survivor.pk])
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{location}?{query}" if query else location)
        return super().retrieve(request, *args, **kwargs)


def _simple(summary: str, serializer, *, listed: str, one: str, lookup: OpenApiParameter = ID_PATH) -> dict:
    return {
        "list": extend_schema(
            summary=summary,
            description=listed,
            parameters=[FORMAT_PARAMETER],
            responses={200: serializer(many=True), **LIST_ERRORS},
        ),
        "retrieve": extend_schema(
            summary=f"{summary}: one",
            description=one,
            parameters=[lookup, FORMAT_PARAMETER],
            responses={200: serializer, **DETAIL_ERRORS},
        ),
    }


def _id_or_slug(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "id",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        description=f"The {what}'s slug (as in its URLs on the site, e.g. `artificial-intelligence`) or its id.",
    )


if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView as _ViewBase
else:
    _ViewBase = object


class SlugLookupMixin(_ViewBase):
    """Records named by slug everywhere else (themes, regions) are found by slug or by id."""

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        queryset = self.filter_queryset(self.get_queryset())
        found = queryset.filter(slug=value).first()
        if found is None and is_record_id(value):
            found = queryset.filter(pk=int(value)).first()
        if found is None:
            raise NotFound(f"没有标识为“{value[:50]}”的记录。")
        self.check_object_permissions(self.request, found)
        return found


class CountedViewSet(ReadOnlyViewSet):
    """A reference list whose records carry ``proposal_count``: the counts of every record are computed in
    one query and cached until the data changes (at a million proposals, counting per row of a page
    costs a second), then set on the records the page serializes."""

    counted = staticmethod(selectors.themes_with_counts)  # the annotated queryset the counts come from

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


@extend_schema_view(
    **_simple(
        "Themes",
        ThemeSerializer,
        listed="The controlled vocabulary of themes, in their editorial order, each with `proposal_count`.",
        one="One theme, by slug (`/api/v1/themes/digital-economy/`) or id.",
        lookup=_id_or_slug("theme"),
    )
)
class ThemeViewSet(SlugLookupMixin, CountedViewSet):
    serializer_class = ThemeSerializer
    counted = staticmethod(selectors.themes_with_counts)


@extend_schema_view(
    **_simple(
        "Regions",
        RegionSerializer,
        listed=(
            "Provinces, cities and districts in tree order (`path`), each with `proposal_count`: published "
            "proposals by a delegate who belongs to the region or a region inside it (a membership there, "
            "for an NPC deputy the delegation; for a delegate whose memberships name no region, an "
            "organisation there where they hold a position)."
        ),
        one="One region, by slug (`/api/v1/regions/guizhou/`) or id.",
        lookup=_id_or_slug("region"),
    )
)
class RegionViewSet(SlugLookupMixin, CountedViewSet):
    serializer_class = RegionSerializer
    counted = staticmethod(selectors.regions_with_counts)


@extend_schema_view(
    **_simple(
        "Organisations",
        OrganisationSerializer,
        listed=(
            "Organisations where delegates hold positions, by name, each with `proposal_count` (published "
            "proposals by the delegates who hold a position there)."
        ),
        one="One organisation, by id.",
    )
)
class OrganisationViewSet(CountedViewSet):
    serializer_class = OrganisationSerializer
    counted = staticmethod(selectors.organisations_with_counts)


@extend_schema_view(
    list=extend_schema(
        summary="Source articles",
        description="The articles the proposals are quoted from (without their text: see one article).",
        parameters=[FORMAT_PARAMETER],
        responses={200: ArticleSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A source article, with its full text",
        description=(
            "The article and its full `text`: every passage of `/api/v1/proposals/` sources is exactly "
            "`text[start:end]` of its article."
        ),
        parameters=[ID_PATH, FORMAT_PARAMETER],
        responses={200: ArticleDetailSerializer, **DETAIL_ERRORS},
    ),
)
class ArticleViewSet(CountedViewSet):
    counted = staticmethod(selectors.articles_with_counts)

    def get_serializer_class(self):
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleSerializer

    def get_queryset(self):
        articles = super().get_queryset()
        return articles.defer(None) if self.action == "retrieve" else articles
