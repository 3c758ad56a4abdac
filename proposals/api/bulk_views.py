"""The bulk files: an index and the files themselves (see proposals.api.bulk)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.api import bulk
from proposals.api.views import DETAIL_BODY, ERROR_429

ERROR_503 = OpenApiResponse(response=DETAIL_BODY, description="The files have not been generated yet.")

_CONTENT_TYPES = {".json": "application/json", ".csv": "text/csv; charset=utf-8"}


class BulkUnavailable(APIException):
    status_code = 503
    default_detail = "批量文件尚未生成，请稍后再试。"
    default_code = "bulk_not_generated"


def _served() -> dict:
    try:
        return bulk.served()
    except bulk.NotGenerated:
        raise BulkUnavailable() from None


class BulkIndexView(APIView):
    """The bulk files: the whole published dataset as JSON, and one CSV per collection."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    @extend_schema(
        operation_id="bulk_index",
        summary="Bulk downloads",
        description=(
            "Lists the bulk files with their URLs and sizes. They are regenerated when the data changed; "
            "`npp_db.json` holds every collection, each `<collection>.csv` one collection."
        ),
        responses={
            200: inline_serializer(
                "BulkIndex",
                {
                    "generated_at": serializers.DateTimeField(),
                    "counts": serializers.DictField(child=serializers.IntegerField()),
                    "files": serializers.ListField(
                        child=inline_serializer(
                            "BulkFile",
                            {
                                "name": serializers.CharField(),
                                "url": serializers.URLField(),
                                "size": serializers.IntegerField(),
                            },
                        )
                    ),
                },
            ),
            429: ERROR_429,
            503: ERROR_503,
        },
    )
    def get(self, request):
        manifest = _served()
        files = [
            {
                "name": name,
                "url": request.build_absolute_uri(reverse("api:bulk-file", args=[name])),
                "size": manifest["files"].get(name, 0),
            }
            for name in bulk.file_names()
        ]
        return Response(
            {"generated_at": manifest["generated_at"], "counts": manifest["counts"], "files": files}
        )


class BulkFileView(APIView):
    renderer_classes = [JSONRenderer]  # for errors; the files are sent as they are

    def perform_content_negotiation(self, request, force=False):
        # A client asking for text/csv gets the CSV file (or a JSON error), never a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="bulk_file",
        summary="A bulk file",
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=bulk.file_names()),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="npp_db.json"),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="<collection>.csv, UTF-8 with BOM"
            ),
            404: OpenApiResponse(description="No such file."),
            429: ERROR_429,
            503: ERROR_503,
        },
    )
    def get(self, request, name: str):
        if name not in bulk.file_names():
            raise Http404("no such bulk file")
        manifest = _served()
        path = bulk.export_dir() / name
        response = FileResponse(
            path.open("rb"), content_type=_CONTENT_TYPES[path.suffix], as_attachment=True, filename=name
        )
        response["ETag"] = f'"{manifest["fingerprint"]}-{name}"'
        response["Last-Modified"] = http_date(path.stat().st_mtime)
        return response
