"""``?format=csv`` of a whole filtered list: the API's columns (as the paged CSV), every row, streamed."""

from __future__ import annotations

from proposals.api.renderers import flatten, serializer_columns
from proposals.exports import csv_response


def wants_whole_csv(request) -> bool:
    params = request.query_params
    return params.get("format") == "csv" and "page_size" not in params and "cursor" not in params


def whole_csv(view, queryset):
    serializer_class = view.get_serializer_class()
    columns = serializer_columns(serializer_class())

    def rows(chunk):
        for record in view.get_serializer(chunk, many=True).data:
            yield flatten(record, columns)

    return csv_response(f"npp_db-{view.basename}s.csv", columns, queryset, rows)
